//! Whole ticks (cells, exchange, death and all field sub-steps), in ticks per second: the
//! bundled default and sporadic scenarios on all threads, and the large-tissue scenarios
//! (large-s, -m, -l: 10x apart in cells and voxels) on one thread and on all threads, whose
//! ratio is the parallel speed-up.

use alsim::core::Simulation;
use alsim::scenario::load;
use alsim_bench::{large_scenario, pool};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::path::Path;
use std::time::Duration;

fn ticks(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (one, all) = (pool(1), pool(threads));
    let mut group = c.benchmark_group("tick");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    for name in ["default", "sporadic"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.ron"));
        let mut scenario = load(&path).unwrap_or_else(|e| panic!("{e}"));
        // A tick, not an adaptive step of several (benches/lifetime.rs times those).
        scenario.time.adaptive = None;
        let mut sim = Simulation::new(&scenario).unwrap_or_else(|e| panic!("{e}"));
        // Start from a tissue in the middle of its disease, not from the quiet first day.
        all.install(|| {
            for _ in 0..scenario.time.ticks() / 2 {
                sim.step();
            }
        });
        // Stepped inside the pool, as `alsim run` does (one hand-off per tick, not per system).
        group.bench_function(name, |b| b.iter(|| all.install(|| sim.step())));
    }
    for i in 0..3 {
        let scenario = large_scenario(i);
        let mut sim = Simulation::new(&scenario).unwrap_or_else(|e| panic!("{e}"));
        all.install(|| sim.step());
        for (threads, p) in [(1, &one), (threads, &all)] {
            let id = BenchmarkId::new(scenario.name.as_str(), format!("{threads} threads"));
            group.bench_function(id, |b| b.iter(|| p.install(|| sim.step())));
        }
    }
    group.finish();
}

criterion_group!(benches, ticks);
criterion_main!(benches);
