//! "Why is this here?": the step that last changed a cell of the kernel state, the
//! value before it, and so on back to boot. Exact: computed by replaying the trace
//! from its checkpoints, never guessed from events.

use super::session::{Replay, Session};
use super::sim::Sim;
use super::source;
use super::state::{flag_names, lflag, pflag, Chan, KernelState, LStat, LwpIdx, PStat, Pid};
use super::trace::CHECKPOINT_EVERY;
use crate::arch_i386::gdt::NGDT;
use crate::arch_i386::SlotState;
use serde::Serialize;

/// A field of `struct proc` that the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ProcField {
    Stat,
    Nlwps,
    Nrlwps,
    Nzlwps,
    Pptr,
    Flag,
    Vmspace,
}

/// A field of `struct lwp` that the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum LwpField {
    Stat,
    Flag,
    Addr,
    TssSel,
    Wchan,
}

/// A CPU register (or per-CPU pointer) that the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum CpuReg {
    Cr3,
    Tr,
    Esp0,
    Curlwp,
}

/// A kernel list that the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ListName {
    Allproc,
    Zombproc,
    Deadprocs,
    Deadlwp,
    Runqueue,
}

/// One cell of the kernel state, named as on the command line: `proc.PID.FIELD`,
/// `lwp.PID.LID.FIELD`, `cpu.N.REG`, `gdt.SLOT`, `uvm_nuarea`, `list.NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cell {
    Proc(Pid, ProcField),
    Lwp(Pid, u32, LwpField),
    Cpu(u8, CpuReg),
    Gdt(u16),
    UvmNuarea,
    List(ListName),
}

const PROC_FIELDS: [(&str, ProcField); 7] = [
    ("p_stat", ProcField::Stat),
    ("p_nlwps", ProcField::Nlwps),
    ("p_nrlwps", ProcField::Nrlwps),
    ("p_nzlwps", ProcField::Nzlwps),
    ("p_pptr", ProcField::Pptr),
    ("p_flag", ProcField::Flag),
    ("p_vmspace", ProcField::Vmspace),
];
const LWP_FIELDS: [(&str, LwpField); 5] = [
    ("l_stat", LwpField::Stat),
    ("l_flag", LwpField::Flag),
    ("l_addr", LwpField::Addr),
    ("md_tss_sel", LwpField::TssSel),
    ("wchan", LwpField::Wchan),
];
const CPU_REGS: [(&str, CpuReg); 4] = [
    ("cr3", CpuReg::Cr3),
    ("tr", CpuReg::Tr),
    ("esp0", CpuReg::Esp0),
    ("curlwp", CpuReg::Curlwp),
];
const LISTS: [(&str, ListName); 5] = [
    ("allproc", ListName::Allproc),
    ("zombproc", ListName::Zombproc),
    ("deadprocs", ListName::Deadprocs),
    ("deadlwp", ListName::Deadlwp),
    ("runqueue", ListName::Runqueue),
];

fn lookup<T: Copy>(table: &[(&str, T)], name: &str) -> Option<T> {
    table.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

fn names<T>(table: &[(&str, T)]) -> String {
    table.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
}

impl std::str::FromStr for Cell {
    type Err = String;

    fn from_str(s: &str) -> Result<Cell, String> {
        let parts: Vec<&str> = s.split('.').collect();
        let num = |t: &str, what: &str| -> Result<u32, String> {
            t.parse::<u32>()
                .map_err(|_| format!("`{t}` in `{s}` is not a {what} number"))
        };
        let field_err = |kind: &str, all: String, got: &str| {
            format!("`{got}` is not a {kind} field exitpath shows; it knows {all}")
        };
        match parts.as_slice() {
            ["uvm_nuarea"] => Ok(Cell::UvmNuarea),
            ["proc", pid, field] => {
                let f = lookup(&PROC_FIELDS, field)
                    .ok_or_else(|| field_err("proc", names(&PROC_FIELDS), field))?;
                Ok(Cell::Proc(num(pid, "pid")?, f))
            }
            ["lwp", pid, lid, field] => {
                let f = lookup(&LWP_FIELDS, field)
                    .ok_or_else(|| field_err("lwp", names(&LWP_FIELDS), field))?;
                Ok(Cell::Lwp(num(pid, "pid")?, num(lid, "lid")?, f))
            }
            ["cpu", n, reg] => {
                let r = lookup(&CPU_REGS, reg)
                    .ok_or_else(|| field_err("cpu", names(&CPU_REGS), reg))?;
                let n = u8::try_from(num(n, "CPU")?).map_err(|_| format!("no CPU {n}"))?;
                Ok(Cell::Cpu(n, r))
            }
            ["gdt", slot] => {
                let slot = u16::try_from(num(slot, "GDT slot")?)
                    .map_err(|_| format!("GDT slot {slot} is out of range"))?;
                Ok(Cell::Gdt(slot))
            }
            ["list", name] => lookup(&LISTS, name)
                .map(Cell::List)
                .ok_or_else(|| field_err("list", names(&LISTS), name)),
            _ => Err(format!(
                "`{s}` is not a cell name: use proc.PID.FIELD, lwp.PID.LID.FIELD, cpu.N.REG, \
                 gdt.SLOT, uvm_nuarea or list.NAME"
            )),
        }
    }
}

/// The name of `want` in a name table.
fn name_of<T: Copy + PartialEq>(table: &[(&'static str, T)], want: T) -> &'static str {
    table
        .iter()
        .find(|(_, v)| *v == want)
        .map(|(n, _)| *n)
        .unwrap_or("?")
}

impl std::fmt::Display for Cell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Cell::Proc(pid, field) => write!(f, "proc.{pid}.{}", name_of(&PROC_FIELDS, field)),
            Cell::Lwp(pid, lid, field) => {
                write!(f, "lwp.{pid}.{lid}.{}", name_of(&LWP_FIELDS, field))
            }
            Cell::Cpu(n, reg) => write!(f, "cpu.{n}.{}", name_of(&CPU_REGS, reg)),
            Cell::Gdt(slot) => write!(f, "gdt.{slot}"),
            Cell::UvmNuarea => write!(f, "uvm_nuarea"),
            Cell::List(l) => write!(f, "list.{}", name_of(&LISTS, l)),
        }
    }
}

/// The cell's value in `st`, as the page shows it; `None` when the cell does not exist
/// there (a proc not yet forked or already freed, a GDT slot never handed out, ...).
pub fn value(st: &KernelState, cell: Cell) -> Option<String> {
    Some(match cell {
        Cell::Proc(pid, field) => {
            let p = st.proc(pid)?;
            match field {
                ProcField::Stat => format!("{:?}", p.stat),
                ProcField::Nlwps => p.nlwps.to_string(),
                ProcField::Nrlwps => p.nrlwps.to_string(),
                ProcField::Nzlwps => p.nzlwps.to_string(),
                ProcField::Pptr => p.pptr.to_string(),
                ProcField::Flag => flag_names(p.flags, &pflag::NAMES),
                ProcField::Vmspace => match p.vmspace {
                    Some(0) => "proc0's vmspace (the kernel's)".into(),
                    Some(v) => format!("vmspace {v}"),
                    None => "NULL".into(),
                },
            }
        }
        Cell::Lwp(pid, lid, field) => {
            let p = st.proc(pid)?;
            let l = p
                .lwps
                .iter()
                .filter_map(|&i| st.lwp(i))
                .find(|l| l.lid == lid)?;
            match field {
                LwpField::Stat => format!("{:?}", l.stat),
                LwpField::Flag => flag_names(l.flags, &lflag::NAMES),
                LwpField::Addr => format!("{:#010x}", l.uarea),
                LwpField::TssSel => format!("{:#x}", l.tss_sel),
                LwpField::Wchan => match l.wchan {
                    Some(c) => format!("{} \"{}\"", c.name(), l.wmesg),
                    None => "-".into(),
                },
            }
        }
        Cell::Cpu(n, reg) => {
            let c = st.cpus.get(usize::from(n))?;
            match reg {
                CpuReg::Cr3 => format!("{:#010x}", c.regs.cr3),
                CpuReg::Tr => format!("{:#06x}", c.regs.tr),
                CpuReg::Esp0 => format!("{:#010x}", c.regs.esp0),
                CpuReg::Curlwp => match c.curlwp {
                    Some(l) => st.lwp_name(l),
                    None => "NULL".into(),
                },
            }
        }
        Cell::Gdt(slot) => {
            let i = usize::from(slot.checked_sub(NGDT)?);
            match st.gdt.slots.get(i)? {
                SlotState::Free => "free (SDT_SYSNULL)".into(),
                // tss_alloc runs before newlwp gives the LWP its lid
                SlotState::Tss(owner) => match st.lwp(*owner) {
                    Some(l) if l.lid == 0 => format!("TSS of the new LWP of pid {}", l.pid),
                    _ => format!("TSS of {}", st.lwp_name(*owner)),
                },
            }
        }
        Cell::UvmNuarea => st.uvm_nuarea.to_string(),
        Cell::List(list) => {
            let pids = |v: &[Pid]| v.iter().map(|p| p.to_string()).collect::<Vec<_>>();
            let lwps =
                |v: &mut dyn Iterator<Item = u32>| v.map(|l| st.lwp_name(l)).collect::<Vec<_>>();
            let items = match list {
                ListName::Allproc => pids(&st.allproc),
                ListName::Zombproc => pids(&st.zombproc),
                ListName::Deadprocs => pids(&st.deadprocs),
                ListName::Deadlwp => lwps(&mut st.deadlwp.iter().copied()),
                ListName::Runqueue => lwps(&mut st.runq.iter().copied()),
            };
            format!("[{}]", items.join(", "))
        }
    })
}

/// What "changed" compares: the value, except that a GDT slot is compared by the LWP
/// that owns it, not by that LWP's name (its lid comes later than its TSS).
pub fn key(st: &KernelState, cell: Cell) -> Option<String> {
    if let Cell::Gdt(slot) = cell {
        let i = usize::from(slot.checked_sub(NGDT)?);
        return Some(format!("{:?}", st.gdt.slots.get(i)?));
    }
    value(st, cell)
}

/// Every cell that exists in `st`, grouped, for an error message.
pub fn existing(st: &KernelState) -> String {
    let procs: Vec<String> = st.procs.iter().map(|p| p.pid.to_string()).collect();
    let lwps: Vec<String> = st
        .procs
        .iter()
        .flat_map(|p| p.lwps.iter().filter_map(|&l| st.lwp(l)))
        .map(|l| format!("{}.{}", l.pid, l.lid))
        .collect();
    let slots: Vec<String> = (0..st.gdt.slots.len())
        .map(|i| (NGDT + i as u16).to_string())
        .collect();
    format!(
        "procs {} (fields {}); lwps {} (fields {}); cpus 0..{} (regs {}); gdt slots {}; \
         uvm_nuarea; lists {}",
        procs.join(" "),
        names(&PROC_FIELDS),
        lwps.join(" "),
        names(&LWP_FIELDS),
        st.cpus.len().saturating_sub(1),
        names(&CPU_REGS),
        if slots.is_empty() {
            "none".to_string()
        } else {
            format!("{}..{}", NGDT, NGDT as usize + slots.len() - 1)
        },
        names(&LISTS)
    )
}

/// Every cell that exists in `st`, in name order within each kind: procs, LWPs, CPUs,
/// GDT slots, `uvm_nuarea`, lists.
pub fn cells(st: &KernelState) -> Vec<Cell> {
    let mut out = Vec::new();
    for p in &st.procs {
        out.extend(PROC_FIELDS.iter().map(|&(_, f)| Cell::Proc(p.pid, f)));
    }
    for p in &st.procs {
        for l in p.lwps.iter().filter_map(|&l| st.lwp(l)) {
            out.extend(LWP_FIELDS.iter().map(|&(_, f)| Cell::Lwp(l.pid, l.lid, f)));
        }
    }
    for n in 0..st.cpus.len() {
        out.extend(CPU_REGS.iter().map(|&(_, r)| Cell::Cpu(n as u8, r)));
    }
    out.extend((0..st.gdt.slots.len()).map(|i| Cell::Gdt(NGDT + i as u16)));
    out.push(Cell::UvmNuarea);
    out.extend(LISTS.iter().map(|&(_, l)| Cell::List(l)));
    out.dedup();
    out
}

/// The answer to "why does `cell` hold this value at position `at`?".
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Why {
    pub cell: String,
    /// The value at `at`.
    pub value: String,
    /// The micro-step after which the cell holds `value` (`None`: since boot).
    pub step: Option<u64>,
    /// The value just before that step (`None`: the cell did not exist before it, or
    /// the value is the boot state's).
    pub before: Option<String>,
    /// The function and listing line of that step, the line's text, its narration.
    pub func: Option<&'static str>,
    pub line: Option<u32>,
    pub source: Option<&'static str>,
    pub narration: Option<String>,
    /// The same answer for the change before this one.
    pub previous: Option<Box<Why>>,
}

/// Why a cell could not be asked about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WhyError {
    /// The cell does not exist at that position; the message lists what does.
    Missing {
        cell: String,
        at: u64,
        existing: String,
    },
}

impl std::fmt::Display for WhyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WhyError::Missing { cell, at, existing } => {
                write!(
                    f,
                    "{cell} does not exist at step {at}; what exists there: {existing}"
                )
            }
        }
    }
}

/// Chunks `last_change` replays before it builds the run's index (about 8 ms of
/// replay natively, against about 200 ms for the index of a 1M-step run).
pub const SCAN_BEFORE_INDEX: u32 = 8;

impl Session {
    /// The last position k in 1..=`at` where `cell` changed (its value at k - 1
    /// differs from its value at k). Checkpoint chunks are looked at backwards, those
    /// `chunk_may_change` names replayed from their checkpoint (at most
    /// `CHECKPOINT_EVERY` steps each).
    pub fn last_change(&self, cell: Cell, at: u64) -> Option<u64> {
        let at = at.min(self.len());
        if at == 0 {
            return None;
        }
        let mut chunk = (at - 1) / CHECKPOINT_EVERY;
        let mut looked = 0;
        loop {
            if self.chunk_may_change(chunk, cell, &mut looked) {
                let start = chunk * CHECKPOINT_EVERY;
                let end = (start + CHECKPOINT_EVERY).min(at);
                if let Some(k) = self.change_between(cell, start, end, false) {
                    return Some(k);
                }
            }
            if chunk == 0 {
                return None;
            }
            chunk -= 1;
        }
    }

    /// Whether a search for `cell`'s changes replays chunk `chunk` (the steps from
    /// `chunk * CHECKPOINT_EVERY`): the first `SCAN_BEFORE_INDEX` chunks a search looks
    /// at (`looked` counts them) are replayed as they come, so a nearby change costs
    /// no index; past them the run's `WhyIndex` is built, once, and decides.
    pub(crate) fn chunk_may_change(&self, chunk: u64, cell: Cell, looked: &mut u32) -> bool {
        let may = match self.why_index_built() {
            Some(index) => index.may_change(chunk, cell),
            None if *looked < SCAN_BEFORE_INDEX => true,
            None => self.why_index().may_change(chunk, cell),
        };
        *looked += 1;
        may
    }

    /// The first (or, with `first` false, the last) position k in `from + 1..=to`
    /// where `cell` differs from its value at k - 1, by a replay from `from`.
    pub(crate) fn change_between(
        &self,
        cell: Cell,
        from: u64,
        to: u64,
        first: bool,
    ) -> Option<u64> {
        let mut sim: Sim = self.sim_at(from);
        sim.checks = false;
        let mut prev = key(&sim.st, cell);
        let mut found = None;
        for k in from + 1..=to {
            if sim.step().is_none() {
                break;
            }
            let now = key(&sim.st, cell);
            if now != prev {
                found = Some(k);
                if first {
                    break;
                }
            }
            prev = now;
        }
        found
    }

    /// Why `cell` holds its value at position `at`, with up to `depth` earlier changes
    /// chained in `previous`.
    pub fn why(&self, cell: Cell, at: u64, depth: usize) -> Result<Why, WhyError> {
        let at = at.min(self.len());
        let st = self.sim_at(at).st;
        let Some(now) = value(&st, cell) else {
            return Err(WhyError::Missing {
                cell: cell.to_string(),
                at,
                existing: existing(&st),
            });
        };
        let Some(k) = self.last_change(cell, at) else {
            return Ok(Why {
                cell: cell.to_string(),
                value: now,
                step: None,
                before: None,
                func: None,
                line: None,
                source: None,
                narration: None,
                previous: None,
            });
        };
        // one replay: the state before the step, then the step itself
        let mut sim = self.sim_at(k - 1);
        let before = value(&sim.st, cell);
        sim.checks = false;
        let step = self.trace.steps[(k - 1) as usize];
        let narration = sim.step().map(|s| super::narrate::narrate(&sim, &s));
        let body = source::body(self.design, step.func);
        let previous = match (&before, depth) {
            (Some(_), d) if d > 0 => self.why(cell, k - 1, d - 1).ok().map(Box::new),
            _ => None,
        };
        Ok(Why {
            cell: cell.to_string(),
            value: now,
            step: Some(k - 1),
            before,
            func: Some(step.func.name()),
            line: body.map(|b| source::listing_line(b, u16::from(step.line))),
            source: source::line(self.design, step.func, u16::from(step.line)).map(|l| l.text),
            narration,
            previous,
        })
    }
}

/// A proc's shown fields, typed: `value`'s strings are functions of these.
#[derive(Clone, Copy, PartialEq, Eq)]
struct ProcObs {
    pid: Pid,
    stat: PStat,
    nlwps: u32,
    nrlwps: u32,
    nzlwps: u32,
    pptr: Pid,
    flags: u32,
    vmspace: Option<u32>,
}

/// An LWP's shown fields, typed, under the pid of the proc whose `p_lwps` holds it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct LwpObs {
    pid: Pid,
    lid: u32,
    stat: LStat,
    flags: u32,
    uarea: u32,
    tss_sel: u32,
    wchan: Option<Chan>,
    /// `wmesg`'s address and length: the same string has the same address, and a
    /// different address only costs a replay of the chunk.
    wmesg: (usize, usize),
}

/// An LWP as a value names it (`lwp_name`): its index and its slot's pid and lid.
type LwpRef = (u32, Pid, u32);

fn lwp_ref(st: &KernelState, l: LwpIdx) -> LwpRef {
    st.lwps
        .get(l as usize)
        .map_or((l, 0, 0), |x| (l, x.pid, x.lid))
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct CpuObs {
    cr3: u32,
    tr: u16,
    esp0: u32,
    curlwp: Option<LwpRef>,
}

/// Every shown cell of the last state seen, typed, in the state's own order: the next
/// state is compared with it, and what differs marked, without formatting a value.
#[derive(Default)]
struct Obs {
    procs: Vec<ProcObs>,
    lwps: Vec<LwpObs>,
    cpus: Vec<CpuObs>,
    gdt: Vec<SlotState>,
    nuarea: u32,
    /// allproc, zombproc, deadprocs.
    pids: [Vec<Pid>; 3],
    /// deadlwp, runqueue.
    lwp_lists: [Vec<LwpRef>; 2],
}

impl ProcObs {
    fn of(p: &super::state::Proc) -> ProcObs {
        ProcObs {
            pid: p.pid,
            stat: p.stat,
            nlwps: p.nlwps,
            nrlwps: p.nrlwps,
            nzlwps: p.nzlwps,
            pptr: p.pptr,
            flags: p.flags,
            vmspace: p.vmspace,
        }
    }

    /// Mark the fields that differ between `a` and `b` (all of them when one is absent).
    fn mark(pid: Pid, a: Option<&ProcObs>, b: Option<&ProcObs>, mark: &mut impl FnMut(Cell)) {
        mark_fields(&PROC_FIELDS, a, b, |f, a, b| {
            let get = |p: &ProcObs| match f {
                ProcField::Stat => p.stat as u64,
                ProcField::Nlwps => u64::from(p.nlwps),
                ProcField::Nrlwps => u64::from(p.nrlwps),
                ProcField::Nzlwps => u64::from(p.nzlwps),
                ProcField::Pptr => u64::from(p.pptr),
                ProcField::Flag => u64::from(p.flags),
                ProcField::Vmspace => p.vmspace.map_or(u64::MAX, u64::from),
            };
            get(a) != get(b)
        })
        .for_each(|f| mark(Cell::Proc(pid, f)));
    }
}

/// The fields of `table` that differ between `a` and `b` by `differs` (all of them
/// when one side is absent).
fn mark_fields<'a, F: Copy, T>(
    table: &'a [(&str, F)],
    a: Option<&'a T>,
    b: Option<&'a T>,
    differs: impl Fn(F, &T, &T) -> bool + 'a,
) -> impl Iterator<Item = F> + 'a {
    table
        .iter()
        .map(|&(_, f)| f)
        .filter(move |&f| match (a, b) {
            (Some(a), Some(b)) => differs(f, a, b),
            _ => true,
        })
}

impl LwpObs {
    fn of(pid: Pid, l: &super::state::Lwp) -> LwpObs {
        LwpObs {
            pid,
            lid: l.lid,
            stat: l.stat,
            flags: l.flags,
            uarea: l.uarea,
            tss_sel: l.tss_sel,
            wchan: l.wchan,
            wmesg: (l.wmesg.as_ptr() as usize, l.wmesg.len()),
        }
    }

    /// Mark the fields that differ between `a` and `b` (all of them when one is absent).
    fn mark(
        (pid, lid): (Pid, u32),
        a: Option<&LwpObs>,
        b: Option<&LwpObs>,
        mark: &mut impl FnMut(Cell),
    ) {
        mark_fields(&LWP_FIELDS, a, b, |f, a, b| match f {
            LwpField::Stat => a.stat != b.stat,
            LwpField::Flag => a.flags != b.flags,
            LwpField::Addr => a.uarea != b.uarea,
            LwpField::TssSel => a.tss_sel != b.tss_sel,
            LwpField::Wchan => (a.wchan, a.wmesg) != (b.wchan, b.wmesg),
        })
        .for_each(|f| mark(Cell::Lwp(pid, lid, f)));
    }
}

/// Mark list `name` and take `now` if it differs from what `seen` holds.
fn sync_list<T: PartialEq + Copy>(
    seen: &mut Vec<T>,
    now: impl Iterator<Item = T> + Clone,
    name: ListName,
    out: &mut Vec<Cell>,
) {
    if !seen.iter().copied().eq(now.clone()) {
        mark_in(out, Cell::List(name));
        seen.clear();
        seen.extend(now);
    }
}

/// Add `c` to the sorted set `out`.
fn mark_in(out: &mut Vec<Cell>, c: Cell) {
    if let Err(i) = out.binary_search(&c) {
        out.insert(i, c);
    }
}

impl Obs {
    /// Compare the procs and LWPs of `st` with those `self` holds, in place: mark what
    /// differs and take `st`'s. False (part done, the rest for `diff`) as soon as the
    /// procs or LWPs are not the same ones in the same order.
    fn update_in_place(&mut self, st: &KernelState, out: &mut Vec<Cell>) -> bool {
        if self.procs.len() != st.procs.len() {
            return false;
        }
        let mut j = 0;
        for (old, p) in self.procs.iter_mut().zip(&st.procs) {
            let new = ProcObs::of(p);
            if new.pid != old.pid {
                return false;
            }
            if new != *old {
                ProcObs::mark(p.pid, Some(old), Some(&new), &mut |c| mark_in(out, c));
                *old = new;
            }
            for l in p.lwps.iter().filter_map(|&l| st.lwp(l)) {
                let new = LwpObs::of(p.pid, l);
                match self.lwps.get_mut(j) {
                    Some(old) if (old.pid, old.lid) == (new.pid, new.lid) => {
                        if new != *old {
                            let key = (new.pid, new.lid);
                            LwpObs::mark(key, Some(old), Some(&new), &mut |c| mark_in(out, c));
                            *old = new;
                        }
                    }
                    _ => return false,
                }
                j += 1;
            }
        }
        j == self.lwps.len()
    }

    /// Take the procs and LWPs of `st` (after `update_in_place` said they moved).
    fn fill_entities(&mut self, st: &KernelState) {
        self.procs.clear();
        self.lwps.clear();
        for p in &st.procs {
            self.procs.push(ProcObs::of(p));
            self.lwps.extend(
                p.lwps
                    .iter()
                    .filter_map(|&l| st.lwp(l))
                    .map(|l| LwpObs::of(p.pid, l)),
            );
        }
    }

    /// Mark every proc and LWP cell that differs between `self` and `new`, pairing
    /// them by key: a proc or LWP on one side only has all its cells marked.
    fn diff_entities(&self, new: &Obs, out: &mut Vec<Cell>) {
        pair_by_key(
            &self.procs,
            &new.procs,
            |p| p.pid,
            |pid, a, b| ProcObs::mark(pid, a, b, &mut |c| mark_in(out, c)),
        );
        pair_by_key(
            &self.lwps,
            &new.lwps,
            |l| (l.pid, l.lid),
            |key, a, b| LwpObs::mark(key, a, b, &mut |c| mark_in(out, c)),
        );
    }

    /// Compare the CPUs, the GDT, `uvm_nuarea` and the lists of `st` with those `self`
    /// holds: mark what differs and take `st`'s.
    fn update_rest(&mut self, st: &KernelState, out: &mut Vec<Cell>) {
        let cpus = st.cpus.iter().map(|c| CpuObs {
            cr3: c.regs.cr3,
            tr: c.regs.tr,
            esp0: c.regs.esp0,
            curlwp: c.curlwp.map(|l| lwp_ref(st, l)),
        });
        if self.cpus.len() != st.cpus.len() || !self.cpus.iter().copied().eq(cpus.clone()) {
            for n in 0..self.cpus.len().max(st.cpus.len()) {
                let (a, b) = (self.cpus.get(n).copied(), cpus.clone().nth(n));
                mark_fields(&CPU_REGS, a.as_ref(), b.as_ref(), |r, a, b| match r {
                    CpuReg::Cr3 => a.cr3 != b.cr3,
                    CpuReg::Tr => a.tr != b.tr,
                    CpuReg::Esp0 => a.esp0 != b.esp0,
                    CpuReg::Curlwp => a.curlwp != b.curlwp,
                })
                .for_each(|r| mark_in(out, Cell::Cpu(n as u8, r)));
            }
            self.cpus.clear();
            self.cpus.extend(cpus);
        }
        if self.gdt != st.gdt.slots {
            for i in 0..self.gdt.len().max(st.gdt.slots.len()) {
                if self.gdt.get(i) != st.gdt.slots.get(i) {
                    mark_in(out, Cell::Gdt(NGDT.saturating_add(i as u16)));
                }
            }
            self.gdt.clone_from(&st.gdt.slots);
        }
        if self.nuarea != st.uvm_nuarea {
            mark_in(out, Cell::UvmNuarea);
            self.nuarea = st.uvm_nuarea;
        }
        let [allproc, zombproc, deadprocs] = &mut self.pids;
        sync_list(allproc, st.allproc.iter().copied(), ListName::Allproc, out);
        sync_list(
            zombproc,
            st.zombproc.iter().copied(),
            ListName::Zombproc,
            out,
        );
        sync_list(
            deadprocs,
            st.deadprocs.iter().copied(),
            ListName::Deadprocs,
            out,
        );
        let named = |l: &LwpIdx| lwp_ref(st, *l);
        let [deadlwp, runq] = &mut self.lwp_lists;
        sync_list(
            deadlwp,
            st.deadlwp.iter().map(named),
            ListName::Deadlwp,
            out,
        );
        sync_list(runq, st.runq.iter().map(named), ListName::Runqueue, out);
    }
}

/// Call `f(key, old, new)` for every key of `old` and `new` whose first entry (as
/// `value` finds the first) may differ (`None`: no entry on that side). When both have
/// the same keys in the same order (almost every step) entries are paired in place
/// and equal pairs skipped; otherwise both sides are sorted by key.
fn pair_by_key<T: PartialEq, K: Ord + Copy>(
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> K,
    mut f: impl FnMut(K, Option<&T>, Option<&T>),
) {
    if old.len() == new.len() && old.iter().zip(new).all(|(a, b)| key(a) == key(b)) {
        for (a, b) in old.iter().zip(new).filter(|(a, b)| a != b) {
            f(key(a), Some(a), Some(b));
        }
        return;
    }
    let sorted = |v: &[T]| {
        let mut s: Vec<(K, usize)> = v.iter().enumerate().map(|(i, x)| (key(x), i)).collect();
        s.sort_unstable();
        s.dedup_by_key(|e| e.0);
        s
    };
    let (a, b) = (sorted(old), sorted(new));
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) if x.0 == y.0 => {
                f(x.0, Some(&old[x.1]), Some(&new[y.1]));
                i += 1;
                j += 1;
            }
            (Some(x), y) if y.is_none_or(|y| x.0 < y.0) => {
                f(x.0, Some(&old[x.1]), None);
                i += 1;
            }
            (_, Some(y)) => {
                f(y.0, None, Some(&new[y.1]));
                j += 1;
            }
            (_, None) => break,
        }
    }
}

/// For each checkpoint chunk (steps `k * CHECKPOINT_EVERY ..` the next checkpoint),
/// the cells that some step in it may have changed, sorted: `last_change` replays only
/// the chunks that name its cell. Built once per run by one replay from boot.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhyIndex {
    chunks: Vec<Vec<Cell>>,
}

impl WhyIndex {
    /// The index of `s`, at once (`WhyIndexBuilder` builds it a slice at a time).
    pub fn build(s: &Session) -> WhyIndex {
        WhyIndexBuilder::new(s).finish()
    }

    /// Some step of chunk `chunk` may have changed `cell` (true past the index's end).
    pub fn may_change(&self, chunk: u64, cell: Cell) -> bool {
        self.chunks
            .get(chunk as usize)
            .is_none_or(|c| c.binary_search(&cell).is_ok())
    }

    /// Cells named over all chunks (the index's size).
    pub fn entries(&self) -> usize {
        self.chunks.iter().map(Vec::len).sum()
    }
}

/// A `WhyIndex` being built by one replay from boot, a slice at a time.
pub struct WhyIndexBuilder {
    replay: Replay,
    /// The shown cells of the last state seen, and a buffer for when its procs or
    /// LWPs move.
    seen: Obs,
    moved: Obs,
    /// The cells changed so far in the current chunk, sorted.
    cur: Vec<Cell>,
    chunks: Vec<Vec<Cell>>,
}

impl WhyIndexBuilder {
    pub fn new(s: &Session) -> WhyIndexBuilder {
        let replay = Replay::new(s);
        let mut seen = Obs::default();
        seen.fill_entities(&replay.sim().st);
        seen.update_rest(&replay.sim().st, &mut Vec::new());
        WhyIndexBuilder {
            replay,
            seen,
            moved: Obs::default(),
            cur: Vec::new(),
            chunks: Vec::with_capacity(s.len().div_ceil(CHECKPOINT_EVERY) as usize),
        }
    }

    /// Replay up to `steps` more steps; true once the whole run is in.
    pub fn advance(&mut self, steps: u64) -> bool {
        for _ in 0..steps {
            let Some((pos, changed)) = self.replay.step() else {
                return true;
            };
            // the step from pos - 1 to pos belongs to chunk (pos - 1) / CHECKPOINT_EVERY
            let chunk = ((pos - 1) / CHECKPOINT_EVERY) as usize;
            while self.chunks.len() < chunk {
                self.chunks.push(std::mem::take(&mut self.cur));
            }
            // a line that only moved its own frame's pc changed no shown cell
            if !changed {
                continue;
            }
            let (seen, st) = (&mut self.seen, &self.replay.sim().st);
            if !seen.update_in_place(st, &mut self.cur) {
                self.moved.fill_entities(st);
                seen.diff_entities(&self.moved, &mut self.cur);
                std::mem::swap(&mut seen.procs, &mut self.moved.procs);
                std::mem::swap(&mut seen.lwps, &mut self.moved.lwps);
            }
            seen.update_rest(st, &mut self.cur);
        }
        self.replay.progress().0 >= self.replay.progress().1
    }

    /// (steps replayed, steps in the run).
    pub fn progress(&self) -> (u64, u64) {
        self.replay.progress()
    }

    /// The index (replays whatever is left first).
    pub fn finish(mut self) -> WhyIndex {
        while !self.advance(u64::MAX) {}
        let (pos, _) = self.replay.progress();
        if pos > 0 {
            self.chunks.push(std::mem::take(&mut self.cur));
        }
        WhyIndex {
            chunks: self.chunks,
        }
    }
}
