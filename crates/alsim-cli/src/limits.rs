//! Limits for untrusted scenarios: a run's memory estimate against what the machine has, before
//! anything is allocated, and the sizes `--max-memory` accepts.

use alsim_scenario::Scenario;
use anyhow::{Result, bail};

/// Memory this process may still take: `MemAvailable` of /proc/meminfo, in bytes; `None` where
/// the system does not say (then only `--max-memory` limits a run).
pub(crate) fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// `16GiB`, `500MB`, `2048` (bytes), ...: binary (KiB, MiB, GiB, TiB) or decimal (kB, MB, GB,
/// TB) units, case-insensitive.
pub(crate) fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) = number_and_unit(text);
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kib" => 1024.0,
        "mib" => 1024f64.powi(2),
        "gib" => 1024f64.powi(3),
        "tib" => 1024f64.powi(4),
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        _ => {
            return Err(format!(
                "unknown unit in '{text}': use e.g. 16GiB, 500MB or 2048"
            ));
        }
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a size: use e.g. 16GiB, 500MB or 2048"))?;
    let bytes = value * factor;
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("'{text}' is not a usable size"));
    }
    Ok(bytes as u64)
}

/// `"16GiB"` → `("16", "GiB")`: the leading digits and dots, and the rest (untrimmed).
pub(crate) fn number_and_unit(text: &str) -> (&str, &str) {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    t.split_at(split)
}

/// Bytes as GiB with one decimal, for messages.
pub(crate) fn gib(bytes: u64) -> String {
    format!("{:.1} GiB", bytes as f64 / 1024f64.powi(3))
}

/// Refuses a run whose memory estimate exceeds `share` of the limit: `--max-memory` when given,
/// else the memory available now. `runs_at_once` runs share the limit. `origin` names the file.
pub(crate) fn check_memory(
    scenario: &Scenario,
    origin: &str,
    max_memory: Option<u64>,
    runs_at_once: usize,
) -> Result<()> {
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
    bail!(
        "{origin}: needs about {} ({nx} × {ny} × {nz} = {} voxels, {} cells), more than {whose}, {}; use a larger tissue.voxel_um or a smaller tissue.size_um, or pass --max-memory {} to run it anyway",
        gib(fp.memory_bytes),
        fp.voxels,
        fp.cells.iter().sum::<u64>(),
        gib(share),
        suggest(fp.memory_bytes * runs_at_once.max(1) as u64),
    )
}

/// A `--max-memory` value just above `bytes`, in whole GiB.
fn suggest(bytes: u64) -> String {
    format!("{}GiB", bytes.div_ceil(1 << 30) + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_binary_and_decimal_units() {
        assert_eq!(parse_size("2048"), Ok(2048));
        assert_eq!(parse_size("16GiB"), Ok(16 << 30));
        assert_eq!(parse_size("1.5 kib"), Ok(1536));
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert!(
            parse_size("12 parsecs")
                .unwrap_err()
                .contains("unknown unit")
        );
        assert!(parse_size("-3GB").is_err());
        assert!(parse_size("1e30TB").is_err());
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
