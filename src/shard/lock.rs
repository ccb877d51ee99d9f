//! One writer per shard folder: a lock file naming its process and host.
//!
//! A batch engine may start a task again while the old one still runs
//! (a requeue), possibly on another node of a shared file system, where the
//! other node's process ids mean nothing. So the holder refreshes the file
//! every minute; a lock of a process gone from this host, or one from any
//! host not refreshed for five minutes, is stale and taken over.

use super::{ShardError, io};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

const REFRESH: Duration = Duration::from_secs(60);
const STALE: Duration = Duration::from_secs(300);

/// Held while a shard folder is written; removed when dropped.
pub struct FolderLock {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    refresher: Option<JoinHandle<()>>,
}

fn host() -> String {
    fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".into())
}

fn is_stale(path: &Path, holder: &str) -> bool {
    if let Some((pid, h)) = holder.trim().split_once('@')
        && h == host()
        && let Ok(pid) = pid.parse::<u32>()
    {
        return pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists();
    }
    let age = fs::metadata(path).and_then(|m| m.modified()).ok().and_then(|t| SystemTime::now().duration_since(t).ok());
    age.is_some_and(|a| a > STALE)
}

/// Take the lock of `dir` (which exists).
pub fn lock(dir: &Path) -> Result<FolderLock, ShardError> {
    let path = dir.join(".lock");
    let me = format!("{}@{}\n", std::process::id(), host());
    for _ in 0..2 {
        match fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(_) => {
                fs::write(&path, &me).map_err(io(&path))?;
                let stop = Arc::new(AtomicBool::new(false));
                let refresher = {
                    let (path, stop, me) = (path.clone(), Arc::clone(&stop), me.clone());
                    std::thread::spawn(move || {
                        let mut waited = Duration::ZERO;
                        while !stop.load(Ordering::Relaxed) {
                            std::thread::sleep(Duration::from_millis(200));
                            waited += Duration::from_millis(200);
                            if waited >= REFRESH {
                                waited = Duration::ZERO;
                                // Best effort: a missed refresh only makes the lock look older.
                                let _ = fs::write(&path, &me);
                            }
                        }
                    })
                };
                return Ok(FolderLock { path, stop, refresher: Some(refresher) });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let holder = fs::read_to_string(&path).unwrap_or_default();
                if !is_stale(&path, &holder) {
                    return Err(ShardError::Locked {
                        path: dir.display().to_string(),
                        holder: format!("process {}", holder.trim()),
                    });
                }
                fs::remove_file(&path).map_err(io(&path))?;
            }
            Err(e) => return Err(io(&path)(e)),
        }
    }
    Err(ShardError::Locked { path: dir.display().to_string(), holder: "a process taking it at the same time".into() })
}

impl Drop for FolderLock {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.refresher.take() {
            let _ = t.join();
        }
        // Nothing to do if it is already gone.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_and_a_dead_ones_lock_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let held = lock(dir.path()).unwrap();
        let e = lock(dir.path()).err().unwrap().to_string();
        assert!(e.contains("another optlab process"), "{e}");
        drop(held);
        assert!(!dir.path().join(".lock").exists());
        // A process of this host that is gone (pid beyond the kernel's maximum).
        fs::write(dir.path().join(".lock"), format!("4294967290@{}\n", host())).unwrap();
        drop(lock(dir.path()).unwrap());
        // Another host's fresh lock is respected.
        fs::write(dir.path().join(".lock"), "12@some-other-node\n").unwrap();
        assert!(lock(dir.path()).is_err());
    }
}
