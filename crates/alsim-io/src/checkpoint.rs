//! Checkpoint files: any serde value, in postcard, behind a header naming the format and the
//! alsim version that wrote it, and followed by the payload's length and CRC-32.
//!
//! ```text
//! "ALSIM CHECKPOINT" (16 bytes) | format: u32 LE | version length: u16 LE | version (UTF-8)
//! | payload (postcard) | payload length: u64 LE | CRC-32 of the payload: u32 LE
//! ```
//!
//! Written to `<name>.partial`, synced, renamed over the previous checkpoint and the folder
//! synced, so a crash at any moment leaves the previous checkpoint or the new one, whole. Read
//! back only when the magic, format, version, length and checksum all match: a checkpoint of
//! another alsim version or a damaged one is refused, never misread (postcard is not
//! self-describing, so a changed layout would otherwise decode into nonsense).

use crate::{OutputError, partial, write_err};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 16] = b"ALSIM CHECKPOINT";
/// Longest alsim version string a checkpoint header may hold.
const MAX_VERSION_BYTES: usize = 64;

/// Layout version of the file around the payload. Bump it when the header or trailer changes.
pub const FORMAT: u32 = 1;
const TRAILER: usize = 12;

/// Why a checkpoint cannot be resumed. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The file could not be read.
    #[error("{path}: cannot read checkpoint")]
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// The file does not start like a checkpoint.
    #[error("{path} is not an alsim checkpoint")]
    NotACheckpoint {
        /// The file.
        path: PathBuf,
    },
    /// Written in another file layout or by another alsim version.
    #[error(
        "{path} was written by alsim {found} (checkpoint format {found_format}); this is alsim {expected} (format {FORMAT}), which cannot continue it safely: resume it with alsim {found}, or run the scenario again from the start"
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// The alsim version that wrote it.
        found: String,
        /// Its format number.
        found_format: u32,
        /// This alsim's version.
        expected: String,
    },
    /// Truncated, or its bytes do not match their checksum.
    #[error(
        "{path} is damaged ({reason}); it cannot be resumed: delete it and run the scenario again from the start"
    )]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// Counts and checksums the bytes passing through to the file.
struct Summing<W> {
    inner: W,
    crc: crc32fast::Hasher,
    len: u64,
    /// The first write error, kept because postcard reports any as "the serialize buffer is
    /// full" (a full disk should say so).
    failure: Option<std::io::Error>,
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf).inspect_err(|e| {
            self.failure
                .get_or_insert_with(|| std::io::Error::new(e.kind(), e.to_string()));
        })?;
        self.crc.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes `value` as a checkpoint to `path`, atomically and durably; `version` is the writing
/// alsim's version. The payload streams to disk without an in-memory copy.
pub fn write(path: &Path, version: &str, value: &impl Serialize) -> Result<(), OutputError> {
    let tmp = partial(path);
    let err = write_err(&tmp);
    let file = File::create(&tmp).map_err(write_err(&tmp))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let version_len = u16::try_from(version.len()).expect("a version string is short");
    out.write_all(MAGIC)
        .and_then(|()| out.write_all(&FORMAT.to_le_bytes()))
        .and_then(|()| out.write_all(&version_len.to_le_bytes()))
        .and_then(|()| out.write_all(version.as_bytes()))
        .map_err(write_err(&tmp))?;
    let mut summing = Summing {
        inner: out,
        crc: crc32fast::Hasher::new(),
        len: 0,
        failure: None,
    };
    if let Err(e) = postcard::to_io(value, &mut summing) {
        return Err(OutputError::Write {
            path: tmp.clone(),
            source: summing
                .failure
                .take()
                .unwrap_or_else(|| std::io::Error::other(e)),
        });
    }
    let mut out = summing.inner;
    out.write_all(&summing.len.to_le_bytes())
        .and_then(|()| out.write_all(&summing.crc.finalize().to_le_bytes()))
        .map_err(write_err(&tmp))?;
    let file = out.into_inner().map_err(|e| err(e.into_error()))?;
    file.sync_all().map_err(write_err(&tmp))?;
    fs::rename(&tmp, path).map_err(write_err(path))?;
    // The rename itself is durable only once the folder is synced.
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(write_err(dir))?;
    }
    Ok(())
}

/// Reads the checkpoint at `path`, refusing one written by another alsim version than
/// `version`, in another layout, truncated or damaged.
pub fn read<T: DeserializeOwned>(path: &Path, version: &str) -> Result<T, CheckpointError> {
    let bytes = fs::read(path).map_err(|source| CheckpointError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let damaged = |reason: String| CheckpointError::Damaged {
        path: path.to_path_buf(),
        reason,
    };
    if bytes.len() < MAGIC.len() + 6 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(CheckpointError::NotACheckpoint {
            path: path.to_path_buf(),
        });
    }
    let rest = &bytes[MAGIC.len()..];
    let format = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
    let version_len = usize::from(u16::from_le_bytes(rest[4..6].try_into().expect("2 bytes")));
    let rest = &rest[6..];
    let Some(found) = rest.get(..version_len) else {
        return Err(damaged("truncated in its header".into()));
    };
    // A version is a short printable string; anything else is a damaged header, not a
    // version to print.
    let found = match std::str::from_utf8(found) {
        Ok(v) if v.len() <= MAX_VERSION_BYTES && v.chars().all(|c| c.is_ascii_graphic()) => {
            v.to_string()
        }
        _ => return Err(damaged("its header is damaged (the version field)".into())),
    };
    if format != FORMAT || found != version {
        return Err(CheckpointError::Version {
            path: path.to_path_buf(),
            found,
            found_format: format,
            expected: version.to_string(),
        });
    }
    let rest = &rest[version_len..];
    let Some(payload_len) = rest.len().checked_sub(TRAILER) else {
        return Err(damaged("truncated: no trailer".into()));
    };
    let (payload, trailer) = rest.split_at(payload_len);
    let stated = u64::from_le_bytes(trailer[..8].try_into().expect("8 bytes"));
    let crc = u32::from_le_bytes(trailer[8..].try_into().expect("4 bytes"));
    if stated != payload_len as u64 {
        return Err(damaged(format!(
            "truncated: {payload_len} bytes of payload where the trailer says {stated}"
        )));
    }
    if crc32fast::hash(payload) != crc {
        return Err(damaged("its checksum does not match its contents".into()));
    }
    match postcard::take_from_bytes::<T>(payload) {
        Ok((value, [])) => Ok(value),
        Ok((_, left)) => Err(damaged(format!(
            "{} bytes left after the state",
            left.len()
        ))),
        Err(e) => Err(damaged(format!("cannot decode the state: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    /// A disk that is full after a few bytes.
    struct Full(usize);

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
            }
            let n = buf.len().min(self.0);
            self.0 -= n;
            Ok(n)
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_full_disk_is_reported_as_such_not_as_a_full_buffer() {
        let mut summing = Summing {
            inner: Full(10),
            crc: crc32fast::Hasher::new(),
            len: 0,
            failure: None,
        };
        assert!(postcard::to_io(&vec![7u64; 100], &mut summing).is_err());
        let failure = summing.failure.expect("the write error is kept");
        assert_eq!(failure.kind(), std::io::ErrorKind::StorageFull);
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct State {
        tick: u64,
        values: Vec<f32>,
    }

    fn state() -> State {
        State {
            tick: 7,
            values: vec![0.5, f32::MIN_POSITIVE, -0.0, 3e38],
        }
    }

    #[test]
    fn a_checkpoint_reads_back_bit_for_bit_and_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.bin");
        write(&path, "1.2.3", &state()).unwrap();
        let back: State = read(&path, "1.2.3").unwrap();
        assert_eq!(back, state());
        assert_eq!(back.values[2].to_bits(), (-0.0f32).to_bits());
        assert!(!partial(&path).exists());
    }

    #[test]
    fn another_version_is_refused_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.bin");
        write(&path, "0.1.0", &state()).unwrap();
        let err = read::<State>(&path, "0.2.0").unwrap_err().to_string();
        assert!(
            err.contains("written by alsim 0.1.0") && err.contains("this is alsim 0.2.0"),
            "{err}"
        );
    }

    #[test]
    fn any_flipped_or_missing_byte_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoint.bin");
        write(&path, "1.2.3", &state()).unwrap();
        let good = fs::read(&path).unwrap();
        let header = MAGIC.len() + 6 + "1.2.3".len();
        for i in header..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x10;
            fs::write(&path, &bad).unwrap();
            let err = read::<State>(&path, "1.2.3").unwrap_err().to_string();
            assert!(err.contains("is damaged"), "byte {i}: {err}");
        }
        for len in [header, header + 3, good.len() - 1] {
            fs::write(&path, &good[..len]).unwrap();
            let err = read::<State>(&path, "1.2.3").unwrap_err().to_string();
            assert!(err.contains("is damaged"), "{len} bytes: {err}");
        }
        fs::write(&path, b"(name: \"not a checkpoint\")").unwrap();
        let err = read::<State>(&path, "1.2.3").unwrap_err().to_string();
        assert!(err.contains("is not an alsim checkpoint"), "{err}");
    }
}
