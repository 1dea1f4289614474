//! Throughput of `FieldSolver::step` (voxel updates per second) and, beside it, of a streaming
//! pass that moves 8 bytes per voxel, to compare the solver with the memory bandwidth of the
//! same run (the solver moves at least 24 bytes per voxel per step: one read and one write of
//! the f32 grid per axis).
//!
//! Sizes 64^3, 128^3 and 256^3 (the size the bandwidth target is set at), 10 samples each over a
//! short measurement time: `cargo bench --bench field_solver` takes about half a minute once
//! built. The ratio that matters is `3 * scale_pass_8B / step` at 256^3 (the fraction of the
//! measured bandwidth that the solver achieves); at 64^3 the scale pass mostly measures thread
//! start-up (it uses scoped std threads, as the root package does not depend on rayon), and at
//! 64^3 and 128^3 the grid fits in cache.

use std::hint::black_box;
use std::time::{Duration, Instant};

use alsim_core::solver::{Boundaries, FaceBoundary, FieldSolver, GridShape};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// 40 um^2/s.
const DIFFUSION_UM2_PER_HOUR: f64 = 144_000.0;
const DECAY_PER_HOUR: f64 = 1.4;
const DT_HOURS: f64 = 0.1;
const VOXEL_UM: f64 = 20.0;

/// `u = s * u` over `values`, split over the available cores with scoped threads: 4 bytes read
/// and 4 written per voxel, the best a sweep over the grid can do per axis.
fn scale_pass(values: &mut [f32], s: f32, threads: usize) {
    let chunk = values.len().div_ceil(threads);
    std::thread::scope(|scope| {
        for part in values.chunks_mut(chunk) {
            scope.spawn(move || {
                for v in part {
                    *v *= s;
                }
            });
        }
    });
}

fn bench_sizes(c: &mut Criterion, sizes: &[usize], measurement: Duration) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let bounds: Boundaries = [(FaceBoundary::ZeroFlux, FaceBoundary::ZeroFlux); 3];
    let mut group = c.benchmark_group("field_solver");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(measurement);
    for &n in sizes {
        let shape = GridShape {
            nx: n,
            ny: n,
            nz: n,
            voxel_um: VOXEL_UM,
        };
        let solver = FieldSolver::new(
            shape,
            DIFFUSION_UM2_PER_HOUR,
            DECAY_PER_HOUR,
            DT_HOURS,
            bounds,
        );
        let voxels = shape.voxels();
        let initial: Vec<f32> = (0..voxels).map(|i| (i % 97) as f32 * 0.01 + 1.0).collect();
        let mut values = initial.clone();

        group.throughput(Throughput::Elements(voxels as u64));
        group.bench_with_input(BenchmarkId::new("step", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let mut elapsed = Duration::ZERO;
                for i in 0..iters {
                    // The field decays by exp(-0.14) per step: start again every 50 steps
                    // (untimed) so that it never reaches subnormal values.
                    if i % 50 == 0 {
                        values.copy_from_slice(&initial);
                    }
                    let start = Instant::now();
                    solver.step(black_box(&mut values));
                    elapsed += start.elapsed();
                }
                elapsed
            })
        });

        group.throughput(Throughput::Bytes(8 * voxels as u64));
        group.bench_with_input(BenchmarkId::new("scale_pass_8B", n), &n, |b, _| {
            // The factor is 1 so that the values stay the same however often it runs.
            b.iter(|| scale_pass(black_box(&mut values), black_box(1.0), threads))
        });
    }
    group.finish();
}

fn field_solver(c: &mut Criterion) {
    bench_sizes(c, &[64, 128, 256], Duration::from_secs(2));
}

criterion_group!(benches, field_solver);
criterion_main!(benches);
