//! Cumulative incidence under competing risks (Aalen–Johansen): the probability of the event
//! of interest by time t when another event (death of other causes) can come first and rule it
//! out. 1 − Kaplan–Meier with the competing event censored answers another question, the risk
//! in a world without the competing event, and overstates the risk people actually run.

use crate::StatsError;
use crate::survival::{Observation, check_observations};

/// How one person's follow-up ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The event of interest.
    Event,
    /// A competing event, after which the event of interest cannot happen.
    Competing,
    /// Seen last without either.
    Censored,
}

/// One person's follow-up: when it began, when it ended and how.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompetingObservation {
    /// Time follow-up began (age at entry; 0 when everyone is followed from the origin). A
    /// person is at risk at times in (entry, time].
    pub entry: f64,
    /// Time of the outcome (any unit; all observations share it), at or after `entry`.
    pub time: f64,
    /// What happened then.
    pub outcome: Outcome,
}

/// The cumulative incidence function: a right-continuous step function from 0.
#[derive(Debug, Clone, PartialEq)]
pub struct CumulativeIncidence {
    /// (time, cumulative incidence of the event of interest up to and including it), one per
    /// distinct time with an event of interest, in increasing time.
    pub steps: Vec<(f64, f64)>,
}

impl CumulativeIncidence {
    /// F(t): the cumulative incidence at the last event time at or before `t`, 0 before the
    /// first.
    pub fn at(&self, t: f64) -> f64 {
        let past = self.steps.partition_point(|s| s.0 <= t);
        past.checked_sub(1).map_or(0.0, |i| self.steps[i].1)
    }
}

/// Aalen–Johansen estimate of the cumulative incidence of [`Outcome::Event`]: at each distinct
/// time with n at risk, d₁ events and d₂ competing events, F += S(t−)·d₁/n, where S is the
/// Kaplan–Meier probability of neither event so far (both count as events in it). The people
/// at risk at t are those who entered before t and had no outcome before t (delayed entry, as
/// when people join a cohort at different ages). With no competing events and entry 0 it is
/// 1 − Kaplan–Meier. Fails on an empty sample, times not finite and ≥ 0, or an outcome before
/// its entry.
pub fn cumulative_incidence(
    observations: &[CompetingObservation],
) -> Result<CumulativeIncidence, StatsError> {
    let what = "cumulative incidence";
    let plain: Vec<Observation> = observations
        .iter()
        .flat_map(|o| {
            [
                Observation::censored(o.entry),
                Observation::censored(o.time),
            ]
        })
        .collect();
    check_observations(&plain, what)?;
    if let Some(o) = observations.iter().find(|o| o.time < o.entry) {
        return Err(StatsError::BadInterval {
            what: "follow-up (entry, outcome)",
            start: o.entry,
            end: o.time,
        });
    }
    let mut sorted = observations.to_vec();
    sorted.sort_by(|a, b| a.time.total_cmp(&b.time));
    let mut entries: Vec<f64> = observations.iter().map(|o| o.entry).collect();
    entries.sort_by(f64::total_cmp);
    let mut left_before = 0;
    let mut event_free = 1.0;
    let mut incidence = 0.0;
    let mut steps = Vec::new();
    for tied in sorted.chunk_by(|a, b| a.time == b.time) {
        let t = tied[0].time;
        let entered = entries.partition_point(|&e| e < t);
        let at_risk = entered.saturating_sub(left_before) as f64;
        left_before += tied.len();
        let count = |o: Outcome| tied.iter().filter(|x| x.outcome == o).count() as f64;
        let (events, competing) = (count(Outcome::Event), count(Outcome::Competing));
        if at_risk == 0.0 || events + competing == 0.0 {
            continue;
        }
        if events > 0.0 {
            incidence += event_free * events / at_risk;
            steps.push((t, incidence));
        }
        event_free *= 1.0 - (events + competing) / at_risk;
    }
    Ok(CumulativeIncidence { steps })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kaplan_meier;

    fn obs(time: f64, outcome: Outcome) -> CompetingObservation {
        CompetingObservation {
            entry: 0.0,
            time,
            outcome,
        }
    }

    #[test]
    fn a_competing_death_lowers_the_later_increments_by_the_share_still_event_free() {
        use Outcome::*;
        // t=1: 1/5. t=2: a competing death, S = 3/5. t=3: + (3/5)(1/3) = 0.4. t=4 censored.
        // t=5: the last one at risk, + (2/5)(1/1) = 0.8.
        let f = cumulative_incidence(&[
            obs(3.0, Event),
            obs(1.0, Event),
            obs(2.0, Competing),
            obs(5.0, Event),
            obs(4.0, Censored),
        ])
        .unwrap();
        let expected = [(1.0, 0.2), (3.0, 0.4), (5.0, 0.8)];
        assert_eq!(f.steps.len(), 3);
        for ((t, v), (et, ev)) in f.steps.iter().zip(expected) {
            assert_eq!(*t, et);
            assert!((v - ev).abs() < 1e-12, "F({t}) = {v}, expected {ev}");
        }
        assert_eq!(
            (f.at(0.5), f.at(2.5), f.at(9.0)),
            (0.0, f.steps[0].1, f.steps[2].1)
        );
        // Censoring the death instead (1 − Kaplan–Meier) gives more: 1 − (4/5)(2/3)(0) = 1.
        let km = kaplan_meier(&[
            Observation::event(3.0),
            Observation::event(1.0),
            Observation::censored(2.0),
            Observation::event(5.0),
            Observation::censored(4.0),
        ])
        .unwrap();
        assert!(1.0 - km.survival_at(5.0) > f.at(5.0));
    }

    #[test]
    fn without_competing_events_it_is_one_minus_kaplan_meier() {
        let times = [0.5, 1.5, 1.5, 2.0, 3.5, 4.0, 4.0, 6.0, 7.5, 9.0];
        let events = [
            true, false, true, true, false, true, true, false, true, false,
        ];
        let competing: Vec<CompetingObservation> = times
            .iter()
            .zip(events)
            .map(|(&t, e)| obs(t, if e { Outcome::Event } else { Outcome::Censored }))
            .collect();
        let plain: Vec<Observation> = times
            .iter()
            .zip(events)
            .map(|(&t, e)| Observation { time: t, event: e })
            .collect();
        let f = cumulative_incidence(&competing).unwrap();
        let km = kaplan_meier(&plain).unwrap();
        for t in [0.0, 0.5, 1.0, 1.5, 3.0, 4.0, 8.0, 10.0] {
            assert!(
                (f.at(t) - (1.0 - km.survival_at(t))).abs() < 1e-12,
                "at {t}"
            );
        }
    }

    #[test]
    fn people_who_enter_late_are_not_at_risk_before_they_enter() {
        use Outcome::*;
        let late = |entry: f64, time: f64, outcome| CompetingObservation {
            entry,
            time,
            outcome,
        };
        // At t=1 only the two who entered at 0 are at risk: F = 1/2, S = 1/2. At t=3 the three
        // left (one entered at 2): F += (1/2)(1/3) = 2/3.
        let f = cumulative_incidence(&[
            late(0.0, 1.0, Event),
            late(0.0, 4.0, Censored),
            late(2.0, 3.0, Event),
            late(2.0, 5.0, Competing),
        ])
        .unwrap();
        assert_eq!(f.steps.len(), 2);
        assert!((f.at(1.0) - 0.5).abs() < 1e-12, "{:?}", f.steps);
        assert!((f.at(3.0) - 2.0 / 3.0).abs() < 1e-12, "{:?}", f.steps);
        assert!(cumulative_incidence(&[late(3.0, 2.0, Event)]).is_err());
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(cumulative_incidence(&[]).is_err());
        assert!(cumulative_incidence(&[obs(f64::NAN, Outcome::Event)]).is_err());
        assert!(cumulative_incidence(&[obs(-1.0, Outcome::Event)]).is_err());
    }
}
