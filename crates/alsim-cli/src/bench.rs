//! `alsim bench`: the performance table of this machine (alsim-bench's suite), printed, and
//! optionally its scaling plot.

use alsim_bench::{Probe, Size, probe_peak_rss, run_suite};
use alsim_io::write_file;
use alsim_report::{ScalingPlot, scaling_png};
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `alsim bench`.
#[derive(Args, Debug)]
pub(crate) struct BenchArgs {
    /// How many sizes of each workload: S (the smallest: seconds), M (two), L (all three: the
    /// full table, under a minute).
    #[arg(long, value_enum, default_value = "L", ignore_case = true)]
    size: SizeArg,
    /// Also draw the scaling plot (log-log time against size) into this PNG file.
    #[arg(long, value_name = "FILE.png")]
    plot: Option<PathBuf>,
    /// Internal: run one memory probe and print its peak RSS in bytes (used by `alsim bench`
    /// itself, in a fresh process per probe).
    #[arg(long, hide = true)]
    probe: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum SizeArg {
    #[value(name = "S")]
    S,
    #[value(name = "M")]
    M,
    #[value(name = "L")]
    L,
}

/// Runs the probe named by `arg` in this process and prints its peak.
fn probe_here(arg: &str) -> Result<()> {
    let Some(probe) = Probe::parse(arg) else {
        bail!("unknown probe '{arg}'");
    };
    let peak = probe_peak_rss(probe).context("peak memory is not available here")?;
    out!("{peak}")?;
    Ok(())
}

/// Runs `probe` in a fresh `alsim` process; `None` if that fails.
fn probe_child(probe: Probe) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let out = std::process::Command::new(exe)
        .args(["bench", "--probe", &probe.to_arg()])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// The processor's name as the kernel reports it.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

pub(crate) fn bench(args: &BenchArgs) -> Result<()> {
    if let Some(arg) = &args.probe {
        return probe_here(arg);
    }
    let size = match args.size {
        SizeArg::S => Size::S,
        SizeArg::M => Size::M,
        SizeArg::L => Size::L,
    };
    let start = Instant::now();
    let report = run_suite(
        size,
        &mut |what| note!("measuring {what} ..."),
        &mut probe_child,
    );
    out!(
        "alsim {} bench --size {:?}: {}, {} threads",
        env!("CARGO_PKG_VERSION"),
        args.size,
        cpu_model(),
        report.threads
    )?;
    out!("")?;
    out!("{report}")?;
    out!("({:.0} s in all)", start.elapsed().as_secs_f64())?;
    if let Some(path) = &args.plot {
        let plot = ScalingPlot {
            title: "alsim: time against size".into(),
            subtitle: format!("{}, {} threads; medians", cpu_model(), report.threads),
            series: report
                .scaling()
                .into_iter()
                .map(|s| {
                    let label = match s.exponent() {
                        Some(e) => format!("{} (exponent {e:.2})", s.label),
                        None => s.label,
                    };
                    (label, s.points)
                })
                .collect(),
            size: (900, 640),
        };
        let png = scaling_png(&plot).context("drawing the scaling plot")?;
        write_file(path, &png)?;
        out!("scaling plot: {}", path.display())?;
    }
    Ok(())
}
