//! Throughput of `FieldSolver::step` alone, one field, in voxel updates per second, at 64³,
//! 128³ and 256³ voxels; and, in the same run, the memory bandwidth that bounds it: a
//! STREAM-style triad on one thread and on all threads (bytes per second of bus traffic: STREAM's
//! 12 B per element and the write-allocate read of the stored array, 16 B). The solver must move `alsim_bench::SOLVER_BYTES_PER_VOXEL` (16) bytes per voxel and
//! step, so its fraction of the bound is `16 * voxel-updates/s / triad bytes/s` at 256³ (the
//! smaller grids fit in cache). `alsim bench` prints that ratio directly.
//!
//! 10 samples each over a short measurement time: about a minute once built.

use alsim_bench::{SOLVER_EDGES, SolverWorkload, Triad, pool};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::time::Duration;

fn field_solver(c: &mut Criterion) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (one, all) = (pool(1), pool(threads));
    let mut group = c.benchmark_group("field_solver");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for edge in SOLVER_EDGES {
        let mut w = SolverWorkload::new(edge);
        group.throughput(Throughput::Elements(w.voxels() as u64));
        group.bench_function(BenchmarkId::new("step", edge), |b| {
            b.iter(|| all.install(|| w.step()))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("triad");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    // 128 MiB per array: four times the largest last-level cache we run on, as STREAM asks.
    let mut triad = Triad::new(32 << 20);
    group.throughput(Throughput::Bytes(triad.bytes()));
    for (name, p) in [("1 thread", &one), ("all threads", &all)] {
        group.bench_function(name, |b| b.iter(|| p.install(|| triad.run())));
    }
    group.finish();
}

criterion_group!(benches, field_solver);
criterion_main!(benches);
