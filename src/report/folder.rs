//! Result folders: made atomically, recognised as optlab's, locked while
//! written, and the leftovers of killed processes cleaned up.
//!
//! - Every result folder holds a small marker file, [`MARKER`]. A path is
//!   replaced only when it is missing, an empty folder, or a folder optlab
//!   wrote (the marker, or the exact files of an older optlab's result
//!   folder); anything else — a folder with other files, a regular file, a
//!   device, a FIFO, a symbolic link — is refused before anything is touched.
//! - A folder is filled as a hidden sibling `.NAME.partial-PID` and put in
//!   place with one atomic exchange (Linux `renameat2(RENAME_EXCHANGE)`), so
//!   `NAME` always holds either the old complete results or the new ones.
//! - A writer holds `.NAME.lock` (an advisory `flock`) from start to end: a
//!   second process writing the same folder fails at once with a clear
//!   message. The lock file is removed by its holder.
//! - `.NAME.partial-*` and `.NAME.old-*` siblings whose lock nobody holds are
//!   leftovers of a killed process: any later write in the same parent folder
//!   removes them.
//! - On Ctrl-C or SIGTERM the front end calls [`abandon`]: it waits for an
//!   exchange in progress to finish, then removes this process's partial
//!   folders, so the process can exit at once with nothing partial left.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// The marker file in every result folder.
pub const MARKER: &str = ".optlab-results";

const MARKER_TEXT: &str = "This folder was written by optlab; optlab may replace it with newer results.\n\
                           optlab never replaces a folder without this file.\nformat = 1\n";

/// The files of an older optlab's result folder (before the marker): a folder
/// holding only these, with the files of a run, an lr-find or a summary, is optlab's.
const LEGACY_FILES: [&str; 12] = [
    "steps.csv",
    "summary.csv",
    "scenario.toml",
    "report.md",
    "loss.svg",
    "trajectories.svg",
    "sensitivity.svg",
    "validation.svg",
    "lr_find.csv",
    "lr_find.svg",
    "summary.md",
    "profile.svg",
];

/// Why a result folder could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    /// The path holds something optlab did not write (bad input: exit 2).
    #[error(
        "refusing to replace `{path}`: {reason}; optlab replaces only folders it wrote (choose another path, or move it away)"
    )]
    Refused { path: String, reason: String },
    /// A folder above the path is a file (bad input: exit 2).
    #[error("cannot write `{path}`: `{parent}` is not a folder")]
    NotUnderAFolder { path: String, parent: String },
    /// Another process is writing the same folder.
    #[error("`{path}` is being written by another optlab process{}; try again when it has finished", .pid.map(|p| format!(" (pid {p})")).unwrap_or_default())]
    Busy { path: String, pid: Option<u32> },
    /// Stopped by a signal before the folder was put in place.
    #[error("interrupted; {path} left as it was")]
    Interrupted { path: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> FolderError + '_ {
    move |source| FolderError::Io { path: path.display().to_string(), source }
}

/// Whether `path` is a folder optlab wrote: the marker, or an older optlab's files.
pub fn is_result_folder(path: &Path) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else { return false };
    if !meta.is_dir() {
        return false;
    }
    if fs::symlink_metadata(path.join(MARKER)).is_ok_and(|m| m.is_file()) {
        return true;
    }
    let Ok(entries) = fs::read_dir(path) else { return false };
    let mut names = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else { return false };
        let name = entry.file_name().to_string_lossy().into_owned();
        if !LEGACY_FILES.contains(&name.as_str()) || !entry.file_type().is_ok_and(|t| t.is_file()) {
            return false;
        }
        names.push(name);
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    (has("steps.csv") && has("summary.csv") && has("scenario.toml")) || has("lr_find.csv") || has("summary.md")
}

/// Checks that `out` may be written: missing, an empty folder, or a result
/// folder. Reads only.
pub fn check_replaceable(out: &Path) -> Result<(), FolderError> {
    let refused = |reason: String| FolderError::Refused { path: out.display().to_string(), reason };
    if out.file_name().is_none() {
        return Err(refused("it names no folder (give a folder name, e.g. results/run1)".into()));
    }
    let meta = match fs::symlink_metadata(out) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            let parent = out.ancestors().skip(1).find(|p| fs::metadata(p).is_ok_and(|m| !m.is_dir()));
            return Err(FolderError::NotUnderAFolder {
                path: out.display().to_string(),
                parent: parent.unwrap_or(out).display().to_string(),
            });
        }
        Err(e) => return Err(io(out)(e)),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        return Err(refused("it is a symbolic link".into()));
    }
    if kind.is_file() {
        return Err(refused("it is a file, not a folder".into()));
    }
    if !kind.is_dir() {
        return Err(refused(format!("it is {}, not a folder", special_kind(&meta))));
    }
    if is_result_folder(out) {
        return Ok(());
    }
    let mut entries = fs::read_dir(out).map_err(io(out))?;
    match entries.next() {
        None => Ok(()),
        Some(first) => {
            let first = first.map_err(io(out))?.file_name().to_string_lossy().into_owned();
            let more = entries.count();
            let what = if more == 0 { format!("`{first}`") } else { format!("`{first}` and {more} more") };
            Err(refused(format!("it is a folder optlab did not write (it holds {what})")))
        }
    }
}

#[cfg(unix)]
fn special_kind(meta: &fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &fs::Metadata) -> &'static str {
    "a special file"
}

/// Mark `dir`, a folder optlab writes in place rather than atomically (a
/// shard folder, the folder of `optlab emit`), as optlab's.
pub fn write_marker(dir: &Path) -> Result<(), FolderError> {
    let marker = dir.join(MARKER);
    fs::write(&marker, MARKER_TEXT).map_err(io(&marker))
}

/// The folder `out` lives in ("." for a bare name).
pub fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn name_of(out: &Path) -> String {
    out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "results".into())
}

/// The lock beside a result folder, held while it is written; released (and its
/// file removed) when dropped.
pub struct FolderLock {
    path: PathBuf,
    file: File,
}

impl FolderLock {
    /// Take the lock of `out`, waiting a moment for a cleaner that holds it
    /// briefly; fails with [`FolderError::Busy`] if another writer holds it.
    pub fn acquire(out: &Path) -> Result<FolderLock, FolderError> {
        let deadline = Instant::now() + Duration::from_millis(300);
        loop {
            match Self::try_acquire(out)? {
                Some(lock) => return Ok(lock),
                None if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                None => {
                    let pid = fs::read_to_string(lock_path(out)).ok().and_then(|s| s.trim().parse().ok());
                    return Err(FolderError::Busy { path: out.display().to_string(), pid });
                }
            }
        }
    }

    /// The lock of `out` if nobody holds it.
    pub fn try_acquire(out: &Path) -> Result<Option<FolderLock>, FolderError> {
        let path = lock_path(out);
        loop {
            let file = OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(io(&path))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => return Ok(None),
                Err(TryLockError::Error(e)) => return Err(io(&path)(e)),
            }
            // The holder before us may have removed the file after we opened it:
            // a lock on a file no longer at `path` locks nothing.
            if same_file(&file, &path) {
                HELD.lock().unwrap_or_else(PoisonError::into_inner).push(path.clone());
                let mut lock = FolderLock { path, file };
                // Only for the message another writer shows.
                let _ = lock.file.set_len(0).and_then(|()| write!(lock.file, "{}", std::process::id()));
                return Ok(Some(lock));
            }
        }
    }
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        // Removed while still held, so a new writer never locks a stale file.
        // A lock file that cannot be removed is harmless: the next writer takes it.
        let _ = fs::remove_file(&self.path);
        HELD.lock().unwrap_or_else(PoisonError::into_inner).retain(|p| p != &self.path);
    }
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

const LOCK_SUFFIX: &str = ".optlab-lock";

fn lock_path(out: &Path) -> PathBuf {
    parent_of(out).join(format!(".{}{LOCK_SUFFIX}", name_of(out)))
}

/// The hidden folders of writes in progress, and of old results being removed,
/// by this process. The mutex is also held while a folder is put in place.
static ACTIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The lock files this process holds.
static HELD: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn register(path: &Path) {
    ACTIVE.lock().unwrap_or_else(PoisonError::into_inner).push(path.to_path_buf());
}

fn unregister(path: &Path) {
    ACTIVE.lock().unwrap_or_else(PoisonError::into_inner).retain(|p| p != path);
}

/// For a process about to exit on a signal: wait for a folder being put in
/// place, then remove every partial folder of this process. No folder is put
/// in place afterwards.
pub fn abandon() {
    let guard = ACTIVE.lock().unwrap_or_else(PoisonError::into_inner);
    for path in guard.iter() {
        // Renamed first: the work may still be creating files in it by path,
        // which then fail instead of refilling a folder being removed. Best
        // effort: what cannot be removed now, the next write beside it removes.
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else { continue };
        let trash = parent.join(format!("{}-{}", name.to_string_lossy(), trash_number()));
        let doomed = if fs::rename(path, &trash).is_ok() { trash } else { path.clone() };
        let _ = fs::remove_dir_all(&doomed);
    }
    // Still held, so removing them is safe (see `FolderLock::drop`).
    for lock in HELD.lock().unwrap_or_else(PoisonError::into_inner).iter() {
        let _ = fs::remove_file(lock);
    }
    // Keep the lock until the process exits: nothing may be committed now.
    std::mem::forget(guard);
}

/// Remove, in `parent`, the partial and old folders (and lock files) of
/// writers that are gone: those whose lock nobody holds. `held` is the
/// folder whose lock the caller holds: its leftovers are stale too.
pub fn clean_leftovers(parent: &Path, held: Option<&Path>) {
    let held_name = held.map(name_of);
    let active: Vec<PathBuf> = ACTIVE.lock().unwrap_or_else(PoisonError::into_inner).clone();
    let Ok(entries) = fs::read_dir(parent) else { return };
    let mut names: Vec<String> = entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    for name in names {
        let Some(target) = leftover_target(&name) else { continue };
        let path = parent.join(&name);
        if active.contains(&path) {
            continue;
        }
        let is_lock = name.ends_with(LOCK_SUFFIX);
        if !is_lock && !fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir()) {
            continue;
        }
        let out = parent.join(target);
        // Old results whose folder is gone (a swap interrupted between its two
        // renames, where the atomic exchange is missing) are the only copy: restored.
        let only_copy = |path: &Path| name.contains(".old-") && fs::symlink_metadata(&out).is_err() && path.is_dir();
        if held_name.as_deref() == Some(target) {
            if !is_lock {
                if only_copy(&path) {
                    let _ = fs::rename(&path, &out);
                } else {
                    let _ = fs::remove_dir_all(&path);
                }
            }
            continue;
        }
        let Ok(Some(lock)) = FolderLock::try_acquire(&out) else { continue };
        if is_lock {
            drop(lock);
            continue;
        }
        if only_copy(&path) {
            let _ = fs::rename(&path, &out);
            continue;
        }
        // Moved aside under the lock (fast), removed after it (may be slow):
        // if this process dies meanwhile, the trash is a leftover like any other.
        // Named as a partial folder: whatever it was, it is never restored.
        let trash = parent.join(format!(".{target}.partial-{}-{}", std::process::id(), trash_number()));
        let moved = fs::rename(&path, &trash).is_ok();
        drop(lock);
        if moved {
            let _ = fs::remove_dir_all(&trash);
        }
    }
}

fn trash_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// `NAME` for optlab's `.NAME.partial-PID`, `.NAME.old-PID[-N]` and
/// `.NAME.optlab-lock`; `None` for any other name (never touched).
fn leftover_target(name: &str) -> Option<&str> {
    let rest = name.strip_prefix('.')?;
    let target = if let Some(t) = rest.strip_suffix(LOCK_SUFFIX) {
        t
    } else {
        let (t, tail) = match (rest.rfind(".partial-"), rest.rfind(".old-")) {
            (Some(i), _) => (&rest[..i], &rest[i + ".partial-".len()..]),
            (None, Some(i)) => (&rest[..i], &rest[i + ".old-".len()..]),
            (None, None) => return None,
        };
        let numbers = tail.split('-').all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !numbers || tail.split('-').count() > 2 {
            return None;
        }
        t
    };
    (!target.is_empty()).then_some(target)
}

/// Fill a hidden partial folder beside `out` with `fill`, write the marker,
/// then put it at `out` in one step (replacing what was there, which must be a
/// result folder). On error, or if `cancel` is set before the folder is put in
/// place, the partial folder is removed and `out` is left as it was. Errors
/// that name the partial folder name `out` instead.
pub fn write_atomically<T, E>(
    out: &Path,
    cancel: Option<&std::sync::atomic::AtomicBool>,
    fill: impl FnOnce(&Path) -> Result<T, E>,
) -> Result<Result<T, E>, FolderError> {
    check_replaceable(out)?;
    let parent = parent_of(out);
    fs::create_dir_all(&parent).map_err(io(&parent))?;
    let _lock = FolderLock::acquire(out)?;
    clean_leftovers(&parent, Some(out));
    let partial = partial_path(out);
    register(&partial);
    let result = (|| {
        if fs::symlink_metadata(&partial).is_ok() {
            fs::remove_dir_all(&partial).map_err(io(&partial))?;
        }
        fs::create_dir(&partial).map_err(io(&partial))?;
        let value = match fill(&partial) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        };
        let marker = partial.join(MARKER);
        fs::write(&marker, MARKER_TEXT).map_err(io(&marker))?;
        // Someone may have put a file there while we worked.
        check_replaceable(out)?;
        commit(&partial, out, cancel)?;
        Ok(Ok(value))
    })();
    if !matches!(result, Ok(Ok(_))) {
        let _ = fs::remove_dir_all(&partial);
    }
    unregister(&partial);
    result.map_err(|e| rename_in_error(e, &partial, out))
}

/// The hidden folder this process fills before it becomes `out`.
pub fn partial_path(out: &Path) -> PathBuf {
    parent_of(out).join(format!(".{}.partial-{}", name_of(out), std::process::id()))
}

/// Put `partial` at `out`; the old results end up at `partial` and are removed.
fn commit(partial: &Path, out: &Path, cancel: Option<&std::sync::atomic::AtomicBool>) -> Result<(), FolderError> {
    let guard = ACTIVE.lock().unwrap_or_else(PoisonError::into_inner);
    if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst)) {
        return Err(FolderError::Interrupted { path: out.display().to_string() });
    }
    let exists = fs::symlink_metadata(out).is_ok();
    if !exists {
        fs::rename(partial, out).map_err(io(out))?;
        drop(guard);
        return Ok(());
    }
    if exchange(partial, out).is_err() {
        // Not atomic where the exchange is missing: `out` is absent for a moment.
        let old = parent_of(out).join(format!(".{}.old-{}", name_of(out), std::process::id()));
        fs::rename(out, &old).map_err(io(out))?;
        if let Err(e) = fs::rename(partial, out) {
            // Put the old results back; should even that fail, the next write
            // beside them restores them (see `clean_leftovers`).
            let _ = fs::rename(&old, out);
            return Err(io(out)(e));
        }
        fs::rename(&old, partial).map_err(io(&old))?;
    }
    drop(guard);
    // The old results, now at `partial` (still registered: removed on abandon too).
    let _ = fs::remove_dir_all(partial);
    Ok(())
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, "no atomic exchange"))
}

fn rename_in_error(e: FolderError, partial: &Path, out: &Path) -> FolderError {
    match e {
        FolderError::Io { path, source } => FolderError::Io { path: user_path(&path, partial, out), source },
        other => other,
    }
}

/// `text` with the partial folder's path replaced by the user's `out`.
pub fn user_path(text: &str, partial: &Path, out: &Path) -> String {
    text.replace(&partial.display().to_string(), &out.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill_ok(dir: &Path) -> Result<(), std::io::Error> {
        fs::write(dir.join("steps.csv"), "run\n")
    }

    #[test]
    fn a_new_folder_gets_the_marker_and_replaces_only_result_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_atomically(&out, None, fill_ok).unwrap().unwrap();
        assert!(out.join(MARKER).is_file() && out.join("steps.csv").is_file());
        assert!(is_result_folder(&out));
        write_atomically(&out, None, fill_ok).unwrap().unwrap();
        let left: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(left, vec![std::ffi::OsString::from("out")], "nothing hidden left beside it");

        let precious = tmp.path().join("precious");
        fs::create_dir(&precious).unwrap();
        fs::write(precious.join("notes.txt"), "notes").unwrap();
        let e = write_atomically(&precious, None, fill_ok).expect_err("refused");
        assert!(matches!(e, FolderError::Refused { .. }), "{e}");
        assert!(e.to_string().contains("notes.txt"), "{e}");
        assert_eq!(fs::read_to_string(precious.join("notes.txt")).unwrap(), "notes");

        let file = tmp.path().join("afile");
        fs::write(&file, "x").unwrap();
        assert!(matches!(write_atomically(&file, None, fill_ok), Err(FolderError::Refused { .. })));
        assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    }

    #[test]
    fn a_failed_fill_leaves_the_old_results_and_nothing_hidden() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_atomically(&out, None, fill_ok).unwrap().unwrap();
        let r = write_atomically(&out, None, |dir| {
            fs::write(dir.join("steps.csv"), "half")?;
            Err::<(), _>(std::io::Error::other("disk full"))
        })
        .unwrap();
        assert!(r.is_err());
        assert_eq!(fs::read_to_string(out.join("steps.csv")).unwrap(), "run\n");
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_second_writer_finds_the_folder_busy() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let held = FolderLock::acquire(&out).unwrap();
        let e = write_atomically(&out, None, fill_ok).expect_err("busy");
        assert!(matches!(e, FolderError::Busy { pid: Some(_), .. }), "{e}");
        drop(held);
        assert!(!lock_path(&out).exists(), "the holder removes its lock file");
        write_atomically(&out, None, fill_ok).unwrap().unwrap();
    }

    #[test]
    fn leftovers_of_gone_writers_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dead = tmp.path().join(".a.partial-999999");
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join("steps.csv"), "x").unwrap();
        fs::create_dir(tmp.path().join(".a.old-999998")).unwrap();
        fs::write(tmp.path().join(".c.optlab-lock"), "1").unwrap();
        fs::write(tmp.path().join(".mine.lock"), "not optlab's").unwrap();
        fs::create_dir(tmp.path().join(".notes.partial-draft")).unwrap();
        let live = tmp.path().join(".b.partial-1");
        fs::create_dir(&live).unwrap();
        let held = FolderLock::acquire(&tmp.path().join("b")).unwrap();
        write_atomically(&tmp.path().join("z"), None, fill_ok).unwrap().unwrap();
        let mut left: Vec<String> =
            fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, [".b.optlab-lock", ".b.partial-1", ".mine.lock", ".notes.partial-draft", "a", "z"]);
        // `.a.old-…` was the only copy of `a`'s results: restored, not removed.
        assert!(tmp.path().join("a").is_dir());
        drop(held);
    }

    #[test]
    fn leftover_names_give_their_target() {
        assert_eq!(leftover_target(".out.partial-12"), Some("out"));
        assert_eq!(leftover_target(".my.out.old-12-3"), Some("my.out"));
        assert_eq!(leftover_target(".out.partial-12-3"), Some("out"));
        assert_eq!(leftover_target(".out.optlab-lock"), Some("out"));
        assert_eq!(leftover_target("out"), None);
        assert_eq!(leftover_target(".partial-1"), None);
        // Not optlab's: never touched.
        assert_eq!(leftover_target(".cargo.lock"), None);
        assert_eq!(leftover_target(".x.partial-draft"), None);
        assert_eq!(leftover_target(".x.old-1-2-3"), None);
    }

    #[test]
    fn a_cancelled_write_is_not_put_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let cancel = std::sync::atomic::AtomicBool::new(true);
        assert!(write_atomically(&out, Some(&cancel), fill_ok).is_err());
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
