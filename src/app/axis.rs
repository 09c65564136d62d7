//! A common time axis for two runs of the same scenario (compare mode's lifelines):
//! each scenario action gets the width of the longer of its two runs, so an action
//! starts at the same x in both, and the extra steps one design takes (the reaper's
//! round trip) show as a longer stretch in its lanes, not as a drift of all that follows.

use crate::engine::session::Session;

/// Piecewise-linear positions → x for one run: per action, its first position and
/// length in this run, and its start and width on the common axis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Axis {
    /// (first position, length in this run, x of its start, width on the axis)
    pieces: Vec<(u64, u64, u64, u64)>,
    /// The axis' whole width.
    pub total: u64,
}

/// Each action's first position and length, with the run's boot steps as an action 0.
fn pieces(s: &Session) -> Vec<(u64, u64)> {
    let mut starts: Vec<u64> = s.trace.actions.iter().map(|a| a.step).collect();
    starts.insert(0, 0);
    starts.dedup();
    let end = s.len() + 1;
    starts
        .iter()
        .enumerate()
        .map(|(i, &st)| (st, starts.get(i + 1).copied().unwrap_or(end).max(st) - st))
        .collect()
}

impl Axis {
    /// The axes of `a` and `b` on one scale; `None` when their actions differ in number
    /// (then plain scaling is the honest picture).
    pub fn pair(a: &Session, b: &Session) -> Option<(Axis, Axis)> {
        let (pa, pb) = (pieces(a), pieces(b));
        if pa.len() != pb.len() {
            return None;
        }
        let mut x = 0;
        let (mut qa, mut qb) = (Vec::new(), Vec::new());
        for (&(sa, la), &(sb, lb)) in pa.iter().zip(&pb) {
            let w = la.max(lb).max(1);
            qa.push((sa, la, x, w));
            qb.push((sb, lb, x, w));
            x += w;
        }
        Some((
            Axis {
                pieces: qa,
                total: x,
            },
            Axis {
                pieces: qb,
                total: x,
            },
        ))
    }

    /// Where position `p` of this axis' run lies on the common axis (0..=total).
    pub fn x(&self, p: u64) -> u64 {
        let i = self
            .pieces
            .partition_point(|&(st, _, _, _)| st <= p)
            .saturating_sub(1);
        match self.pieces.get(i) {
            Some(&(st, len, x, w)) => x + ((p - st).min(len) * w).checked_div(len).unwrap_or(0),
            None => 0,
        }
    }
}
