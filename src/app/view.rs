//! What the panels read at one position, cut into one slice per panel (`Section`: the
//! slice now and before the last step). A step that leaves a panel's part of the kernel
//! state as it was gives that panel an equal section, so the UI does not redraw it.

use crate::engine::metrics::{MetricValue, ROWS};
use crate::engine::session::{Session, StepView};
use crate::engine::snapshot::{CpuView, GdtView, ProcView, SleepQueue, Snapshot, UareaCacheView};
use crate::engine::Design;
use std::rc::Rc;

/// A panel's slice of the state now, and before the last step (None at boot). When the
/// step did not change it, `before` is the same `Rc` as `now`.
#[derive(Debug)]
pub struct Section<T> {
    pub now: Rc<T>,
    pub before: Option<Rc<T>>,
}

impl<T> Clone for Section<T> {
    fn clone(&self) -> Self {
        Section {
            now: self.now.clone(),
            before: self.before.clone(),
        }
    }
}

fn same<T: PartialEq>(a: &Rc<T>, b: &Rc<T>) -> bool {
    Rc::ptr_eq(a, b) || **a == **b
}

impl<T: PartialEq> PartialEq for Section<T> {
    fn eq(&self, o: &Self) -> bool {
        same(&self.now, &o.now)
            && match (&self.before, &o.before) {
                (None, None) => true,
                (Some(a), Some(b)) => same(a, b),
                _ => false,
            }
    }
}

impl<T: PartialEq> Section<T> {
    pub fn new(now: T, before: Option<T>) -> Section<T> {
        let now = Rc::new(now);
        let before = before.map(|b| if b == *now { now.clone() } else { Rc::new(b) });
        Section { now, before }
    }

    /// The slice before the last step.
    pub fn before(&self) -> Option<&T> {
        self.before.as_deref()
    }

    /// The last step changed this slice.
    pub fn changed(&self) -> bool {
        self.before
            .as_ref()
            .is_some_and(|b| !Rc::ptr_eq(b, &self.now))
    }
}

/// The processes, one shared `ProcView` each (a proc row redraws only when its proc
/// changed).
pub type Procs = Vec<Rc<ProcView>>;

/// The kernel's lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lists {
    pub design: Design,
    pub allproc: Vec<u32>,
    pub zombproc: Vec<u32>,
    pub deadprocs: Vec<u32>,
    pub deadlwp: Vec<String>,
    pub zomblwp: Vec<String>,
    pub runq: Vec<String>,
    pub sleepq: Vec<SleepQueue>,
}

/// Who holds a u-area allocated in kernel_map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holder {
    Lwp { pid: u32, lid: u32 },
    Cache,
    Nobody,
}

/// The u-area cache and the u-areas in kernel_map with their holders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Uareas {
    pub cache: UareaCacheView,
    pub kernel_map: Vec<(String, Holder)>,
}

/// The CPUs and the big lock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cpus {
    pub cpus: Vec<CpuView>,
    pub biglock: Option<String>,
}

/// The metrics so far, one per row of `metrics::ROWS` (the micro-steps row, which
/// changes on every step, is left out: `MetricValue::None`).
pub type Counts = Vec<MetricValue>;

/// The id of the metrics row that counts micro-steps (the position itself).
pub const STEPS_ROW: &str = "micro_steps";

/// Everything the panels show at one position.
#[derive(Debug, PartialEq)]
pub struct View {
    pub pos: u64,
    /// The step that led here (None at boot).
    pub step: Option<Rc<StepView>>,
    /// The kernel stack of the LWP that ran the last step, before it ran.
    pub stack: Rc<[String]>,
    pub procs: Section<Procs>,
    pub lists: Section<Lists>,
    pub gdt: Section<GdtView>,
    pub uareas: Section<Uareas>,
    pub cpus: Section<Cpus>,
    pub counts: Section<Counts>,
}

/// The panels' slices of one snapshot.
struct Parts {
    procs: Procs,
    lists: Lists,
    gdt: GdtView,
    uareas: Uareas,
    cpus: Cpus,
    counts: Counts,
}

fn holder(s: &Snapshot, addr: &str) -> Holder {
    for p in &s.procs {
        for l in &p.lwps {
            if l.owns_uarea && l.uarea == addr {
                return Holder::Lwp {
                    pid: p.pid,
                    lid: l.lid,
                };
            }
        }
    }
    if s.uarea_cache.list.iter().any(|a| a == addr) {
        return Holder::Cache;
    }
    Holder::Nobody
}

impl Parts {
    fn of(s: Snapshot) -> Parts {
        let kernel_map = s
            .kernel_map
            .iter()
            .map(|a| (a.clone(), holder(&s, a)))
            .collect();
        let counts = ROWS
            .iter()
            .map(|r| match r.id {
                STEPS_ROW => MetricValue::None,
                _ => r.value_at(&s),
            })
            .collect();
        Parts {
            lists: Lists {
                design: s.design,
                allproc: s.allproc,
                zombproc: s.zombproc,
                deadprocs: s.deadprocs,
                deadlwp: s.deadlwp,
                zomblwp: s.zomblwp,
                runq: s.runq,
                sleepq: s.sleepq,
            },
            uareas: Uareas {
                cache: s.uarea_cache,
                kernel_map,
            },
            procs: s.procs.into_iter().map(Rc::new).collect(),
            gdt: s.gdt,
            cpus: Cpus {
                cpus: s.cpus,
                biglock: s.biglock,
            },
            counts,
        }
    }
}

impl View {
    /// The view of `session` at `pos` (clamped to the run).
    pub fn at(session: &Session, pos: u64) -> View {
        let p = session.position(pos);
        let stack = running_stack(p.step.as_ref(), p.previous.as_ref());
        let now = Parts::of(p.snapshot);
        let before = p.previous.map(Parts::of);
        let (bp, bl, bg, bu, bc, bn) = match before {
            Some(b) => (
                Some(b.procs),
                Some(b.lists),
                Some(b.gdt),
                Some(b.uareas),
                Some(b.cpus),
                Some(b.counts),
            ),
            None => (None, None, None, None, None, None),
        };
        // A proc that did not change keeps one allocation for now and before.
        let bp = bp.map(|bp| {
            bp.into_iter()
                .map(|b| {
                    now.procs
                        .iter()
                        .find(|n| n.pid == b.pid && **n == b)
                        .cloned()
                        .unwrap_or(b)
                })
                .collect::<Procs>()
        });
        View {
            pos: pos.min(session.len()),
            step: p.step.map(Rc::new),
            stack: stack.into(),
            procs: Section::new(now.procs, bp),
            lists: Section::new(now.lists, bl),
            gdt: Section::new(now.gdt, bg),
            uareas: Section::new(now.uareas, bu),
            cpus: Section::new(now.cpus, bc),
            counts: Section::new(now.counts, bn),
        }
    }
}

/// The kernel stack of the LWP that ran `step`, as it was before the step.
fn running_stack(step: Option<&StepView>, before: Option<&Snapshot>) -> Vec<String> {
    let find = || {
        let id = step?.lwp?;
        let lwp = before?
            .procs
            .iter()
            .find(|p| p.pid == id.pid)?
            .lwps
            .iter()
            .find(|l| l.lid == id.lid)?;
        Some(lwp.kstack.clone())
    };
    find().unwrap_or_default()
}
