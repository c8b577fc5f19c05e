//! Planner throughput: validate + stage + critical path + estimate for random
//! DAGs of 100, 1,000 and 10,000 subtasks (DESIGN §10: 10,000 nodes < 50 ms).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use vayu::core::config::{OwnerConfig, PlanningConfig};
use vayu::core::ids::TaskKey;
use vayu::core::plan::{Minutes, PlanSource, PlanSpec, SubtaskSpec, validate};

/// A seeded random DAG: each subtask needs up to three earlier ones, every
/// tenth uses one of five shared resources, owners rotate over the defaults.
fn random_dag(n: usize, seed: u64) -> PlanSpec {
    let mut rng = StdRng::seed_from_u64(seed);
    let owners = OwnerConfig::defaults();
    let key = |i: usize| TaskKey::new(format!("s{i}")).expect("valid key");
    let subtasks = (0..n)
        .map(|i| {
            let needs = if i == 0 {
                Vec::new()
            } else {
                let count = rng.random_range(0..=3usize);
                (0..count).map(|_| key(rng.random_range(0..i))).collect()
            };
            let min = rng.random_range(5..30u32);
            SubtaskSpec {
                key: key(i),
                title: format!("Subtask {i}"),
                owner: Some(owners[i % owners.len()].name.clone()),
                needs,
                when: None,
                resources: if i % 10 == 0 {
                    vec![format!("r{}", rng.random_range(0..5u8))]
                } else {
                    Vec::new()
                },
                estimate: Some(Minutes {
                    min,
                    max: min + rng.random_range(0..15u32),
                }),
                files: Vec::new(),
                success: None,
                description: None,
                span: None,
            }
        })
        .collect();
    PlanSpec {
        mode: None,
        subtasks,
        source: PlanSource::Block,
    }
}

fn bench_validate(c: &mut Criterion) {
    let planning = PlanningConfig {
        min_subtasks: 1,
        max_subtasks: 100_000,
        max_stages: 100_000,
        ..PlanningConfig::default()
    };
    let owners = OwnerConfig::defaults();
    let mut group = c.benchmark_group("validate_stage_critical_path");
    for n in [100usize, 1_000, 10_000] {
        let spec = random_dag(n, 42);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &spec, |b, spec| {
            b.iter(|| validate(black_box(spec), &planning, &owners).expect("a DAG is valid"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_validate);
criterion_main!(benches);
