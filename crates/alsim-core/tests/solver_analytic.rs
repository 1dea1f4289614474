//! Analytic and invariant checks of `alsim_core::solver::FieldSolver`.
//!
//! Every tolerance is stated next to the assertion that uses it, with the error measured when it
//! was chosen. Run with `cargo test -p alsim-core --release --test solver_analytic`.

use alsim_core::solver::{Boundaries, FaceBoundary, FieldSolver, GridShape};

const ZF: (FaceBoundary, FaceBoundary) = (FaceBoundary::ZeroFlux, FaceBoundary::ZeroFlux);
const ALL_ZERO_FLUX: Boundaries = [ZF; 3];

fn shape(nx: usize, ny: usize, nz: usize, voxel_um: f64) -> GridShape {
    GridShape {
        nx,
        ny,
        nz,
        voxel_um,
    }
}

/// Time step giving `r = D dt / h^2`.
fn dt_for_r(r: f64, d: f64, h: f64) -> f64 {
    r * h * h / d
}

fn mass(values: &[f32]) -> f64 {
    values.iter().map(|&v| f64::from(v)).sum()
}

fn min_max(values: &[f32]) -> (f32, f32) {
    values
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// A 64-bit LCG (Knuth's MMIX constants): uniform f32 in [0, 1).
struct Lcg(u64);

impl Lcg {
    fn next_f32(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

fn random_field(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = Lcg(seed);
    (0..n).map(|_| rng.next_f32()).collect()
}

/// Check 1: A Gaussian spreads as the heat kernel says: variance sigma0^2 + 2 D t per axis.
#[test]
fn gaussian_spread_matches_heat_kernel() {
    let n = 48;
    let h = 10.0;
    let d = 1000.0;
    let r = 0.1;
    let dt = dt_for_r(r, d, h);
    let steps = 45; // 2 D t / h^2 = 2 r steps = 9 voxels^2
    let sigma0_sq = 2.5f64 * 2.5; // voxels^2
    let sigma_sq = sigma0_sq + 2.0 * r * steps as f64;
    let g = shape(n, n, n, h);
    let solver = FieldSolver::new(g, d, 0.0, dt, ALL_ZERO_FLUX);
    let c = (n as f64 - 1.0) / 2.0; // centre between voxels 23 and 24
    let r2 = |x: usize, y: usize, z: usize| {
        let (dx, dy, dz) = (x as f64 - c, y as f64 - c, z as f64 - c);
        dx * dx + dy * dy + dz * dz
    };
    let mut u = vec![0.0f32; g.voxels()];
    for z in 0..n {
        for y in 0..n {
            for x in 0..n {
                u[g.index(x, y, z)] = (-r2(x, y, z) / (2.0 * sigma0_sq)).exp() as f32;
            }
        }
    }
    let mass0 = mass(&u);
    let var0 = axis_variances(g, &u, c);
    for _ in 0..steps {
        solver.step(&mut u);
    }
    let var = axis_variances(g, &u, c);
    let amp = (sigma0_sq / sigma_sq).powf(1.5);
    let (mut err2, mut ref2) = (0.0f64, 0.0f64);
    for z in 0..n {
        for y in 0..n {
            for x in 0..n {
                let exact = amp * (-r2(x, y, z) / (2.0 * sigma_sq)).exp();
                let diff = f64::from(u[g.index(x, y, z)]) - exact;
                err2 += diff * diff;
                ref2 += exact * exact;
            }
        }
    }
    let rel_l2 = (err2 / ref2).sqrt();
    let rel_mass = (mass(&u) - mass0).abs() / mass0;
    eprintln!("gaussian: relative L2 error {rel_l2:.3e}, mass drift {rel_mass:.3e}");
    // Tolerance 2%: backward Euler (first order in time, r = 0.1) and the 7-point Laplacian
    // (second order in space) on a Gaussian of sigma0 = 2.5 voxels both slow the spread a
    // little. Measured: 1.24%.
    assert!(rel_l2 < 0.02, "relative L2 error {rel_l2:.3e} >= 2e-2");
    // Mass: zero-flux conserves it exactly in exact arithmetic; 1e-5 relative allows the f32
    // round-off of 45 steps. Measured: 1.8e-7.
    assert!(rel_mass < 1e-5, "mass drift {rel_mass:.3e} >= 1e-5");
    // Variance: for the three-point Laplacian, sum(x^2 L u) = 2 sum(u), so each backward-Euler
    // solve adds exactly 2 r voxels^2 to the variance along its axis (and the other axes' solves,
    // which conserve every line sum, leave it alone): the discrete variance grows by exactly
    // 2 D t while the boundaries are far. Tolerance 1e-5 relative to the growth (f32 round-off).
    // Measured: 4e-8 to 1e-7.
    let growth = 2.0 * r * steps as f64;
    for (axis, (v0, v)) in var0.iter().zip(&var).enumerate() {
        let rel = ((v - v0) - growth).abs() / growth;
        eprintln!("gaussian: axis {axis} variance growth error {rel:.3e}");
        assert!(
            rel < 1e-5,
            "axis {axis}: variance grew by {} voxels^2, expected {growth} (relative error \
             {rel:.3e} >= 1e-5)",
            v - v0
        );
    }
}

/// Variance (voxels^2) of the field about `c` along x, y and z.
fn axis_variances(g: GridShape, u: &[f32], c: f64) -> [f64; 3] {
    let mut m0 = 0.0f64;
    let mut m2 = [0.0f64; 3];
    for z in 0..g.nz {
        for y in 0..g.ny {
            for x in 0..g.nx {
                let v = f64::from(u[g.index(x, y, z)]);
                m0 += v;
                for (m, p) in m2.iter_mut().zip([x, y, z]) {
                    *m += v * (p as f64 - c) * (p as f64 - c);
                }
            }
        }
    }
    m2.map(|m| m / m0)
}

/// Check 2: A uniform field decays exactly as exp(-lambda t), also for a large lambda dt.
#[test]
fn uniform_field_decays_exponentially() {
    let g = shape(12, 10, 9, 10.0);
    for (lambda, dt, steps) in [(0.1, 0.5, 100usize), (10.0, 0.5, 10), (200.0, 0.01, 20)] {
        let solver = FieldSolver::new(g, 2000.0, lambda, dt, ALL_ZERO_FLUX);
        let mut u = vec![1.0f32; g.voxels()];
        for _ in 0..steps {
            solver.step(&mut u);
        }
        let exact = (-lambda * dt * steps as f64).exp();
        let worst = u
            .iter()
            .map(|&v| ((f64::from(v) - exact) / exact).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "decay: lambda dt = {}: worst relative error {worst:.3e}",
            lambda * dt
        );
        // Tolerance 3e-7 relative per step: the f32 rounding of exp(-lambda dt) and of the
        // Thomas coefficients biases every step the same way, so the error grows linearly with
        // the step count. Measured: 8.4e-6 (100 steps of 0.05), 3.5e-7 (10 of 5), 8.1e-7
        // (20 of 2).
        let tol = 3e-7 * steps as f64;
        assert!(
            worst < tol,
            "lambda dt = {}: worst relative error {worst:.3e} >= {tol:.1e}",
            lambda * dt
        );
    }
}

/// Check 3a: A point source with decay on a line reaches the analytic steady state
/// u(x) = q / (2 sqrt(D lambda)) exp(-|x| / L), L = sqrt(D / lambda).
#[test]
fn point_source_steady_state_1d() {
    let nx = 201;
    let mid = nx / 2;
    let h = 10.0;
    let d = 1000.0; // um^2/h
    let lambda = 0.1; // 1/h, so L = sqrt(D / lambda) = 100 um = 10 voxels
    let dt = 0.05; // lambda dt = 0.005, r = 0.5
    let s = 2.0; // source rate of the middle voxel, field units per hour
    let g = shape(nx, 1, 1, h);
    let solver = FieldSolver::new(g, d, lambda, dt, ALL_ZERO_FLUX);
    let inc = (s * solver.source_increment_factor()) as f32;
    let mut u = vec![0.0f32; nx];
    // 30 / lambda hours: the slowest mode (decay rate >= lambda) has decayed by e^-30.
    let steps = (30.0 / (lambda * dt)) as usize;
    for _ in 0..steps {
        u[mid] += inc;
        solver.step(&mut u);
    }
    // The voxel source S spread over the voxel width h is a line source of q = S h (field units
    // times um per hour) on the continuous line.
    let q = s * h;
    let big_l = (d / lambda).sqrt();
    let amp = q / (2.0 * (d * lambda).sqrt());
    let mut worst = 0.0f64;
    for (i, &v) in u.iter().enumerate() {
        let x = (i as f64 - mid as f64).abs() * h;
        if x == 0.0 || x > 4.0 * big_l {
            continue;
        }
        let exact = amp * (-x / big_l).exp();
        worst = worst.max(((f64::from(v) - exact) / exact).abs());
    }
    // Tolerance 1% relative for 1 <= |x| / h <= 40 (up to 4 L), excluding the source voxel:
    // the discrete decay rate of exp(-|x|/L) differs by O((h/L)^2), and the time step lowers the
    // effective decay rate and source by ~lambda dt / 2. Measured: 0.41%.
    assert!(worst < 0.01, "worst relative error {worst:.3e} >= 1e-2");
    // The source voxel itself: within 1% of the analytic peak (measured: 0.25%).
    let peak_err = (f64::from(u[mid]) - amp).abs() / amp;
    eprintln!("point source: worst relative error {worst:.3e}, peak {peak_err:.3e}");
    assert!(
        peak_err < 0.01,
        "peak relative error {peak_err:.3e} >= 1e-2"
    );
}

/// Check 3b: A uniform source with decay converges to exactly S / lambda; without decay it
/// adds S dt per step.
#[test]
fn uniform_source_converges_to_s_over_lambda() {
    let g = shape(10, 9, 8, 10.0);
    let s = 3.0;
    for (lambda, dt) in [(0.5, 0.5), (4.0, 1.0)] {
        let solver = FieldSolver::new(g, 500.0, lambda, dt, ALL_ZERO_FLUX);
        let inc = (s * solver.source_increment_factor()) as f32;
        let mut u = vec![0.0f32; g.voxels()];
        for _ in 0..(60.0 / (lambda * dt)) as usize {
            u.iter_mut().for_each(|v| *v += inc);
            solver.step(&mut u);
        }
        let exact = s / lambda;
        let worst = u
            .iter()
            .map(|&v| ((f64::from(v) - exact) / exact).abs())
            .fold(0.0, f64::max);
        eprintln!(
            "uniform source: lambda dt = {}: worst relative error {worst:.3e}",
            lambda * dt
        );
        // Tolerance 1e-5 relative (f32 round-off). Measured: 1.6e-7 for both.
        assert!(
            worst < 1e-5,
            "lambda dt = {}: worst relative error {worst:.3e} >= 1e-5",
            lambda * dt
        );
    }
    // No decay: the factor is dt and the field grows by S dt per step.
    let solver = FieldSolver::new(g, 500.0, 0.0, 0.25, ALL_ZERO_FLUX);
    assert_eq!(solver.source_increment_factor(), 0.25);
    let inc = (s * solver.source_increment_factor()) as f32;
    let mut u = vec![1.0f32; g.voxels()];
    for _ in 0..8 {
        u.iter_mut().for_each(|v| *v += inc);
        solver.step(&mut u);
    }
    let exact = 1.0 + s * 0.25 * 8.0;
    let worst = u
        .iter()
        .map(|&v| ((f64::from(v) - exact) / exact).abs())
        .fold(0.0, f64::max);
    eprintln!("uniform source, no decay: worst relative error {worst:.3e}");
    // Tolerance 1e-6 relative (f32 round-off of 8 steps). Measured: 6.8e-8.
    assert!(
        worst < 1e-6,
        "no decay: worst relative error {worst:.3e} >= 1e-6"
    );
}

/// Check 4: Fixed values on the x faces: the steady state is the straight line through the ghost
/// voxels (at x = -1 and x = nx in voxel units).
#[test]
fn dirichlet_steady_state_is_linear() {
    let (a, b) = (2.0f32, 5.0f32);
    let h = 10.0;
    let d = 1000.0;
    let dt = dt_for_r(100.0, d, h); // r = 100
    for (nx, ny, nz) in [(30usize, 1usize, 1usize), (30, 5, 4)] {
        let g = shape(nx, ny, nz, h);
        let bounds: Boundaries = [(FaceBoundary::Fixed(a), FaceBoundary::Fixed(b)), ZF, ZF];
        let solver = FieldSolver::new(g, d, 0.0, dt, bounds);
        let mut u = random_field(g.voxels(), 7);
        for _ in 0..200 {
            solver.step(&mut u);
        }
        let mut worst = 0.0f64;
        for z in 0..nz {
            for y in 0..ny {
                for x in 0..nx {
                    let exact =
                        f64::from(a) + f64::from(b - a) * (x as f64 + 1.0) / (nx as f64 + 1.0);
                    let v = f64::from(u[g.index(x, y, z)]);
                    worst = worst.max(((v - exact) / exact).abs());
                }
            }
        }
        eprintln!("dirichlet {nx}x{ny}x{nz}: worst relative error {worst:.3e}");
        // Tolerance 1e-4 relative; f32 round-off of the last solves is all that
        // remains after 200 steps at r = 100. Measured: 2.5e-7 (30x1x1), 6.8e-7 (30x5x4).
        assert!(
            worst < 1e-4,
            "{nx}x{ny}x{nz}: worst relative error {worst:.3e} >= 1e-4"
        );
    }
}

/// Check 5: Zero-flux faces and no decay conserve mass; the implicit scheme keeps the field within
/// its initial bounds (maximum principle), even for r >> 1.
#[test]
fn mass_conserved_and_bounded_with_large_steps() {
    let g = shape(37, 23, 19, 10.0);
    let d = 1000.0;
    let solver = FieldSolver::new(g, d, 0.0, dt_for_r(50.0, d, 10.0), ALL_ZERO_FLUX);
    let mut u = random_field(g.voxels(), 42);
    let mass0 = mass(&u);
    let (_, max0) = min_max(&u);
    let mut worst_mass = 0.0f64;
    for step in 0..50 {
        solver.step(&mut u);
        let rel = (mass(&u) - mass0).abs() / mass0;
        worst_mass = worst_mass.max(rel);
        let (lo, hi) = min_max(&u);
        assert!(lo >= 0.0, "step {step}: min {lo} < 0");
        assert!(hi <= max0, "step {step}: max {hi} > initial max {max0}");
    }
    eprintln!("mass: worst relative drift {worst_mass:.3e}");
    // Tolerance 1e-5 relative (f32 round-off). Measured: 2.4e-6.
    assert!(
        worst_mass < 1e-5,
        "worst relative mass drift {worst_mass:.3e} >= 1e-5"
    );
}

fn run_in_pool(threads: usize, g: GridShape, bounds: Boundaries, init: &[f32]) -> Vec<f32> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let solver = FieldSolver::new(g, 144_000.0, 1.4, 0.1, bounds);
        let mut u = init.to_vec();
        for _ in 0..10 {
            solver.step(&mut u);
        }
        u
    })
}

/// Check 6: The result does not depend on the number of rayon threads, bit for bit.
#[test]
fn bit_identical_for_any_thread_count() {
    let bounds: Boundaries = [
        (FaceBoundary::Fixed(1.0), FaceBoundary::ZeroFlux),
        (FaceBoundary::ZeroFlux, FaceBoundary::Fixed(0.25)),
        (FaceBoundary::Fixed(0.5), FaceBoundary::Fixed(2.0)),
    ];
    for (nx, ny, nz) in [(40usize, 40usize, 40usize), (37, 23, 19)] {
        let g = shape(nx, ny, nz, 20.0);
        let init = random_field(g.voxels(), 2024);
        let one = run_in_pool(1, g, bounds, &init);
        for threads in [2, 3] {
            let many = run_in_pool(threads, g, bounds, &init);
            let same = one
                .iter()
                .zip(&many)
                .all(|(p, q)| p.to_bits() == q.to_bits());
            assert!(same, "{nx}x{ny}x{nz}: 1 and {threads} threads differ");
        }
    }
}

/// Check 7a: A line along x, y or z gives the same profile, bit for bit (single-voxel axes work).
#[test]
fn line_along_each_axis_is_identical() {
    let n = 50;
    let init = random_field(n, 5);
    let ends = (FaceBoundary::Fixed(1.5), FaceBoundary::ZeroFlux);
    let run = |axis: usize| {
        let mut dims = [1usize; 3];
        dims[axis] = n;
        let mut bounds = [ZF; 3];
        bounds[axis] = ends;
        let g = shape(dims[0], dims[1], dims[2], 10.0);
        let solver = FieldSolver::new(g, 800.0, 0.3, 0.4, bounds);
        let mut u = init.clone();
        for _ in 0..20 {
            solver.step(&mut u);
        }
        u
    };
    let (x, y, z) = (run(0), run(1), run(2));
    let bits = |v: &[f32]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&x), bits(&z), "x line and z line differ");
    assert_eq!(bits(&x), bits(&y), "x line and y line differ");
}

/// Check 7b: On an uneven 3D grid, a profile varying only along one axis evolves as on a
/// line; fixed faces on single-voxel axes act as a uniform exchange with the ghost value.
#[test]
fn uneven_grid_separates_into_lines() {
    let (nx, ny, nz) = (29usize, 6usize, 5usize);
    let g3 = shape(nx, ny, nz, 10.0);
    let g1 = shape(nx, 1, 1, 10.0);
    let ends = (FaceBoundary::Fixed(0.8), FaceBoundary::Fixed(0.1));
    let s3 = FieldSolver::new(g3, 600.0, 0.2, 0.5, [ends, ZF, ZF]);
    let s1 = FieldSolver::new(g1, 600.0, 0.2, 0.5, [ends, ZF, ZF]);
    let profile = random_field(nx, 11);
    let mut u3: Vec<f32> = (0..ny * nz).flat_map(|_| profile.clone()).collect();
    let mut u1 = profile.clone();
    for _ in 0..15 {
        s3.step(&mut u3);
        s1.step(&mut u1);
    }
    let mut worst = 0.0f32;
    for row in u3.chunks_exact(nx) {
        for (p, q) in row.iter().zip(&u1) {
            worst = worst.max((p - q).abs() / q.abs());
        }
    }
    eprintln!("separable rows: worst relative difference {worst:.3e}");
    // Tolerance 1e-6 relative: the y and z solves of a y-z-uniform field are the identity up to
    // f32 round-off. Measured: 4.0e-7.
    assert!(
        worst < 1e-6,
        "rows differ from the line by {worst:.3e} relative"
    );

    // A single-voxel axis with Fixed faces: one voxel exchanging with two ghosts at g, no decay,
    // converges to g.
    let g = shape(1, 1, 1, 10.0);
    let fixed = (FaceBoundary::Fixed(3.0), FaceBoundary::Fixed(3.0));
    let solver = FieldSolver::new(g, 1000.0, 0.0, 0.1, [fixed, ZF, fixed]);
    let mut u = vec![0.0f32];
    solver.step(&mut u);
    // One step: each fixed axis solves (1 + 2r) u = u + 2 r g with r = 1.
    let after_x = 2.0 * 3.0 / 3.0;
    let exact = (after_x + 2.0 * 3.0) / 3.0;
    assert!(
        (f64::from(u[0]) - exact).abs() < 1e-6,
        "single voxel: {} vs {exact}",
        u[0]
    );
    for _ in 0..40 {
        solver.step(&mut u);
    }
    assert!(
        (u[0] - 3.0).abs() < 1e-5,
        "single voxel limit {} != 3",
        u[0]
    );
}

/// Pure decay (D = 0) and empty axes: the solves are diagonal.
#[test]
fn zero_diffusion_is_pure_decay() {
    let g = shape(7, 5, 3, 10.0);
    let bounds: Boundaries = [(FaceBoundary::Fixed(9.0), FaceBoundary::Fixed(9.0)), ZF, ZF];
    let solver = FieldSolver::new(g, 0.0, 0.7, 0.3, bounds);
    let init = random_field(g.voxels(), 3);
    let mut u = init.clone();
    solver.step(&mut u);
    let factor = (-0.7f64 * 0.3).exp() as f32;
    for (v, &i0) in u.iter().zip(&init) {
        assert_eq!(
            *v,
            factor * i0,
            "D = 0 must be a pure decay (fixed faces do nothing)"
        );
    }
}

/// Degenerate but valid inputs: an empty grid, dt = 0, and a single zero-flux voxel.
#[test]
fn degenerate_inputs_are_no_ops() {
    let empty = shape(0, 4, 4, 10.0);
    let solver = FieldSolver::new(empty, 1000.0, 0.5, 0.1, ALL_ZERO_FLUX);
    solver.step(&mut []);

    let g = shape(6, 5, 4, 10.0);
    let fixed = (FaceBoundary::Fixed(2.0), FaceBoundary::Fixed(3.0));
    let solver = FieldSolver::new(g, 1000.0, 0.5, 0.0, [fixed; 3]);
    assert_eq!(solver.source_increment_factor(), 0.0);
    let init = random_field(g.voxels(), 9);
    let mut u = init.clone();
    solver.step(&mut u);
    assert_eq!(u, init, "dt = 0 must leave the field unchanged");

    let one = shape(1, 1, 1, 10.0);
    let solver = FieldSolver::new(one, 1000.0, 0.0, 5.0, ALL_ZERO_FLUX);
    let mut u = vec![0.75f32];
    solver.step(&mut u);
    assert_eq!(
        u,
        [0.75],
        "a single zero-flux voxel without decay is unchanged"
    );
}
