//! `cumulative_incidence` recovers the cumulative incidence of a simulated competing-risks
//! process: exponential times to the event (rate λ₁) and to the competing event (rate λ₂),
//! with independent uniform censoring. Its true value is λ₁/(λ₁+λ₂)·(1 − e^{−(λ₁+λ₂)t}).

use alsim_stats::{CompetingObservation, Outcome, cumulative_incidence};
use rand::distr::OpenClosed01;
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;

const EVENT_RATE: f64 = 0.02;
const COMPETING_RATE: f64 = 0.03;
const CENSORING_UP_TO: f64 = 60.0;
const PEOPLE: usize = 2_000;
const SEEDS: u64 = 20;

fn truth(t: f64) -> f64 {
    let total = EVENT_RATE + COMPETING_RATE;
    EVENT_RATE / total * (1.0 - (-total * t).exp())
}

fn sample(seed: u64) -> Vec<CompetingObservation> {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut unit = || rng.sample::<f64, _>(OpenClosed01);
    (0..PEOPLE)
        .map(|_| {
            let event = -unit().ln() / EVENT_RATE;
            let competing = -unit().ln() / COMPETING_RATE;
            let censor = CENSORING_UP_TO * unit();
            let (time, outcome) = if censor < event.min(competing) {
                (censor, Outcome::Censored)
            } else if event < competing {
                (event, Outcome::Event)
            } else {
                (competing, Outcome::Competing)
            };
            CompetingObservation {
                entry: 0.0,
                time,
                outcome,
            }
        })
        .collect()
}

#[test]
fn the_estimate_recovers_the_true_cumulative_incidence_over_twenty_populations() {
    for t in [10.0, 20.0, 40.0] {
        let truth = truth(t);
        // Binomial standard error without censoring; censoring widens it a little.
        let se = (truth * (1.0 - truth) / PEOPLE as f64).sqrt();
        let estimates: Vec<f64> = (0..SEEDS)
            .map(|seed| cumulative_incidence(&sample(seed)).unwrap().at(t))
            .collect();
        for (seed, e) in estimates.iter().enumerate() {
            assert!(
                (e - truth).abs() < 5.0 * se,
                "seed {seed}, t = {t}: {e} against {truth} (se {se})"
            );
        }
        let mean = estimates.iter().sum::<f64>() / SEEDS as f64;
        assert!(
            (mean - truth).abs() < 4.0 * se / (SEEDS as f64).sqrt(),
            "t = {t}: mean {mean} against {truth}"
        );
    }
}
