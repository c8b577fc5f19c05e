//! A scripted HTTP server for adapter fault tests: answers each request with
//! the next canned response (the last one repeats) and records request lines.
#![allow(dead_code)] // each test binary uses a subset

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One canned response.
#[derive(Debug, Clone)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

/// `status` with a JSON body and extra headers.
pub fn reply(status: u16, headers: &[(&'static str, &str)], body: &str) -> Canned {
    Canned {
        status,
        headers: headers.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        body: body.to_owned(),
    }
}

/// A running scripted server.
#[derive(Debug, Clone)]
pub struct Scripted {
    pub url: String,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    /// Request lines (`GET /path HTTP/1.1`) received so far.
    pub fn requests(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }
}

/// Starts a server answering with `script` in order, then repeating the last.
pub async fn serve(script: Vec<Canned>) -> Scripted {
    serve_by(move |_line, n| script[n.min(script.len() - 1)].clone()).await
}

/// Starts a server answering each request with `answer(request_head, index)`;
/// the head's first line is the request line.
pub async fn serve_by(answer: impl Fn(&str, usize) -> Canned + Send + Sync + 'static) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                let mut buf = vec![0u8; 16 * 1024];
                let head_end = loop {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    got.extend_from_slice(&buf[..n]);
                    if let Some(i) = find(&got, b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&got[..head_end]).into_owned();
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                while got.len() < head_end + len {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
                let line = head.lines().next().unwrap_or("").to_owned();
                let n = {
                    let mut l = log.lock().expect("lock");
                    l.push(line.clone());
                    l.len() - 1
                };
                let c = answer(&head, n);
                let mut resp = format!(
                    "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                    c.status,
                    c.body.len()
                );
                for (k, v) in &c.headers {
                    resp.push_str(&format!("{k}: {v}\r\n"));
                }
                resp.push_str("\r\n");
                resp.push_str(&c.body);
                let _ = sock.write_all(resp.as_bytes()).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Scripted { url, seen }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
