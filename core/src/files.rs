//! Writing files safely: atomic writes through temporary names, recognising and clearing
//! the temporary files an interrupted run left behind, and hashing files without holding
//! them in memory.
//!
//! Every file this tool writes goes first to `.NAME.tmp-PID` in the same directory, then
//! is renamed to `NAME`. A process killed between the two leaves the temporary file; the
//! next write into the same directory removes those whose process has ended, and
//! `hipaa-iam verify` reports any it finds.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The temporary name of `name` in `dir` while this process writes it: `.NAME.tmp-PID`.
pub fn temp_name(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}{TEMP_MARK}{}", std::process::id()))
}

const TEMP_MARK: &str = ".tmp-";

/// The process ID in a temporary file name of this tool (`.NAME.tmp-PID`), or `None` when
/// `name` is not one.
pub fn temp_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?;
    let (base, pid) = rest.rsplit_once(TEMP_MARK)?;
    if base.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether the process `pid` that named a temporary file has ended, so the file is a
/// leftover. Where the system has no `/proc` to ask, a file is a leftover once it is an
/// hour old (no write of this tool takes that long).
fn writer_gone(pid: u32, path: &Path) -> bool {
    if pid == std::process::id() {
        // Ours: an earlier write of this very process id (a recycled pid) died mid-way;
        // this process is not writing it, or it would not be looking.
        return true;
    }
    let proc = Path::new("/proc");
    if proc.is_dir() {
        return !proc.join(pid.to_string()).exists();
    }
    std::fs::symlink_metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 3600)
}

/// The temporary files of this tool directly in `dir` (plain names), sorted.
pub fn leftover_temps(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| temp_pid(n).is_some())
        .collect();
    names.sort();
    names
}

/// Removes the temporary files that interrupted runs of this tool left in `dir`: regular
/// files named `.NAME.tmp-PID` whose process has ended. Another run writing the same
/// directory right now keeps its files. Errors are ignored (the next write tries again).
pub fn remove_leftover_temps(dir: &Path) {
    for name in leftover_temps(dir) {
        let path = dir.join(&name);
        if temp_pid(&name).is_some_and(|pid| writer_gone(pid, &path)) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same directory and a rename,
/// so a reader sees either the old file or the new one, never a half-written one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    remove_leftover_temps(dir);
    let tmp = temp_name(dir, &name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::io(path, e));
    }
    Ok(())
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 (lower-case hex) of the regular file at `path`, read in blocks so a large file
/// is never held in memory. Anything but a regular file (a FIFO, which would block; a
/// device, which may never end; a directory) is refused before it is opened.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let meta = std::fs::metadata(path)?;
    if let Some(kind) = not_regular(meta.file_type()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("is {kind}, not a regular file"),
        ));
    }
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Whether `path` is a regular file (not followed through a symbolic link) whose SHA-256
/// is `hash`: the file is still what a manifest says this tool wrote there.
pub fn holds(path: &Path, hash: &str) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file())
        && sha256_file(path).is_ok_and(|h| h.eq_ignore_ascii_case(hash))
}

/// What a file system entry that is not a regular file is, for messages (`None` for a
/// regular file): `a directory`, `a FIFO (named pipe)`, `a character device`, ...
pub fn not_regular(file_type: std::fs::FileType) -> Option<&'static str> {
    if file_type.is_file() {
        return None;
    }
    if file_type.is_dir() {
        return Some("a directory");
    }
    if file_type.is_symlink() {
        return Some("a symbolic link");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if file_type.is_char_device() {
            return Some("a character device");
        }
        if file_type.is_block_device() {
            return Some("a block device");
        }
        if file_type.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_are_recognised() {
        assert_eq!(temp_pid(".summary.md.tmp-1234"), Some(1234));
        assert_eq!(temp_pid(".manifest.json.tmp-7"), Some(7));
        for other in [
            "summary.md",
            ".tmp-12",
            ".x.tmp-",
            ".x.tmp-12a",
            "x.tmp-12",
            ".x.tmp-99999999999",
        ] {
            assert_eq!(temp_pid(other), None, "{other}");
        }
        let t = temp_name(Path::new("d"), "a.csv");
        assert_eq!(
            temp_pid(&t.file_name().unwrap().to_string_lossy()),
            Some(std::process::id())
        );
    }

    #[test]
    fn leftovers_of_ended_processes_are_removed_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        // A pid far above any Linux pid_max: its process cannot exist.
        let dead = dir.path().join(".summary.md.tmp-4000000000");
        std::fs::write(&dead, b"half").unwrap();
        // A live process (this one's parent, or init) is still writing its file.
        let live = dir.path().join(".summary.md.tmp-1");
        std::fs::write(&live, b"busy").unwrap();
        let foreign = dir.path().join(".notes.tmp");
        std::fs::write(&foreign, b"not ours").unwrap();
        assert_eq!(leftover_temps(dir.path()).len(), 2);
        remove_leftover_temps(dir.path());
        assert!(!dead.exists());
        assert_eq!(live.exists(), Path::new("/proc").is_dir());
        assert!(foreign.exists());
    }

    #[test]
    fn hashing_refuses_what_is_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = sha256_file(dir.path()).unwrap_err();
        assert!(err.to_string().contains("is a directory, not a regular file"), "{err}");
        let f = dir.path().join("f");
        std::fs::write(&f, b"abc").unwrap();
        assert_eq!(sha256_file(&f).unwrap(), sha256_hex(b"abc"));
    }
}
