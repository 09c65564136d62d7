//! Breakpoints on pseudo-source lines: a set of (function, body line) that play and
//! "run until" stop at, in whatever design is on screen, and the first one the trace
//! reaches between two positions.

use crate::engine::func::Func;
use crate::engine::session::Session;
use std::rc::Rc;

/// One breakpoint: line `line` (0-based index into the function's body, as in the
/// trace's `Step::line`) of `func`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Breakpoint {
    pub func: Func,
    pub line: u8,
}

/// The breakpoints, sorted, shared (a step copies the pointer, not the set).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Breakpoints(Rc<[Breakpoint]>);

impl Breakpoints {
    /// The set of these (function, body line) pairs (a share link's `k=`).
    pub fn from_pairs(pairs: &[(Func, u8)]) -> Breakpoints {
        let mut v: Vec<Breakpoint> = pairs
            .iter()
            .map(|&(func, line)| Breakpoint { func, line })
            .collect();
        v.sort_unstable();
        v.dedup();
        Breakpoints(v.into())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Breakpoint> {
        self.0.iter()
    }

    pub fn contains(&self, b: Breakpoint) -> bool {
        self.0.binary_search(&b).is_ok()
    }

    /// The set with `b` added, or removed if it was there.
    pub fn toggled(&self, b: Breakpoint) -> Breakpoints {
        let mut v: Vec<Breakpoint> = self.0.to_vec();
        match v.binary_search(&b) {
            Ok(i) => {
                v.remove(i);
            }
            Err(i) => v.insert(i, b),
        }
        Breakpoints(v.into())
    }

    /// The first position in `from + 1 ..= to` whose step (the micro-step that leads to
    /// it) runs a breakpoint's line, and that breakpoint. Reads the trace only.
    pub fn first_hit(&self, s: &Session, from: u64, to: u64) -> Option<(u64, Breakpoint)> {
        if self.is_empty() {
            return None;
        }
        let steps = &s.trace.steps;
        let end = to.min(steps.len() as u64);
        (from..end).find_map(|k| {
            let st = &steps[k as usize];
            let b = Breakpoint {
                func: st.func,
                line: st.line,
            };
            self.contains(b).then_some((k + 1, b))
        })
    }
}
