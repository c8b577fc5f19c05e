//! Per-parent-issue mutual exclusion keys, and the in-process lock table
//! SQLite uses (a SQLite database has one writer process, so a process-local
//! lock excludes everyone who can plan from it).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tokio::sync::OwnedMutexGuard;

use crate::core::ids::{IssueNumber, RepoName};

/// The 64-bit key for `(repo, issue)`: the first 8 bytes of SHA-256 of
/// `owner/name#number`, stable across processes and versions, so every replica
/// takes the same PostgreSQL advisory lock for the same parent.
pub fn lock_key(repo: &RepoName, issue: IssueNumber) -> i64 {
    let digest = Sha256::digest(format!("{repo}#{issue}").as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Async mutexes by lock key, created on first use and removed when unused.
#[derive(Debug, Default, Clone)]
pub(crate) struct LocalLocks {
    table: Arc<Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>>,
}

/// Holds a process-local lock until dropped.
#[derive(Debug)]
pub struct LocalLockGuard {
    key: i64,
    guard: Option<OwnedMutexGuard<()>>,
    table: Arc<Mutex<HashMap<i64, Arc<tokio::sync::Mutex<()>>>>>,
}

impl LocalLocks {
    fn entry(&self, key: i64) -> Arc<tokio::sync::Mutex<()>> {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        table.entry(key).or_default().clone()
    }

    /// Waits for the lock on `key`.
    pub(crate) async fn lock(&self, key: i64) -> LocalLockGuard {
        let guard = self.entry(key).lock_owned().await;
        LocalLockGuard {
            key,
            guard: Some(guard),
            table: self.table.clone(),
        }
    }

    /// Takes the lock on `key` if nobody holds it.
    pub(crate) fn try_lock(&self, key: i64) -> Option<LocalLockGuard> {
        let guard = self.entry(key).try_lock_owned().ok()?;
        Some(LocalLockGuard {
            key,
            guard: Some(guard),
            table: self.table.clone(),
        })
    }
}

impl Drop for LocalLockGuard {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        // Only the table holds the mutex now: nobody waits, so forget it.
        if table
            .get(&self.key)
            .is_some_and(|m| Arc::strong_count(m) == 1)
        {
            table.remove(&self.key);
        }
    }
}
