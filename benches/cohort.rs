//! Cohort throughput: the first people of the bundled cohorts run as `alsim cohort --jobs N`
//! runs them, one person per core on one thread each, so a sample's time gives people per
//! minute on this machine. `cohorts/sporadic.ron` (lifetime blocks, 8 people a sample) and
//! `cohorts/sporadic-body.ron` (bodies of 17 regions ending at respiratory failure, 4 people a
//! sample). People differ in cost (an early onset means more daily steps), so the figure is for
//! these people; `alsim calibrate --cohorts` reports a whole cohort's. Expect about eight
//! minutes.

use alsim::core::{Body, Simulation};
use alsim::scenario::{Scenario, load};
use alsim_bench::pool;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rayon::prelude::*;
use std::path::Path;
use std::time::Duration;

fn people(cohort: &str, n: u64) -> Vec<Scenario> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/cohorts/{cohort}.ron"));
    let cohort = load(&path).unwrap_or_else(|e| panic!("{e}"));
    (0..n)
        .map(|i| {
            cohort
                .person(i, cohort.name.as_str())
                .unwrap_or_else(|e| panic!("{e}"))
                .scenario
        })
        .collect()
}

fn cohorts(c: &mut Criterion) {
    let jobs = std::thread::available_parallelism().map_or(1, |n| n.get());
    let one_thread_each = pool(jobs);
    let mut group = c.benchmark_group("cohort");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    let blocks = people("sporadic", 8);
    group.throughput(Throughput::Elements(blocks.len() as u64));
    group.bench_function("sporadic, 8 people", |b| {
        b.iter(|| {
            one_thread_each.install(|| {
                blocks
                    .par_iter()
                    .with_max_len(1)
                    .map(|s| {
                        let mut sim = Simulation::new(s).unwrap_or_else(|e| panic!("{e}"));
                        while !sim.is_finished() {
                            sim.step();
                        }
                        sim.summary().motor_neurons_final_alive
                    })
                    .sum::<u64>()
            })
        })
    });
    let bodies = people("sporadic-body", 4);
    group.throughput(Throughput::Elements(bodies.len() as u64));
    group.bench_function("sporadic-body, 4 people", |b| {
        b.iter(|| {
            one_thread_each.install(|| {
                bodies
                    .par_iter()
                    .with_max_len(1)
                    .map(|s| {
                        let mut body = Body::new(s).unwrap_or_else(|e| panic!("{e}"));
                        while !body.is_finished() {
                            body.step();
                        }
                        body.time_days()
                    })
                    .sum::<f64>()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, cohorts);
criterion_main!(benches);
