//! Watchpoints: the next position where a cell of the kernel state changes ("run until
//! this changes", forward), by replaying the trace from the position asked. The step
//! before is `Session::last_change` (why.rs); both compare `why::key`.

use super::session::Session;
use super::why::{key, Cell};

impl Session {
    /// The first position k in `at + 1 ..= len` where `cell` differs from its value at
    /// k - 1 (it appears, changes or goes away), or `None` when it holds to the end.
    /// Replays at most the rest of the run once, without the checks.
    pub fn next_change(&self, cell: Cell, at: u64) -> Option<u64> {
        let len = self.len();
        if at >= len {
            return None;
        }
        let mut sim = self.sim_at(at);
        sim.checks = false;
        let mut prev = key(&sim.st, cell);
        for k in at + 1..=len {
            sim.step()?;
            let now = key(&sim.st, cell);
            if now != prev {
                return Some(k);
            }
            prev = now;
        }
        None
    }
}
