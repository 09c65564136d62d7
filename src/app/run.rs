//! A finished run (`Run`: a session with what every panel reads of it once), the jobs
//! that build runs (`Job`) and how far one has got (`Progress`).

use crate::engine::metrics::Metrics;
use crate::engine::program::Program;
use crate::engine::session::{MarkerKind, Session};
use crate::engine::stops::{self, Stop};
use crate::engine::Design;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

static NEXT_GEN: AtomicU64 = AtomicU64::new(1);

/// A finished run of one scenario in one design, shared by every panel. Two runs are
/// equal when they are the same run (`gen`), so props holding one compare cheaply.
pub struct Run {
    pub gen: u64,
    pub session: Session,
    pub metrics: Metrics,
    /// Step indices of every marker kind, in `MarkerKind::ALL` order.
    pub markers: Vec<(MarkerKind, Vec<u64>)>,
    /// The compiled scenario: the notes (comments) of its action lines.
    pub program: Program,
    /// Each CPU's idle PCB (its u-area address), which `switch_exit` runs on.
    pub idle_pcbs: Rc<[String]>,
    /// The scenario's checkpoints (`# stop:` lines, file order), each with its position
    /// in this run or why the run never gets there; a lesson walks them in this order.
    pub stops: Vec<(Stop, Result<u64, String>)>,
    /// The `# lesson:` title, when the stops make a lesson.
    pub lesson: Option<String>,
}

impl PartialEq for Run {
    fn eq(&self, other: &Self) -> bool {
        self.gen == other.gen
    }
}

impl Eq for Run {}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Run#{}({})", self.gen, self.session.design.name())
    }
}

/// The scenario action a position serves, as the narration and the editor show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionLabel {
    /// "line N: text (pid.lid)".
    pub label: String,
    /// The note (comment) on the action's line.
    pub note: Option<String>,
}

impl Run {
    pub fn new(session: Session) -> Rc<Run> {
        let metrics = Metrics::of(session.design, &session.trace);
        let markers = MarkerKind::ALL
            .iter()
            .map(|&k| (k, session.markers(k)))
            .collect();
        let markers: Vec<(MarkerKind, Vec<u64>)> = markers;
        let of_kind = |k: MarkerKind| {
            markers
                .iter()
                .find(|(m, _)| *m == k)
                .map_or(&[][..], |(_, v)| v.as_slice())
        };
        let stops = stops::parse(&session.text)
            .unwrap_or_default()
            .into_iter()
            .map(|st| {
                let kind_markers = st.kind().map_or(&[][..], of_kind);
                let at = st.resolve_on(&session, kind_markers);
                (st, at)
            })
            .collect();
        let lesson = stops::lesson_title(&session.text);
        let boot = session.sim_at(0);
        let idle_pcbs = boot
            .st
            .cpus
            .iter()
            .map(|c| format!("{:#010x}", c.regs.idle_pcb))
            .collect();
        Rc::new(Run {
            gen: NEXT_GEN.fetch_add(1, Ordering::Relaxed),
            program: boot.prog,
            session,
            metrics,
            markers,
            idle_pcbs,
            stops,
            lesson,
        })
    }

    /// The last position (the end of the run).
    pub fn end(&self) -> u64 {
        self.session.len()
    }

    /// The design the run ran in.
    pub fn design(&self) -> Design {
        self.session.design
    }

    /// Step indices of the markers of `kind`.
    pub fn markers_of(&self, kind: MarkerKind) -> &[u64] {
        self.markers
            .iter()
            .find(|(k, _)| *k == kind)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The position just after the next marker of `kind` after `pos` (forward), or just
    /// after the previous one before `pos` (backward): `Session::seek_marker` on the
    /// markers found once.
    pub fn seek_marker(&self, pos: u64, kind: MarkerKind, forward: bool) -> Option<u64> {
        let m = self.markers_of(kind);
        if forward {
            let i = m.partition_point(|&s| s < pos);
            m.get(i).map(|s| s + 1)
        } else {
            let i = m.partition_point(|&s| s + 1 < pos);
            i.checked_sub(1).map(|i| m[i] + 1)
        }
    }

    /// The scenario action the step that led to `pos` serves, and the note on its line.
    pub fn action_at(&self, pos: u64) -> Option<ActionLabel> {
        let a = self.session.action_at(pos)?;
        let who = format!("{}.{}", a.pid, a.lid);
        let label = if a.line > 0 {
            format!("line {}: {} ({who})", a.line, a.text)
        } else {
            format!("{} ({who})", a.text)
        };
        let note = a
            .instr
            .and_then(|pc| self.program.stmt(a.block, pc))
            .and_then(|s| s.note.clone());
        Some(ActionLabel { label, note })
    }

    /// Whether this is a run of `text` in `design`.
    pub fn is(&self, text: &str, design: Design) -> bool {
        self.session.design == design && self.session.text == text
    }
}

/// Where the position goes once a job's runs arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Stay (clamped to the new end): an edit, a compare design.
    Keep,
    /// Boot: a new scenario.
    Start,
    /// A link's step (clamped, with a message when past the end).
    Step(u64),
    /// The start of the same action in the new run: a design change.
    SameAction,
    /// Lesson stop `k` (0-based) of the new run, where it resolves (else `Keep`): a
    /// lesson stop shown in another design (`# design:`).
    Lesson(u16),
}

/// Runs to build: `text` in `design`, and in `compare` when set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub id: u64,
    pub text: String,
    pub design: Design,
    pub compare: Option<Design>,
    pub place: Place,
    /// Push a history entry when done (a new scenario or design, not an edit).
    pub push: bool,
    /// Finished runs the job may take instead of building them again.
    pub reuse: Vec<Rc<Run>>,
}

impl Job {
    /// The designs to run, in order: the main one, then the compare one.
    pub fn designs(&self) -> Vec<Design> {
        std::iter::once(self.design).chain(self.compare).collect()
    }

    /// A finished run of `text` in `design`, if the job may reuse one.
    pub fn reusable(&self, design: Design) -> Option<Rc<Run>> {
        self.reuse
            .iter()
            .find(|r| r.is(&self.text, design))
            .cloned()
    }
}

/// How far the job on screen has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Micro-steps run so far in the run being built, and its step limit.
    pub steps: u64,
    pub limit: u64,
    /// Which run (0: the main design, 1: the compare design) of how many.
    pub side: usize,
    pub sides: usize,
    pub design: Design,
}
