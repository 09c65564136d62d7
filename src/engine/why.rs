//! "Why is this here?": the step that last changed a cell of the kernel state, the
//! value before it, and so on back to boot. Exact: computed by replaying the trace
//! from its checkpoints, never guessed from events.

use super::session::Session;
use super::sim::Sim;
use super::source;
use super::state::{flag_names, lflag, pflag, KernelState, Pid};
use super::trace::CHECKPOINT_EVERY;
use crate::arch_i386::gdt::NGDT;
use crate::arch_i386::SlotState;
use serde::Serialize;

/// A field of `struct proc` that the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LwpField {
    Stat,
    Flag,
    Addr,
    TssSel,
    Wchan,
}

/// A CPU register (or per-CPU pointer) that the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CpuReg {
    Cr3,
    Tr,
    Esp0,
    Curlwp,
}

/// A kernel list that the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListName {
    Allproc,
    Zombproc,
    Deadprocs,
    Deadlwp,
    Runqueue,
}

/// One cell of the kernel state, named as on the command line: `proc.PID.FIELD`,
/// `lwp.PID.LID.FIELD`, `cpu.N.REG`, `gdt.SLOT`, `uvm_nuarea`, `list.NAME`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

impl Session {
    /// The last position k in 1..=`at` where `cell` changed (its value at k - 1
    /// differs from its value at k), found by replaying checkpoint chunks backwards:
    /// each chunk starts from a stored checkpoint, so no chunk replays more than
    /// `CHECKPOINT_EVERY` steps.
    pub fn last_change(&self, cell: Cell, at: u64) -> Option<u64> {
        let at = at.min(self.len());
        if at == 0 {
            return None;
        }
        let mut start = (at - 1) / CHECKPOINT_EVERY * CHECKPOINT_EVERY;
        loop {
            let end = (start + CHECKPOINT_EVERY).min(at);
            let mut sim: Sim = self.sim_at(start);
            sim.checks = false;
            let mut prev = key(&sim.st, cell);
            let mut last = None;
            for k in start + 1..=end {
                if sim.step().is_none() {
                    break;
                }
                let now = key(&sim.st, cell);
                if now != prev {
                    last = Some(k);
                }
                prev = now;
            }
            if last.is_some() {
                return last;
            }
            if start == 0 {
                return None;
            }
            start -= CHECKPOINT_EVERY;
        }
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
