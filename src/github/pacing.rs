//! Mutation pacing: GitHub's secondary limits forbid concurrent mutations and
//! ask for at least a second between them, per installation.

use std::future::Future;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

/// Serializes mutations and spaces them at least `gap` apart.
#[derive(Debug)]
pub struct Pacer {
    gap: Duration,
    last: Mutex<Option<Instant>>,
}

impl Pacer {
    /// A pacer with the given minimum gap (zero turns spacing off, not serializing).
    pub fn new(gap: Duration) -> Self {
        Self {
            gap,
            last: Mutex::new(None),
        }
    }

    /// Runs `f` once no other mutation is running and `gap` has passed since
    /// the previous one finished.
    pub async fn run<T>(&self, f: impl Future<Output = T>) -> T {
        let mut last = self.last.lock().await;
        if let Some(at) = *last {
            tokio::time::sleep_until(at + self.gap).await;
        }
        let out = f.await;
        *last = Some(Instant::now());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test(start_paused = true)]
    async fn mutations_are_spaced_and_serialized() {
        let pacer = Arc::new(Pacer::new(Duration::from_secs(1)));
        let start = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..3 {
            let p = pacer.clone();
            handles.push(tokio::spawn(async move {
                p.run(async {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Instant::now()
                })
                .await
            }));
        }
        let mut ends = Vec::new();
        for h in handles {
            ends.push(h.await.expect("join") - start);
        }
        ends.sort();
        let ms: Vec<u128> = ends.iter().map(|d| d.as_millis()).collect();
        assert_eq!(ms, vec![100, 1200, 2300]);
    }
}
