//! The checks run after every micro-step (safety: stacks, %cr3, %tr, u-area
//! conservation; bookkeeping: counts and lists, outside critical sections) and at the
//! end of a run (zombies nobody will reap, LWPs asleep forever).

use super::sim::{Sim, DIRTY_PROCS, DIRTY_UAREA};
use super::state::*;
use super::trace::{Check, Event};
use crate::arch_i386::{idxsel, SlotState};

/// The part of a CPU's context the per-CPU checks read.
struct CpuView {
    regs: crate::arch_i386::Cpu,
    on_stack: Option<LwpIdx>,
    tr_owner: Option<LwpIdx>,
    cr3_vm: Option<u32>,
}

/// Buffers the checks reuse from one call to the next, so a check allocates nothing:
/// the held u-areas, and which list each pid is on. Not state: a clone starts empty.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    held: Vec<u32>,
    /// Per pid, bit 0 allproc and bit 1 zombproc; all zero between checks.
    on: Vec<u8>,
    /// Per pid, SZOMB; all false between checks.
    zomb: Vec<bool>,
    /// The pids set in `zomb`.
    marked: Vec<Pid>,
    /// (pid, the child it waits for or 0 for any) of each LWP asleep in wait4.
    waiting: Vec<(Pid, Pid)>,
    /// Per kernel_map slot (`uarea_verdicts`); all zero between checks.
    slots: Vec<u8>,
}

impl Clone for Scratch {
    fn clone(&self) -> Scratch {
        Scratch::default()
    }
}

impl Sim {
    /// Report `check` when `cond` becomes true for `key`; forget it when false.
    fn edge(&mut self, check: Check, key: u32, cond: bool, msg: impl FnOnce(&Sim) -> String) {
        let pos = self
            .active
            .iter()
            .position(|&(c, k)| c == check && k == key);
        match (cond, pos) {
            (true, None) => {
                self.active.push((check, key));
                let m = msg(self);
                self.finding(check, m);
            }
            (false, Some(i)) => {
                self.active.swap_remove(i);
            }
            _ => {}
        }
    }

    /// Code on `cpu` is inside a critical section: bookkeeping may be mid-update.
    fn critical(&self, cpu: usize) -> bool {
        let c = &self.st.cpus[cpu];
        c.spin_locks > 0
            || c.proclist_locked
            || c.critical > 0
            || (c.on_stack.is_none() && c.idle_frames.len() > 1)
    }

    pub(crate) fn check_step(&mut self, cpu: usize) {
        for c in 0..self.st.cpus.len() {
            self.check_cpu(c);
        }
        let _ = cpu;
        // Which checks run (the state decides, not the checks before them), then one
        // walk over the LWPs for the u-areas they hold and the ones asleep in wait4.
        let uareas = self.dirty & DIRTY_UAREA != 0;
        let any_critical = (0..self.st.cpus.len()).any(|c| self.critical(c));
        let books = self.dirty & (DIRTY_PROCS | DIRTY_UAREA) != 0 && !any_critical;
        let wakeups = matches!(self.ev.0, Event::Switch | Event::ToIdle | Event::Finished)
            && !(0..self.st.cpus.len()).any(|c| self.in_exit_path(c));
        let mut held = std::mem::take(&mut self.scratch.held);
        let mut waiting = std::mem::take(&mut self.scratch.waiting);
        held.clear();
        waiting.clear();
        if uareas || wakeups {
            for l in self.st.lwps.iter().filter(|l| !l.freed) {
                if uareas && l.owns_uarea && l.uarea != super::sim::PROC0_UAREA {
                    held.push(l.uarea);
                }
                if wakeups && l.stat == LStat::LSSLEEP && l.wchan == Some(Chan::Proc(l.pid)) {
                    if let Some(f) = l
                        .kstack
                        .iter()
                        .find(|f| f.func == super::func::Func::find_stopped_child)
                    {
                        waiting.push((l.pid, f.arg));
                    }
                }
            }
        }
        if uareas {
            self.check_uareas(&mut held);
        }
        // Whether a pid is a zombie, for the wakeups: looked up per child for a few
        // children, from a per-pid table for many (init's orphans), filled by the books'
        // walk over the procs when they run.
        let table = wakeups
            && waiting
                .iter()
                .filter_map(|&(pid, _)| self.st.proc(pid))
                .map(|p| p.children.len())
                .sum::<usize>()
                > 32;
        if books {
            self.check_books(table);
        } else if table {
            self.mark_zombies();
        }
        if wakeups {
            self.check_wakeups(&waiting, table);
        }
        self.scratch.held = held;
        self.scratch.waiting = waiting;
    }

    /// Fills the per-pid zombie table (`Scratch::zomb`) from the procs.
    fn mark_zombies(&mut self) {
        let Scratch { zomb, marked, .. } = &mut self.scratch;
        if zomb.is_empty() {
            zomb.resize(super::sim::PID_MAX as usize + 1, false);
        }
        for p in self.st.procs.iter().filter(|p| p.stat == PStat::SZOMB) {
            if let Some(z) = zomb.get_mut(p.pid as usize) {
                *z = true;
                marked.push(p.pid);
            }
        }
    }

    /// Every state check at once, whatever the last step touched: `exitpath forkpy`
    /// runs them after each action instead of after each micro-step.
    pub(crate) fn check_state(&mut self) {
        let (dirty, ev) = (self.dirty, self.ev);
        self.dirty = DIRTY_PROCS | DIRTY_UAREA;
        self.ev = (Event::Switch, 0);
        self.check_step(0);
        self.dirty = dirty;
        self.ev = ev;
    }

    /// Code on `cpu` is between making a process a zombie and waking its parent.
    fn in_exit_path(&self, cpu: usize) -> bool {
        use super::func::Func;
        let c = &self.st.cpus[cpu];
        let frames: &[super::func::Frame] = match c.on_stack {
            Some(l) => &self.st.lwps[l as usize].kstack,
            None => &c.idle_frames,
        };
        c.critical > 0
            || frames.iter().any(|f| {
                matches!(
                    f.func,
                    Func::exit1
                        | Func::lwp_exit
                        | Func::switch_exit
                        | Func::exit2
                        | Func::lwp_exit2
                )
            })
    }

    /// At a context switch every exit has finished notifying: a parent asleep in
    /// wait4 while a child it waits for is a zombie has lost its wakeup.
    fn check_wakeups(&mut self, waiting: &[(Pid, Pid)], table: bool) {
        let mut lost: Vec<(u32, String)> = Vec::new();
        let zomb = &self.scratch.zomb;
        let is_zombie = |c: Pid| match table {
            true => zomb.get(c as usize).copied().unwrap_or(false),
            false => self.st.proc(c).is_some_and(|c| c.stat == PStat::SZOMB),
        };
        for &(pid, want) in waiting {
            let Some(p) = self.st.proc(pid) else {
                continue;
            };
            let found = p
                .children
                .iter()
                .copied()
                .filter(|&c| want == 0 || c == want)
                .find(|&c| is_zombie(c));
            if let Some(c) = found {
                lost.push((p.pid, format!("lost wakeup: pid {} sleeps in wait4 although its child pid {c} is a zombie", p.pid)));
            }
        }
        // Leave the table all false for the next call.
        let Scratch { zomb, marked, .. } = &mut self.scratch;
        for pid in marked.drain(..) {
            if let Some(z) = zomb.get_mut(pid as usize) {
                *z = false;
            }
        }
        let pids: Vec<u32> = lost.iter().map(|(p, _)| *p).collect();
        for (pid, msg) in lost {
            self.edge(Check::LostWakeup, pid, true, |_| msg);
        }
        let stale: Vec<u32> = self
            .active
            .iter()
            .filter(|(c, k)| *c == Check::LostWakeup && !pids.contains(k))
            .map(|(_, k)| *k)
            .collect();
        for k in stale {
            self.edge(Check::LostWakeup, k, false, |_| String::new());
        }
    }

    fn check_cpu(&mut self, cpu: usize) {
        // what the checks read, without the idle frames (no allocation per step)
        let c = {
            let x = &self.st.cpus[cpu];
            CpuView {
                regs: x.regs.clone(),
                on_stack: x.on_stack,
                tr_owner: x.tr_owner,
                cr3_vm: x.cr3_vm,
            }
        };
        let key = cpu as u32;
        // The kernel stack in use must belong to the LWP that runs on it.
        let bad_stack = match c.on_stack {
            Some(l) => {
                let lw = &self.st.lwps[l as usize];
                lw.freed || !lw.owns_uarea || lw.uarea != c.regs.kstack
            }
            None => c.regs.kstack != c.regs.idle_pcb,
        };
        self.edge(Check::RunOnFreedUarea, key, bad_stack, |s| {
            let ua = c.regs.kstack;
            let where_ = if s.st.uarea_cache.contains(&ua) {
                "which is on the u-area cache list: the next fork may take it".to_string()
            } else if s.st.kernel_map.binary_search(&ua).is_err() {
                "which was returned to kernel_map".to_string()
            } else {
                "which its LWP no longer owns".to_string()
            };
            format!("cpu{cpu} runs on the kernel stack in u-area {ua:#010x}, {where_}")
        });
        // %cr3 must not name a page directory that another vmspace now uses.
        let reused = matches!(self.st.pdir_owner(c.regs.cr3), Some(PdirState::Live(v)) if Some(v) != c.cr3_vm);
        self.edge(Check::Cr3Reused, key, reused, |_| {
            format!("cpu{cpu}'s %cr3 ({:#010x}) names a page directory that now belongs to another vmspace", c.regs.cr3)
        });
        // %tr must not name a TSS slot now owned by someone else. Not a fault: the CPU
        // keeps using the base and limit it cached at its last `ltr` (the exiting LWP's
        // PCB, still in its u-area) until switch_exit loads the idle TSS.
        let slot = idxsel(c.regs.tr);
        let tr_reused =
            matches!(self.st.gdt.state(slot), Some(SlotState::Tss(o)) if Some(o) != c.tr_owner);
        self.edge(Check::TrReused, key, tr_reused, |s| {
            format!(
                "cpu{cpu}'s %tr ({:#06x}) names GDT slot {slot}, which tss_alloc has given to {}; \
                 the CPU still uses the TSS it cached at its last ltr, but the descriptor in the GDT is no longer its own",
                c.regs.tr,
                match s.st.gdt.state(slot) {
                    Some(SlotState::Tss(o)) => match s.st.lwps.get(o as usize) {
                        Some(l) if l.lid == 0 => format!("a new LWP of pid {}", l.pid),
                        _ => format!("LWP {}", s.st.lwp_name(o)),
                    },
                    _ => "another owner".into(),
                }
            )
        });
        let dead_lock = self
            .st
            .biglock
            .holder
            .is_some_and(|h| self.st.lwp(h).is_none());
        self.edge(Check::BigLockDeadOwner, 1000, dead_lock, |_| {
            "the big lock is held by an LWP that no longer exists".into()
        });
    }

    /// Every u-area allocated in kernel_map is held by exactly one of: an LWP, the
    /// cache list, a frame between owners. The cache holds only allocated u-areas.
    fn check_uareas(&mut self, held: &mut Vec<u32>) {
        held.extend(
            self.st
                .cpus
                .iter()
                .map(|c| c.regs.idle_pcb)
                .filter(|&a| a != super::sim::PROC0_UAREA),
        );
        held.extend_from_slice(&self.st.uarea_cache);
        held.extend_from_slice(&self.st.inflight);
        let mut slots = std::mem::take(&mut self.scratch.slots);
        let (twice, freed, leak) = uarea_verdicts(held, &self.st.kernel_map, &mut slots);
        self.scratch.slots = slots;
        self.edge(Check::UareaTwice, 0, twice.is_some(), |s| {
            let ua = twice.unwrap_or(0);
            let mut places = Vec::new();
            for l in
                s.st.lwps
                    .iter()
                    .filter(|l| !l.freed && l.owns_uarea && l.uarea == ua)
            {
                places.push(format!("in use by LWP {}.{}", l.pid, l.lid));
            }
            let n = s.st.uarea_cache.iter().filter(|&&a| a == ua).count();
            if n > 0 {
                places.push(format!(
                    "on the cache list{}",
                    if n > 1 {
                        format!(" {n} times")
                    } else {
                        String::new()
                    }
                ));
            }
            format!(
                "u-area {ua:#010x} is in two places at once: {}",
                places.join(" and ")
            )
        });
        self.edge(Check::UareaDoubleFree, 1, freed.is_some(), |_| {
            format!(
                "u-area {:#010x} is still in use or cached after uvm_km_free gave it back",
                freed.unwrap_or(0)
            )
        });

        self.edge(Check::UareaLeak, 0, leak.is_some(), |_| {
            format!(
                "u-area {:#010x} is allocated in kernel_map but nobody holds it",
                leak.unwrap_or(0)
            )
        });
        let nuarea_bad = self.st.uvm_nuarea as usize != self.st.uarea_cache.len();
        self.edge(Check::NuareaMismatch, 0, nuarea_bad, |s| {
            format!(
                "uvm_nuarea is {} but the cache list holds {}",
                s.st.uvm_nuarea,
                s.st.uarea_cache.len()
            )
        });
    }

    /// p_nlwps / p_nrlwps / p_nzlwps match the LWPs; allproc / zombproc match p_stat.
    fn check_books(&mut self, mark_zombies: bool) {
        let mut bad_count: Option<String> = None;
        let mut bad_list: Option<String> = None;
        // Which list each pid is on (bit 0 allproc, bit 1 zombproc), for many processes:
        // linear, not quadratic, in their number. A few are simply searched.
        let many = self.st.procs.len() > 64;
        let mut on = std::mem::take(&mut self.scratch.on);
        if many {
            on.resize(super::sim::PID_MAX as usize + 1, 0);
            for &pid in &self.st.allproc {
                if let Some(b) = on.get_mut(pid as usize) {
                    *b |= 1;
                }
            }
            for &pid in &self.st.zombproc {
                if let Some(b) = on.get_mut(pid as usize) {
                    *b |= 2;
                }
            }
        }
        let on_list = if many { &on[..] } else { &[][..] };
        let Scratch { zomb, marked, .. } = &mut self.scratch;
        if mark_zombies && zomb.is_empty() {
            zomb.resize(super::sim::PID_MAX as usize + 1, false);
        }
        let listed = |pid: Pid, bit: u8, list: &[Pid]| match on_list.get(pid as usize) {
            Some(b) => b & bit != 0,
            None => list.contains(&pid),
        };
        for p in &self.st.procs {
            if mark_zombies && p.stat == PStat::SZOMB {
                if let Some(z) = zomb.get_mut(p.pid as usize) {
                    *z = true;
                    marked.push(p.pid);
                }
            }
            let (mut n, mut r, mut z) = (0u32, 0u32, 0u32);
            for &l in &p.lwps {
                let Some(lw) = self.st.lwp(l) else { continue };
                // not counted: the patch's last LWP (L_PROCEXIT); in `committed`, a
                // detached LWP past lwp_exit/exit1, waiting for lwp_exit2 to unlink it
                if lw.flags & lflag::L_PROCEXIT == 0 && !lw.awaits_unlink(self.cfg.design) {
                    n += 1;
                }
                if matches!(lw.stat, LStat::LSRUN | LStat::LSONPROC) {
                    r += 1;
                }
                if lw.stat == LStat::LSZOMB && lw.flags & lflag::L_DETACHED == 0 {
                    z += 1;
                }
            }
            if bad_count.is_none() && (n, r, z) != (p.nlwps, p.nrlwps, p.nzlwps) {
                bad_count = Some(format!(
                    "pid {}: p_nlwps/p_nrlwps/p_nzlwps are {}/{}/{} but its LWPs say {n}/{r}/{z}",
                    p.pid, p.nlwps, p.nrlwps, p.nzlwps
                ));
            }
            let on_all = listed(p.pid, 1, &self.st.allproc);
            let on_zomb = listed(p.pid, 2, &self.st.zombproc);
            let ok = match p.stat {
                PStat::SIDL => !on_all || !on_zomb,
                PStat::SACTIVE | PStat::SSTOP => on_all && !on_zomb,
                PStat::SZOMB | PStat::SDEAD => on_zomb && !on_all,
            };
            if bad_list.is_none() && !ok {
                bad_list = Some(format!(
                    "pid {} is {:?} but is {} allproc and {} zombproc",
                    p.pid,
                    p.stat,
                    if on_all { "on" } else { "not on" },
                    if on_zomb { "on" } else { "not on" }
                ));
            }
        }
        // Leave the buffer all zero for the next call.
        for &pid in self.st.allproc.iter().chain(&self.st.zombproc) {
            if let Some(b) = on.get_mut(pid as usize) {
                *b = 0;
            }
        }
        self.scratch.on = on;
        self.edge(Check::CountMismatch, 0, bad_count.is_some(), |_| {
            bad_count.clone().unwrap_or_default()
        });
        self.edge(Check::ListMismatch, 0, bad_list.is_some(), |_| {
            bad_list.clone().unwrap_or_default()
        });
    }

    /// At the end: zombies nobody will reap, dead procs the reaper never saw, LWPs
    /// asleep with nobody left to wake them.
    pub(crate) fn check_end(&mut self) {
        if self.st.panic.is_some() {
            return;
        }
        let mut found = Vec::new();
        for p in &self.st.procs {
            match p.stat {
                PStat::SZOMB => {
                    let why = match self.st.proc(p.pptr) {
                        Some(pp)
                            if pp.lwps.iter().any(|&l| {
                                self.st
                                    .lwp(l)
                                    .is_some_and(|l| l.wchan == Some(Chan::Proc(pp.pid)))
                            }) =>
                        {
                            format!(
                                "its parent pid {} sleeps in wait4 and nobody will wake it",
                                pp.pid
                            )
                        }
                        Some(pp) => format!("its parent pid {} never waits for it", pp.pid),
                        None => "it has no parent".into(),
                    };
                    found.push((
                        Check::ZombieUnreaped,
                        format!(
                            "pid {} ({}) is a zombie that nobody will reap: {why}",
                            p.pid,
                            self.prog.block_name(p.block)
                        ),
                    ));
                }
                PStat::SDEAD => found.push((
                    Check::ZombieUnreaped,
                    format!("pid {} is still SDEAD: the reaper never finished it", p.pid),
                )),
                _ => {}
            }
        }
        for (i, l) in self.st.lwps.iter().enumerate() {
            if l.freed || l.kthread.is_some() || l.pid == 0 || l.stat != LStat::LSSLEEP {
                continue;
            }
            if l.pid == 1 && l.wchan == Some(Chan::Proc(1)) {
                continue;
            }
            let chan = l.wchan.map(|c| c.name()).unwrap_or_default();
            found.push((
                Check::SleepForever,
                format!(
                    "LWP {} sleeps on {chan} (\"{}\") and nobody will wake it",
                    self.st.lwp_name(i as LwpIdx),
                    l.wmesg
                ),
            ));
        }
        for (c, m) in found {
            self.finding(c, m);
        }
    }
}

/// Slots of `uarea_verdicts`' table past which an address is sorted instead.
const SLOTS_MAX: u32 = 1 << 16;

/// The u-area books in one go, for `held` (every u-area someone holds, in any order,
/// repeats allowed) and `kernel_map` (sorted, no repeats): the lowest address held
/// twice, the lowest held but not allocated (freed), the lowest allocated but not held
/// (leak). What sorting `held` and walking both lists gives, without the sort:
/// alloc_kva hands out `KVA_UAREA_BASE + k * USPACE`, so each address of that form
/// (k below SLOTS_MAX) has a slot in `slots` (bits 0-1: how often held, up to 2; bit
/// 2: allocated), walked once in address order; any other address is sorted apart
/// (none, unless a bug made one). `held` is left in an unspecified order and `slots`
/// all zero.
fn uarea_verdicts(
    held: &mut Vec<u32>,
    kernel_map: &[u32],
    slots: &mut Vec<u8>,
) -> (Option<u32>, Option<u32>, Option<u32>) {
    use super::sim::KVA_UAREA_BASE;
    use crate::arch_i386::USPACE;
    let slot = |a: u32| {
        let k = a.checked_sub(KVA_UAREA_BASE)?;
        (k % USPACE == 0 && k / USPACE < SLOTS_MAX).then_some((k / USPACE) as usize)
    };
    let addr = |k: usize| KVA_UAREA_BASE + k as u32 * USPACE;
    let mut top = 0usize;
    let mut odd_alloc: Vec<u32> = Vec::new();
    for &a in kernel_map {
        match slot(a) {
            Some(k) => {
                if slots.len() <= k {
                    slots.resize(k + 1, 0);
                }
                slots[k] |= 4;
                top = top.max(k + 1);
            }
            None => odd_alloc.push(a),
        }
    }
    // `held` keeps only the odd addresses.
    held.retain(|&a| match slot(a) {
        Some(k) => {
            if slots.len() <= k {
                slots.resize(k + 1, 0);
            }
            if slots[k] & 3 < 2 {
                slots[k] += 1;
            }
            top = top.max(k + 1);
            false
        }
        None => true,
    });
    let (mut twice, mut freed, mut leak) = (None, None, None);
    for (k, b) in slots.iter_mut().enumerate().take(top) {
        let (n, alloc) = (*b & 3, *b & 4 != 0);
        if n >= 2 && twice.is_none() {
            twice = Some(addr(k));
        }
        if n >= 1 && !alloc && freed.is_none() {
            freed = Some(addr(k));
        }
        if n == 0 && alloc && leak.is_none() {
            leak = Some(addr(k));
        }
        *b = 0;
    }
    if !held.is_empty() || !odd_alloc.is_empty() {
        held.sort_unstable();
        let low = |x: Option<u32>, y: Option<u32>| match (x, y) {
            (Some(x), Some(y)) => Some(x.min(y)),
            _ => x.or(y),
        };
        let twice_odd = held.windows(2).find(|w| w[0] == w[1]).map(|w| w[0]);
        let (freed_odd, leak_odd) = unmatched(held, &odd_alloc);
        twice = low(twice, twice_odd);
        freed = low(freed, freed_odd);
        leak = low(leak, leak_odd);
    }
    (twice, freed, leak)
}

/// For two sorted lists (`held` may repeat an address, `kernel_map` does not): the
/// first address of `held` missing from `kernel_map`, and the first of `kernel_map`
/// missing from `held`. Linear, where a binary search per element was n log n.
fn unmatched(held: &[u32], kernel_map: &[u32]) -> (Option<u32>, Option<u32>) {
    let (mut i, mut j) = (0, 0);
    let (mut freed, mut leak) = (None, None);
    loop {
        match (held.get(i).copied(), kernel_map.get(j).copied()) {
            (Some(h), Some(k)) if h == k => {
                while held.get(i) == Some(&h) {
                    i += 1;
                }
                j += 1;
            }
            (Some(h), Some(k)) if h < k => {
                freed = freed.or(Some(h));
                i += 1;
            }
            (Some(h), None) => {
                freed = freed.or(Some(h));
                i += 1;
            }
            (_, Some(k)) => {
                leak = leak.or(Some(k));
                j += 1;
            }
            (None, None) => return (freed, leak),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{uarea_verdicts, unmatched};
    use crate::arch_i386::USPACE;
    use crate::engine::sim::KVA_UAREA_BASE;

    /// What the books said before `uarea_verdicts`: sort, then walk.
    fn sorted(held: &[u32], kernel_map: &[u32]) -> (Option<u32>, Option<u32>, Option<u32>) {
        let mut h = held.to_vec();
        h.sort_unstable();
        let twice = h.windows(2).find(|w| w[0] == w[1]).map(|w| w[0]);
        let (freed, leak) = unmatched(&h, kernel_map);
        (twice, freed, leak)
    }

    #[test]
    fn uarea_verdicts_agree_with_sorting() {
        let mut x: u64 = 7;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % n
        };
        let mut slots = Vec::new();
        for _ in 0..20_000 {
            let addr = |k: u64, odd: bool| {
                if odd {
                    KVA_UAREA_BASE.wrapping_add(k as u32 * 0x100 + 4)
                } else {
                    KVA_UAREA_BASE + k as u32 * USPACE
                }
            };
            let span = 1 + next(40);
            let mut kernel_map: Vec<u32> = Vec::new();
            for k in 0..span {
                if next(4) != 0 {
                    kernel_map.push(addr(k, next(30) == 0));
                }
            }
            kernel_map.sort_unstable();
            kernel_map.dedup();
            let mut held: Vec<u32> = Vec::new();
            for _ in 0..next(40) {
                let k = next(span + 2);
                held.push(addr(k, next(30) == 0));
            }
            if next(5) == 0 {
                held.push(0x1000);
            }
            let want = sorted(&held, &kernel_map);
            let got = uarea_verdicts(&mut held.clone(), &kernel_map, &mut slots);
            assert_eq!(got, want, "held {held:x?} kernel_map {kernel_map:x?}");
            assert!(slots.iter().all(|&b| b == 0));
        }
    }
}
