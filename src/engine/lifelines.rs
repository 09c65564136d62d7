//! Lifelines: over a whole run, the `l_stat` of every LWP and the `p_stat` of every
//! proc as run-length spans (then "freed" / "reaped"), and the series of `uvm_nuarea`,
//! TSS slots in use and zombies (a point where the value changes). Built once per run
//! by one replay; typed, for the page's lanes and the Perfetto export.

use super::session::{Replay, Session};
use super::sim::Sim;
use super::state::{KernelState, LStat, LwpIdx, PStat, Pid};
use crate::arch_i386::SlotState;
use serde::Serialize;

/// What an LWP lane shows: its `l_stat`, or freed (back in lwp_pool).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LwpPhase {
    Stat(LStat),
    Freed,
}

/// What a proc lane shows: its `p_stat`, or reaped (proc_free).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum ProcPhase {
    Stat(PStat),
    Reaped,
}

/// A state held at positions `from..to` (position p: the state after p micro-steps).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span<T> {
    pub from: u64,
    pub to: u64,
    pub state: T,
}

/// One LWP from its allocation to the end of the run (its slot may be reused by a
/// later LWP, which gets a lane of its own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LwpLane {
    /// The engine's handle (index in `KernelState::lwps`) while this LWP held it.
    pub slot: LwpIdx,
    pub pid: Pid,
    /// The last lid it had (newlwp gives it after tss_alloc: 0 before).
    pub lid: u32,
    /// Its process's name (`narrate::proc_name`).
    pub name: String,
    /// Contiguous, each state different from the one before, up to `Lifelines::end`.
    pub spans: Vec<Span<LwpPhase>>,
}

/// One process from fork1 to the end of the run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcLane {
    pub pid: Pid,
    pub name: String,
    pub spans: Vec<Span<ProcPhase>>,
}

/// A counter the lifelines plot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Counter {
    /// `uvm_nuarea`: u-areas on the cache list.
    UvmNuarea,
    /// GDT slots that hold a TSS.
    TssSlots,
    /// Processes on zombproc.
    Zombies,
}

impl Counter {
    pub const ALL: [Counter; 3] = [Counter::UvmNuarea, Counter::TssSlots, Counter::Zombies];

    /// The kernel's name, or what is counted.
    pub fn name(self) -> &'static str {
        match self {
            Counter::UvmNuarea => "uvm_nuarea",
            Counter::TssSlots => "TSS slots in use",
            Counter::Zombies => "zombies (zombproc)",
        }
    }

    /// The counter's value in `st`.
    pub fn of(self, st: &KernelState) -> u32 {
        match self {
            Counter::UvmNuarea => st.uvm_nuarea,
            Counter::TssSlots => st
                .gdt
                .slots
                .iter()
                .filter(|s| matches!(s, SlotState::Tss(_)))
                .count() as u32,
            Counter::Zombies => st.zombproc.len() as u32,
        }
    }
}

/// A counter over the run: `(position, value)` where the value changes, the first at 0.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Series {
    pub counter: Counter,
    pub points: Vec<(u64, u32)>,
}

impl Series {
    /// The largest value, counting `limit` too, at least 1: the top of a plot.
    pub fn top(&self, limit: Option<u32>) -> u32 {
        self.points
            .iter()
            .map(|p| p.1)
            .chain(limit)
            .max()
            .unwrap_or(1)
            .max(1)
    }

    /// An SVG path drawing the series as steps: `x` maps a position, `y` a value, and the
    /// last value runs on to `right`.
    pub fn step_path(&self, x: impl Fn(u64) -> u64, y: impl Fn(u32) -> u64, right: u64) -> String {
        use std::fmt::Write;
        let mut d = String::new();
        let mut last = y(0);
        for (i, &(p, v)) in self.points.iter().enumerate() {
            let _ = if i == 0 {
                write!(d, "M{} {}", x(p), y(v))
            } else {
                write!(d, "H{}V{}", x(p), y(v))
            };
            last = y(v);
        }
        let _ = write!(d, "H{right}V{last}");
        d
    }

    /// The value at position `pos`.
    pub fn at(&self, pos: u64) -> u32 {
        let i = self.points.partition_point(|&(p, _)| p <= pos);
        i.checked_sub(1).map_or(0, |i| self.points[i].1)
    }
}

/// The lanes and series of one run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lifelines {
    /// One past the last position (`Session::len() + 1`): every lane runs to here.
    pub end: u64,
    /// In order of first appearance (boot order, then allocation).
    pub lwps: Vec<LwpLane>,
    pub procs: Vec<ProcLane>,
    /// `Counter::ALL`'s series, in that order.
    pub counters: Vec<Series>,
    /// UVM_NUAREA_MAX, the line `uvm_nuarea`'s plot draws.
    pub uvm_nuarea_max: u32,
}

/// Append `state` from `pos` to a lane's spans, unless it already holds.
fn extend<T: PartialEq + Copy>(spans: &mut Vec<Span<T>>, pos: u64, state: T) {
    if let Some(last) = spans.last_mut() {
        if last.state == state {
            return;
        }
        last.to = pos;
    }
    spans.push(Span {
        from: pos,
        to: pos,
        state,
    });
}

/// The builder's view of the state before the next step.
struct Builder {
    out: Lifelines,
    /// LWP slot -> its lane while the slot holds a live LWP.
    slot_lane: Vec<Option<usize>>,
    /// The procs of the last state, in its order, with their lanes.
    live: Vec<(Pid, usize)>,
}

impl Builder {
    fn observe(&mut self, sim: &Sim, pos: u64) {
        let st = &sim.st;
        if self.slot_lane.len() < st.lwps.len() {
            self.slot_lane.resize(st.lwps.len(), None);
        }
        for (i, l) in st.lwps.iter().enumerate() {
            let lane = self.slot_lane[i];
            // a slot freed and reused between two looks is a new LWP
            let reused = |k: usize| {
                let was = &self.out.lwps[k];
                was.pid != l.pid || (was.lid != 0 && was.lid != l.lid)
            };
            let lane = match lane {
                Some(k) if l.freed || reused(k) => {
                    extend(&mut self.out.lwps[k].spans, pos, LwpPhase::Freed);
                    self.slot_lane[i] = None;
                    None
                }
                other => other,
            };
            if l.freed {
                continue;
            }
            let k = match lane {
                Some(k) => k,
                None => {
                    self.out.lwps.push(LwpLane {
                        slot: i as LwpIdx,
                        pid: l.pid,
                        lid: l.lid,
                        name: String::new(),
                        spans: Vec::new(),
                    });
                    self.slot_lane[i] = Some(self.out.lwps.len() - 1);
                    self.out.lwps.len() - 1
                }
            };
            let lane = &mut self.out.lwps[k];
            lane.lid = l.lid;
            if lane.name.is_empty() {
                if let Some(p) = st.proc(l.pid) {
                    lane.name = super::narrate::proc_name(sim, p);
                }
            }
            extend(&mut lane.spans, pos, LwpPhase::Stat(l.stat));
        }
        let same = self.live.len() == st.procs.len()
            && self.live.iter().zip(&st.procs).all(|(a, p)| a.0 == p.pid);
        if !same {
            let mut live = Vec::with_capacity(st.procs.len());
            for p in &st.procs {
                let k = match self.live.iter().find(|a| a.0 == p.pid) {
                    Some(&(_, k)) => k,
                    None => {
                        self.out.procs.push(ProcLane {
                            pid: p.pid,
                            name: super::narrate::proc_name(sim, p),
                            spans: Vec::new(),
                        });
                        self.out.procs.len() - 1
                    }
                };
                live.push((p.pid, k));
            }
            for &(pid, k) in &self.live {
                if !live.iter().any(|a| a.0 == pid) {
                    extend(&mut self.out.procs[k].spans, pos, ProcPhase::Reaped);
                }
            }
            self.live = live;
        }
        for (&(_, k), p) in self.live.iter().zip(&st.procs) {
            extend(&mut self.out.procs[k].spans, pos, ProcPhase::Stat(p.stat));
        }
        for s in &mut self.out.counters {
            let v = s.counter.of(st);
            if s.points.last().is_none_or(|&(_, last)| last != v) {
                s.points.push((pos, v));
            }
        }
    }
}

impl Lifelines {
    /// Replay `s` once from boot (without the checks) and record every lane, at once
    /// (`LifelinesBuilder` does it a slice at a time).
    pub fn build(s: &Session) -> Lifelines {
        LifelinesBuilder::new(s).finish()
    }

    /// Spans over all lanes (the size of the whole).
    pub fn spans(&self) -> usize {
        self.lwps.iter().map(|l| l.spans.len()).sum::<usize>()
            + self.procs.iter().map(|p| p.spans.len()).sum::<usize>()
    }
}

impl LwpLane {
    /// `pid.lid name`, as the lane is labelled.
    pub fn label(&self) -> String {
        format!("{}.{} {}", self.pid, self.lid, self.name)
    }
}

impl ProcLane {
    /// `pid name`.
    pub fn label(&self) -> String {
        format!("{} {}", self.pid, self.name)
    }
}

/// Lifelines being built by one replay from boot, a slice at a time.
pub struct LifelinesBuilder {
    replay: Replay,
    b: Builder,
}

impl LifelinesBuilder {
    pub fn new(s: &Session) -> LifelinesBuilder {
        let replay = Replay::new(s);
        let mut b = Builder {
            out: Lifelines {
                end: s.len() + 1,
                lwps: Vec::new(),
                procs: Vec::new(),
                counters: Counter::ALL
                    .iter()
                    .map(|&counter| Series {
                        counter,
                        points: Vec::new(),
                    })
                    .collect(),
                uvm_nuarea_max: replay.sim().st.uvm_nuarea_max,
            },
            slot_lane: Vec::new(),
            live: Vec::new(),
        };
        b.observe(replay.sim(), 0);
        LifelinesBuilder { replay, b }
    }

    /// Replay up to `steps` more steps; true once the whole run is in.
    pub fn advance(&mut self, steps: u64) -> bool {
        for _ in 0..steps {
            match self.replay.step() {
                None => return true,
                // a line that only moved its own frame's pc changed nothing shown here
                Some((_, false)) => {}
                Some((pos, true)) => self.b.observe(self.replay.sim(), pos),
            }
        }
        self.replay.progress().0 >= self.replay.progress().1
    }

    /// (steps replayed, steps in the run).
    pub fn progress(&self) -> (u64, u64) {
        self.replay.progress()
    }

    /// The lifelines (replays whatever is left first); every lane runs to the end.
    pub fn finish(mut self) -> Lifelines {
        while !self.advance(u64::MAX) {}
        let mut out = self.b.out;
        let end = out.end;
        let lasts = out
            .lwps
            .iter_mut()
            .filter_map(|l| l.spans.last_mut().map(|s| &mut s.to))
            .chain(
                out.procs
                    .iter_mut()
                    .filter_map(|p| p.spans.last_mut().map(|s| &mut s.to)),
            );
        for to in lasts {
            *to = end;
        }
        out
    }
}
