//! The sizes `--max-memory` accepts (the limit itself is checked by alsim-run, before a run
//! allocates anything).

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
}
