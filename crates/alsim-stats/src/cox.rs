//! Cox proportional-hazards regression, with Efron's handling of tied event times.

use crate::survival::{Observation, check_observations};
use crate::{StatsError, Z_975, check_sample};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// Newton–Raphson stops when the log partial likelihood changes by less than this fraction.
const RELATIVE_TOLERANCE: f64 = 1e-9;
/// Newton–Raphson gives up after this many likelihood evaluations (step halvings included).
const MAX_ITERATIONS: usize = 30;

/// One covariate's estimate in a [`CoxFit`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxCoefficient {
    /// β: the log hazard ratio per unit of the covariate, the others held fixed.
    pub coef: f64,
    /// Standard error of β: the square root of its diagonal element of the inverse information.
    pub std_err: f64,
    /// exp(β).
    pub hazard_ratio: f64,
    /// Lower end of the 95% confidence interval of the hazard ratio, exp(β − 1.96·se).
    pub ci_lower: f64,
    /// Upper end of the 95% confidence interval of the hazard ratio, exp(β + 1.96·se).
    pub ci_upper: f64,
    /// Wald statistic β / se.
    pub z: f64,
    /// Two-sided p-value of `z` under the standard normal.
    pub p_value: f64,
}

/// A fitted Cox model, with the numbers R's `summary(coxph(...))` prints.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxFit {
    /// One entry per covariate, in the order of the covariate columns.
    pub coefficients: Vec<CoxCoefficient>,
    /// Log partial likelihood at β = 0.
    pub log_likelihood_null: f64,
    /// Log partial likelihood at the fitted β.
    pub log_likelihood: f64,
    /// 2·(log_likelihood − log_likelihood_null): chi-square with one degree of freedom per
    /// covariate if no covariate affects the hazard.
    pub lr_chi_square: f64,
    /// P(χ²_p >= lr_chi_square).
    pub lr_p_value: f64,
    /// Likelihood evaluations after the one at β = 0 (Newton steps and step halvings).
    pub iterations: usize,
    /// `false` if the iteration limit came first. A covariate that separates the groups
    /// perfectly (a monotone likelihood) still "converges", as in R, to a large |β| with a huge
    /// standard error.
    pub converged: bool,
    /// Number of observations.
    pub n: usize,
    /// Number of events.
    pub events: usize,
}

/// Fits h(t | x) = h₀(t)·exp(β·x) by maximising Cox's partial likelihood, as R's `coxph` does
/// by default.
///
/// `covariates` has one row per observation and one or more columns. Tied event times are
/// handled by Efron's approximation, which (unlike Breslow's) stays close to the exact partial
/// likelihood when many events share a time, as in runs sampled on a coarse clock. Newton–Raphson
/// starts from β = 0, halves the step whenever the log-likelihood would fall, and stops when it
/// changes by less than 1e-9 relatively, or after 30 evaluations. Standard errors come from the
/// inverse of the information matrix at the fit.
///
/// Fails on empty, non-finite or negative input, rows of the wrong length, no events, and a
/// singular information matrix (a constant covariate or collinear covariates).
pub fn cox_ph(times: &[Observation], covariates: &[Vec<f64>]) -> Result<CoxFit, StatsError> {
    check_observations(times, "Cox times")?;
    if covariates.len() != times.len() {
        return Err(StatsError::DimensionMismatch {
            what: "Cox covariate rows",
            len: covariates.len(),
            expected: times.len(),
        });
    }
    let p = covariates[0].len();
    for row in covariates {
        if row.len() != p {
            return Err(StatsError::DimensionMismatch {
                what: "Cox covariate row",
                len: row.len(),
                expected: p,
            });
        }
        check_sample(row, "Cox covariates")?;
    }
    let data = RiskSets::new(times, covariates);
    if data.events == 0 {
        return Err(StatsError::NoEvents { what: "Cox" });
    }

    let mut beta = vec![0.0; p];
    let mut current = data.evaluate(&beta);
    let log_likelihood_null = current.log_likelihood;
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS {
        let step = Cholesky::new(&current.information, p)?.solve(&current.score);
        let mut candidate: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
        let mut next = data.evaluate(&candidate);
        iterations += 1;
        while !next.improves_on(&current) && iterations < MAX_ITERATIONS {
            for (c, b) in candidate.iter_mut().zip(&beta) {
                *c = (*c + b) / 2.0;
            }
            next = data.evaluate(&candidate);
            iterations += 1;
        }
        if !next.improves_on(&current) {
            break;
        }
        let change = (next.log_likelihood - current.log_likelihood).abs();
        beta = candidate;
        current = next;
        if change <= RELATIVE_TOLERANCE * current.log_likelihood.abs() {
            converged = true;
            break;
        }
    }

    let covariance = Cholesky::new(&current.information, p)?.inverse();
    let normal = Normal::standard();
    let coefficients = beta
        .iter()
        .enumerate()
        .map(|(j, &coef)| {
            let std_err = covariance[j * p + j].sqrt();
            let z = coef / std_err;
            CoxCoefficient {
                coef,
                std_err,
                hazard_ratio: coef.exp(),
                ci_lower: (coef - Z_975 * std_err).exp(),
                ci_upper: (coef + Z_975 * std_err).exp(),
                z,
                p_value: 2.0 * normal.sf(z.abs()),
            }
        })
        .collect();
    let lr_chi_square = 2.0 * (current.log_likelihood - log_likelihood_null);
    let lr_p_value = ChiSquared::new(p as f64)
        .expect("at least one degree of freedom")
        .sf(lr_chi_square);
    Ok(CoxFit {
        coefficients,
        log_likelihood_null,
        log_likelihood: current.log_likelihood,
        lr_chi_square,
        lr_p_value,
        iterations,
        converged,
        n: times.len(),
        events: data.events,
    })
}

/// Hazard ratio of group `b` relative to group `a`: [`cox_ph`] with one covariate that is 0 for
/// the observations of `a` and 1 for those of `b`.
pub fn hazard_ratio(a: &[Observation], b: &[Observation]) -> Result<CoxFit, StatsError> {
    check_observations(a, "hazard ratio group A")?;
    check_observations(b, "hazard ratio group B")?;
    let times = [a, b].concat();
    let indicator: Vec<Vec<f64>> = (0..times.len())
        .map(|i| vec![if i < a.len() { 0.0 } else { 1.0 }])
        .collect();
    cox_ph(&times, &indicator)
}

/// The observations sorted by time, with covariates centred on their means.
///
/// Centring leaves the partial likelihood unchanged (a common factor exp(β·x̄) cancels from
/// every ratio) but keeps exp(β·x) away from overflow for covariates such as age in years.
struct RiskSets {
    /// Covariates, row-major, `p` per observation, in time order.
    x: Vec<f64>,
    p: usize,
    event: Vec<bool>,
    /// Index ranges of observations sharing a time, in increasing time.
    tied: Vec<std::ops::Range<usize>>,
    events: usize,
}

/// Log partial likelihood with its gradient and negative Hessian at one β.
struct Evaluation {
    log_likelihood: f64,
    score: Vec<f64>,
    /// Row-major p×p.
    information: Vec<f64>,
}

impl Evaluation {
    /// The log-likelihood did not fall; `false` for a NaN from an overflowing step.
    fn improves_on(&self, other: &Evaluation) -> bool {
        self.log_likelihood >= other.log_likelihood
    }
}

impl RiskSets {
    fn new(times: &[Observation], covariates: &[Vec<f64>]) -> Self {
        let n = times.len();
        let p = covariates[0].len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&i, &j| times[i].time.total_cmp(&times[j].time));
        let means: Vec<f64> = (0..p)
            .map(|j| covariates.iter().map(|row| row[j]).sum::<f64>() / n as f64)
            .collect();
        let x = order
            .iter()
            .flat_map(|&i| covariates[i].iter().zip(&means).map(|(v, m)| v - m))
            .collect();
        let event: Vec<bool> = order.iter().map(|&i| times[i].event).collect();
        let mut tied = Vec::new();
        let mut start = 0;
        for chunk in order.chunk_by(|&i, &j| times[i].time == times[j].time) {
            tied.push(start..start + chunk.len());
            start += chunk.len();
        }
        let events = event.iter().filter(|&&e| e).count();
        Self {
            x,
            p,
            event,
            tied,
            events,
        }
    }

    /// Efron log partial likelihood, score and information at `beta`.
    ///
    /// Walks the distinct times from the last to the first, so the risk-set sums
    /// S0 = Σ w, S1 = Σ w·x, S2 = Σ w·x·xᵀ (w = exp(β·x), over everyone with time >= t) only
    /// grow. At a time with d events whose own sums are D0, D1, D2, Efron's approximation
    /// replaces the single risk set by d of them, S − (l/d)·D for l = 0..d−1: the tied events
    /// leave the risk set gradually, as they would if their order were known.
    fn evaluate(&self, beta: &[f64]) -> Evaluation {
        let p = self.p;
        let mut log_likelihood = 0.0;
        let mut score = vec![0.0; p];
        let mut information = vec![0.0; p * p];
        let mut risk = Sums::new(p);
        let mut dead = Sums::new(p);
        for range in self.tied.iter().rev() {
            dead.clear();
            for i in range.clone() {
                let x = &self.x[i * p..(i + 1) * p];
                let eta: f64 = x.iter().zip(beta).map(|(x, b)| x * b).sum();
                let w = eta.exp();
                risk.add(w, x);
                if self.event[i] {
                    dead.add(w, x);
                    log_likelihood += eta;
                    score.iter_mut().zip(x).for_each(|(s, x)| *s += x);
                }
            }
            let d = dead.count as f64;
            for l in 0..dead.count {
                let f = l as f64 / d;
                let s0 = risk.s0 - f * dead.s0;
                log_likelihood -= s0.ln();
                for j in 0..p {
                    let mean_j = (risk.s1[j] - f * dead.s1[j]) / s0;
                    score[j] -= mean_j;
                    for k in 0..p {
                        let mean_k = (risk.s1[k] - f * dead.s1[k]) / s0;
                        let s2 = risk.s2[j * p + k] - f * dead.s2[j * p + k];
                        information[j * p + k] += s2 / s0 - mean_j * mean_k;
                    }
                }
            }
        }
        Evaluation {
            log_likelihood,
            score,
            information,
        }
    }
}

/// Weighted sums Σw, Σw·x, Σw·x·xᵀ over a set of observations, and its size.
struct Sums {
    s0: f64,
    s1: Vec<f64>,
    s2: Vec<f64>,
    count: usize,
}

impl Sums {
    fn new(p: usize) -> Self {
        Self {
            s0: 0.0,
            s1: vec![0.0; p],
            s2: vec![0.0; p * p],
            count: 0,
        }
    }

    fn clear(&mut self) {
        self.s0 = 0.0;
        self.s1.fill(0.0);
        self.s2.fill(0.0);
        self.count = 0;
    }

    fn add(&mut self, w: f64, x: &[f64]) {
        let p = x.len();
        self.s0 += w;
        for j in 0..p {
            self.s1[j] += w * x[j];
            for k in 0..p {
                self.s2[j * p + k] += w * x[j] * x[k];
            }
        }
        self.count += 1;
    }
}

/// Cholesky factor L (row-major, lower) of a symmetric positive-definite p×p matrix.
pub(crate) struct Cholesky {
    l: Vec<f64>,
    p: usize,
}

impl Cholesky {
    /// Factors `a`; a pivot that is not positive, or below 1e-10 of its diagonal element,
    /// means the matrix is singular for all practical purposes.
    pub(crate) fn new(a: &[f64], p: usize) -> Result<Self, StatsError> {
        let mut l = vec![0.0f64; p * p];
        for j in 0..p {
            let pivot = a[j * p + j] - (0..j).map(|k| l[j * p + k].powi(2)).sum::<f64>();
            if pivot.is_nan() || pivot <= 1e-10 * a[j * p + j].abs() {
                return Err(StatsError::SingularInformation);
            }
            l[j * p + j] = pivot.sqrt();
            for i in j + 1..p {
                let dot: f64 = (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum();
                l[i * p + j] = (a[i * p + j] - dot) / l[j * p + j];
            }
        }
        Ok(Self { l, p })
    }

    /// x with A·x = b.
    pub(crate) fn solve(&self, b: &[f64]) -> Vec<f64> {
        let (l, p) = (&self.l, self.p);
        let mut y = vec![0.0; p];
        for i in 0..p {
            y[i] = (b[i] - (0..i).map(|k| l[i * p + k] * y[k]).sum::<f64>()) / l[i * p + i];
        }
        for i in (0..p).rev() {
            y[i] = (y[i] - (i + 1..p).map(|k| l[k * p + i] * y[k]).sum::<f64>()) / l[i * p + i];
        }
        y
    }

    /// A⁻¹, row-major.
    pub(crate) fn inverse(&self) -> Vec<f64> {
        let p = self.p;
        let mut inverse = vec![0.0; p * p];
        for j in 0..p {
            let mut unit = vec![0.0; p];
            unit[j] = 1.0;
            for (i, v) in self.solve(&unit).into_iter().enumerate() {
                inverse[i * p + j] = v;
            }
        }
        inverse
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::close;
    use proptest::prelude::*;

    fn one_covariate(x: &[f64]) -> Vec<Vec<f64>> {
        x.iter().map(|&v| vec![v]).collect()
    }

    #[test]
    fn untied_example_matches_closed_form() {
        // Times 1, 2, 3 (all events), x = 1, 0, 1. With w = exp(β) the partial likelihood is
        // w/(2w+1) · 1/(w+1) · 1, so ℓ'(β) = 1 − 2w/(2w+1) − w/(w+1) = 0 ⇔ 1 − 2w² = 0:
        // β̂ = −ln 2 / 2. Information = Σ p(1−p) over the risk sets = 2w/(2w+1)² + w/(w+1)².
        let times = [1.0, 2.0, 3.0].map(Observation::event);
        let fit = cox_ph(&times, &one_covariate(&[1.0, 0.0, 1.0])).unwrap();
        let w = 0.5f64.sqrt();
        let information = 2.0 * w / (2.0 * w + 1.0).powi(2) + w / (w + 1.0).powi(2);
        let c = fit.coefficients[0];
        assert!(close(c.coef, -(2f64.ln()) / 2.0, 1e-9));
        assert!(close(c.std_err, information.powf(-0.5), 1e-9));
        // ℓ(0) = ln(1/3) + ln(1/2); ℓ(β̂) = ln w − ln(2w+1) − ln(w+1).
        assert!(close(fit.log_likelihood_null, -(6f64.ln()), 1e-12));
        let at_fit = w.ln() - (2.0 * w + 1.0).ln() - (w + 1.0).ln();
        assert!(close(fit.log_likelihood, at_fit, 1e-12));
        assert!(fit.converged);
        assert_eq!((fit.n, fit.events), (3, 3));
    }

    #[test]
    fn tied_example_matches_hand_computed_efron() {
        // Two events tie at t = 1 (x = 1 and x = 0); the third subject (x = 1) dies at t = 2
        // alone in its risk set. Efron at t = 1: risk sum 2w+1, tied sum w+1, so
        // ℓ(β) = β − ln(2w+1) − ln(2w+1 − (w+1)/2) = β − ln(2w+1) − ln((3w+1)/2).
        // ℓ'(β) = 1 − 2w/(2w+1) − 3w/(3w+1) = 0 ⇔ 1 − 6w² = 0: β̂ = −ln 6 / 2 = −0.8959.
        // (Breslow, which keeps both tied events in one risk set, gives −ln 2 = −0.693.)
        let times = [
            Observation::event(1.0),
            Observation::event(1.0),
            Observation::event(2.0),
        ];
        let fit = cox_ph(&times, &one_covariate(&[1.0, 0.0, 1.0])).unwrap();
        let w = 6f64.sqrt().recip();
        let information = 2.0 * w / (2.0 * w + 1.0).powi(2) + 3.0 * w / (3.0 * w + 1.0).powi(2);
        let c = fit.coefficients[0];
        assert!(close(c.coef, -(6f64.ln()) / 2.0, 1e-9));
        assert!(close(c.std_err, information.powf(-0.5), 1e-9));
        let at_fit = w.ln() - (2.0 * w + 1.0).ln() - ((3.0 * w + 1.0) / 2.0).ln();
        assert!(close(fit.log_likelihood, at_fit, 1e-12));
        // ℓ(0) = −ln 3 − ln 2: a risk set of 3, then of 3 − (1 + 1)/2 = 2.
        assert!(close(fit.log_likelihood_null, -(6f64.ln()), 1e-12));
    }

    #[test]
    fn censored_subjects_stay_in_risk_sets_up_to_their_time() {
        // Same as the untied example plus a subject with x = 0 censored at t = 2: it is at risk
        // at t = 1 and t = 2 (censored at an event time counts at risk), adding 1 to each
        // denominator: ℓ(β) = β − ln(2w+2) − ln(w+2).
        let times = [
            Observation::event(1.0),
            Observation::event(2.0),
            Observation::event(3.0),
            Observation::censored(2.0),
        ];
        let fit = cox_ph(&times, &one_covariate(&[1.0, 0.0, 1.0, 0.0])).unwrap();
        // ℓ'(β) = 1 − 2w/(2w+2) − w/(w+2) = 0 ⇔ (w+1)(w+2) − w(w+2) − w(w+1) = 0
        // ⇔ 2 − w² = 0: β̂ = ln 2 / 2.
        assert!(close(fit.coefficients[0].coef, 2f64.ln() / 2.0, 1e-9));
        assert_eq!(fit.events, 3);
    }

    #[test]
    fn hazard_ratio_is_the_indicator_fit_and_antisymmetric() {
        let a = [3.0, 5.0, 5.0, 8.0, 9.0].map(Observation::event);
        let b = [
            Observation::event(1.0),
            Observation::event(2.0),
            Observation::censored(5.0),
            Observation::event(5.0),
        ];
        let ab = hazard_ratio(&a, &b).unwrap();
        let ba = hazard_ratio(&b, &a).unwrap();
        assert!(close(
            ab.coefficients[0].coef,
            -ba.coefficients[0].coef,
            1e-9
        ));
        assert!(close(
            ab.coefficients[0].std_err,
            ba.coefficients[0].std_err,
            1e-9
        ));
        assert!(close(ab.lr_chi_square, ba.lr_chi_square, 1e-9));
        let indicator = one_covariate(&[0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        let direct = cox_ph(&[a.as_slice(), &b].concat(), &indicator).unwrap();
        assert_eq!(direct, ab);
        assert!(ab.coefficients[0].hazard_ratio > 1.0, "b fails earlier");
    }

    #[test]
    fn shifting_and_scaling_a_covariate_rescales_only_its_coefficient() {
        let times = [
            Observation::event(2.0),
            Observation::censored(3.0),
            Observation::event(4.0),
            Observation::event(4.0),
            Observation::event(6.0),
            Observation::censored(7.0),
            Observation::event(9.0),
        ];
        let x = [0.3, 1.2, -0.5, 2.0, 0.1, -1.0, 0.7];
        let base = cox_ph(&times, &one_covariate(&x)).unwrap();
        let moved: Vec<f64> = x.iter().map(|v| 10.0 * v + 50.0).collect();
        let moved = cox_ph(&times, &one_covariate(&moved)).unwrap();
        let (b, m) = (base.coefficients[0], moved.coefficients[0]);
        assert!(close(m.coef * 10.0, b.coef, 1e-8));
        assert!(close(m.std_err * 10.0, b.std_err, 1e-8));
        assert!(close(m.p_value, b.p_value, 1e-8));
        assert!(close(moved.log_likelihood, base.log_likelihood, 1e-9));
    }

    #[test]
    fn separating_covariate_runs_off_like_r() {
        // Every event is in group b, before anyone in a leaves: the likelihood keeps rising as
        // β → ∞, towards 1/3 · 1/2 · 1 (b's share of each risk set), so ℓ → −ln 6. As in R, the
        // fit stops once ℓ stops changing, at a large β with a useless standard error, while
        // the likelihood-ratio test still sees the difference: 2·(−ln 6 + ln(6·5·4)) = 2·ln 20.
        let a = [5.0, 6.0, 7.0].map(Observation::censored);
        let b = [1.0, 2.0, 3.0].map(Observation::event);
        let fit = hazard_ratio(&a, &b).unwrap();
        let c = fit.coefficients[0];
        assert!(c.coef > 15.0 && c.std_err > 1e3 && c.p_value > 0.99);
        assert!(close(fit.log_likelihood, -(6f64.ln()), 1e-6));
        assert!(close(fit.lr_chi_square, 2.0 * 20f64.ln(), 1e-6));
    }

    #[test]
    fn bad_input_is_an_error() {
        let times = [Observation::event(1.0), Observation::event(2.0)];
        assert!(matches!(cox_ph(&[], &[]), Err(StatsError::Empty { .. })));
        assert!(matches!(
            cox_ph(&times, &one_covariate(&[1.0])),
            Err(StatsError::DimensionMismatch {
                len: 1,
                expected: 2,
                ..
            })
        ));
        assert!(matches!(
            cox_ph(&times, &[vec![1.0, 2.0], vec![1.0]]),
            Err(StatsError::DimensionMismatch {
                len: 1,
                expected: 2,
                ..
            })
        ));
        assert!(matches!(
            cox_ph(&times, &[vec![], vec![]]),
            Err(StatsError::Empty { .. })
        ));
        assert!(matches!(
            cox_ph(&times, &one_covariate(&[1.0, f64::NAN])),
            Err(StatsError::NonFinite { .. })
        ));
        assert_eq!(
            cox_ph(&[Observation::event(-1.0)], &one_covariate(&[0.0])),
            Err(StatsError::NegativeTime { time: -1.0 })
        );
        let censored = [Observation::censored(1.0), Observation::censored(2.0)];
        assert_eq!(
            cox_ph(&censored, &one_covariate(&[0.0, 1.0])),
            Err(StatsError::NoEvents { what: "Cox" })
        );
        assert_eq!(
            cox_ph(&times, &one_covariate(&[4.0, 4.0])),
            Err(StatsError::SingularInformation)
        );
        let three = [1.0, 2.0, 3.0].map(Observation::event);
        let collinear = [vec![1.0, 2.0], vec![0.0, 0.0], vec![2.0, 4.0]];
        assert_eq!(
            cox_ph(&three, &collinear),
            Err(StatsError::SingularInformation)
        );
        assert!(matches!(
            hazard_ratio(&times, &[]),
            Err(StatsError::Empty { .. })
        ));
    }

    proptest! {
        /// Without ties Efron's likelihood is Cox's own: Σ over events of
        /// β·x_i − ln Σ_{t_j >= t_i} exp(β·x_j).
        #[test]
        fn without_ties_efron_is_the_textbook_partial_likelihood(
            rows in prop::collection::vec((any::<bool>(), -2.0f64..2.0), 2..30),
            beta in -2.0f64..2.0,
        ) {
            let times: Vec<Observation> = rows
                .iter()
                .enumerate()
                .map(|(i, &(event, _))| Observation { time: i as f64, event })
                .collect();
            let x: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let textbook: f64 = (0..x.len())
                .filter(|&i| times[i].event)
                .map(|i| beta * x[i] - x[i..].iter().map(|v| (beta * v).exp()).sum::<f64>().ln())
                .sum();
            let efron = RiskSets::new(&times, &one_covariate(&x)).evaluate(&[beta]);
            // Centring shifts every β·x by the same amount, which cancels in each ratio.
            prop_assert!(close(efron.log_likelihood, textbook, 1e-9 * (1.0 + textbook.abs())));
        }
    }
}
