//! Ingest throughput: `record_deliveries` on SQLite (WAL, synchronous=NORMAL)
//! for group-commit batches of 1, 16 and 128 deliveries with a real 13.8 KB
//! payload (compressed as the server stores it) and one job each (DESIGN §10: ≥5,000 deliveries/s on 2 cores).

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Utc;
use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use vayu::core::ids::{DeliveryId, InstallationId, RepoName};
use vayu::store::{DeliveryWithJobs, NewDelivery, NewJob, SqliteStore, Store};

/// A real delivery body (13.8 KB `issues.labeled`): bodies are stored
/// compressed, so a synthetic one would flatter the figures.
fn payload() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/github/webhooks/issues.labeled.1.json"
    ))
    .expect("fixture payload")
}

fn batch(n: usize, next: &AtomicU64, payload: &str, repo: &RepoName) -> Vec<DeliveryWithJobs> {
    (0..n)
        .map(|_| {
            let id = next.fetch_add(1, Ordering::Relaxed);
            let now = Utc::now();
            DeliveryWithJobs {
                delivery: NewDelivery {
                    id: DeliveryId(format!("bench-{id}")),
                    event: "issues".into(),
                    action: Some("opened".into()),
                    installation_id: Some(InstallationId(1)),
                    repo: Some(repo.clone()),
                    received_at: now,
                    payload: payload.into(),
                },
                jobs: vec![
                    NewJob::new("issue_event", json!({ "delivery": id }), now)
                        .dedupe(format!("bench-{id}")),
                ],
            }
        })
        .collect()
}

fn bench_ingest(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = rt.block_on(SqliteStore::connect(&url)).expect("store");
    let payload = payload();
    let repo: RepoName = "octo/widgets".parse().expect("repo");
    let next = AtomicU64::new(0);

    let mut group = c.benchmark_group("store_ingest");
    for n in [1usize, 16, 128] {
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("record_deliveries", n), &n, |b, &n| {
            b.iter_batched(
                || batch(n, &next, &payload, &repo),
                |batch| {
                    rt.block_on(store.record_deliveries(&batch))
                        .expect("recorded")
                },
                BatchSize::SmallInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
