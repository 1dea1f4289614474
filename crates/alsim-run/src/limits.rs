//! The memory limit of untrusted scenarios: a run's estimate against what the machine has (or
//! the caller allows), before anything is allocated.

use crate::RunError;
use alsim_scenario::Scenario;

/// Memory this process may still take: `MemAvailable` of /proc/meminfo, in bytes; `None` where
/// the system does not say (then only an explicit limit bounds a run).
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// This process's peak resident memory so far, in bytes: `VmHWM` of /proc/self/status; `None`
/// where the system does not say.
pub fn peak_resident_bytes() -> Option<u64> {
    status_bytes("VmHWM:")
}

/// This process's resident memory now, in bytes (`VmRSS`).
pub(crate) fn resident_bytes() -> Option<u64> {
    status_bytes("VmRSS:")
}

fn status_bytes(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// The memory a running process may hold: `max_memory` when given, else what it holds now plus
/// what is available now (so the guard watches growth, not what was there before).
pub(crate) fn memory_limit(max_memory: Option<u64>) -> Option<u64> {
    max_memory.or_else(|| Some(available_memory()?.saturating_add(resident_bytes()?)))
}

/// Bytes in the largest binary unit that keeps the number at least 1, with three significant
/// digits, for messages: `512 B`, `3.75 MiB`, `1.20 GiB`.
pub fn size_text(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < units.len() {
        value /= 1024.0;
        unit += 1;
    }
    let digits = if unit == 0 || value >= 100.0 {
        0
    } else if value >= 10.0 {
        1
    } else {
        2
    };
    format!("{value:.digits$} {}", units[unit])
}

/// Refuses a run whose memory estimate exceeds its share of the limit: `max_memory` when given,
/// else the memory available now. `runs_at_once` runs share the limit. `origin` names the file.
pub(crate) fn check_memory(
    scenario: &Scenario,
    origin: &str,
    max_memory: Option<u64>,
    runs_at_once: usize,
) -> Result<(), RunError> {
    let Some(limit) = max_memory.or_else(available_memory) else {
        return Ok(());
    };
    let share = limit / runs_at_once.max(1) as u64;
    let fp = scenario.footprint();
    if fp.memory_bytes <= share {
        return Ok(());
    }
    let [nx, ny, nz] = fp.grid;
    let whose = match (max_memory.is_some(), runs_at_once > 1) {
        (true, false) => "the --max-memory limit".to_string(),
        (true, true) => format!("its share of --max-memory ({runs_at_once} runs at once)"),
        (false, false) => "the memory available".to_string(),
        (false, true) => format!("its share of the memory available ({runs_at_once} runs at once)"),
    };
    Err(RunError::TooLarge {
        origin: origin.to_string(),
        reason: format!(
            "needs about {} ({nx} × {ny} × {nz} = {} voxels, {} cells), more than {whose}, {}; use a larger tissue.voxel_um or a smaller tissue.size_um, or pass --max-memory {} to run it anyway",
            size_text(fp.memory_bytes),
            fp.voxels,
            fp.cells.iter().fold(0u64, |a, &b| a.saturating_add(b)),
            size_text(share),
            suggest(fp.memory_bytes * runs_at_once.max(1) as u64),
        ),
    })
}

/// A `--max-memory` value just above `bytes`, in whole GiB.
fn suggest(bytes: u64) -> String {
    format!("{}GiB", bytes.div_ceil(1 << 30) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_printed_in_a_unit_that_shows_them() {
        assert_eq!(size_text(1), "1 B");
        assert_eq!(size_text(1536), "1.50 KiB");
        assert_eq!(size_text(3 << 20), "3.00 MiB");
        assert_eq!(size_text(200 << 30), "200 GiB");
        assert_eq!(size_text(u64::MAX), "16.0 EiB");
    }

    #[test]
    fn a_run_over_the_limit_is_refused_with_estimate_and_override() {
        let mut s = Scenario::default();
        s.tissue.size_um = (4000.0, 4000.0, 2000.0);
        let need = s.footprint().memory_bytes;
        check_memory(&s, "big.ron", Some(need), 1).unwrap();
        let err = check_memory(&s, "big.ron", Some(need - 1), 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("big.ron: needs about")
                && err.contains("200 × 200 × 100 = 4000000 voxels")
                && err.contains("--max-memory 2GiB"),
            "{err}"
        );
        let err = check_memory(&s, "big.ron", Some(need), 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("(2 runs at once)"), "{err}");
    }
}
