//! A readable view of the whole kernel state at one instant: what `exitpath state`
//! prints as JSON and what the UI panels show.

use super::design::Design;
use super::func::{Func, NONE};
use super::sim::Sim;
use super::state::*;
use crate::arch_i386::{gdt::NGDT, gsel, SlotState, TSS_SEL_POISON, TSS_SEL_POISON_COMMITTED};
use serde::Serialize;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// `v` as `{:#0Nx}` with `digits` hex digits at least (`0x` then zero-padded), without
/// the formatting machinery: a snapshot formats a few values per LWP, and the UI takes
/// one per step.
fn hex_pad(v: u32, digits: u32) -> String {
    let needed = (32 - v.leading_zeros()).div_ceil(4).max(1);
    let n = needed.max(digits);
    let mut s = String::with_capacity(2 + n as usize);
    s.push_str("0x");
    for i in (0..n).rev() {
        let d = if i < 8 { (v >> (i * 4)) & 0xf } else { 0 };
        s.push(HEX[d as usize] as char);
    }
    s
}

fn hex(v: u32) -> String {
    hex_pad(v, 8)
}

fn push_u32(s: &mut String, mut v: u32) {
    let mut buf = [0u8; 10];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        s.push(b as char);
    }
}

/// `KernelState::lwp_name` ("pid.lid", "idleN", "lwp#N"), with fewer allocations.
fn lwp_name(st: &KernelState, l: LwpIdx) -> String {
    if l >= super::sim::IDLE_OWNER_BASE && l != u32::MAX {
        return st.lwp_name(l);
    }
    match st.lwps.get(l as usize) {
        Some(lwp) => {
            let mut s = String::with_capacity(8);
            push_u32(&mut s, lwp.pid);
            s.push('.');
            push_u32(&mut s, lwp.lid);
            s
        }
        None => st.lwp_name(l),
    }
}

/// The sleep queues (`KernelState::sleep_queues`: channels in order, each queue in
/// wakeup order) in one pass over the LWPs.
fn sleep_queues(st: &KernelState) -> Vec<(Chan, Vec<LwpIdx>)> {
    let mut v: Vec<(Chan, u64, LwpIdx)> = st
        .lwps
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.freed && l.stat == LStat::LSSLEEP)
        .filter_map(|(i, l)| l.wchan.map(|c| (c, l.sleep_seq, i as LwpIdx)))
        .collect();
    v.sort_unstable();
    let mut out: Vec<(Chan, Vec<LwpIdx>)> = Vec::new();
    for (c, _, l) in v {
        match out.last_mut() {
            Some((last, ls)) if *last == c => ls.push(l),
            _ => out.push((c, vec![l])),
        }
    }
    out
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LwpView {
    pub idx: u32,
    pub lid: u32,
    pub stat: LStat,
    pub flags: String,
    pub uarea: String,
    /// Whether the LWP still holds its u-area.
    pub owns_uarea: bool,
    pub tss_sel: String,
    pub wchan: Option<String>,
    pub wmesg: &'static str,
    /// The kernel functions on its stack, outermost first.
    pub kstack: Vec<&'static str>,
    pub kthread: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcView {
    pub pid: u32,
    pub name: String,
    pub ppid: u32,
    pub stat: PStat,
    pub flags: String,
    pub nlwps: u32,
    pub nrlwps: u32,
    pub nzlwps: u32,
    pub children: Vec<u32>,
    pub vmspace: Option<String>,
    pub sigchld: u32,
    pub lwps: Vec<LwpView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SleepQueue {
    pub chan: String,
    /// The channel as a value (channels may print alike: every nanosleep's is
    /// `&nanowait`).
    #[serde(skip)]
    pub id: Chan,
    pub lwps: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UareaCacheView {
    pub nuarea: u32,
    pub max: u32,
    pub list: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlotView {
    pub slot: u16,
    pub sel: String,
    pub state: &'static str,
    pub owner: Option<String>,
    pub just_freed: bool,
    /// A dead LWP still carries this slot's selector (or the DEBUG poison).
    pub poisoned: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GdtView {
    pub size: u16,
    pub count: u16,
    pub next: u16,
    pub ngdt: u16,
    pub free: Vec<u16>,
    pub slots: Vec<SlotView>,
}

/// What %cr3's page directory is, as a value (`CpuView::cr3_state` says it in words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cr3State {
    /// The kernel's own page directory (proc0, kernel threads, the idle loop).
    Kernel,
    /// A live vmspace's page directory, the CPU's own.
    Live,
    /// The CPU's vmspace was freed; its page directory is not yet reused.
    Freed,
    /// The page directory now belongs to another vmspace.
    Reused,
    /// Freed, the page directory back in `pmap_pdp_cache`.
    Stale,
    /// No vmspace has that page directory.
    Unknown,
    /// Freed (or stale) as above, but expected: the CPU still runs the exiting LWP on
    /// its own stack, its process freed the vmspace in its own exit path after
    /// `pmap_deactivate` took this CPU out of `pm_cpus`, and `switch_exit` has yet to
    /// load the kernel's page directory. The patch's exit1 (`pmap_deactivate(l);` then
    /// `uvm_proc_exit(p);`, the `+` lines of the 2003-11-02 patch as
    /// src/engine/source/patch.rs shows them; netbsd-exit-path.md §3.1: "deactivates the
    /// pmap and frees the vmspace") and switch_exit's `mov pcb_cr3 → %cr3` (locore.s
    /// S15, netbsd-exit-path.md §5) make this the design, not a fault (docs/model.md
    /// §5). Without the `pmap_deactivate` (what-if `no_pmap_deactivate`) it stays
    /// `Stale`.
    ExitingOnFreed,
}

impl Cr3State {
    /// How worrying this state is.
    pub fn concern(self) -> Concern {
        match self {
            Cr3State::Reused => Concern::Bad,
            Cr3State::Freed | Cr3State::Stale | Cr3State::Unknown => Concern::Warn,
            Cr3State::ExitingOnFreed => Concern::Expected,
            Cr3State::Kernel | Cr3State::Live => Concern::Fine,
        }
    }
}

/// How worrying a register's state is (the UI shows it as a tone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Concern {
    /// Nothing to say.
    Fine,
    /// Looks wrong but is the design: a transient the kernel relies on (said why).
    Expected,
    /// Something is off (a freed thing still in use outside the expected window).
    Warn,
    /// A fault: the register names something that belongs to another.
    Bad,
}

/// What the GDT slot %tr names is, as a value (`CpuView::tr_state` says it in words).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrState {
    /// The TSS of the LWP the CPU last loaded it for.
    Own,
    /// The slot now holds another LWP's TSS.
    Reused,
    /// The slot was freed (the CPU keeps its cached copy).
    Stale,
    /// A static slot (the idle TSS).
    Static,
    /// Freed (`Stale` above), but expected: the CPU still runs the exiting LWP that
    /// loaded it, and the machine-dependent exit code freed it as its last blocking
    /// call (`cpu_wait(l);  /* MD resources while we can still block: THIS IS LAST
    /// BLOCKING OPERATION */` in the patch's exit1, src/engine/source/patch.rs;
    /// `cpu_lwp_free` in the committed form, netbsd-exit-path.md §3.3), so the LWP
    /// never loads %tr again: `switch_exit` does `ltr` of the idle TSS (locore.s S15,
    /// netbsd-exit-path.md §5) and the CPU runs on its cached copy until then
    /// (docs/model.md §5). A TSS freed anywhere else while still in %tr (what-if
    /// `tss_free_before_exit_lwps`) stays `Stale`.
    ExitingOnFreed,
}

impl TrState {
    /// How worrying this state is.
    pub fn concern(self) -> Concern {
        match self {
            TrState::Reused => Concern::Bad,
            TrState::Stale => Concern::Warn,
            TrState::ExitingOnFreed => Concern::Expected,
            TrState::Own | TrState::Static => Concern::Fine,
        }
    }
}

/// An LWP by its pid and lid (what "pid.lid" names in the text views).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LwpId {
    pub pid: u32,
    pub lid: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CpuView {
    pub id: u8,
    pub cr3: String,
    /// What %cr3's page directory is: "live", "cached (freed vmspace)" ...
    pub cr3_state: String,
    /// The same as a value, for the UI's tones.
    #[serde(skip)]
    pub cr3_kind: Cr3State,
    pub tr: String,
    pub tr_state: String,
    /// The same as a value.
    #[serde(skip)]
    pub tr_kind: TrState,
    pub esp0: String,
    pub kstack: String,
    pub curlwp: Option<String>,
    pub curpcb: String,
    pub eflags_if: bool,
    pub may_sleep: bool,
    pub why_not: Option<String>,
    pub spin_locks: u8,
    pub proclist_locked: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Snapshot {
    pub step: u64,
    pub design: Design,
    pub procs: Vec<ProcView>,
    pub allproc: Vec<u32>,
    pub zombproc: Vec<u32>,
    pub deadprocs: Vec<u32>,
    pub deadlwp: Vec<String>,
    pub zomblwp: Vec<String>,
    pub runq: Vec<String>,
    pub sleepq: Vec<SleepQueue>,
    pub uarea_cache: UareaCacheView,
    pub kernel_map: Vec<String>,
    pub gdt: GdtView,
    pub cpu: CpuView,
    pub cpus: Vec<CpuView>,
    pub biglock: Option<String>,
    pub ticks: u64,
    pub counters: Counters,
    pub finished: bool,
    pub panic: Option<String>,
}

impl Snapshot {
    pub fn of(sim: &Sim) -> Snapshot {
        let st = &sim.st;
        let name = |l: LwpIdx| lwp_name(st, l);
        // The selectors live LWPs still carry (a free slot with one is poisoned).
        let mut held: Vec<u32> = st
            .lwps
            .iter()
            .filter(|l| !l.freed)
            .map(|l| l.tss_sel)
            .collect();
        held.sort_unstable();
        let procs = st
            .procs
            .iter()
            .map(|p| ProcView {
                pid: p.pid,
                name: super::narrate::proc_name(sim, p),
                ppid: p.pptr,
                stat: p.stat,
                flags: flag_names(p.flags, &pflag::NAMES),
                nlwps: p.nlwps,
                nrlwps: p.nrlwps,
                nzlwps: p.nzlwps,
                children: p.children.clone(),
                vmspace: p.vmspace.map(|v| {
                    let vm = &st.vmspaces[v as usize];
                    format!(
                        "pdir {}{}",
                        hex(vm.pdirpa),
                        if vm.freed { " (freed)" } else { "" }
                    )
                }),
                sigchld: p.sigchld,
                lwps: p
                    .lwps
                    .iter()
                    .filter_map(|&l| st.lwp(l).map(|lw| (l, lw)))
                    .map(|(l, lw)| LwpView {
                        idx: l,
                        lid: lw.lid,
                        stat: lw.stat,
                        flags: flag_names(lw.flags, &lflag::NAMES),
                        uarea: hex(lw.uarea),
                        owns_uarea: lw.owns_uarea,
                        tss_sel: hex_pad(lw.tss_sel, 1),
                        wchan: lw.wchan.map(|c| c.name()),
                        wmesg: lw.wmesg,
                        kstack: lw.kstack.iter().map(|f| f.func.name()).collect(),
                        kthread: lw.kthread.is_some(),
                    })
                    .collect(),
            })
            .collect();
        let slots = st
            .gdt
            .slots
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let slot = NGDT + i as u16;
                let sel = gsel(slot) as u32;
                let poisoned = matches!(s, SlotState::Free) && held.binary_search(&sel).is_ok();
                SlotView {
                    slot,
                    sel: hex_pad(sel, 4),
                    state: match s {
                        SlotState::Free => "free",
                        SlotState::Tss(_) => "tss",
                    },
                    owner: match s {
                        SlotState::Tss(o) => Some(name(*o)),
                        SlotState::Free => None,
                    },
                    just_freed: st.gdt.last_freed == Some(slot) && matches!(s, SlotState::Free),
                    poisoned,
                }
            })
            .collect();
        let cpus: Vec<CpuView> = (0..st.cpus.len()).map(|c| cpu_view(sim, c)).collect();
        Snapshot {
            step: sim.step_no,
            design: sim.cfg.design,
            procs,
            allproc: st.allproc.clone(),
            zombproc: st.zombproc.clone(),
            deadprocs: st.deadprocs.clone(),
            deadlwp: st.deadlwp.iter().map(|&l| name(l)).collect(),
            zomblwp: st.zomblwp.iter().map(|&l| name(l)).collect(),
            runq: st.runq.iter().map(|&l| name(l)).collect(),
            sleepq: sleep_queues(st)
                .into_iter()
                .map(|(c, ls)| SleepQueue {
                    chan: c.name(),
                    id: c,
                    lwps: ls.into_iter().map(name).collect(),
                })
                .collect(),
            uarea_cache: UareaCacheView {
                nuarea: st.uvm_nuarea,
                max: st.uvm_nuarea_max,
                list: st.uarea_cache.iter().map(|&a| hex(a)).collect(),
            },
            kernel_map: st.kernel_map.iter().map(|&a| hex(a)).collect(),
            gdt: GdtView {
                size: st.gdt.size,
                count: st.gdt.count,
                next: st.gdt.next,
                ngdt: NGDT,
                free: st.gdt.free.clone(),
                slots,
            },
            cpu: cpus[0].clone(),
            cpus,
            biglock: st.biglock.holder.map(name),
            ticks: st.ticks,
            counters: st.counters.clone(),
            finished: st.finished,
            panic: st.panic.clone(),
        }
    }
}

fn cpu_view(sim: &Sim, c: usize) -> CpuView {
    let st = &sim.st;
    let cpu = &st.cpus[c];
    let r = &cpu.regs;
    let (cr3_kind, cr3_state) = match st.pdir_owner(r.cr3) {
        Some(PdirState::Live(0)) => (Cr3State::Kernel, "kernel page directory".to_string()),
        Some(PdirState::Live(v)) if Some(v) == cpu.cr3_vm => {
            let owner = st
                .procs
                .iter()
                .find(|p| p.vmspace == Some(v) && p.pid > 2)
                .map(|p| p.pid);
            match (owner, st.vmspaces[v as usize].freed) {
                (_, true) => (Cr3State::Freed, "vmspace freed".into()),
                (Some(pid), false) => (Cr3State::Live, format!("pid {pid}'s page directory")),
                (None, false) => (Cr3State::Live, "live".into()),
            }
        }
        Some(PdirState::Live(_)) => (Cr3State::Reused, "REUSED by another vmspace".into()),
        Some(PdirState::Cached) => (
            Cr3State::Stale,
            "stale: vmspace freed, page directory in pmap_pdp_cache".into(),
        ),
        None => (Cr3State::Unknown, "unknown".into()),
    };
    let expected = matches!(cr3_kind, Cr3State::Freed | Cr3State::Stale)
        && cpu
            .cr3_vm
            .is_some_and(|v| exiting_on_own_freed_vm(st, c, v));
    // Freed while this CPU was still in the pmap's pm_cpus: no pmap_deactivate ran.
    let still_active = matches!(cr3_kind, Cr3State::Freed | Cr3State::Stale)
        && cpu.cr3_vm.is_some_and(|v| {
            st.vmspaces
                .get(v as usize)
                .is_some_and(|vm| vm.pm_cpus & r.mask() != 0)
        });
    let (cr3_kind, cr3_state) = if expected {
        (
            Cr3State::ExitingOnFreed,
            "expected: its own vmspace, freed after pmap_deactivate; the exiting LWP runs on until switch_exit loads the kernel's page directory".into(),
        )
    } else if still_active {
        (
            cr3_kind,
            format!(
                "{cr3_state}; freed while this CPU was still in its pm_cpus (no pmap_deactivate)"
            ),
        )
    } else {
        (cr3_kind, cr3_state)
    };
    let slot = crate::arch_i386::idxsel(r.tr);
    let (tr_kind, tr_state) = match st.gdt.state(slot) {
        Some(SlotState::Tss(o)) if Some(o) == cpu.tr_owner => {
            (TrState::Own, format!("TSS of {}", st.lwp_name(o)))
        }
        Some(SlotState::Tss(o)) => (
            TrState::Reused,
            format!("REUSED: slot now holds the TSS of {}", st.lwp_name(o)),
        ),
        Some(SlotState::Free) => (
            TrState::Stale,
            "stale: slot freed (the CPU keeps its cached copy)".into(),
        ),
        None => (TrState::Static, "static".into()),
    };
    let (tr_kind, tr_state) = match (tr_kind, exiting_after_md_free(st, c)) {
        (TrState::Stale, Some(by)) => (
            TrState::ExitingOnFreed,
            format!("expected: slot freed by {by}, the last blocking call; the exiting LWP runs on the CPU's cached copy until switch_exit loads the idle TSS"),
        ),
        (k, _) => (k, tr_state),
    };
    let why = sim.no_sleep_reason(c, false);
    CpuView {
        id: r.id,
        cr3: hex(r.cr3),
        cr3_state,
        cr3_kind,
        tr: hex_pad(r.tr.into(), 4),
        tr_state,
        tr_kind,
        esp0: hex(r.esp0),
        kstack: hex(r.kstack),
        curlwp: cpu.curlwp.map(|l| st.lwp_name(l)),
        curpcb: hex(r.curpcb),
        eflags_if: r.eflags_if,
        may_sleep: why.is_none(),
        why_not: why.map(str::to_string),
        spin_locks: cpu.spin_locks,
        proclist_locked: cpu.proclist_locked,
    }
}

/// The exiting LWP CPU `c` still runs for: the one on whose kernel stack it runs, or,
/// once `switch_exit` has moved onto the idle PCB's stack (before it loads %cr3 and
/// %tr), the dead LWP that `switch_exit` was called for. An LWP on its own stack is
/// exiting when `exit1` or `lwp_exit` is on that stack.
fn exiting_lwp(st: &KernelState, c: usize) -> Option<(LwpIdx, &Lwp)> {
    let cpu = &st.cpus[c];
    match cpu.on_stack {
        Some(idx) => {
            let l = st.lwp(idx)?;
            let exiting = l
                .kstack
                .iter()
                .any(|f| matches!(f.func, Func::exit1 | Func::lwp_exit));
            exiting.then_some((idx, l))
        }
        None => {
            let idx = cpu
                .idle_frames
                .last()
                .filter(|f| f.func == Func::switch_exit)?
                .l;
            Some((idx, st.lwp(idx)?))
        }
    }
}

/// %cr3 holds vmspace `v`, freed, and that is expected: CPU `c` still runs an LWP of
/// the exiting process that owned `v`, and `pmap_deactivate` took `c` out of its
/// `pm_cpus` before the free (`Cr3State::ExitingOnFreed`).
fn exiting_on_own_freed_vm(st: &KernelState, c: usize, v: u32) -> bool {
    let cpu = &st.cpus[c];
    let Some((_, l)) = exiting_lwp(st, c) else {
        return false;
    };
    let deactivated = st
        .vmspaces
        .get(v as usize)
        .is_some_and(|vm| vm.freed && vm.pm_cpus & cpu.regs.mask() == 0);
    deactivated && st.proc(l.pid).is_some_and(|p| p.vmspace == Some(v))
}

/// The machine-dependent exit function that freed the TSS %tr of CPU `c` still names,
/// when that is expected (`TrState::ExitingOnFreed`): the CPU runs the exiting LWP
/// that loaded %tr, and that LWP's `cpu_wait` / `cpu_lwp_free` has run (its
/// md_tss_sel carries the DEBUG poison that function's last line writes) or is
/// running.
fn exiting_after_md_free(st: &KernelState, c: usize) -> Option<&'static str> {
    let (idx, l) = exiting_lwp(st, c)?;
    if st.cpus[c].tr_owner != Some(idx) {
        return None;
    }
    let md = [Func::cpu_wait, Func::cpu_lwp_free];
    if let Some(f) = l.kstack.iter().rev().find(|f| md.contains(&f.func)) {
        return Some(f.func.name());
    }
    match l.tss_sel {
        TSS_SEL_POISON => Some(Func::cpu_wait.name()),
        TSS_SEL_POISON_COMMITTED => Some(Func::cpu_lwp_free.name()),
        _ => None,
    }
}

/// `NONE` as an optional LWP.
pub fn lwp_opt(l: u32) -> Option<u32> {
    (l != NONE).then_some(l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{library, scenario, Design};

    #[test]
    fn the_fast_formatters_print_what_format_prints() {
        for v in [
            0u32,
            1,
            9,
            10,
            15,
            16,
            0x30,
            0xfff,
            0x1000,
            0xdead_beef,
            u32::MAX,
        ] {
            assert_eq!(hex(v), format!("{v:#010x}"));
            assert_eq!(hex_pad(v, 4), format!("{v:#06x}"));
            assert_eq!(hex_pad(v, 1), format!("{v:#x}"));
            let mut s = String::new();
            push_u32(&mut s, v);
            assert_eq!(s, v.to_string());
        }
    }

    #[test]
    fn names_and_sleep_queues_match_the_kernel_states_own() {
        for b in library::BUILTINS {
            let sc = scenario::parse(b.text).unwrap();
            for design in Design::ALL {
                let mut sim = Sim::new(&sc, Some(design));
                for _ in 0..3000 {
                    if sim.step_no.is_multiple_of(97) {
                        let st = &sim.st;
                        assert_eq!(sleep_queues(st), st.sleep_queues(), "{}", b.id);
                        for l in 0..st.lwps.len() as u32 {
                            assert_eq!(lwp_name(st, l), st.lwp_name(l));
                        }
                    }
                    if sim.step().is_none() {
                        break;
                    }
                }
            }
        }
    }
}
