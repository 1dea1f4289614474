//! What the rest of the machine was doing while a workload was timed: the share of CPU time
//! other processes took, and how much a second thread can gain at all. On a shared host these
//! decide the speed-up columns as much as the code does, so they are measured in the same run.

use rayon::prelude::*;

/// CPU time counters of the whole machine and of this process, in clock ticks.
#[derive(Clone, Copy, Debug)]
struct Counters {
    /// Every CPU's busy ticks (user, nice, system, irq, softirq, steal).
    busy: u64,
    /// Every CPU's ticks, busy or idle.
    total: u64,
    /// This process' user and system ticks, all its threads.
    own: u64,
}

fn read_counters() -> Option<Counters> {
    let (busy, total) = machine_ticks(&std::fs::read_to_string("/proc/stat").ok()?)?;
    let own = process_ticks(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
    Some(Counters { busy, total, own })
}

/// Busy and total ticks of every CPU from `/proc/stat`'s first line.
fn machine_ticks(stat: &str) -> Option<(u64, u64)> {
    let cpu: Vec<u64> = stat
        .lines()
        .next()?
        .strip_prefix("cpu ")?
        .split_whitespace()
        .map(|v| v.parse().ok())
        .collect::<Option<_>>()?;
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let [user, nice, system, idle, iowait, irq, softirq, steal] = *cpu.get(..8)? else {
        return None;
    };
    let busy = user + nice + system + irq + softirq + steal;
    Some((busy, busy + idle + iowait))
}

/// User plus system ticks of a process from its `/proc/PID/stat` (fields 14 and 15, counted
/// after the parenthesised name, which may hold spaces and parentheses).
fn process_ticks(stat: &str) -> Option<u64> {
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Others' share of the CPU time between two readings; `None` over less than a second of one
/// CPU's ticks (10 ms each), which says little.
fn others_share(start: Counters, end: Counters) -> Option<f64> {
    let total = end.total.checked_sub(start.total)?;
    let busy = end.busy.checked_sub(start.busy)?;
    let own = end.own.saturating_sub(start.own);
    (total >= 100).then(|| (busy.saturating_sub(own) as f64 / total as f64).min(1.0))
}

/// Measures the share of the machine's CPU time that other processes used over a window.
pub struct OtherLoad(Option<Counters>);

impl OtherLoad {
    /// Starts the window.
    pub fn start() -> Self {
        Self(read_counters())
    }

    /// The share, in [0, 1], of all CPUs' time since [`OtherLoad::start`] that processes other
    /// than this one were running; `None` without `/proc` or over too short a window.
    pub fn share(&self) -> Option<f64> {
        others_share(self.0?, read_counters()?)
    }
}

/// Iterations of one unit of [`arithmetic`]: about a quarter of a millisecond of dependent
/// integer arithmetic, no memory traffic.
const SPIN: u64 = 1 << 18;

fn spin(seed: u64) -> u64 {
    let mut x = seed | 1;
    for _ in 0..SPIN {
        // xorshift64: every step depends on the last, so it cannot be vectorised away.
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    x
}

/// `units` independent units of pure arithmetic on the current rayon pool. Timed on one
/// thread and on all, alternated with a workload, the ratio is the most the extra threads
/// could give any workload in those seconds: the thread count on an idle machine, less while
/// other processes or the host hold the cores.
pub fn arithmetic(units: usize) {
    let sum: u64 = (0..units as u64).into_par_iter().map(spin).sum();
    std::hint::black_box(sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_are_read_from_proc_lines() {
        let stat = "cpu  100 20 30 400 5 6 7 8 0 0\ncpu0 50 10 15 200 2 3 3 4 0 0\n";
        assert_eq!(machine_ticks(stat), Some((171, 576)));
        assert_eq!(machine_ticks("intr 1 2 3"), None);
        let own = "4242 (alsim (bench) x) R 1 2 3 4 5 6 7 8 9 10 250 70 0 0 20 0 3";
        assert_eq!(process_ticks(own), Some(320));
    }

    #[test]
    fn our_own_time_is_not_counted_as_others() {
        let at = |busy, total, own| Counters { busy, total, own };
        // 200 ticks of two CPUs: 150 busy, 100 of them ours.
        assert_eq!(others_share(at(0, 0, 0), at(150, 200, 100)), Some(0.25));
        assert_eq!(others_share(at(0, 0, 0), at(150, 200, 150)), Some(0.0));
        assert_eq!(others_share(at(0, 0, 0), at(5, 50, 0)), None);
    }

    #[test]
    fn arithmetic_spreads_its_units_over_the_pool() {
        // Deterministic work: the same result whatever the pool.
        let units: u64 = (0..4).map(spin).fold(0, u64::wrapping_add);
        let one: u64 = crate::pool(1).install(|| (0..4u64).into_par_iter().map(spin).sum());
        assert_eq!(units, one);
        assert_ne!(spin(1), spin(2));
    }
}
