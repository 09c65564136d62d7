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

/// The CPU panel's rows, in display order (each one a glossary term).
pub const CPU_REGS: [&str; 10] = [
    "%cr3",
    "%tr",
    "esp0",
    "kernel stack",
    "curlwp",
    "curpcb",
    "idle PCB",
    "EFLAGS.IF",
    "spin locks",
    "sleep?",
];

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
    pub stack: Rc<[&'static str]>,
    pub procs: Section<Procs>,
    pub lists: Section<Lists>,
    pub gdt: Section<GdtView>,
    pub uareas: Section<Uareas>,
    pub cpus: Section<Cpus>,
    pub counts: Section<Counts>,
}

/// The panels' slices of one snapshot.
struct Parts {
    procs: Vec<ProcView>,
    lists: Lists,
    gdt: GdtView,
    uareas: Uareas,
    cpus: Cpus,
    counts: Counts,
}

/// Who holds each u-area of kernel_map: an LWP that owns it (the first, in process
/// order), else the cache, else nobody.
fn holders(s: &Snapshot) -> Vec<(String, Holder)> {
    let mut owners: Vec<(&str, Holder)> = Vec::new();
    for p in &s.procs {
        for l in p.lwps.iter().filter(|l| l.owns_uarea) {
            owners.push((
                &l.uarea,
                Holder::Lwp {
                    pid: p.pid,
                    lid: l.lid,
                },
            ));
        }
    }
    // The first owner of an address stays first (its index breaks ties).
    let mut owners: Vec<(&str, usize, Holder)> = owners
        .into_iter()
        .enumerate()
        .map(|(i, (a, h))| (a, i, h))
        .collect();
    owners.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut cached: Vec<&str> = s.uarea_cache.list.iter().map(String::as_str).collect();
    cached.sort_unstable();
    s.kernel_map
        .iter()
        .map(|a| {
            let at = owners.partition_point(|(x, _, _)| *x < a.as_str());
            let h = match owners.get(at) {
                Some((x, _, h)) if *x == a.as_str() => h.clone(),
                _ if cached.binary_search(&a.as_str()).is_ok() => Holder::Cache,
                _ => Holder::Nobody,
            };
            (a.clone(), h)
        })
        .collect()
}

impl Parts {
    fn of(s: Snapshot) -> Parts {
        let kernel_map = holders(&s);
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
            procs: s.procs,
            gdt: s.gdt,
            cpus: Cpus {
                cpus: s.cpus,
                biglock: s.biglock,
            },
            counts,
        }
    }
}

/// The slices of one state, shared.
struct Shared {
    procs: Rc<Procs>,
    lists: Rc<Lists>,
    gdt: Rc<GdtView>,
    uareas: Rc<Uareas>,
    cpus: Rc<Cpus>,
    counts: Rc<Counts>,
}

impl Shared {
    fn of(p: Parts) -> Shared {
        Shared {
            procs: Rc::new(p.procs.into_iter().map(Rc::new).collect()),
            lists: Rc::new(p.lists),
            gdt: Rc::new(p.gdt),
            uareas: Rc::new(p.uareas),
            cpus: Rc::new(p.cpus),
            counts: Rc::new(p.counts),
        }
    }

    /// The state before the last step of `v`, as it showed it.
    fn now_of(v: &View) -> Shared {
        Shared {
            procs: v.procs.now.clone(),
            lists: v.lists.now.clone(),
            gdt: v.gdt.now.clone(),
            uareas: v.uareas.now.clone(),
            cpus: v.cpus.now.clone(),
            counts: v.counts.now.clone(),
        }
    }
}

/// `now` against `before`: the same allocation when equal.
fn section<T: PartialEq>(now: T, before: Option<&Rc<T>>) -> Section<T> {
    match before {
        Some(b) if **b == now => Section {
            now: b.clone(),
            before: Some(b.clone()),
        },
        _ => Section {
            now: Rc::new(now),
            before: before.cloned(),
        },
    }
}

impl View {
    /// The view of `session` at `pos` (clamped to the run).
    pub fn at(session: &Session, pos: u64) -> View {
        let p = session.position(pos);
        let before = p.previous.map(|b| Shared::of(Parts::of(b)));
        View::make(session, pos, p.step, Parts::of(p.snapshot), before)
    }

    /// The view of `session` at `pos`, given `known`, the view of the same session at
    /// some position: one snapshot instead of two when `pos` is the next position (a
    /// step forward, play), and the slices that did not change keep their allocations.
    pub fn after(known: &View, session: &Session, pos: u64) -> View {
        let pos = pos.min(session.len());
        if pos == 0 || known.pos + 1 != pos {
            return View::at(session, pos);
        }
        let p = session.position_after(pos);
        View::make(
            session,
            pos,
            p.step,
            Parts::of(p.snapshot),
            Some(Shared::now_of(known)),
        )
    }

    fn make(
        session: &Session,
        pos: u64,
        step: Option<StepView>,
        now: Parts,
        before: Option<Shared>,
    ) -> View {
        let stack = running_stack(step.as_ref(), before.as_ref().map(|b| &*b.procs));
        // A proc that did not change keeps the allocation it had before.
        let procs: Procs = match &before {
            None => now.procs.into_iter().map(Rc::new).collect(),
            Some(b) => now
                .procs
                .into_iter()
                .map(|p| {
                    b.procs
                        .iter()
                        .find(|x| x.pid == p.pid && ***x == p)
                        .cloned()
                        .unwrap_or_else(|| Rc::new(p))
                })
                .collect(),
        };
        let b = before.as_ref();
        View {
            pos: pos.min(session.len()),
            step: step.map(Rc::new),
            stack: stack.into(),
            procs: section(procs, b.map(|b| &b.procs)),
            lists: section(now.lists, b.map(|b| &b.lists)),
            gdt: section(now.gdt, b.map(|b| &b.gdt)),
            uareas: section(now.uareas, b.map(|b| &b.uareas)),
            cpus: section(now.cpus, b.map(|b| &b.cpus)),
            counts: section(now.counts, b.map(|b| &b.counts)),
        }
    }
}

/// The kernel stack of the LWP that ran `step`, as it was before the step.
fn running_stack(step: Option<&StepView>, before: Option<&Procs>) -> Vec<&'static str> {
    let find = || {
        let id = step?.lwp?;
        let lwp = before?
            .iter()
            .find(|p| p.pid == id.pid)?
            .lwps
            .iter()
            .find(|l| l.lid == id.lid)?;
        Some(lwp.kstack.clone())
    };
    find().unwrap_or_default()
}
