//! Whole ticks of the bundled scenarios (cells, exchange, death and all field sub-steps),
//! reported as ticks per second. Large-tissue scenarios join this bench when they exist.

use alsim::core::Simulation;
use alsim::scenario::load;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::path::Path;
use std::time::Duration;

fn ticks(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("tick");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(1));
    for name in ["default", "sporadic"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("scenarios/{name}.ron"));
        let scenario = load(&path).unwrap_or_else(|e| panic!("{e}"));
        let mut sim = Simulation::new(&scenario).unwrap_or_else(|e| panic!("{e}"));
        // Start from a tissue in the middle of its disease, not from the quiet first day.
        pool.install(|| {
            for _ in 0..scenario.time.ticks() / 2 {
                sim.step();
            }
        });
        // Stepped inside the pool, as `alsim run` does (one hand-off per tick, not per system).
        group.bench_function(name, |b| b.iter(|| pool.install(|| sim.step())));
    }
    group.finish();
}

criterion_group!(benches, ticks);
criterion_main!(benches);
