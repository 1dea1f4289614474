//! The memory-bandwidth bound: a STREAM-style triad measured in the same run as the kernels.

use rayon::prelude::*;

/// Bytes a triad element moves across the memory bus: `b` and `c` read and `a` written, 4 bytes
/// each as STREAM counts them, plus the read of `a`'s line that the store causes first
/// (write-allocate: ordinary stores, as the compiler emits here, fetch the line before writing
/// it). STREAM's 12 B would understate the bandwidth by a quarter and let a kernel that moves
/// what it is counted for (the solver updates in place: its loads bring the lines its stores
/// write) appear to beat the bound.
pub const TRIAD_BYTES_PER_ELEMENT: u64 = 16;

/// Elements per rayon task.
const CHUNK: usize = 1 << 16;

/// Three f32 arrays for `a = b + s·c`.
pub struct Triad {
    a: Vec<f32>,
    b: Vec<f32>,
    c: Vec<f32>,
}

impl Triad {
    /// Arrays of `len` elements each (STREAM asks for each to be at least four times the
    /// last-level cache).
    pub fn new(len: usize) -> Self {
        Self {
            a: vec![0.0; len],
            b: vec![1.0; len],
            c: vec![2.0; len],
        }
    }

    /// Bytes one [`Triad::run`] moves across the bus, write-allocate included.
    pub fn bytes(&self) -> u64 {
        TRIAD_BYTES_PER_ELEMENT * self.a.len() as u64
    }

    /// One triad over the arrays, on every thread of the current rayon pool.
    pub fn run(&mut self) {
        let s = std::hint::black_box(3.0f32);
        self.a
            .par_chunks_mut(CHUNK)
            .zip(self.b.par_chunks(CHUNK))
            .zip(self.c.par_chunks(CHUNK))
            .for_each(|((a, b), c)| {
                for ((a, &b), &c) in a.iter_mut().zip(b).zip(c) {
                    *a = b + s * c;
                }
            });
        std::hint::black_box(&self.a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triad_computes_b_plus_three_c_and_counts_sixteen_bytes() {
        let mut t = Triad::new(100_000);
        t.run();
        assert!(t.a.iter().all(|&v| v == 7.0));
        assert_eq!(t.bytes(), 1_600_000);
    }
}
