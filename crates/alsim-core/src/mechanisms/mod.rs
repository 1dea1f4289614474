//! Disease mechanisms, one file each, each a [`Mechanism`](crate::Mechanism): its components,
//! systems, checkpoint record, guard bounds and observables. A mechanism switched off in the
//! scenario is simply not built; no other mechanism asks whether it is on.

pub mod ageing;
pub mod aggregation;
pub mod astrocytes;
pub mod cell_death;
pub mod environment;
pub mod genetics;
pub mod interventions;
pub mod microglia;
pub mod mitochondria;
pub mod motor_units;
pub mod neurofilament;
pub mod neuron_damage;
pub mod tdp43;
pub mod transport;

use crate::mechanism::Mechanism;
use bevy_ecs::change_detection::ContiguousMut;
use bevy_ecs::prelude::*;

/// Every mechanism, in the order they are built: each one's set-up may read the state of those
/// before it (every mechanism starts from the genotype's folds at day 0; transport starts each terminal from mitochondria's healthy state and its motor
/// unit; ageing modulates aggregation). The order of a time-series section's columns is this
/// order too. This is the one list of mechanisms.
pub static ALL: [&dyn Mechanism; 14] = [
    &genetics::Genetics,
    &aggregation::Aggregation,
    &ageing::Ageing,
    &mitochondria::Energetics,
    &motor_units::MotorUnits,
    &transport::AxonalTransport,
    &tdp43::Tdp43,
    &microglia::Microglial,
    &astrocytes::Astroglial,
    &neuron_damage::NeuronDamage,
    &cell_death::CellDeath,
    &environment::Exposures,
    &interventions::Interventions,
    &neurofilament::Neurofilament,
];

/// The tick a scheduled day falls on: the nearest whole tick.
pub(crate) fn tick_of(day: f64, dt_hours: f64) -> u64 {
    (day * 24.0 / dt_hours).round() as u64
}

/// `params` with `edit` applied by the factors of another mechanism (genes, drugs), or as they
/// are when that mechanism is off. The affected mechanism calls it when it reads its
/// parameters, so none is ever rewritten.
pub fn modulate<F, P: Clone>(factors: Option<&F>, params: &P, edit: impl Fn(&F, &mut P)) -> P {
    let mut p = params.clone();
    if let Some(f) = factors {
        edit(f, &mut p);
    }
    p
}

/// Gives every cell marked `M` the component `C` (a mechanism's per-cell state at the start).
/// Before any such cell exists, `C` becomes a required component of `M`: cells spawned later
/// get it with their other components (with `initial` unless the spawn names its own).
pub(crate) fn give<M: Component, C: Component + Clone>(world: &mut World, initial: C) {
    let cells: Vec<Entity> = world
        .query_filtered::<Entity, With<M>>()
        .iter(world)
        .collect();
    if cells.is_empty() {
        let constructor = initial.clone();
        if world
            .try_register_required_components_with::<M, C>(move || constructor.clone())
            .is_ok()
        {
            return;
        }
    }
    for cell in cells {
        world.entity_mut(cell).insert(initial.clone());
    }
}

/// A table's column of a mutable query, change detection bypassed (no system asks what
/// changed): systems over many cells iterate their query table by table with rayon over these
/// slices, rather than collecting a handle per cell every tick.
pub(crate) fn column<T>(values: ContiguousMut<'_, T>) -> &mut [T] {
    ContiguousMut::bypass_change_detection_split(values).0
}

/// Why a glia system's query can be iterated by table: its components are all table-stored.
pub(crate) const DENSE: &str = "cell components are table-stored";

/// The solution over one step of `dx/dt = s − l·x` with `s` and `l ≥ 0` constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Relaxed {
    /// Value at the end of the step.
    pub end: f64,
    /// Mean value over the step (its integral divided by the step).
    pub mean: f64,
}

/// Solves `dx/dt = s − l·x` exactly over `dt` from `x0` (`l ≥ 0`; `l = 0` is linear growth):
/// `x(dt) = x0·e^{−l·dt} + s·dt·φ(l·dt)` and mean `x0·φ(l·dt) + s·dt·ψ(l·dt)`, with
/// `φ(z) = (1 − e^{−z})/z` and `ψ(z) = (z − 1 + e^{−z})/z²`, evaluated without cancellation.
/// Every cell-state mechanism integrates its equations with it, so no time step is unstable.
pub fn relax(x0: f64, s: f64, l: f64, dt: f64) -> Relaxed {
    debug_assert!(l >= 0.0 && dt >= 0.0, "relax needs l ≥ 0 and dt ≥ 0");
    let z = l * dt;
    let phi = phi(z);
    let psi = if z < 1e-2 {
        0.5 - z / 6.0 + z * z / 24.0 - z * z * z / 120.0 + z * z * z * z / 720.0
    } else {
        (z + (-z).exp_m1()) / (z * z)
    };
    Relaxed {
        end: x0 * (-z).exp() + s * dt * phi,
        mean: x0 * phi + s * dt * psi,
    }
}

/// Probability that a two-state chain has left its state after `dt`, given the rate `away` of
/// leaving it and the rate `back` of returning (≥ 0, same time unit as `dt`): the exact
/// `away/(away + back)·(1 − e^{−(away + back)·dt})`, leaving and returning within the step
/// included, so the share in each state does not depend on the step.
pub(crate) fn switch_probability(away: f64, back: f64, dt: f64) -> f64 {
    away * dt * phi((away + back) * dt)
}

/// `φ(z) = (1 − e^{−z})/z`, with `φ(0) = 1`.
fn phi(z: f64) -> f64 {
    if z < 1e-8 {
        1.0 - 0.5 * z
    } else {
        -(-z).exp_m1() / z
    }
}

/// Row `from` of the transition probabilities over `dt` of a three-state continuous-time Markov
/// chain with rates `q[i][j]` from state `i` to state `j ≠ i` (the diagonal is ignored; rates
/// ≥ 0, same time unit as `dt`): row `from` of `P = exp(A)`, `A = Q·dt` with `Q`'s diagonal set
/// so rows sum to zero. Exact for any step, so a cell's state distribution does not depend on
/// the time step (a per-tick "switch with chance `1 − e^{−rate·dt}`" does: at long steps every
/// cell flips every tick).
///
/// Scaling and squaring: `B = A/2^m` with every exit at most 1/4. A generator's determinant is
/// zero, so by Cayley–Hamilton `B³ = s·B² − p·B` (`s` the trace, `p` the sum of the principal
/// 2×2 minors) and the Taylor series of `exp(B)`, summed until a term is below 10⁻¹⁸ and at
/// most through `B¹⁴/14!` (the remainder is below 2⁻¹⁵/15! ≈ 2·10⁻¹⁷), collapses to `I + c₁·B + c₂·B²` with two scalars summed cheaply. Then
/// `m` squarings, the last one for the one row only.
pub(crate) fn transition_row(q: [[f64; 3]; 3], dt: f64, from: usize) -> [f64; 3] {
    let mut a = [[0.0; 3]; 3];
    let mut largest_exit: f64 = 0.0;
    for i in 0..3 {
        let mut exit = 0.0;
        for j in 0..3 {
            if j != i {
                a[i][j] = q[i][j] * dt;
                exit += a[i][j];
            }
        }
        a[i][i] = -exit;
        largest_exit = largest_exit.max(exit);
    }
    let trace = a[0][0] + a[1][1] + a[2][2];
    let minors = a[0][0] * a[1][1] - a[0][1] * a[1][0] + a[0][0] * a[2][2] - a[0][2] * a[2][0]
        + a[1][1] * a[2][2]
        - a[1][2] * a[2][1];
    // Halving is exact, so the scaled chain is the chain at a step 2^m times shorter.
    let mut squarings = 0;
    let mut scale = 1.0;
    while largest_exit * scale > 0.25 {
        scale *= 0.5;
        squarings += 1;
    }
    let (s, p) = (trace * scale, minors * scale * scale);
    // exp(B) = I + c1·B + c2·B² for B = A·scale: each Taylor term B^k/k! as (x1, x2) in that
    // basis, B^{k+1} = x1·B² + x2·B³ = −p·x2·B + (x1 + s·x2)·B².
    // The series stops once a term's bound ‖B‖^k/k! (∞-norm) is below 10⁻¹⁸.
    let norm = 2.0 * largest_exit * scale;
    let mut bound = norm;
    let (mut x1, mut x2) = (1.0, 0.0);
    let (mut c1, mut c2) = (1.0, 0.0);
    for reciprocal in &RECIPROCALS[2..] {
        bound *= norm * reciprocal;
        if bound < 1e-18 {
            break;
        }
        (x1, x2) = (-p * x2 * reciprocal, (x1 + s * x2) * reciprocal);
        c1 += x1;
        c2 += x2;
    }
    // The squarings use the matrix: in the two scalars they lose digits on stiff chains (rates
    // decades apart), where c2·A² is large and cancels.
    let b = a.map(|row| row.map(|x| x * scale));
    let b_squared = multiply(&b, &b);
    let mut exp_b = [[0.0; 3]; 3];
    for i in 0..3 {
        for j in 0..3 {
            exp_b[i][j] = f64::from(u8::from(i == j)) + c1 * b[i][j] + c2 * b_squared[i][j];
        }
    }
    // Row `from` of M^(2^(k+1)) is that row of M^(2^k) times M^(2^k): the last squaring of the
    // whole matrix is left out.
    let mut row = exp_b[from];
    for k in 0..squarings {
        row = [0, 1, 2].map(|j| row[0] * exp_b[0][j] + row[1] * exp_b[1][j] + row[2] * exp_b[2][j]);
        if k + 1 < squarings {
            exp_b = multiply(&exp_b, &exp_b);
        }
    }
    // Round-off can leave an entry a hair below zero or the row a hair off one.
    let total: f64 = row.iter().map(|x| x.max(0.0)).sum();
    row.map(|x| x.max(0.0) / total)
}

fn multiply(x: &[[f64; 3]; 3], y: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    x.map(|row| [0, 1, 2].map(|j| row[0] * y[0][j] + row[1] * y[1][j] + row[2] * y[2][j]))
}

/// `1/k` for k = 0..=14 (the first unused): the Taylor terms' divisors as products.
const RECIPROCALS: [f64; 15] = {
    let mut r = [0.0; 15];
    let mut k = 1;
    while k < 15 {
        r[k] = 1.0 / k as f64;
        k += 1;
    }
    r
};

/// The state a uniform `draw` in [0, 1) picks from the probabilities `row` (summing to one).
pub(crate) fn pick_state<const N: usize>(row: [f64; N], draw: f64) -> usize {
    let mut left = draw;
    for (state, &p) in row.iter().enumerate() {
        if left < p {
            return state;
        }
        left -= p;
    }
    // Round-off left the draw past the last positive entry.
    row.iter().rposition(|&p| p > 0.0).unwrap_or(N - 1)
}

/// Saturating stimulus `c / (c + half_max)` in [0, 1).
pub(crate) fn saturating(c: f32, half_max: f32) -> f32 {
    let c = c.max(0.0);
    c / (c + half_max)
}

/// Probability that an event of constant `rate` happens within `dt` (same time unit).
pub(crate) fn chance(rate: f32, dt: f32) -> f32 {
    -(-rate * dt).exp_m1()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn relax_is_the_exact_solution_and_its_mean() {
        // x' = 2 − 0.5x from 1 over 3: x = 4 − 3e^{−t/2}, mean 4 − 2(1 − e^{−1.5}).
        let r = relax(1.0, 2.0, 0.5, 3.0);
        let exact_end = 4.0 - 3.0 * (-1.5f64).exp();
        let exact_mean = 4.0 - 3.0 * (1.0 - (-1.5f64).exp()) / 1.5;
        assert!((r.end - exact_end).abs() < 1e-12, "{r:?}");
        assert!((r.mean - exact_mean).abs() < 1e-12, "{r:?}");
        // Tiny and zero loss rates: the series agree with linear growth.
        let r = relax(1.0, 2.0, 0.0, 3.0);
        assert_eq!((r.end, r.mean), (7.0, 4.0));
        let r = relax(1.0, 2.0, 1e-9, 3.0);
        assert!(
            (r.end - 7.0).abs() < 1e-7 && (r.mean - 4.0).abs() < 1e-7,
            "{r:?}"
        );
        // Just below the switch to the closed form the series matches it (and the closed form
        // has no cancellation to speak of there).
        let z: f64 = 0.9999e-2;
        let psi = (z + (-z).exp_m1()) / (z * z);
        let phi = -(-z).exp_m1() / z;
        let r = relax(1.0, 2.0, z / 3.0, 3.0);
        assert!((r.mean - (phi + 6.0 * psi)).abs() < 1e-12, "{r:?}");
        // A huge step lands on the steady state s/l.
        assert!((relax(9.0, 2.0, 0.5, 1e6).end - 4.0).abs() < 1e-12);
    }

    /// `exp(Q·dt)` of a generator with the full matrix (scaling and squaring with 18 Taylor
    /// terms): the independent reference the closed-form reductions are checked against.
    fn matrix_exponential<const N: usize>(q: [[f64; N]; N], dt: f64) -> [[f64; N]; N] {
        let mut a = [[0.0; N]; N];
        for i in 0..N {
            for j in 0..N {
                if j != i {
                    a[i][j] = q[i][j] * dt;
                    a[i][i] -= a[i][j];
                }
            }
        }
        let norm = (0..N).map(|i| -2.0 * a[i][i]).fold(0.0, f64::max);
        let squarings = norm.max(1e-300).log2().ceil().max(0.0) as i32 + 1;
        a = a.map(|row| row.map(|x| x * 0.5f64.powi(squarings)));
        let multiply = |x: &[[f64; N]; N], y: &[[f64; N]; N]| {
            let mut out = [[0.0; N]; N];
            for i in 0..N {
                for j in 0..N {
                    out[i][j] = (0..N).map(|m| x[i][m] * y[m][j]).sum();
                }
            }
            out
        };
        let mut identity = [[0.0; N]; N];
        for (i, row) in identity.iter_mut().enumerate() {
            row[i] = 1.0;
        }
        let (mut p, mut term) = (identity, identity);
        for k in 1..=18 {
            term = multiply(&term, &a).map(|row| row.map(|x| x / f64::from(k)));
            for i in 0..N {
                for j in 0..N {
                    p[i][j] += term[i][j];
                }
            }
        }
        for _ in 0..squarings {
            p = multiply(&p, &p);
        }
        p.map(|row| row.map(|x| x / row.iter().sum::<f64>()))
    }

    #[test]
    fn two_state_switch_matches_the_matrix_exponential_at_any_step() {
        for (away, back) in [(0.3, 0.05), (0.0, 0.7), (2.0, 0.0), (1e-7, 5.0)] {
            for dt in [0.0, 1e-6, 0.01, 1.0, 24.0, 1e4] {
                let p = matrix_exponential([[0.0, away], [back, 0.0]], dt);
                let switched = switch_probability(away, back, dt);
                assert!(
                    (switched - p[0][1]).abs() < 1e-12,
                    "{away} {back} {dt}: {p:?}"
                );
                assert!((0.0..=1.0).contains(&switched));
            }
        }
    }

    #[test]
    fn three_state_row_matches_the_matrix_exponential_over_stiff_and_long_steps() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_pcg::Pcg64Mcg::seed_from_u64(7);
        let mut worst: f64 = 0.0;
        for _ in 0..20_000 {
            // Rates over eight decades, some exactly zero, steps over seven.
            let mut q = [[0.0; 3]; 3];
            for (i, row) in q.iter_mut().enumerate() {
                for (j, x) in row.iter_mut().enumerate() {
                    if i != j && rng.random_bool(0.8) {
                        *x = 10f64.powf(rng.random_range(-6.0..2.0));
                    }
                }
            }
            let dt = 10f64.powf(rng.random_range(-3.0..4.0));
            let reference = matrix_exponential(q, dt);
            for (from, expected) in reference.iter().enumerate() {
                let row = transition_row(q, dt, from);
                assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-14);
                for (p, e) in row.iter().zip(expected) {
                    assert!(*p >= 0.0);
                    worst = worst.max((p - e).abs());
                }
            }
        }
        // Both are scaling and squaring, whose round-off grows as 2^m·ε: up to 2²³·ε here.
        assert!(worst < 1e-9, "largest difference {worst:e}");
    }

    #[test]
    fn three_state_row_is_exact_for_repeated_and_complex_eigenvalues() {
        let r = 0.7;
        for t in [0.01, 0.5, 3.0, 40.0] {
            // Every rate r: eigenvalues 0, −3r, −3r (repeated).
            let row = transition_row([[0.0, r, r], [r, 0.0, r], [r, r, 0.0]], t, 1);
            let stay = 1.0 / 3.0 + 2.0 / 3.0 * (-3.0 * r * t).exp();
            assert!((row[1] - stay).abs() < 1e-14, "t {t}: {row:?}");
            assert!(
                (row[0] - (1.0 - stay) / 2.0).abs() < 1e-14,
                "t {t}: {row:?}"
            );
            // A cycle 0 → 1 → 2 → 0: eigenvalues 0 and r(−3 ± i√3)/2.
            let row = transition_row([[0.0, r, 0.0], [0.0, 0.0, r], [r, 0.0, 0.0]], t, 0);
            let (decay, turn) = ((-1.5 * r * t).exp(), 3f64.sqrt() / 2.0 * r * t);
            let stay = 1.0 / 3.0 + 2.0 / 3.0 * decay * turn.cos();
            let ahead = 1.0 / 3.0 + 2.0 / 3.0 * decay * (turn - 2.0 * PI / 3.0).cos();
            assert!((row[0] - stay).abs() < 1e-14, "t {t}: {row:?}");
            assert!((row[1] - ahead).abs() < 1e-14, "t {t}: {row:?}");
        }
    }

    #[test]
    fn three_state_chain_composes_and_reaches_its_stationary_distribution() {
        let q = [[0.0, 0.2, 0.5], [0.1, 0.0, 0.3], [0.4, 0.05, 0.0]];
        let one = [0, 1, 2].map(|from| transition_row(q, 3.0, from));
        let two = [0, 1, 2].map(|from| transition_row(q, 6.0, from));
        for i in 0..3 {
            for j in 0..3 {
                let composed: f64 = (0..3).map(|m| one[i][m] * one[m][j]).sum();
                assert!((composed - two[i][j]).abs() < 1e-12, "{i}{j}");
            }
        }
        // Over a very long step every row is the stationary distribution π, with πQ = 0.
        let pi = transition_row(q, 1e5, 0);
        for j in 0..3 {
            let inflow: f64 = (0..3).filter(|&i| i != j).map(|i| pi[i] * q[i][j]).sum();
            let outflow: f64 = pi[j] * (0..3).filter(|&k| k != j).map(|k| q[j][k]).sum::<f64>();
            assert!((inflow - outflow).abs() < 1e-12);
            assert!((transition_row(q, 1e5, 2)[j] - pi[j]).abs() < 1e-12);
        }
    }

    #[test]
    fn pick_state_follows_the_cumulative_probabilities() {
        let row = [0.2, 0.0, 0.8];
        assert_eq!(pick_state(row, 0.0), 0);
        assert_eq!(pick_state(row, 0.19), 0);
        assert_eq!(pick_state(row, 0.2), 2);
        assert_eq!(pick_state(row, 0.999_999_999), 2);
        assert_eq!(pick_state([1.0, 0.0], 0.999_999_999), 0);
    }

    #[test]
    fn many_small_steps_equal_one_large_step() {
        // x(t) = (s/l)(1 − e^{−lt}) from 0: 100 steps of 1 equal one step of 100.
        let (s, l) = (0.03, 0.02);
        let stepped = (0..100).fold(0.0, |x, _| relax(x, s, l, 1.0).end);
        let exact = s / l * (1.0 - (-l * 100.0f64).exp());
        assert!((stepped - exact).abs() < 1e-12, "{stepped} vs {exact}");
        assert!((relax(0.0, s, l, 100.0).end - exact).abs() < 1e-12);
        // Without loss the state grows linearly.
        assert_eq!(relax(0.5, 0.25, 0.0, 2.0).end, 1.0);
    }
}
