//! The cell step alone (every phase of a tick but the fields': sensing, every mechanism,
//! exchange, death, division, readout) at 10⁴, 10⁵ and 10⁶ cells, in cell updates per second,
//! on all threads. The tissue is large-s grown at the same densities to hold each count.

use alsim::core::Simulation;
use alsim_bench::{CELL_COUNTS, cell_count, cell_scenario, pool};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

fn cell_step(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let pool = pool(threads);
    let mut group = c.benchmark_group("cell_step");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in CELL_COUNTS {
        let scenario = cell_scenario(n);
        let mut sim = Simulation::new(&scenario).unwrap_or_else(|e| panic!("{e}"));
        // One whole tick first, so that the fields hold what the cells secreted.
        pool.install(|| sim.step());
        group.throughput(Throughput::Elements(cell_count(&scenario)));
        group.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| pool.install(|| sim.step_cells_only()))
        });
    }
    group.finish();
}

criterion_group!(benches, cell_step);
criterion_main!(benches);
