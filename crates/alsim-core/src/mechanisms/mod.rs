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
pub mod neuron_damage;
pub mod transport;

use crate::mechanism::Mechanism;
use bevy_ecs::change_detection::ContiguousMut;
use bevy_ecs::prelude::*;

/// Every mechanism, in the order they are built: each one's set-up may read the state of those
/// before it (transport starts each terminal from mitochondria's healthy state and its motor
/// unit; ageing modulates aggregation). The order of a time-series section's columns is this
/// order too. This is the one list of mechanisms.
pub static ALL: [&dyn Mechanism; 11] = [
    &aggregation::Aggregation,
    &ageing::Ageing,
    &mitochondria::Energetics,
    &motor_units::MotorUnits,
    &transport::AxonalTransport,
    &microglia::Microglial,
    &astrocytes::Astroglial,
    &neuron_damage::NeuronDamage,
    &cell_death::CellDeath,
    &environment::Exposures,
    &interventions::Interventions,
];

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
    let phi = if z < 1e-8 {
        1.0 - 0.5 * z
    } else {
        -(-z).exp_m1() / z
    };
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

/// Transition probabilities over `dt` of a continuous-time Markov chain with rates `q[i][j]`
/// from state `i` to state `j ≠ i` (the diagonal is ignored; rates ≥ 0, same time unit as
/// `dt`): `P = exp(Q·dt)` with `Q`'s diagonal set so rows sum to zero. Exact for any step, so a
/// cell's state distribution does not depend on the time step (a per-tick "switch with chance
/// `1 − e^{−rate·dt}`" does: at long steps every cell flips every tick). Computed by scaling
/// and squaring with a Taylor series.
pub(crate) fn transition_probabilities<const N: usize>(q: [[f64; N]; N], dt: f64) -> [[f64; N]; N] {
    let mut a = [[0.0; N]; N];
    let mut largest_exit: f64 = 0.0;
    for i in 0..N {
        let mut exit = 0.0;
        for j in 0..N {
            if j != i {
                a[i][j] = q[i][j] * dt;
                exit += a[i][j];
            }
        }
        a[i][i] = -exit;
        largest_exit = largest_exit.max(exit);
    }
    // Scale so every row's exit is at most 1/2 (the matrix's ∞-norm at most 1), sum the Taylor
    // series (18 terms: the remainder is below 1/19! ≈ 1e-17), then square back.
    let squarings = largest_exit.max(1e-300).log2().ceil().max(0.0) as u32 + 1;
    let scale = 0.5f64.powi(squarings as i32);
    for row in a.iter_mut() {
        for x in row.iter_mut() {
            *x *= scale;
        }
    }
    let mut p = identity::<N>();
    let mut term = identity::<N>();
    for factorial in &FACTORIALS[1..] {
        term = multiply(&term, &a);
        for (p_row, t_row) in p.iter_mut().zip(&term) {
            for (x, t) in p_row.iter_mut().zip(t_row) {
                *x += t / factorial;
            }
        }
    }
    for _ in 0..squarings {
        p = multiply(&p, &p);
    }
    // Round-off can leave an entry a hair below zero or a row a hair off one.
    for row in p.iter_mut() {
        let total: f64 = row.iter().map(|x| x.max(0.0)).sum();
        for x in row.iter_mut() {
            *x = x.max(0.0) / total;
        }
    }
    p
}

const FACTORIALS: [f64; 19] = {
    let mut f = [1.0; 19];
    let mut k = 1;
    while k < 19 {
        f[k] = f[k - 1] * k as f64;
        k += 1;
    }
    f
};

fn multiply<const N: usize>(x: &[[f64; N]; N], y: &[[f64; N]; N]) -> [[f64; N]; N] {
    let mut out = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..N {
            out[i][j] = (0..N).map(|m| x[i][m] * y[m][j]).sum();
        }
    }
    out
}
fn identity<const N: usize>() -> [[f64; N]; N] {
    let mut m = [[0.0; N]; N];
    for (i, row) in m.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    m
}

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

    #[test]
    fn two_state_chain_matches_its_closed_form_at_any_step() {
        // Rates a (0 → 1) and b (1 → 0): P(0 → 1) = a/(a+b)·(1 − e^{−(a+b)t}).
        let (a, b) = (0.3, 0.05);
        for dt in [0.01, 1.0, 24.0, 1e4] {
            let p = transition_probabilities([[0.0, a], [b, 0.0]], dt);
            let decay = (-(a + b) * dt).exp();
            let to_one = a / (a + b) * (1.0 - decay);
            let to_zero = b / (a + b) * (1.0 - decay);
            assert!((p[0][1] - to_one).abs() < 1e-12, "dt {dt}: {p:?}");
            assert!((p[1][0] - to_zero).abs() < 1e-12, "dt {dt}: {p:?}");
            assert!((p[0][0] + p[0][1] - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn three_state_chain_composes_and_reaches_its_stationary_distribution() {
        let q = [[0.0, 0.2, 0.5], [0.1, 0.0, 0.3], [0.4, 0.05, 0.0]];
        let one = transition_probabilities(q, 3.0);
        let two = transition_probabilities(q, 6.0);
        for i in 0..3 {
            assert!((one[i].iter().sum::<f64>() - 1.0).abs() < 1e-12);
            for j in 0..3 {
                let composed: f64 = (0..3).map(|m| one[i][m] * one[m][j]).sum();
                assert!((composed - two[i][j]).abs() < 1e-12, "{i}{j}");
            }
        }
        // Over a very long step every row is the stationary distribution π, with πQ = 0.
        let far = transition_probabilities(q, 1e5);
        let pi = far[0];
        for j in 0..3 {
            let inflow: f64 = (0..3).filter(|&i| i != j).map(|i| pi[i] * q[i][j]).sum();
            let outflow: f64 = pi[j] * (0..3).filter(|&k| k != j).map(|k| q[j][k]).sum::<f64>();
            assert!((inflow - outflow).abs() < 1e-12);
            assert!((far[2][j] - pi[j]).abs() < 1e-12);
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
