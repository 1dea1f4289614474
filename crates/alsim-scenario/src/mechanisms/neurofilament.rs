//! Neurofilament light chain (NfL): released by degenerating motor axons into the CSF, then the
//! blood, where it is measured as the biomarker of axonal loss.

use crate::params::{closed, params, positive};

params! {
    /// Each motor neuron's axon holds NfL (1 a.u. = one intact axon's). A living axon leaks
    /// `k_leak` of it per day into the interstitial fluid; the distal share `s_d` is lost as
    /// the terminal retracts (content `1 − s_d·(1 − H)` at terminal integrity `H`) and regrown
    /// with it; a dead neuron's whole axon degenerates. Degenerating axon `D` reaches the fluid
    /// over `τ_W` (Wallerian degeneration); the CSF `C` drains into the blood `B` at `k_C` and
    /// the blood is cleared at `k_B = ln 2 / t½`:
    ///
    /// ```text
    /// dD/dt = (axon lost) − D/τ_W
    /// dC/dt = D/τ_W + k_leak·Σ content − k_C·C
    /// dB/dt = k_C·C − k_B·B
    /// ```
    ///
    /// Concentrations are read against the healthy steady state: NfL from other neurons is
    /// the constant `1 − m` of the healthy level, the motor axons' the share `m`, scaled by
    /// their pool over its healthy value (`c_B = c_B,healthy·(1 − m + m·B/B₀)`, and likewise
    /// for the CSF).
    pub struct NeurofilamentParams {
        /// Share `k_leak` of an intact axon's NfL reaching the interstitial fluid per day: the
        /// physiological release that sets the healthy level; most neurofilament is degraded
        /// inside the axon, so it is a small fraction of the protein's turnover.
        leak_per_day: f64 = 0.0002, "1/day", closed(0.0, 1.0),
            "model choice: with half the motor neurons lost per year of disease it makes the motor axons' NfL release about seven times the healthy leak";
        /// Share `s_d` of an axon's NfL in the distal axon that dies back with the terminal.
        distal_share: f64 = 0.5, "fraction", closed(0.0, 1.0),
            "model choice; neurofilament content varies along an axon (Yuan et al. 2015 PLoS One)";
        /// Time `τ_W` for a degenerating axon's NfL to reach the fluid: the distal axon
        /// fragments 1.5–3 days after injury, and serum NfL peaks 1–2 weeks after it.
        wallerian_days: f64 = 7.0, "days", positive(365.0),
            "Wang et al. 2012 J Cell Biol 196:7 (fragmentation after 1.5–3 days); serum NfL peaks 1–2 weeks after brain injury (Tuure et al. 2024 J Neurotrauma 41:359)";
        /// Rate `k_C` at which NfL leaves the CSF for the blood: CSF is renewed about four times
        /// a day (about 500 mL made per day, 150 mL held).
        csf_clearance_per_day: f64 = 3.3, "1/day", positive(100.0),
            "Sakka et al. 2011 Eur Ann Otorhinolaryngol Head Neck Dis 128:309 (CSF turnover)";
        /// Half-life `t½` of NfL in the blood. No direct measurement is known; after a stroke
        /// serum NfL falls from its peak (about 1 month) by half at 3 months and by 99% at 9,
        /// which, release continuing, bounds the half-life from above at about 5–8 weeks.
        blood_half_life_days: f64 = 21.0, "days", positive(365.0),
            "model choice under the bound from Holmegaard et al. 2024 Sci Rep (serum NfL after ischaemic stroke)";
        /// Share `m` of the healthy fluid NfL that comes from the motor axons (the rest from
        /// other neurons, constant).
        motor_share: f64 = 0.5, "fraction", closed(0.0, 1.0),
            "model choice (motor axons are the longest and widest, richest in neurofilament)";
        /// Healthy blood (plasma) NfL.
        healthy_blood_pg_per_ml: f64 = 9.6, "pg/mL", positive(1e4),
            "Hviid et al. 2019 Clin Chem Lab Med (median of reference adults, Simoa)";
        /// Healthy CSF NfL: about 40 times the blood's.
        healthy_csf_pg_per_ml: f64 = 400.0, "pg/mL", positive(1e6),
            "Yuan & Nixon 2021 Front Neurosci 15:689938 (CSF about 40-fold blood in healthy people)";
    }
}
