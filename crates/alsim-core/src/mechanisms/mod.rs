//! Disease mechanisms, one file each: its components, its systems and the registration that puts
//! those systems into the schedule. A mechanism switched off in the scenario is simply not
//! registered; no other mechanism asks whether it is on.

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

use bevy_ecs::prelude::*;

/// Gives every cell marked `M` the component `C` (a mechanism's per-cell state at the start).
pub(crate) fn give<M: Component, C: Component + Clone>(world: &mut World, initial: C) {
    let cells: Vec<Entity> = world
        .query_filtered::<Entity, With<M>>()
        .iter(world)
        .collect();
    for cell in cells {
        world.entity_mut(cell).insert(initial.clone());
    }
}

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
