//! Input checks and the statistics the report and plots show.

use crate::{Group, ReportError, ReportOptions, RunSeries, TimeAxis};
use alsim_stats::{
    BootstrapCi, KaplanMeier, LogRank, Observation, PointwiseBand, StatsError, Summary,
    bootstrap_median_difference, kaplan_meier, log_rank, pointwise_band, summarize,
};

/// The milestones compared between groups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Event {
    Loss10,
    Loss50,
    Onset,
}

impl Event {
    pub(crate) const ALL: [Event; 3] = [Event::Loss10, Event::Loss50, Event::Onset];

    fn days(self, run: &RunSeries) -> Option<f64> {
        match self {
            Event::Loss10 => run.days_to_10pct_loss,
            Event::Loss50 => run.days_to_50pct_loss,
            Event::Onset => run.days_to_clinical_onset,
        }
    }

    fn field(self) -> &'static str {
        match self {
            Event::Loss10 => "days_to_10pct_loss",
            Event::Loss50 => "days_to_50pct_loss",
            Event::Onset => "days_to_clinical_onset",
        }
    }

    /// Stem of the Kaplan–Meier plot's files.
    pub(crate) fn plot_name(self) -> &'static str {
        match self {
            Event::Loss10 => "km_10pct",
            Event::Loss50 => "km_50pct",
            Event::Onset => "km_onset",
        }
    }

    /// "Time to …", a heading and plot title.
    pub(crate) fn heading(self) -> &'static str {
        match self {
            Event::Loss10 => "Time to 10% motor neuron loss",
            Event::Loss50 => "Time to 50% motor neuron loss",
            Event::Onset => "Time to clinical onset",
        }
    }

    /// Completes "B … a median 38 days earlier than A".
    pub(crate) fn verb_phrase(self) -> &'static str {
        match self {
            Event::Loss10 => "loses 10% of motor neurons",
            Event::Loss50 => "loses 50% of motor neurons",
            Event::Onset => "reaches clinical onset",
        }
    }

    /// Completes "runs without …".
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Event::Loss10 => "10% loss",
            Event::Loss50 => "50% loss",
            Event::Onset => "clinical onset",
        }
    }
}

/// One group's view of one event.
pub(crate) struct EventGroup {
    pub(crate) runs: usize,
    /// Event days of the runs that reached the event.
    pub(crate) reached: Vec<f64>,
    /// Summary of `reached`; `None` if no run reached the event.
    pub(crate) summary: Option<Summary>,
    pub(crate) km: KaplanMeier,
}

/// Both groups' view of one event and the tests between them.
pub(crate) struct EventComparison {
    pub(crate) event: Event,
    pub(crate) groups: [EventGroup; 2],
    pub(crate) log_rank: Result<LogRank, StatsError>,
    /// median(B) − median(A) of the event days of runs that reached the event.
    pub(crate) difference: Result<BootstrapCi, StatsError>,
}

/// One group's replicate bands over time.
pub(crate) struct GroupSeries {
    /// Sample times, in the report's unit.
    pub(crate) time: Vec<f64>,
    pub(crate) survival: PointwiseBand,
    pub(crate) microglia: PointwiseBand,
    pub(crate) astrocytes: PointwiseBand,
    /// Survival, microglia and astrocytes across runs at the last sample.
    pub(crate) last: [Summary; 3],
}

/// Everything the report shows.
pub(crate) struct Analysis<'a> {
    pub(crate) groups: [&'a Group; 2],
    pub(crate) series: [GroupSeries; 2],
    pub(crate) events: Vec<EventComparison>,
    pub(crate) resamples: usize,
    pub(crate) seed: u64,
    /// The clock of every time above (already in its unit).
    pub(crate) time_axis: TimeAxis,
}

pub(crate) fn analyse<'a>(
    groups: [&'a Group; 2],
    options: &ReportOptions,
) -> Result<Analysis<'a>, ReportError> {
    for group in groups {
        check_group(group)?;
    }
    let series = [group_series(groups[0])?, group_series(groups[1])?];
    let events = Event::ALL
        .into_iter()
        .map(|event| compare(event, groups, options))
        .collect::<Result<_, _>>()?;
    Ok(Analysis {
        groups,
        series,
        events,
        resamples: options.bootstrap_resamples,
        seed: options.bootstrap_seed,
        time_axis: options.time_axis,
    })
}

fn check_group(group: &Group) -> Result<(), ReportError> {
    let Some(first) = group.runs.first() else {
        return Err(ReportError::EmptyGroup {
            group: group.name.clone(),
        });
    };
    for run in &group.runs {
        let invalid = |field, rule, value| ReportError::InvalidValue {
            group: group.name.clone(),
            seed: run.seed,
            field,
            rule,
            value,
        };
        let expected = run.time_days.len();
        if expected == 0 {
            return Err(ReportError::NoSamples {
                group: group.name.clone(),
                seed: run.seed,
            });
        }
        for (field, values) in [
            ("time_days", &run.time_days),
            ("motor_neurons_alive", &run.motor_neurons_alive),
            ("microglia_activated", &run.microglia_activated),
            ("astrocytes_reactive", &run.astrocytes_reactive),
        ] {
            if values.len() != expected {
                return Err(ReportError::SeriesLength {
                    group: group.name.clone(),
                    seed: run.seed,
                    field,
                    len: values.len(),
                    expected,
                });
            }
            if let Some(&bad) = values.iter().find(|v| !v.is_finite()) {
                return Err(invalid(field, "finite", bad));
            }
        }
        if run.time_days != first.time_days {
            return Err(ReportError::SampleTimes {
                group: group.name.clone(),
                seed: run.seed,
                first_seed: first.seed,
            });
        }
        if !(run.motor_neurons_initial.is_finite() && run.motor_neurons_initial > 0.0) {
            return Err(invalid(
                "motor_neurons_initial",
                "finite and > 0",
                run.motor_neurons_initial,
            ));
        }
        let days = [("duration_days", Some(run.duration_days))]
            .into_iter()
            .chain(Event::ALL.map(|e| (e.field(), e.days(run))));
        for (field, value) in days {
            if let Some(value) = value.filter(|d| !(d.is_finite() && *d >= 0.0)) {
                return Err(invalid(field, "finite and >= 0", value));
            }
        }
    }
    Ok(())
}

fn stats_err(what: String) -> impl FnOnce(StatsError) -> ReportError {
    move |source| ReportError::Stats { what, source }
}

fn group_series(group: &Group) -> Result<GroupSeries, ReportError> {
    let fractions: Vec<Vec<f64>> = group
        .runs
        .iter()
        .map(|r| {
            let initial = r.motor_neurons_initial;
            r.motor_neurons_alive.iter().map(|n| n / initial).collect()
        })
        .collect();
    let microglia: Vec<&[f64]> = group
        .runs
        .iter()
        .map(|r| r.microglia_activated.as_slice())
        .collect();
    let astrocytes: Vec<&[f64]> = group
        .runs
        .iter()
        .map(|r| r.astrocytes_reactive.as_slice())
        .collect();
    let band = |what: &str, replicates: &[&[f64]]| {
        pointwise_band(replicates).map_err(stats_err(format!("{}: {what}", group.name)))
    };
    let last = |what: &str, replicates: &[&[f64]]| {
        let values: Vec<f64> = replicates
            .iter()
            .filter_map(|s| s.last().copied())
            .collect();
        summarize(&values).map_err(stats_err(format!("{}: last {what}", group.name)))
    };
    let fraction_slices: Vec<&[f64]> = fractions.iter().map(Vec::as_slice).collect();
    Ok(GroupSeries {
        time: group.runs[0].time_days.clone(),
        survival: band("survival", &fraction_slices)?,
        microglia: band("activated microglia", &microglia)?,
        astrocytes: band("reactive astrocytes", &astrocytes)?,
        last: [
            last("survival", &fraction_slices)?,
            last("activated microglia", &microglia)?,
            last("reactive astrocytes", &astrocytes)?,
        ],
    })
}

fn compare(
    event: Event,
    groups: [&Group; 2],
    options: &ReportOptions,
) -> Result<EventComparison, ReportError> {
    let observations = groups.map(|g| {
        g.runs
            .iter()
            .map(|r| match event.days(r) {
                Some(day) => Observation::event(day),
                None => Observation::censored(r.duration_days),
            })
            .collect::<Vec<_>>()
    });
    let a = event_group(event, groups[0], &observations[0])?;
    let b = event_group(event, groups[1], &observations[1])?;
    let difference = bootstrap_median_difference(
        &a.reached,
        &b.reached,
        options.bootstrap_resamples,
        options.bootstrap_seed,
    );
    Ok(EventComparison {
        event,
        log_rank: log_rank(&observations[0], &observations[1]),
        difference,
        groups: [a, b],
    })
}

fn event_group(
    event: Event,
    group: &Group,
    observations: &[Observation],
) -> Result<EventGroup, ReportError> {
    let reached: Vec<f64> = observations
        .iter()
        .filter(|o| o.event)
        .map(|o| o.time)
        .collect();
    let what = format!("{}: {}", group.name, event.heading());
    Ok(EventGroup {
        runs: observations.len(),
        summary: (!reached.is_empty())
            .then(|| summarize(&reached))
            .transpose()
            .map_err(stats_err(what.clone()))?,
        km: kaplan_meier(observations).map_err(stats_err(what))?,
        reached,
    })
}
