//! Gompertz mortality, for drawing ages at death from causes other than the disease.

use crate::StatsError;
use rand::distr::OpenClosed01;
use rand::{Rng, RngExt};

/// Gompertz's law of mortality: the hazard of death grows exponentially with age,
/// h(age) = a·e^(b·age), so survival from birth is S(age) = exp(−(a/b)·(e^(b·age) − 1)).
///
/// Gompertz, B. (1825), "On the nature of the function expressive of the law of human
/// mortality", Phil. Trans. R. Soc. 115:513–583. `b` is the rate of ageing (the hazard doubles
/// every ln 2 / b years) and `a` the hazard at birth; the modal age at death is ln(b/a)/b
/// (Missov et al. 2015, Demographic Research 32:1031). For example b = 0.085/yr (doubling
/// every 8.2 years) with a = 5.34e-5/yr gives a life expectancy at birth of 80.0 years and a
/// modal age at death of 86.7. Ages are in years.
///
/// The law leaves out infant and accidental deaths (Makeham's constant term); they matter
/// little at the adult ages where ALS begins.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gompertz {
    a: f64,
    b: f64,
}

impl Gompertz {
    /// Hazard a·e^(b·age) per year; both parameters must be positive and finite.
    pub fn new(a: f64, b: f64) -> Result<Self, StatsError> {
        for (what, value) in [("Gompertz a", a), ("Gompertz b", b)] {
            if !(value > 0.0 && value.is_finite()) {
                return Err(StatsError::NonPositive { what, value });
            }
        }
        Ok(Self { a, b })
    }

    /// The hazard at birth, per year.
    pub fn a(&self) -> f64 {
        self.a
    }

    /// The rate of ageing, per year.
    pub fn b(&self) -> f64 {
        self.b
    }

    /// h(age) = a·e^(b·age): the death rate per year at `age`.
    pub fn hazard(&self, age: f64) -> f64 {
        self.a * (self.b * age).exp()
    }

    /// S(age): the probability of surviving from birth to `age`.
    pub fn survival(&self, age: f64) -> f64 {
        (-self.a / self.b * (self.b * age).exp_m1()).exp()
    }

    /// The age at which survival since `alive_at` has fallen to `survival`, i.e. t with
    /// S(t)/S(alive_at) = survival: t = ln(e^(b·alive_at) − (b/a)·ln survival) / b.
    ///
    /// The inverse of the conditional survival function, so a uniform `survival` in (0, 1]
    /// gives an age at death drawn for someone alive at `alive_at`. It is ∞ at 0 and
    /// `alive_at` at 1; outside (0, 1] it is NaN or before `alive_at`.
    pub fn age_at_survival(&self, alive_at: f64, survival: f64) -> f64 {
        ((self.b * alive_at).exp() - self.b / self.a * survival.ln()).ln() / self.b
    }

    /// Draws an age at death for someone alive at `alive_at` (0 for a draw from birth), by
    /// inverting the conditional survival function at a uniform draw in (0, 1].
    pub fn sample<R: Rng + ?Sized>(&self, alive_at: f64, rng: &mut R) -> f64 {
        self.age_at_survival(alive_at, rng.sample(OpenClosed01))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::close;
    use rand::SeedableRng;
    use rand_pcg::Pcg64Mcg;

    /// The example of the type's documentation.
    fn eighty() -> Gompertz {
        Gompertz::new(5.34e-5, 0.085).unwrap()
    }

    #[test]
    fn survival_and_hazard_match_the_formulas() {
        let g = eighty();
        assert_eq!(g.survival(0.0), 1.0);
        // S(70) = exp(−(5.34e-5/0.085)·(e^5.95 − 1)) = exp(−6.28235e-4 · 382.753)
        // = exp(−0.240459) = 0.786267.
        assert!(close(g.survival(70.0), 0.786_267, 1e-6));
        assert!(close(g.hazard(70.0), 5.34e-5 * 5.95f64.exp(), 1e-15));
        // −d ln S/d age is the hazard.
        let h = 1e-4;
        let numeric = (g.survival(70.0 - h).ln() - g.survival(70.0 + h).ln()) / (2.0 * h);
        assert!(close(numeric, g.hazard(70.0), 1e-9));
    }

    #[test]
    fn documented_example_has_life_expectancy_80_and_mode_86_7() {
        let g = eighty();
        // e0 = ∫ S(t) dt, by the trapezoid rule on a 0.01-year grid up to 150 (S(150) ~ 1e-95).
        let dt = 0.01;
        let e0: f64 = (0..15_000)
            .map(|i| (g.survival(i as f64 * dt) + g.survival((i + 1) as f64 * dt)) / 2.0 * dt)
            .sum();
        assert!(close(e0, 80.0, 0.05), "life expectancy {e0}");
        let mode = (g.b() / g.a()).ln() / g.b();
        assert!(close(mode, 86.7, 0.05));
        // The density h·S peaks at the mode.
        let density = |t: f64| g.hazard(t) * g.survival(t);
        assert!(density(mode) > density(mode - 0.5) && density(mode) > density(mode + 0.5));
    }

    #[test]
    fn age_at_survival_inverts_conditional_survival() {
        let g = eighty();
        for alive_at in [0.0, 40.0, 85.0] {
            for s in [1.0, 0.9, 0.5, 0.01, 1e-9] {
                let t = g.age_at_survival(alive_at, s);
                assert!(t >= alive_at);
                assert!(close(
                    g.survival(t) / g.survival(alive_at),
                    s,
                    1e-9 * s.max(1e-3)
                ));
            }
        }
        assert_eq!(g.age_at_survival(30.0, 0.0), f64::INFINITY);
    }

    #[test]
    fn draws_follow_the_survival_function() {
        let g = eighty();
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let n = 100_000;
        let from_birth: Vec<f64> = (0..n).map(|_| g.sample(0.0, &mut rng)).collect();
        let from_sixty: Vec<f64> = (0..n).map(|_| g.sample(60.0, &mut rng)).collect();
        assert!(from_sixty.iter().all(|&t| t >= 60.0));
        // The share alive at each age is binomial with sd <= 0.5/sqrt(n) = 0.0016; allow 4 sd.
        for age in [50.0, 70.0, 80.0, 90.0, 100.0] {
            let share =
                |draws: &[f64]| draws.iter().filter(|&&t| t > age).count() as f64 / n as f64;
            assert!(
                close(share(&from_birth), g.survival(age), 0.0064),
                "S({age})"
            );
            let conditional = (g.survival(age) / g.survival(60.0)).min(1.0);
            assert!(
                close(share(&from_sixty), conditional, 0.0064),
                "S({age} | 60)"
            );
        }
        let mean = from_birth.iter().sum::<f64>() / n as f64;
        assert!(close(mean, 80.0, 0.2), "mean age at death {mean}");
    }

    #[test]
    fn parameters_must_be_positive_and_finite() {
        assert_eq!(
            Gompertz::new(0.0, 0.085),
            Err(StatsError::NonPositive {
                what: "Gompertz a",
                value: 0.0
            })
        );
        assert!(Gompertz::new(1e-5, f64::NAN).is_err());
        assert!(Gompertz::new(1e-5, -0.1).is_err());
        assert!(Gompertz::new(f64::INFINITY, 0.1).is_err());
    }
}
