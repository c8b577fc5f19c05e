//! The real `vayu serve` binary: a signed fixture over TCP, SIGTERM, and logs
//! that carry the delivery id but never the secret, key or signature.
#![allow(clippy::unwrap_used)]

mod server_support;
mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};

use server_support::{SECRET, labeled};
use vayu::server::signature::sign;

// The test-only App key: `vayu serve` parses it at start, so it must be real.
const KEY: &str = include_str!("fixtures/keys/test-app.private.pem");

/// A line from the middle of the key, which must never reach the logs.
fn key_material() -> &'static str {
    KEY.lines().nth(3).unwrap_or("unreachable")
}

fn post(addr: &str, id: &str, signature: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).unwrap();
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         X-GitHub-Event: issues\r\nX-GitHub-Delivery: {id}\r\nX-Hub-Signature-256: {signature}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// `vayu serve` on an ephemeral port with the in-memory queue, JSON logs on
/// a piped stderr, App `app_id` with the test key, and only `env` besides.
fn serve(
    dir: &std::path::Path,
    app_id: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vayu"));
    cmd.args([
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--database-url",
        "memory:",
        "--log-format",
        "json",
    ])
    .args(extra)
    .current_dir(dir)
    .env_clear()
    .env("VAYU_APP_ID", app_id)
    .env("VAYU_PRIVATE_KEY", KEY)
    .env("VAYU_WEBHOOK_SECRET", SECRET)
    .envs(env.iter().copied())
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

#[test]
fn serve_accepts_a_signed_delivery_and_stops_cleanly_on_sigterm() {
    let dir = std::env::temp_dir().join(format!("vayu-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = serve(&dir, "1", &[], &[("RUST_LOG", "debug")]);
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut log = String::new();
    let addr = loop {
        let mut line = String::new();
        assert_ne!(
            stderr.read_line(&mut line).unwrap(),
            0,
            "exited early:\n{log}"
        );
        log.push_str(&line);
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["fields"]["message"] == "listening" {
            break v["fields"]["addr"].as_str().unwrap().to_owned();
        }
    };

    let body = labeled();
    let signature = sign(SECRET, &body);
    let ok = post(&addr, "bin-delivery-1", &signature, &body);
    assert!(ok.starts_with("HTTP/1.1 202 "), "{ok}");
    assert!(ok.ends_with(r#"{"queued":true}"#), "{ok}");
    let dup = post(&addr, "bin-delivery-1", &signature, &body);
    assert!(dup.starts_with("HTTP/1.1 200 "), "{dup}");
    let forged = sign("guessed", &body);
    let bad = post(&addr, "bin-delivery-2", &forged, &body);
    assert!(bad.starts_with("HTTP/1.1 401 "), "{bad}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    stderr.read_to_string(&mut log).unwrap();
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}\n{log}");

    assert!(log.contains(r#""delivery":"bin-delivery-1""#), "{log}");
    assert!(log.contains(r#""repo":"Codertocat/Hello-World""#), "{log}");
    assert!(log.contains(r#""event":"issues""#), "{log}");
    assert!(
        log.contains("rejected a delivery with a missing or wrong X-Hub-Signature-256"),
        "{log}"
    );
    assert!(log.contains(r#""message":"stopped""#), "{log}");
    for secret in [SECRET, key_material(), &signature[7..], &forged[7..]] {
        assert!(
            !log.contains(secret),
            "`{secret}` leaked into the logs:\n{log}"
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn serve_without_a_secret_refuses_to_start() {
    let out = Command::new(env!("CARGO_BIN_EXE_vayu"))
        .args([
            "serve",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            "memory:",
        ])
        .current_dir(std::env::temp_dir())
        .env_clear()
        .env("VAYU_APP_ID", "1")
        .env("VAYU_PRIVATE_KEY", KEY)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: no webhook secret: set --webhook-secret or VAYU_WEBHOOK_SECRET"),
        "{stderr}"
    );
}

/// A `--bot-login` that is not the App's (`GET /app` says `vayu-sim[bot]`)
/// is an error in the log: vayu would take its own events for a person's.
#[tokio::test(flavor = "multi_thread")]
async fn serve_says_when_the_bot_login_is_not_the_apps() {
    let sim = support::GitHubSim::start().await;
    sim.installation(
        77,
        42,
        include_str!("fixtures/keys/test-app.public.pem"),
        &[],
    );
    let dir = std::env::temp_dir().join(format!("vayu-serve-bot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = sim.url();
    let mut child = serve(
        &dir,
        "42",
        &["--github-api-url", &url, "--bot-login", "vayu[bot]"],
        &[],
    );
    let stderr = child.stderr.take().unwrap();
    let found = tokio::task::spawn_blocking(move || {
        let mut log = String::new();
        for line in BufReader::new(stderr).lines() {
            let line = line.unwrap_or_default();
            log.push_str(&line);
            log.push('\n');
            if line.contains("\"level\":\"ERROR\"") && line.contains("VAYU_BOT_LOGIN=vayu-sim[bot]")
            {
                return (true, log);
            }
        }
        (false, log)
    });
    let (ok, log) = tokio::time::timeout(std::time::Duration::from_secs(60), found)
        .await
        .expect("the check logs within a minute")
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(ok, "{log}");
    let _ = std::fs::remove_dir_all(dir);
}
