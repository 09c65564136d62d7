//! Watchpoints: the next position where a cell of the kernel state changes ("run until
//! this changes", forward), by replaying the chunks of the trace that may change it.
//! The step before is `Session::last_change` (why.rs); both compare `why::key`.

use super::session::Session;
use super::trace::CHECKPOINT_EVERY;
use super::why::Cell;

impl Session {
    /// The first position k in `at + 1 ..= len` where `cell` differs from its value at
    /// k - 1 (it appears, changes or goes away), or `None` when it holds to the end.
    /// Checkpoint chunks are looked at forwards, as `last_change` looks backwards: the
    /// run's `WhyIndex` skips those where the cell never changes.
    pub fn next_change(&self, cell: Cell, at: u64) -> Option<u64> {
        let len = self.len();
        let mut chunk = at / CHECKPOINT_EVERY;
        let mut looked = 0;
        loop {
            let start = chunk * CHECKPOINT_EVERY;
            if at >= len || start >= len {
                return None;
            }
            if self.chunk_may_change(chunk, cell, &mut looked) {
                let end = (start + CHECKPOINT_EVERY).min(len);
                if let Some(k) = self.change_between(cell, start.max(at), end, true) {
                    return Some(k);
                }
            }
            chunk += 1;
        }
    }
}
