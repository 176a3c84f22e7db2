//! Writing evidence all-or-nothing, streamed: [`Staging`] writes each file under a
//! temporary name while its SHA-256 is computed, and renames them all into place only when
//! every file is written and synced ([`Staging::commit`]). A failure, or a staging dropped
//! without commit, removes its temporary files and the directories it created, leaving the
//! tree as it was.
//!
//! Nothing is held in memory that is on its way to disk: a file's body is a function that
//! writes into a buffered, hashing writer. Files are synced by a background thread while
//! the next one is rendered; the commit waits for them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};

use sha2::{Digest, Sha256};

use crate::account::file;
use crate::error::Field;
use crate::manifest::Manifest;
use crate::{Error, Result};

pub use crate::files::temp_name;

/// The account-data files of an exports directory: evidence is never written among them.
const ACCOUNT_DATA: [&str; 5] = [
    file::AUTHORIZATION_DETAILS,
    file::CREDENTIAL_REPORT,
    file::PASSWORD_POLICY,
    file::ACCOUNT_SUMMARY,
    file::VIRTUAL_MFA_DEVICES,
];

/// Where evidence files go: a directory of a [`Staging`] on disk ([`DirSink`]) or memory
/// ([`MemorySink`]). Every evidence renderer writes through one; files may be written
/// from several threads at once.
pub trait Sink: Sync {
    /// Writes the file `name` (a plain name) with what `body` writes; returns its SHA-256.
    fn put(&self, name: &str, body: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>) -> Result<String>;

    /// Writes the file `name` holding `bytes`; returns its SHA-256.
    fn put_bytes(&self, name: &str, bytes: &[u8]) -> Result<String> {
        self.put(name, &mut |w| w.write_all(bytes))
    }
}

/// Files rendered in memory, in the order they were finished.
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<Vec<(String, Vec<u8>)>>);

impl MemorySink {
    /// The files, by name, in the order they were finished.
    pub fn into_files(self) -> Vec<(String, Vec<u8>)> {
        self.0.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Sink for MemorySink {
    fn put(&self, name: &str, body: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>) -> Result<String> {
        let mut bytes = Vec::new();
        body(&mut bytes).map_err(|e| Error::InvalidArgument(format!("cannot render {name}: {e}")))?;
        let hash = crate::files::sha256_hex(&bytes);
        let mut files = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if files.iter().any(|(n, _)| n == name) {
            return Err(Error::InvalidArgument(format!("{name} is written twice")));
        }
        files.push((name.to_string(), bytes));
        Ok(hash)
    }
}

/// A writer that hashes what passes through it.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct Dir {
    path: PathBuf,
    /// The files its previous manifest says this tool wrote, with their hashes.
    owned: BTreeMap<String, String>,
    /// What this staging wrote into it: name and SHA-256, in order.
    written: Vec<(String, String)>,
}

type SyncResult = std::result::Result<(), (PathBuf, std::io::Error)>;

/// The background thread that syncs finished files, and the channel that feeds it.
type Syncer = (
    mpsc::Sender<(PathBuf, std::fs::File)>,
    std::thread::JoinHandle<SyncResult>,
);

/// Evidence directories being written all-or-nothing (module documentation). Files may be
/// written from several threads at once ([`Staging::put`] takes `&self`).
pub struct Staging {
    state: Mutex<State>,
    /// Directories this staging created, deepest first.
    created: Vec<PathBuf>,
    committed: bool,
}

struct State {
    dirs: Vec<Dir>,
    /// Temporary file and its final name, in the order finished (and renamed).
    temps: Vec<(PathBuf, PathBuf)>,
    syncer: Option<Syncer>,
}

impl Staging {
    /// Starts writing into `dirs` (created when missing). Refuses, naming it, a directory
    /// that is a file, that holds account data, or whose `manifest.json` this tool did not
    /// write. Removes what interrupted runs left there.
    pub fn begin(dirs: &[PathBuf]) -> Result<Staging> {
        let mut staged = Vec::new();
        for dir in dirs {
            if let Ok(meta) = std::fs::metadata(dir) {
                if !meta.is_dir() {
                    return Err(Error::input(
                        dir,
                        "",
                        "the output directory is an existing file, not a directory",
                    ));
                }
            }
            staged.push(Dir {
                path: dir.clone(),
                owned: owned_files(dir)?,
                written: Vec::new(),
            });
        }
        let mut created: Vec<PathBuf> = Vec::new();
        for dir in dirs {
            let mut d = dir.as_path();
            while !d.as_os_str().is_empty() && std::fs::symlink_metadata(d).is_err() {
                if !created.iter().any(|c| c == d) {
                    created.push(d.to_path_buf());
                }
                match d.parent() {
                    Some(p) => d = p,
                    None => break,
                }
            }
        }
        created.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        let (tx, rx) = mpsc::channel::<(PathBuf, std::fs::File)>();
        let handle = std::thread::spawn(move || -> SyncResult {
            let mut result = Ok(());
            for (path, f) in rx {
                if result.is_ok() {
                    if let Err(e) = f.sync_all() {
                        result = Err((path, e));
                    }
                }
            }
            result
        });
        let staging = Staging {
            state: Mutex::new(State {
                dirs: staged,
                temps: Vec::new(),
                syncer: Some((tx, handle)),
            }),
            created,
            committed: false,
        };
        for dir in dirs {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        for dir in dirs {
            // Leftovers of interrupted runs (never another running writer's files).
            crate::files::remove_leftover_temps(dir);
        }
        // `staging` drops on the errors above: what it created goes again.
        Ok(staging)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes the file `name` into `dir` (one of the staging's directories) with what
    /// `body` writes, under a temporary name; returns its SHA-256.
    pub fn put(
        &self,
        dir: &Path,
        name: &str,
        body: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<String> {
        if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
            return Err(Error::InvalidArgument(format!("invalid evidence file name {name:?}")));
        }
        let target = dir.join(name);
        let tmp = temp_name(dir, name);
        // Checked and reserved under the lock; written outside it.
        let file = {
            let mut guard = self.state();
            let state = &mut *guard;
            let Some(d) = state.dirs.iter_mut().find(|d| d.path == dir) else {
                return Err(Error::InvalidArgument(format!(
                    "{} is not a directory of this evidence",
                    dir.display()
                )));
            };
            if d.written.iter().any(|(n, _)| n == name) {
                return Err(Error::InvalidArgument(format!(
                    "{name} is written twice into {}",
                    dir.display()
                )));
            }
            ensure_replaceable(&target, name, &d.owned)?;
            // create_new: an existing file at the temporary name is not ours to delete.
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
                .map_err(|e| Error::io(&tmp, e))?;
            d.written.push((name.to_string(), String::new()));
            state.temps.push((tmp.clone(), target));
            file
        };
        let mut w = std::io::BufWriter::with_capacity(
            256 * 1024,
            Hashing {
                inner: file,
                hasher: Sha256::new(),
            },
        );
        body(&mut w).and_then(|()| w.flush()).map_err(|e| Error::io(&tmp, e))?;
        let Hashing { inner, hasher } = w.into_inner().map_err(|e| Error::io(&tmp, e.into_error()))?;
        let hash = hex::encode(hasher.finalize());
        let mut guard = self.state();
        let state = &mut *guard;
        if let Some((tx, _)) = &state.syncer {
            if tx.send((tmp.clone(), inner)).is_err() {
                return Err(Error::io(&tmp, std::io::Error::other("the sync thread ended")));
            }
        }
        // Renamed in the order finished: this file goes after every one finished before.
        if let Some(pos) = state.temps.iter().position(|(t, _)| *t == tmp) {
            let entry = state.temps.remove(pos);
            state.temps.push(entry);
        }
        if let Some(d) = state.dirs.iter_mut().find(|d| d.path == dir) {
            if let Some(slot) = d.written.iter_mut().find(|(n, _)| n == name) {
                slot.1 = hash.clone();
            }
        }
        Ok(hash)
    }

    /// A [`Sink`] writing into `dir`, one of the staging's directories.
    pub fn sink<'s>(&'s self, dir: &Path) -> DirSink<'s> {
        DirSink {
            staging: self,
            dir: dir.to_path_buf(),
        }
    }

    /// The SHA-256 of the file `name` written into `dir`, if it was.
    pub fn hash_of(&self, dir: &Path, name: &str) -> Option<String> {
        let state = self.state();
        let d = state.dirs.iter().find(|d| d.path == dir)?;
        d.written.iter().find(|(n, _)| n == name).map(|(_, h)| h.clone())
    }

    /// The names written into `dir`, in order.
    pub fn names(&self, dir: &Path) -> Vec<String> {
        self.state()
            .dirs
            .iter()
            .find(|d| d.path == dir)
            .map(|d| d.written.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default()
    }

    /// Waits until every file is synced, then renames them into place in the order they
    /// were written (so the last file written, e.g. a top `manifest.json`, is the last in
    /// place) and syncs the directories.
    pub fn commit(mut self) -> Result<()> {
        let syncer = self.state().syncer.take();
        if let Some((tx, handle)) = syncer {
            drop(tx);
            match handle.join() {
                Ok(Ok(())) => {}
                Ok(Err((path, e))) => return Err(Error::io(&path, e)),
                Err(_) => return Err(Error::InvalidArgument("the sync thread panicked".into())),
            }
        }
        let temps = std::mem::take(&mut self.state().temps);
        for (i, (tmp, target)) in temps.iter().enumerate() {
            if let Err(e) = std::fs::rename(tmp, target) {
                for (t, _) in &temps[i..] {
                    let _ = std::fs::remove_file(t);
                }
                self.committed = true;
                return Err(Error::io(target, e));
            }
        }
        self.committed = true;
        for d in &self.state().dirs {
            if let Ok(f) = std::fs::File::open(&d.path) {
                let _ = f.sync_all();
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for Staging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("Staging")
            .field("dirs", &state.dirs.iter().map(|d| &d.path).collect::<Vec<_>>())
            .field("files", &state.temps.len())
            .field("committed", &self.committed)
            .finish_non_exhaustive()
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let syncer = self.state().syncer.take();
        if let Some((tx, handle)) = syncer {
            drop(tx);
            let _ = handle.join();
        }
        if self.committed {
            return;
        }
        for (t, _) in &self.state().temps {
            let _ = std::fs::remove_file(t);
        }
        for d in &self.created {
            let _ = std::fs::remove_dir(d);
        }
    }
}

/// One directory of a [`Staging`] as a [`Sink`].
#[derive(Debug)]
pub struct DirSink<'s> {
    staging: &'s Staging,
    dir: PathBuf,
}

impl Sink for DirSink<'_> {
    fn put(&self, name: &str, body: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>) -> Result<String> {
        self.staging.put(&self.dir, name, body)
    }
}

/// What the evidence directory `dir` already holds that this tool may replace: the files
/// its previous `manifest.json` lists, with their hashes. Refuses a directory that holds
/// account data, or a `manifest.json` this tool did not write, naming it.
fn owned_files(dir: &Path) -> Result<BTreeMap<String, String>> {
    for name in ACCOUNT_DATA {
        let p = dir.join(name);
        if std::fs::symlink_metadata(&p).is_ok() {
            return Err(Error::input_naming(
                &p,
                "the output directory holds account data (an exports directory): evidence is not written among it, so nothing there is overwritten or deleted; choose another ",
                Field::OutputDir,
            ));
        }
    }
    let path = dir.join(file::MANIFEST);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(BTreeMap::new());
    }
    match Manifest::read(&path) {
        Ok(m) if m.tool == "hipaa-iam" => Ok(m.files),
        Ok(_) | Err(_) => Err(Error::input_naming(
            &path,
            "exists and is not a manifest written by hipaa-iam: not overwritten; move it away or choose another ",
            Field::OutputDir,
        )),
    }
}

/// Refuses to replace `target` unless it is a regular file whose content is what the
/// directory's previous manifest (`owned`) says this tool wrote there.
fn ensure_replaceable(target: &Path, name: &str, owned: &BTreeMap<String, String>) -> Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    if meta.is_dir() {
        return Err(Error::input(
            target,
            "",
            "a directory is in the way of this evidence file",
        ));
    }
    if name == file::MANIFEST {
        // owned_files has checked it: a manifest this tool wrote.
        return Ok(());
    }
    if owned.get(name).is_some_and(|h| crate::files::holds(target, h)) {
        Ok(())
    } else {
        Err(Error::input_naming(
            target,
            "exists and is not evidence this tool wrote (it is not in the directory's manifest.json, or it changed since): not overwritten; move it away or choose another ",
            Field::OutputDir,
        ))
    }
}

/// Writes `files` (plain names) into the directories given, all-or-nothing: the
/// in-memory form of a [`Staging`] (e.g. a merge of evidence already on disk).
pub fn write_dirs_atomically<F: AsRef<[(String, Vec<u8>)]>>(parts: &[(PathBuf, F)]) -> Result<()> {
    let dirs: Vec<PathBuf> = parts.iter().map(|(d, _)| d.clone()).collect();
    let staging = Staging::begin(&dirs)?;
    for (dir, files) in parts {
        for (name, bytes) in files.as_ref() {
            staging.put(dir, name, &mut |w| w.write_all(bytes))?;
        }
    }
    staging.commit()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn files_written_from_several_threads_are_renamed_only_on_commit_with_their_hashes() {
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("evidence");
        let staging = Staging::begin(std::slice::from_ref(&dir)).unwrap();
        let hashes: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..4)
                .map(|i| {
                    let staging = &staging;
                    let dir = &dir;
                    s.spawn(move || {
                        staging
                            .put(dir, &format!("f{i}.txt"), &mut |w| {
                                for _ in 0..1000 {
                                    w.write_all(format!("line {i}\n").as_bytes())?;
                                }
                                Ok(())
                            })
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        // Nothing is in place before the commit: only temporary names.
        assert!(listing(&dir).iter().all(|n| crate::files::temp_pid(n).is_some()));
        let err = staging.put(&dir, "f1.txt", &mut |w| w.write_all(b"again")).unwrap_err();
        assert!(err.to_string().contains("written twice"), "{err}");
        let err = staging
            .put(top.path(), "x.txt", &mut |w| w.write_all(b"x"))
            .unwrap_err();
        assert!(err.to_string().contains("not a directory of this evidence"), "{err}");
        staging.commit().unwrap();
        assert_eq!(listing(&dir), ["f0.txt", "f1.txt", "f2.txt", "f3.txt"]);
        for (i, hash) in hashes.iter().enumerate() {
            let bytes = std::fs::read(dir.join(format!("f{i}.txt"))).unwrap();
            assert_eq!(bytes.len(), 1000 * 7);
            assert_eq!(&crate::files::sha256_hex(&bytes), hash);
        }
    }

    #[test]
    fn a_failing_file_or_a_dropped_staging_leaves_nothing_and_removes_what_it_created() {
        let top = tempfile::tempdir().unwrap();
        let dir = top.path().join("new").join("evidence");
        {
            let staging = Staging::begin(std::slice::from_ref(&dir)).unwrap();
            staging.put(&dir, "a.csv", &mut |w| w.write_all(b"a")).unwrap();
            let err = staging
                .put(&dir, "b.csv", &mut |w| {
                    w.write_all(b"half")?;
                    Err(std::io::Error::other("disk full"))
                })
                .unwrap_err();
            assert!(err.to_string().contains("disk full"), "{err}");
            // Dropped without commit.
        }
        assert!(!top.path().join("new").exists(), "the directories it created are gone");

        // An existing directory keeps what it held.
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("notes.txt"), b"mine").unwrap();
        {
            let staging = Staging::begin(std::slice::from_ref(&dir)).unwrap();
            let err = staging.put(&dir, "notes.txt", &mut |w| w.write_all(b"x")).unwrap_err();
            assert!(err.to_string().contains("not evidence this tool wrote"), "{err}");
            staging.put(&dir, "c.csv", &mut |w| w.write_all(b"c")).unwrap();
        }
        assert_eq!(listing(&dir), ["notes.txt"]);
        assert_eq!(std::fs::read(dir.join("notes.txt")).unwrap(), b"mine");
    }
}
