//! Whole lifetimes, age 40 to 90, on all threads: the human sporadic block in daily ticks and
//! with its adaptive stepping (their ratio is what adaptive stepping buys), and the human body
//! of 17 regions (`sporadic-body`) with adaptive stepping, the run the 30 s budget is about.
//! Each sample is a whole run: expect about five minutes.

use alsim::core::{Body, Simulation};
use alsim::scenario::load;
use alsim_bench::pool;
use criterion::{Criterion, criterion_group, criterion_main};
use std::path::Path;
use std::time::Duration;

fn lifetimes(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let all = pool(threads);
    let scenario = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.ron"));
        load(&path).unwrap_or_else(|e| panic!("{e}"))
    };
    let mut group = c.benchmark_group("lifetime");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(1));
    let adaptive = scenario("sporadic");
    let mut daily = adaptive.clone();
    daily.time.adaptive = None;
    for (id, s) in [
        ("sporadic, daily", &daily),
        ("sporadic, adaptive", &adaptive),
    ] {
        group.bench_function(id, |b| {
            b.iter(|| {
                all.install(|| {
                    let mut sim = Simulation::new(s).unwrap_or_else(|e| panic!("{e}"));
                    while !sim.is_finished() {
                        sim.step();
                    }
                    sim.summary().motor_neurons_final_alive
                })
            })
        });
    }
    let body = scenario("sporadic-body");
    group.bench_function("sporadic-body, adaptive", |b| {
        b.iter(|| {
            all.install(|| {
                let mut body = Body::new(&body).unwrap_or_else(|e| panic!("{e}"));
                while !body.is_finished() {
                    body.step();
                }
                body.time_days()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, lifetimes);
criterion_main!(benches);
