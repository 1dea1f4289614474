//! Interventions: drugs, each acting on its molecular target, given on a regimen and carried
//! by its pharmacokinetics.

use crate::check::Checker;
use crate::genetics::Transcript;
use crate::params::{ParamSpec, closed, params, positive};
use serde::{Deserialize, Serialize};

/// When a therapy starts.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Start {
    /// On this day.
    Day(f64),
    /// On the day of clinical onset (force proxy below threshold; needs `motor_units`), plus a
    /// delay in days (diagnostic delay; 0 for "at onset").
    AfterOnset(f64),
}

/// A therapy: the molecular target it acts on, never the outcome. Each drug's regimen,
/// pharmacokinetics and concentration–effect curve default to its reference drug's and can be
/// changed field by field (`Antisense(target: Sod1, dosing: (dose_mg: 60.0))`); the effect on
/// the disease is for the model to produce (`docs/model.md`, "Therapies").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Therapy {
    /// An antisense oligonucleotide against `target`'s transcript (tofersen against SOD1;
    /// Miller et al. 2022): lowers that transcript, so it acts only where the transcript's
    /// product matters, and in no other genotype.
    Antisense {
        /// The transcript it is designed against.
        target: Transcript,
        /// Regimen, pharmacokinetics and knockdown; default tofersen's.
        #[serde(default)]
        dosing: AntisenseDosing,
    },
    /// Lowered glutamate release (riluzole; Bensimon et al. 1994): scales the excitotoxic
    /// damage by the share of release left.
    AntiGlutamate {
        /// Regimen, pharmacokinetics and inhibition; default riluzole's.
        #[serde(default)]
        dosing: AntiGlutamateDosing,
    },
    /// A free-radical scavenger (edaravone; Writing Group 2017): adds to the neurons'
    /// antioxidant capacity.
    Antioxidant {
        /// Regimen, pharmacokinetics and scavenging; default edaravone's.
        #[serde(default)]
        dosing: AntioxidantDosing,
    },
    /// A hypothetical anti-inflammatory agent at a steady level: multiplies the microglial
    /// activation rate by this fraction (0–1) while the course runs. No drug of this kind has
    /// shown benefit in ALS, so it has no pharmacokinetics of a reference drug.
    AntiInflammatory(f64),
}

/// One drug's regimen, pharmacokinetics and concentration–effect curve, as every therapy's
/// dosing declares it (one compartment, first-order elimination, doses as boluses, effect
/// `max_effect · C / (C + half_max)` of the concentration `C`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dosing {
    /// Amount per dose, mg.
    pub dose_mg: f64,
    /// Days between maintenance doses.
    pub interval_days: f64,
    /// Loading doses at the start, before the maintenance interval begins.
    pub loading_doses: u32,
    /// Days between loading doses.
    pub loading_interval_days: f64,
    /// Length of a dosing cycle, days; 0: no cycles, doses every interval.
    pub cycle_days: f64,
    /// Days at the start of each cycle on which doses are given.
    pub days_on: f64,
    /// Share of a dose that reaches the compartment.
    pub bioavailability: f64,
    /// Volume of distribution of the compartment, L.
    pub volume_l: f64,
    /// Elimination half-life from the compartment, days.
    pub half_life_days: f64,
    /// Concentration at half the maximal effect, mg/L.
    pub half_max_mg_per_l: f64,
    /// The effect at saturating concentration.
    pub max_effect: f64,
}

/// Each dosing declaration gives the same [`Dosing`] view.
macro_rules! dosing_view {
    ($($name:ident),*) => {$(
        impl $name {
            /// The regimen, pharmacokinetics and effect curve as one [`Dosing`].
            pub fn dosing(&self) -> Dosing {
                Dosing {
                    dose_mg: self.dose_mg,
                    interval_days: self.interval_days,
                    loading_doses: self.loading_doses,
                    loading_interval_days: self.loading_interval_days,
                    cycle_days: self.cycle_days,
                    days_on: self.days_on,
                    bioavailability: self.bioavailability,
                    volume_l: self.volume_l,
                    half_life_days: self.half_life_days,
                    half_max_mg_per_l: self.half_max_mg_per_l,
                    max_effect: self.max_effect,
                }
            }
        }
    )*};
}

dosing_view!(AntisenseDosing, AntiGlutamateDosing, AntioxidantDosing);

params! {
    /// An antisense oligonucleotide's regimen and action, by default tofersen's: 100 mg
    /// intrathecally, three loading doses 14 days apart, then every 28 days. Its compartment
    /// is the CNS tissue the drug reaches from the CSF; its effect is the share of the target
    /// transcript knocked down.
    pub struct AntisenseDosing {
        /// Amount per intrathecal dose.
        dose_mg: f64 = 100.0, "mg", positive(1e4), "tofersen label; Miller et al. 2022";
        /// Days between maintenance doses.
        interval_days: f64 = 28.0, "day", positive(365.0), "tofersen label; Miller et al. 2022";
        /// Loading doses.
        loading_doses: u32 = 3, "doses", closed(0.0, 52.0), "tofersen label";
        /// Days between loading doses.
        loading_interval_days: f64 = 14.0, "day", positive(365.0), "tofersen label";
        /// Dosing cycle, days (0: none).
        cycle_days: f64 = 0.0, "day", closed(0.0, 365.0), "tofersen label (no cycles)";
        /// Dosing days at the start of each cycle.
        days_on: f64 = 0.0, "day", closed(0.0, 365.0), "tofersen label (no cycles)";
        /// Share of an intrathecal dose taken up by CNS tissue.
        bioavailability: f64 = 1.0, "fraction", closed(0.0, 1.0),
            "model choice: the dose is given into the CSF";
        /// Volume the drug spreads through: brain and spinal cord, about 1.4 L.
        volume_l: f64 = 1.4, "L", positive(1e4), "standard anatomy";
        /// Half-life of the drug in the compartment.
        half_life_days: f64 = 28.0, "day", positive(3650.0),
            "tofersen label: terminal half-life about 4 weeks";
        /// Concentration knocking down half the maximal share. Only
        /// `dose_mg·bioavailability/(volume_l·half_max)` is identified: fitted so that on the
        /// label regimen the SOD1 protein falls 33% by day 85 and 35% by week 28, as CSF SOD1
        /// did.
        half_max_mg_per_l: f64 = 180.0, "mg/L", positive(1e6),
            "fitted to CSF SOD1: Miller et al. 2020 (−33 points at 100 mg, day 85); tofersen label (VALOR, −35% at week 28)";
        /// Share of the transcript knocked down at saturating concentration.
        max_effect: f64 = 1.0, "fraction", closed(0.0, 1.0),
            "model choice: an ASO can silence its target almost entirely";
    }
}

params! {
    /// An inhibitor of glutamate release, by default riluzole: 50 mg by mouth twice a day.
    /// Its compartment is the body water it distributes in; its effect is the share of
    /// glutamate release blocked.
    pub struct AntiGlutamateDosing {
        /// Amount per oral dose.
        dose_mg: f64 = 50.0, "mg", positive(1e4), "riluzole label; Bensimon et al. 1994";
        /// Days between doses.
        interval_days: f64 = 0.5, "day", positive(365.0), "riluzole label";
        /// Loading doses.
        loading_doses: u32 = 0, "doses", closed(0.0, 52.0), "riluzole label (none)";
        /// Days between loading doses.
        loading_interval_days: f64 = 0.5, "day", positive(365.0), "riluzole label (none)";
        /// Dosing cycle, days (0: none).
        cycle_days: f64 = 0.0, "day", closed(0.0, 365.0), "riluzole label (no cycles)";
        /// Dosing days at the start of each cycle.
        days_on: f64 = 0.0, "day", closed(0.0, 365.0), "riluzole label (no cycles)";
        /// Oral bioavailability.
        bioavailability: f64 = 0.6, "fraction", closed(0.0, 1.0),
            "Le Liboux et al. 1997 (about 60%)";
        /// Volume of distribution.
        volume_l: f64 = 245.0, "L", positive(1e4), "riluzole label (245 ± 69 L)";
        /// Elimination half-life.
        half_life_days: f64 = 0.5, "day", positive(3650.0), "riluzole label (9–15 h)";
        /// Plasma concentration blocking half the maximal share of release: 10 µM in the
        /// brain, the lowest concentration found to cut evoked release in slices, at a brain
        /// level 3–4 times the plasma's, is about 2.9 µM (0.67 mg/L) in plasma.
        half_max_mg_per_l: f64 = 0.67, "mg/L", positive(1e6),
            "Martin et al. 1993 (10–30 µM); brain/plasma 3–4: Bellingham 2011";
        /// Share of release blocked at saturating concentration.
        max_effect: f64 = 1.0, "fraction", closed(0.0, 1.0), "model choice";
    }
}

params! {
    /// A free-radical scavenger, by default edaravone: 60 mg intravenously once a day on the
    /// first 10 days of each 28-day cycle. Its effect is the antioxidant capacity it adds, as
    /// a multiple of the neurons' own.
    pub struct AntioxidantDosing {
        /// Amount per infusion.
        dose_mg: f64 = 60.0, "mg", positive(1e4), "edaravone label; Writing Group 2017";
        /// Days between doses on dosing days.
        interval_days: f64 = 1.0, "day", positive(365.0), "edaravone label";
        /// Loading doses.
        loading_doses: u32 = 0, "doses", closed(0.0, 52.0), "edaravone label (none)";
        /// Days between loading doses.
        loading_interval_days: f64 = 1.0, "day", positive(365.0), "edaravone label (none)";
        /// Dosing cycle.
        cycle_days: f64 = 28.0, "day", closed(0.0, 365.0), "edaravone label";
        /// Dosing days at the start of each cycle.
        days_on: f64 = 10.0, "day", closed(0.0, 365.0),
            "edaravone label (the first cycle's 14 days are taken as 10)";
        /// Share of an intravenous dose reaching the circulation.
        bioavailability: f64 = 1.0, "fraction", closed(0.0, 1.0), "intravenous";
        /// Volume of distribution.
        volume_l: f64 = 63.0, "L", positive(1e4),
            "model choice, about the body's water (the label's figure not re-checked)";
        /// Elimination half-life.
        half_life_days: f64 = 0.21, "day", positive(3650.0), "edaravone label (4.5–6 h)";
        /// Concentration giving half the maximal added capacity: the IC50 of lipid
        /// peroxidation in brain homogenate, 15 µM.
        half_max_mg_per_l: f64 = 2.6, "mg/L", positive(1e6), "Watanabe et al. 1994";
        /// Antioxidant capacity added at saturating concentration, as a multiple of the
        /// neurons' own.
        max_effect: f64 = 1.0, "fold", closed(0.0, 1e3), "model choice";
    }
}

/// One therapy over a time window.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Intervention {
    /// What it acts on, and how it is given.
    pub therapy: Therapy,
    /// When the first dose is given.
    pub start: Start,
    /// How long doses are given, days; `None` (default) to the end of the run. Range
    /// (0, 36500]. The drug given by then is still eliminated at its own pace.
    #[serde(default)]
    pub duration_days: Option<f64>,
}

impl Therapy {
    /// Its regimen, pharmacokinetics and effect, if it is a drug.
    pub fn dosing(&self) -> Option<Dosing> {
        match self {
            Therapy::Antisense { dosing, .. } => Some(dosing.dosing()),
            Therapy::AntiGlutamate { dosing } => Some(dosing.dosing()),
            Therapy::Antioxidant { dosing } => Some(dosing.dosing()),
            Therapy::AntiInflammatory(_) => None,
        }
    }

    pub(crate) fn check(&self, c: &mut Checker) {
        match self {
            Therapy::Antisense { dosing, .. } => c.scope("Antisense.dosing", |c| dosing.check(c)),
            Therapy::AntiGlutamate { dosing } => {
                c.scope("AntiGlutamate.dosing", |c| dosing.check(c))
            }
            Therapy::Antioxidant { dosing } => c.scope("Antioxidant.dosing", |c| dosing.check(c)),
            Therapy::AntiInflammatory(f) => c.range("AntiInflammatory", *f, 0.0, 1.0),
        }
        if let Some(d) = self.dosing()
            && d.cycle_days > 0.0
            && (d.days_on > d.cycle_days || d.days_on <= 0.0)
        {
            c.problem(
                "",
                format!(
                    "gives doses on {} of every {} days: days_on must be above 0 and at most cycle_days, or set cycle_days to 0 for no cycles",
                    d.days_on, d.cycle_days
                ),
            );
        }
    }
}

impl Intervention {
    /// Each therapy's dosing declaration with its dotted path, for the reference.
    pub const PARAMETER_TABLES: &'static [(&'static str, &'static [ParamSpec])] = &[
        (
            "interventions[].therapy.Antisense.dosing",
            AntisenseDosing::PARAMS,
        ),
        (
            "interventions[].therapy.AntiGlutamate.dosing",
            AntiGlutamateDosing::PARAMS,
        ),
        (
            "interventions[].therapy.Antioxidant.dosing",
            AntioxidantDosing::PARAMS,
        ),
    ];

    /// The regimen and pharmacokinetics of a drug; `None` for the steady-level agent.
    pub fn dosing(&self) -> Option<Dosing> {
        self.therapy.dosing()
    }

    pub(crate) fn check(&self, c: &mut Checker, duration_days: f64) {
        c.scope("therapy", |c| self.therapy.check(c));
        match self.start {
            Start::Day(d) => c.range("start.Day", d, 0.0, duration_days),
            Start::AfterOnset(d) => c.range("start.AfterOnset", d, 0.0, duration_days),
        }
        if let Some(d) = self.duration_days {
            c.positive("duration_days", d, 36_500.0);
        }
    }
}
