//! WAL checkpoints off the writer's thread.
//!
//! SQLite's automatic checkpoint runs inside the committing writer: during a
//! bulk import it took about an eighth of the writer's time, and the writer is
//! the import's bottleneck. Here a connection of its own copies committed
//! frames back into the database file right after each commit, on the other
//! core, while the writer builds its next transaction.
//!
//! SQLite restarts the log from its beginning only when a writer's
//! transaction began after the whole log had been copied. So once the log is
//! longer than [`SETTLE_FRAMES`], the writer waits at the start of its next
//! transaction for the round that copies the last commit (the earlier ones
//! were copied in the background already); that commit then restarts the log.
//! PASSIVE never waits for readers or the writer: frames a reader still needs
//! are copied in a later round. The writer's own automatic checkpoint stays
//! on with a high threshold, as a backstop.

use std::sync::{Arc, Mutex, PoisonError};

use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// WAL length (pages) past which the writer lets the log restart: 32 MiB of
/// 4 KiB pages. With one more transaction on top the file stays under the
/// writer's `journal_size_limit` (64 MiB), so it is never truncated and each
/// round overwrites blocks the file system already holds (appending to a
/// file costs block allocation and zeroing in the kernel).
pub(super) const SETTLE_FRAMES: i64 = 8_192;

#[derive(Debug, Default)]
struct State {
    /// Commits seen.
    requested: u64,
    /// Commits covered by a finished round.
    completed: u64,
    /// Log length at the end of the last round, pages.
    log_frames: i64,
    stop: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    wake: Notify,
    done: Notify,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Debug)]
pub(super) struct Checkpointer {
    shared: Arc<Shared>,
    pool: SqlitePool,
    task: Option<JoinHandle<()>>,
}

impl Checkpointer {
    pub(super) fn start(options: SqliteConnectOptions) -> Checkpointer {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .connect_lazy_with(options);
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(run(pool.clone(), Arc::clone(&shared)));
        Checkpointer {
            shared,
            pool,
            task: Some(task),
        }
    }

    /// A transaction committed: copy its frames soon. Commits during a running
    /// round coalesce into one more round.
    pub(super) fn committed(&self) {
        self.shared.lock().requested += 1;
        self.shared.wake.notify_one();
    }

    /// Called by the writer before it begins a transaction: when the log has
    /// grown long, waits until every commit so far has been copied, so that
    /// the coming commit restarts the log.
    pub(super) async fn settle(&self) {
        loop {
            let done = self.shared.done.notified();
            {
                let s = self.shared.lock();
                if s.stop || s.log_frames < SETTLE_FRAMES || s.completed >= s.requested {
                    return;
                }
            }
            done.await;
        }
    }

    /// Stops the task and closes its connection.
    pub(super) async fn close(mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_one();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        self.pool.close().await;
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.wake.notify_one();
    }
}

async fn run(pool: SqlitePool, shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        let target = {
            let s = shared.lock();
            if s.stop {
                break;
            }
            s.requested
        };
        // A failed round loses nothing: the frames stay in the WAL for the
        // next round or the writer's backstop checkpoint.
        let log = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_optional(&pool)
            .await
            .ok()
            .flatten()
            .and_then(|row| row.try_get::<i64, _>(1).ok());
        {
            let mut s = shared.lock();
            s.completed = s.completed.max(target);
            if let Some(log) = log {
                s.log_frames = log;
            }
        }
        shared.done.notify_waiters();
    }
    // Release a writer that waits while the store shuts down.
    shared.done.notify_waiters();
}
