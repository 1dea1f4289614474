//! Age-specific incidence and the multi-step (Armitage–Doll) model of disease onset.
//!
//! If onset needs n independent steps, each occurring at a small constant rate, the incidence
//! at age t is ∝ t^(n−1) (Armitage & Doll 1954, Br J Cancer 8:1), so log incidence is linear in
//! log age with slope n − 1. Al-Chalabi et al. (2014, Lancet Neurol 13:1108) estimated about
//! six steps for ALS from population registers this way, and Chiò et al. (2018, Neurology
//! 91:e635) fewer in carriers of large-effect mutations (about 3 for C9orf72, 2 for SOD1).
//! Both regressed log incidence on log age by least squares; here it is a Poisson regression
//! of the counts, which weights each band by its information (see [`multistep_incidence`]).

use crate::cox::Cholesky;
use crate::{StatsError, Z_975, check_sample};

/// IRLS stops when the deviance changes by less than this, relative to the deviance + 0.1.
const DEVIANCE_TOLERANCE: f64 = 1e-10;
/// IRLS gives up after this many iterations (R's `glm` default).
const MAX_ITERATIONS: usize = 25;

/// One person's follow-up on the age scale, in years.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FollowUp {
    /// Age at which observation starts (birth, or entry into the register's population).
    pub entry_age: f64,
    /// Age at onset, or at censoring: death of another cause or end of follow-up.
    pub exit_age: f64,
    /// `true` if `exit_age` is the age at onset.
    pub onset: bool,
}

impl FollowUp {
    /// Followed from `entry_age` until onset at `onset_age`.
    pub fn onset(entry_age: f64, onset_age: f64) -> Self {
        Self {
            entry_age,
            exit_age: onset_age,
            onset: true,
        }
    }

    /// Followed from `entry_age` until `exit_age` without onset.
    pub fn censored(entry_age: f64, exit_age: f64) -> Self {
        Self {
            entry_age,
            exit_age,
            onset: false,
        }
    }
}

/// Onsets and person-time in one age band [start, end).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgeBand {
    /// First age of the band.
    pub start: f64,
    /// End of the band (excluded).
    pub end: f64,
    /// Onsets at ages in [start, end).
    pub events: usize,
    /// Years lived in [start, end) while at risk (after entry, before onset or censoring).
    pub person_years: f64,
    /// events / person_years per person-year; `None` when nobody was at risk in the band.
    pub incidence: Option<f64>,
}

/// Poisson fit of ln(incidence) = intercept + slope·ln(age) over the age bands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PowerLawFit {
    /// ln of the fitted incidence per person-year at age 1: incidence(t) = e^intercept·t^slope.
    pub intercept: f64,
    /// Exponent of age: n − 1 in the multi-step model.
    pub slope: f64,
    /// Standard error of `slope` from the inverse Fisher information.
    pub slope_std_err: f64,
    /// Lower end of the Wald 95% confidence interval of `slope`.
    pub slope_ci_lower: f64,
    /// Upper end of the Wald 95% confidence interval of `slope`.
    pub slope_ci_upper: f64,
    /// Implied number of steps, slope + 1.
    pub steps: f64,
    /// Lower end of the 95% confidence interval of `steps`.
    pub steps_ci_lower: f64,
    /// Upper end of the 95% confidence interval of `steps`.
    pub steps_ci_upper: f64,
    /// Poisson deviance of the fit: about chi-square with (bands used − 2) degrees of freedom
    /// if incidence is a power of age, so a large value says the straight line is wrong.
    pub deviance: f64,
    /// Bands that entered the fit (those with person-time).
    pub bands_used: usize,
    /// IRLS iterations.
    pub iterations: usize,
}

/// Age-specific incidence and its log-log fit.
#[derive(Debug, Clone, PartialEq)]
pub struct MultistepAnalysis {
    /// One entry per band, in age order.
    pub bands: Vec<AgeBand>,
    /// The fit over the bands with person-time.
    pub fit: PowerLawFit,
}

/// Incidence in the age bands delimited by `band_edges`, and the number of steps it implies.
///
/// `band_edges` are increasing ages, e.g. `[40, 45, …, 85]` for 5-year bands; band i is
/// `[edges[i], edges[i+1])`. Each person adds the years between entry and exit that fall in a
/// band to its person-years, and an onset to the band holding the exit age; time and onsets
/// outside the bands are ignored.
///
/// The fit is a Poisson regression of band counts on ln(band midpoint) with ln(person-years)
/// as offset, by iteratively reweighted least squares. Poisson rather than least squares on
/// ln(events/person-years) because young bands have few events: the Poisson likelihood weights
/// each band by its information, and keeps bands with zero events (whose log is −∞). The slope
/// estimates n − 1; steps = slope + 1 with the same Wald interval shifted by 1.
///
/// Fails on no people or bands, non-finite ages, entry < 0 or exit < entry, bands that do not
/// increase from an edge >= 0, no onsets in the bands, or onsets in fewer than two bands (the
/// slope would be infinite).
pub fn multistep_incidence(
    people: &[FollowUp],
    band_edges: &[f64],
) -> Result<MultistepAnalysis, StatsError> {
    if band_edges.len() < 2 {
        return Err(StatsError::Empty {
            what: "age bands (need 2 or more edges)",
        });
    }
    check_sample(band_edges, "age band edges")?;
    for edge in band_edges.windows(2) {
        if edge[0] < 0.0 || edge[1] <= edge[0] {
            return Err(StatsError::BadInterval {
                what: "age band",
                start: edge[0],
                end: edge[1],
            });
        }
    }
    if people.is_empty() {
        return Err(StatsError::Empty {
            what: "multistep people",
        });
    }
    for p in people {
        check_sample(&[p.entry_age, p.exit_age], "follow-up ages")?;
        if p.entry_age < 0.0 || p.exit_age < p.entry_age {
            return Err(StatsError::BadInterval {
                what: "follow-up ages",
                start: p.entry_age,
                end: p.exit_age,
            });
        }
    }

    let bands: Vec<AgeBand> = band_edges
        .windows(2)
        .map(|edge| {
            let (start, end) = (edge[0], edge[1]);
            let person_years: f64 = people
                .iter()
                .map(|p| (p.exit_age.min(end) - p.entry_age.max(start)).max(0.0))
                .sum();
            let events = people
                .iter()
                .filter(|p| p.onset && (start..end).contains(&p.exit_age))
                .count();
            AgeBand {
                start,
                end,
                events,
                person_years,
                incidence: (person_years > 0.0).then(|| events as f64 / person_years),
            }
        })
        .collect();

    let used: Vec<&AgeBand> = bands.iter().filter(|b| b.person_years > 0.0).collect();
    if used.iter().all(|b| b.events == 0) {
        return Err(StatsError::NoEvents { what: "age bands" });
    }
    let with_events = used.iter().filter(|b| b.events > 0).count();
    if with_events < 2 {
        return Err(StatsError::TooFewBands { with_events });
    }
    let log_age: Vec<f64> = used
        .iter()
        .map(|b| ((b.start + b.end) / 2.0).ln())
        .collect();
    let counts: Vec<f64> = used.iter().map(|b| b.events as f64).collect();
    let log_exposure: Vec<f64> = used.iter().map(|b| b.person_years.ln()).collect();
    let fit = poisson_log_linear(&log_age, &counts, &log_exposure)?;
    Ok(MultistepAnalysis { bands, fit })
}

/// Maximum-likelihood fit of y_i ~ Poisson(exp(offset_i + a + b·x_i)) by IRLS.
///
/// Each iteration is the weighted least-squares regression of the working response
/// z = η − offset + (y − μ)/μ on x with weights μ, which for the canonical log link is Newton's
/// method on the log-likelihood. It starts from μ = y + 0.1, as R's `glm` does, so bands with no
/// events start finite. x is centred for conditioning; the intercept is moved back after.
fn poisson_log_linear(x: &[f64], y: &[f64], offset: &[f64]) -> Result<PowerLawFit, StatsError> {
    let x_mean = x.iter().sum::<f64>() / x.len() as f64;
    let centred: Vec<f64> = x.iter().map(|v| v - x_mean).collect();
    let information = |mu: &[f64]| {
        let (mut s0, mut s1, mut s2) = (0.0, 0.0, 0.0);
        for (m, x) in mu.iter().zip(&centred) {
            s0 += m;
            s1 += m * x;
            s2 += m * x * x;
        }
        Cholesky::new(&[s0, s1, s1, s2], 2)
    };
    let deviance = |mu: &[f64]| -> f64 {
        y.iter()
            .zip(mu)
            .map(|(&y, &m)| {
                let ratio = if y > 0.0 { y * (y / m).ln() } else { 0.0 };
                2.0 * (ratio - (y - m))
            })
            .sum()
    };

    let mut mu: Vec<f64> = y.iter().map(|y| y + 0.1).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut previous = deviance(&mu);
    for iterations in 1..=MAX_ITERATIONS {
        let (mut r0, mut r1) = (0.0, 0.0);
        for i in 0..y.len() {
            let z = eta[i] - offset[i] + (y[i] - mu[i]) / mu[i];
            r0 += mu[i] * z;
            r1 += mu[i] * centred[i] * z;
        }
        let beta = information(&mu)?.solve(&[r0, r1]);
        for i in 0..y.len() {
            eta[i] = offset[i] + beta[0] + beta[1] * centred[i];
            mu[i] = eta[i].exp();
        }
        let current = deviance(&mu);
        if (current - previous).abs() < DEVIANCE_TOLERANCE * (current.abs() + 0.1) {
            let slope_std_err = information(&mu)?.inverse()[3].sqrt();
            let slope = beta[1];
            let half_width = Z_975 * slope_std_err;
            return Ok(PowerLawFit {
                intercept: beta[0] - slope * x_mean,
                slope,
                slope_std_err,
                slope_ci_lower: slope - half_width,
                slope_ci_upper: slope + half_width,
                steps: slope + 1.0,
                steps_ci_lower: slope - half_width + 1.0,
                steps_ci_upper: slope + half_width + 1.0,
                deviance: current,
                bands_used: y.len(),
                iterations,
            });
        }
        previous = current;
    }
    Err(StatsError::NotConverged {
        what: "Poisson IRLS",
        iterations: MAX_ITERATIONS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::close;

    #[test]
    fn bands_count_onsets_and_person_years_by_hand() {
        let people = [
            // 38 to 57: 10 years in [40, 50), 7 in [50, 60); onset at 57 in [50, 60).
            FollowUp::onset(38.0, 57.0),
            // 45 to 52, censored: 5 + 2.
            FollowUp::censored(45.0, 52.0),
            // 20 to 48, onset at 48: 8 years in [40, 50), onset there.
            FollowUp::onset(20.0, 48.0),
            // 61 to 70: after the last band, ignored.
            FollowUp::onset(61.0, 70.0),
            // Onset exactly at 50 belongs to [50, 60): 10 years in [40, 50).
            FollowUp::onset(0.0, 50.0),
        ];
        let analysis = multistep_incidence(&people, &[40.0, 50.0, 60.0]).unwrap();
        let [young, old] = [analysis.bands[0], analysis.bands[1]];
        assert_eq!((young.events, old.events), (1, 2));
        assert!(close(young.person_years, 10.0 + 5.0 + 8.0 + 10.0, 1e-12));
        assert!(close(old.person_years, 7.0 + 2.0, 1e-12));
        assert_eq!(young.incidence, Some(1.0 / 33.0));
        // Two bands, two parameters: the fit goes through both rates exactly, so the slope is
        // ln(rate ratio)/ln(age ratio) = ln((2/9)/(1/33)) / ln(55/45) = ln(7.3333)/ln(1.2222).
        let expected = (22.0f64 / 3.0).ln() / (55.0f64 / 45.0).ln();
        assert!(close(analysis.fit.slope, expected, 1e-8));
        assert!(close(analysis.fit.steps, expected + 1.0, 1e-8));
        assert!(close(analysis.fit.deviance, 0.0, 1e-8));
    }

    #[test]
    fn exact_power_law_counts_give_the_exponent_and_its_fisher_error() {
        // Expected counts y = PY·c·age^4 fit exactly, and the slope's variance is then
        // 1 / Σ y·(x − x̄_y)², x̄_y the y-weighted mean of x = ln age.
        let ages = [42.5f64, 47.5, 52.5, 57.5, 62.5, 67.5, 72.5, 77.5, 82.5];
        let years: [f64; 9] = [9e5, 8.8e5, 8.5e5, 8e5, 7.4e5, 6.5e5, 5.4e5, 4e5, 2.6e5];
        let x: Vec<f64> = ages.iter().map(|a| a.ln()).collect();
        let offset: Vec<f64> = years.iter().map(|y| y.ln()).collect();
        let y: Vec<f64> = ages
            .iter()
            .zip(&years)
            .map(|(a, py)| py * 1e-9 * a.powi(4))
            .collect();
        let fit = poisson_log_linear(&x, &y, &offset).unwrap();
        assert!(close(fit.slope, 4.0, 1e-8));
        assert!(close(fit.intercept, 1e-9f64.ln(), 1e-6));
        assert!(close(fit.deviance, 0.0, 1e-8));
        let total: f64 = y.iter().sum();
        let x_bar = y.iter().zip(&x).map(|(y, x)| y * x).sum::<f64>() / total;
        let spread: f64 = y.iter().zip(&x).map(|(y, x)| y * (x - x_bar).powi(2)).sum();
        assert!(close(fit.slope_std_err, spread.powf(-0.5), 1e-8));
        assert!(close(
            fit.steps_ci_upper - fit.steps,
            Z_975 * fit.slope_std_err,
            1e-12
        ));
    }

    #[test]
    fn bad_input_is_an_error() {
        let people = [FollowUp::onset(0.0, 45.0), FollowUp::onset(0.0, 55.0)];
        let edges = [40.0, 50.0, 60.0];
        assert!(matches!(
            multistep_incidence(&[], &edges),
            Err(StatsError::Empty { .. })
        ));
        assert!(matches!(
            multistep_incidence(&people, &[40.0]),
            Err(StatsError::Empty { .. })
        ));
        assert!(matches!(
            multistep_incidence(&people, &[40.0, 40.0, 50.0]),
            Err(StatsError::BadInterval { .. })
        ));
        assert!(matches!(
            multistep_incidence(&people, &[-5.0, 50.0]),
            Err(StatsError::BadInterval { .. })
        ));
        assert!(matches!(
            multistep_incidence(&people, &[40.0, f64::NAN]),
            Err(StatsError::NonFinite { .. })
        ));
        for bad in [FollowUp::onset(50.0, 45.0), FollowUp::censored(-1.0, 45.0)] {
            assert!(matches!(
                multistep_incidence(&[bad], &edges),
                Err(StatsError::BadInterval { .. })
            ));
        }
        assert!(matches!(
            multistep_incidence(&[FollowUp::onset(0.0, f64::INFINITY)], &edges),
            Err(StatsError::NonFinite { .. })
        ));
        let censored = [FollowUp::censored(0.0, 70.0), FollowUp::onset(0.0, 30.0)];
        assert_eq!(
            multistep_incidence(&censored, &edges),
            Err(StatsError::NoEvents { what: "age bands" })
        );
        let one_band = [FollowUp::onset(0.0, 45.0), FollowUp::censored(0.0, 70.0)];
        assert_eq!(
            multistep_incidence(&one_band, &edges),
            Err(StatsError::TooFewBands { with_events: 1 })
        );
        assert_eq!(
            multistep_incidence(&people, &[40.0, 60.0]),
            Err(StatsError::TooFewBands { with_events: 1 })
        );
    }
}
