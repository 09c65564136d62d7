//! The explorer: every schedule of a two-CPU scenario with at most K preemptions
//! (iterative context bounding: K = 0, then 1, ..., each search complete before the
//! next), a visited set of hashed kernel + CPU state, and every distinct finding with
//! the shortest schedule found for it. Pure and clock-free: the caller advances it in
//! slices (`advance`) and times it.
//!
//! Terms (docs/model.md §13):
//! - a *choice point* is a micro-step where both CPUs could run; a schedule
//!   (`schedule.rs`) decides each one;
//! - a CPU is *enabled* at a choice point when its next micro-step would change the
//!   state; a CPU spinning on the big lock is not (its step changes nothing);
//! - a *preemption* is running the other CPU at a choice point where the CPU that ran
//!   the last micro-step is enabled. A switch forced by that CPU sleeping, idling or
//!   spinning is free.
//!
//! Deterministic like the rest of the engine: the search order is fixed, the visited
//! set (a `HashMap` of fingerprints) is only looked up, never iterated, and the
//! fingerprint is the same natively and in wasm (`tests/explore/reports.txt`).
//!
//! Reductions, each sound (they drop no reachable state and no finding; turning one
//! off with [`Reductions`] changes the cost, not the findings):
//! - **spins are not choices**: a micro-step that only spins leaves the state as it
//!   was, so the explorer never takes one at a choice point (it runs the other CPU,
//!   without counting a preemption). Without this, every lock hand-over would cost a
//!   preemption and K = 0 would spin forever.
//! - **visited states**: at each choice point the explorer hashes the kernel state, the
//!   checks' edge memory and the CPU that ran last, and stops a path that reaches a
//!   fingerprint already expanded with at most as many preemptions (the future from
//!   there depends on nothing else). Left out of the fingerprint, because nothing in the
//!   engine or the checks reads them: metrics (`counters`, `exit_at`, `sigchld`,
//!   `actions`, the GDT's `count_peak` and `last_freed`), round robin's `next_cpu`, the
//!   choice counter, and the global sleep sequence (only the order of sleepers on one
//!   channel matters, and every new sleeper goes behind them all).
//! - **no switch after a local step**: a line whose op is `Nop` or `Goto` changes
//!   nothing but its own frame's pc, which no other CPU, no check and no line of
//!   another frame reads. A switch right after such a step reaches the same states and
//!   findings as the switch just before it (the step commutes with everything the
//!   other CPU does), with the same or fewer preemptions, so the explorer neither
//!   branches nor hashes there. The shortest schedule found never gets longer by it:
//!   the equivalent switch comes earlier, not later.
//! - **a sparse visited set**: the fingerprint is taken at about one choice point in
//!   four, picked by a function of the state (`checkpoint`), so two paths through the
//!   same state agree; pruning fewer states is always sound, and a path that joins an
//!   explored one is cut a few steps later instead of at once.

use super::design::Design;
use super::func::Func;
use super::scenario::Scenario;
use super::schedule::Schedule;
use super::sim::Sim;
use super::state::{KernelState, LStat, Lwp, Proc};
use super::trace::{Check, Finding, Step};
use crate::arch_i386::Gdt;
use serde::Serialize;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};

/// Default bound on preemptions.
pub const PREEMPTIONS_DEFAULT: u8 = 2;
/// A bound of 255 means none: one search, without iterating over the bounds below.
pub const UNBOUNDED: u8 = u8::MAX;
/// Default bound on states (micro-steps) explored.
pub const MAX_STATES_DEFAULT: u64 = 50_000_000;

/// A 64-bit hasher for fingerprints: a folded multiply per word (as aHash's fallback)
/// into one of four lanes in turn (four independent multiply chains run in parallel
/// on the CPU), the lanes folded together and a murmur3 finaliser at the end.
/// Portable: the same value natively and in wasm.
#[derive(Default)]
pub struct Fp {
    lanes: [u64; 4],
    n: u64,
}

const FP_MUL: u64 = 0x5851_f42d_4c95_7f2d;
const FP_ADD: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline]
fn folded(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

impl Hasher for Fp {
    #[inline]
    fn finish(&self) -> u64 {
        let [a, b, c, d] = self.lanes;
        let mut h = folded(a ^ FP_ADD, FP_MUL) ^ b;
        h = folded(h ^ self.n, FP_MUL) ^ c;
        h = folded(h, FP_MUL) ^ d;
        h = folded(h ^ FP_ADD, FP_MUL);
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.write_u64(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u64(&mut self, v: u64) {
        let i = (self.n & 3) as usize;
        self.lanes[i] = folded(self.lanes[i] ^ v ^ FP_ADD, FP_MUL);
        self.n += 1;
    }
    #[inline]
    fn write_u8(&mut self, v: u8) {
        self.write_u64(u64::from(v));
    }
    #[inline]
    fn write_u16(&mut self, v: u16) {
        self.write_u64(u64::from(v));
    }
    #[inline]
    fn write_u32(&mut self, v: u32) {
        self.write_u64(u64::from(v));
    }
    #[inline]
    fn write_usize(&mut self, v: usize) {
        self.write_u64(v as u64);
    }
    #[inline]
    fn write_i32(&mut self, v: i32) {
        self.write_u64(u64::from(v as u32));
    }
}

/// Passes a fingerprint through as its own hash (the visited set's keys are hashes).
#[derive(Default)]
struct Ident(u64);

impl Hasher for Ident {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

type Visited = HashMap<u64, u8, BuildHasherDefault<Ident>>;

fn hash_proc(p: &Proc, h: &mut Fp) {
    let Proc {
        pid,
        block,
        pptr,
        children,
        stat,
        flags,
        exitsig,
        xstat,
        nlwps,
        nrlwps,
        nzlwps,
        nlwpid,
        lwps,
        vmspace,
        userret_exit,
        sigchld: _,
        exit_at: _,
    } = p;
    h.write_u64(u64::from(*pid) | u64::from(*pptr) << 32);
    h.write_u64(
        u64::from(*block)
            | (*stat as u64) << 16
            | u64::from(*exitsig) << 24
            | u64::from(*xstat) << 32
            | u64::from(*userret_exit) << 40,
    );
    h.write_u64(u64::from(*flags) | u64::from(*nlwpid) << 32);
    h.write_u64(u64::from(*nlwps) | u64::from(*nrlwps) << 32);
    h.write_u64(u64::from(*nzlwps) | vmspace.map_or(0, |v| u64::from(v) + 1) << 32);
    children.hash(h);
    lwps.hash(h);
}

fn hash_lwp(l: &Lwp, h: &mut Fp) {
    let Lwp {
        pid,
        lid,
        stat,
        flags,
        uarea,
        owns_uarea,
        tss_sel,
        wchan,
        wmesg,
        timeout,
        wake_err,
        kstack,
        user,
        no_sleep,
        biglock_saved,
        kthread,
        freed,
        sleep_seq,
        prio,
    } = l;
    h.write_u64(u64::from(*pid) | u64::from(*lid) << 32);
    h.write_u64(u64::from(*flags) | u64::from(*uarea) << 32);
    h.write_u64(u64::from(*tss_sel) | u64::from(*wake_err as u32) << 32);
    h.write_u64(
        *stat as u64
            | u64::from(*owns_uarea) << 8
            | u64::from(*no_sleep) << 9
            | u64::from(*biglock_saved) << 10
            | u64::from(*freed) << 11
            | kthread.map_or(0, |k| k as u64 + 1) << 12
            | u64::from(*prio) << 16
            | (wmesg.len() as u64) << 24,
    );
    if !wmesg.is_empty() {
        h.write(wmesg.as_bytes());
    }
    wchan.hash(h);
    timeout.hash(h);
    kstack.hash(h);
    user.hash(h);
    // the order of sleepers is all wakeup reads
    if *stat == LStat::LSSLEEP {
        h.write_u64(*sleep_seq);
    }
}

fn hash_gdt(g: &Gdt, h: &mut Fp) {
    let Gdt {
        size,
        count,
        next,
        free,
        slots,
        last_freed: _,
        count_peak: _,
    } = g;
    h.write_u64(u64::from(*size) | u64::from(*count) << 16 | u64::from(*next) << 32);
    free.hash(h);
    h.write_usize(slots.len());
    for s in slots {
        h.write_u64(match s {
            crate::arch_i386::SlotState::Free => 0,
            crate::arch_i386::SlotState::Tss(o) => u64::from(*o) + 1,
        });
    }
}

/// The fingerprint of a state as far as its future goes: the kernel state without
/// its metrics and history (see the module documentation), the checks' edge memory
/// and the CPU that ran last.
#[inline(never)]
pub fn fingerprint(st: &KernelState, active: &[(Check, u32)], cur: u8) -> u64 {
    let KernelState {
        procs,
        lwps,
        allproc,
        zombproc,
        alllwp,
        deadprocs,
        deadlwp,
        zomblwp,
        runq,
        uarea_cache,
        uvm_nuarea_max,
        uvm_nuarea,
        kernel_map,
        vmspaces,
        pdirs,
        pdp_cache,
        gdt,
        cpus,
        biglock,
        ticks,
        next_pid,
        forkpy_turn,
        sleep_seq: _,
        actions: _,
        counters: _,
        finished,
        panic,
        inflight,
        lwp_free,
        vm_free,
        next_cpu: _,
        choices: _,
    } = st;
    let mut h = Fp::default();
    h.write_usize(procs.len());
    for p in procs {
        hash_proc(p, &mut h);
    }
    h.write_usize(lwps.len());
    for l in lwps {
        hash_lwp(l, &mut h);
    }
    (allproc, zombproc, alllwp, deadprocs, deadlwp, zomblwp, runq).hash(&mut h);
    (uarea_cache, uvm_nuarea_max, uvm_nuarea, kernel_map).hash(&mut h);
    (vmspaces, pdirs, pdp_cache).hash(&mut h);
    hash_gdt(gdt, &mut h);
    (cpus, biglock, ticks, next_pid, forkpy_turn, finished, panic).hash(&mut h);
    (inflight, lwp_free, vm_free).hash(&mut h);
    // the edge memory, as a set: its order is history
    let set = active.iter().fold(0u64, |acc, &(c, k)| {
        acc.wrapping_add(folded((c as u64) << 32 ^ u64::from(k) ^ FP_ADD, FP_MUL))
    });
    (active.len(), set).hash(&mut h);
    cur.hash(&mut h);
    h.finish()
}

/// Whether the visited set is consulted at this state: about one choice point in
/// four, chosen by the state itself (the two CPUs' current lines), so that every path
/// through a state makes the same choice and a path that joins one explored before is
/// still cut, a few micro-steps later. Hashing the whole state is most of the cost
/// of a choice point; this is reduction 4 of the module documentation.
pub fn checkpoint(st: &KernelState) -> bool {
    let mut h: u64 = 0;
    for c in &st.cpus {
        let top = match c.on_stack {
            Some(l) => st.lwps.get(l as usize).and_then(|l| l.kstack.last()),
            None => c.idle_frames.last(),
        };
        let (f, pc) = top.map_or((0, 0), |f| (f.func as u64 + 1, u64::from(f.pc)));
        h = folded(h ^ (f << 16 | pc) ^ FP_ADD, FP_MUL);
    }
    h >> 62 == 0
}

/// Which reductions a search uses (all by default); turning one off shows what it
/// saves (`exitpath explore --without ...`, docs/model.md §13). Each is sound on its
/// own: the findings are the same with or without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reductions {
    /// A CPU that would only spin is not a choice (reduction 1).
    pub spins: bool,
    /// The visited set (reduction 2).
    pub visited: bool,
    /// No branch right after a local step (reduction 3).
    pub local: bool,
    /// The visited set is consulted at one choice point in four (reduction 4).
    pub sparse: bool,
}

impl Default for Reductions {
    fn default() -> Reductions {
        Reductions {
            spins: true,
            visited: true,
            local: true,
            sparse: true,
        }
    }
}

/// Where a finding is reported: the function and line that ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Place {
    pub func: Func,
    /// Index of the line in the function's body.
    pub line: u8,
}

/// One distinct finding (check and place) with the best schedule found for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExploreFinding {
    pub check: Check,
    /// `None`: reported without a step (a model error with nothing to run).
    pub place: Option<Place>,
    /// The micro-step it is reported at, following `schedule`.
    pub step: u64,
    /// The decisions up to that step (round robin after them).
    pub schedule: Schedule,
    /// Preemptions in `schedule` (the fewest any schedule needs, once the search
    /// with that bound is complete).
    pub preemptions: u8,
    pub message: String,
}

/// What a search found and what it cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExploreReport {
    pub design: Design,
    pub cpus: u8,
    /// The preemption bound.
    pub bound: u8,
    /// States visited: micro-steps executed, at every bound.
    pub states: u64,
    /// Schedules explored: paths run from the start or from a branch, each to the end
    /// of the run or to a state already expanded.
    pub schedules: u64,
    /// Distinct fingerprints expanded at the last bound.
    pub distinct: u64,
    /// Paths cut at a state already expanded.
    pub pruned: u64,
    /// Choice points where a CPU would only have spun (not taken: a reduction).
    pub spins_skipped: u64,
    /// Choice points right after a step that only moved its own pc: no branch there
    /// (a reduction).
    pub local_skipped: u64,
    /// The search at `bound` finished within the state limit.
    pub complete: bool,
    /// The largest bound whose search is complete (`None`: not even K = 0).
    pub complete_bound: Option<u8>,
    /// Most choice points on one explored path.
    pub max_choices: u64,
    /// Peak bytes held by the search (visited set and pending branches), estimated.
    pub peak_bytes: u64,
    pub findings: Vec<ExploreFinding>,
}

/// A branch to explore later: a state, the CPU that ran last, the preemptions so far,
/// the decisions so far, and the CPU to run first.
#[derive(Clone, Debug)]
struct Item {
    st: KernelState,
    active: Vec<(Check, u32)>,
    step_no: u64,
    cur: u8,
    pre: u8,
    sched: Schedule,
    first: Option<u8>,
}

/// The path running now.
#[derive(Debug)]
struct Path {
    /// The CPU that ran the last micro-step.
    cur: u8,
    /// Preemptions so far.
    pre: u8,
    /// Decisions so far.
    sched: Schedule,
    /// A branch's first decision (the preemption it was made for).
    first: Option<u8>,
    /// The last micro-step only moved its own pc (`Sim::local`): no branch here.
    local: bool,
}

/// A search in progress.
#[derive(Debug)]
pub struct Explorer {
    sim: Sim,
    init: Item,
    bound: u8,
    max_states: u64,
    /// The bound of the search running now.
    level: u8,
    stack: Vec<Item>,
    /// The path running now.
    path: Option<Path>,
    visited: Visited,
    states: u64,
    schedules: u64,
    pruned: u64,
    spins: u64,
    locals: u64,
    red: Reductions,
    /// Some choice point of the current bound's search could not branch for want of
    /// preemptions (without one, a larger bound finds nothing more).
    capped: bool,
    max_choices: u64,
    peak_bytes: u64,
    item_bytes: u64,
    findings: Vec<ExploreFinding>,
    done: bool,
    complete_bound: Option<u8>,
}

impl std::fmt::Debug for Fp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Fp({:#x})", self.finish())
    }
}

impl Explorer {
    /// A search of `sc` in `design` (the scenario's own without it) with at most
    /// `bound` preemptions ([`UNBOUNDED`]: any number, in one search) and `max_states`
    /// micro-steps. The scenario's `schedule`
    /// line is ignored: the explorer makes the schedules.
    pub fn new(sc: &Scenario, design: Option<Design>, bound: u8, max_states: u64) -> Explorer {
        let mut sim = Sim::new(sc, design);
        sim.cfg.schedule = Schedule::round_robin();
        sim.record = false;
        let init = Item {
            st: sim.st.clone(),
            active: Vec::new(),
            step_no: 0,
            cur: 0,
            pre: 0,
            sched: Schedule::round_robin(),
            first: None,
        };
        let item_bytes = super::sim::state_bytes(&init.st) as u64;
        Explorer {
            sim,
            stack: vec![init.clone()],
            init,
            bound,
            max_states,
            level: if bound == UNBOUNDED { bound } else { 0 },
            path: None,
            visited: Visited::default(),
            states: 0,
            schedules: 0,
            pruned: 0,
            spins: 0,
            locals: 0,
            capped: false,
            red: Reductions::default(),
            max_choices: 0,
            peak_bytes: 0,
            item_bytes,
            findings: Vec::new(),
            done: false,
            complete_bound: None,
        }
    }

    /// The same search with some reductions turned off (before `advance`).
    pub fn with_reductions(mut self, red: Reductions) -> Explorer {
        self.red = red;
        self
    }

    /// Explore up to `budget` more micro-steps; true once the search has ended.
    pub fn advance(&mut self, budget: u64) -> bool {
        let mut left = budget;
        while !self.done && left > 0 {
            if self.states >= self.max_states {
                self.done = true;
                break;
            }
            if self.path.is_none() {
                let Some(item) = self.stack.pop() else {
                    self.complete_bound = Some(self.level);
                    if !self.capped {
                        // no path ran out of preemptions: a larger bound explores the
                        // very same schedules
                        self.complete_bound = Some(self.bound);
                        self.done = true;
                        break;
                    }
                    if self.level < self.bound {
                        self.capped = false;
                        self.level += 1;
                        self.visited = Visited::default();
                        self.stack.push(self.init.clone());
                        continue;
                    }
                    self.done = true;
                    break;
                };
                self.schedules += 1;
                self.sim.st = item.st;
                self.sim.active = item.active;
                self.sim.step_no = item.step_no;
                self.path = Some(Path {
                    cur: item.cur,
                    pre: item.pre,
                    sched: item.sched,
                    first: item.first,
                    local: false,
                });
            }
            let cap = left.min(self.max_states.saturating_sub(self.states)).max(1);
            let before = self.states;
            let ended = self.run_path(cap);
            left = left.saturating_sub((self.states - before).max(1));
            if ended {
                self.path = None;
            }
        }
        self.done
    }

    /// Progress: (states so far, the state limit, the bound running now).
    pub fn progress(&self) -> (u64, u64, u8) {
        (self.states, self.max_states, self.level)
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Runs the current path for at most `cap` micro-steps; true when it has ended.
    fn run_path(&mut self, cap: u64) -> bool {
        let limit = self.sim.cfg.step_limit;
        let start = self.states;
        while self.states - start < cap {
            if self.sim.st.finished || self.sim.step_no >= limit {
                return true;
            }
            if !self.sim.choice_point() {
                let step = self.sim.step();
                self.states += 1;
                let local = self.sim.local;
                if let Some(p) = self.path.as_mut() {
                    if let Some(s) = step {
                        p.cur = s.cpu;
                    }
                    p.local = local;
                }
                self.note(step);
                continue;
            }
            let Some((cur, pre, first, local)) = self
                .path
                .as_mut()
                .map(|p| (p.cur, p.pre, p.first.take(), p.local))
            else {
                return true;
            };
            if local && self.red.local {
                // the last step only moved cur's pc: a switch here reaches nothing a
                // switch before that step does not (reduction 3, module documentation)
                self.locals += 1;
                if !self.take(cur) && !self.take(1 - cur) {
                    return true;
                }
                continue;
            }
            if let Some(c) = first {
                // a branch: its first decision is the preemption it was made for; a
                // CPU that would only spin makes it no branch at all
                if !self.take(c) {
                    self.schedules -= 1;
                    return true;
                }
                continue;
            }
            if self.red.visited && (!self.red.sparse || checkpoint(&self.sim.st)) {
                let key = fingerprint(&self.sim.st, &self.sim.active, cur);
                match self.visited.get(&key) {
                    Some(&p) if p <= pre => {
                        self.pruned += 1;
                        return true;
                    }
                    _ => {
                        self.visited.insert(key, pre);
                    }
                }
            }
            let other = 1 - cur;
            // a branch whose first step would only spin is no branch: not even cloned
            let alt = (pre < self.level && !self.sim.would_spin(usize::from(other)))
                .then(|| self.branch(cur, pre, other));
            self.capped |= pre >= self.level;
            if self.take(cur) {
                if let Some(alt) = alt {
                    self.stack.push(alt);
                    let bytes = self.stack.len() as u64 * self.item_bytes
                        + self.visited.capacity() as u64 * 9;
                    self.peak_bytes = self.peak_bytes.max(bytes);
                }
            } else if !self.take(other) {
                // both would only spin: nothing can ever change
                return true;
            }
        }
        false
    }

    /// The branch that runs `other` here: a preemption of `cur`.
    #[inline(never)]
    fn branch(&self, cur: u8, pre: u8, other: u8) -> Item {
        Item {
            st: self.sim.st.clone(),
            active: self.sim.active.clone(),
            step_no: self.sim.step_no,
            cur,
            pre: pre + 1,
            sched: self
                .path
                .as_ref()
                .map(|p| p.sched.clone())
                .unwrap_or_default(),
            first: Some(other),
        }
    }

    /// Runs `cpu` at this choice point; false (state untouched) when it would only spin.
    #[inline(never)]
    fn take(&mut self, cpu: u8) -> bool {
        let saved = (self.sim.step_no, self.sim.st.next_cpu, self.sim.st.choices);
        self.sim.force = Some(cpu);
        let step = self.sim.step();
        if step.is_some() && self.sim.step_was_noop() && self.red.spins {
            (self.sim.step_no, self.sim.st.next_cpu, self.sim.st.choices) = saved;
            self.spins += 1;
            return false;
        }
        self.states += 1;
        let local = self.sim.local;
        if let Some(p) = self.path.as_mut() {
            p.cur = cpu;
            p.local = local;
            p.sched.push(cpu, 1);
            self.max_choices = self.max_choices.max(p.sched.len());
        }
        self.note(step);
        true
    }

    /// Records the findings of the step just run.
    fn note(&mut self, step: Option<Step>) {
        if self.sim.findings.is_empty() {
            return;
        }
        let place = step.map(|s| Place {
            func: s.func,
            line: s.line,
        });
        let Some(Path { pre, sched, .. }) = self.path.as_ref() else {
            return;
        };
        let found: Vec<Finding> = std::mem::take(&mut self.sim.findings);
        for f in found {
            let better = |e: &ExploreFinding| (*pre, f.step) < (e.preemptions, e.step);
            match self
                .findings
                .iter_mut()
                .find(|e| e.check == f.check && e.place == place)
            {
                Some(e) => {
                    if better(e) {
                        e.preemptions = *pre;
                        e.step = f.step;
                        e.schedule = sched.clone();
                        e.message = f.message;
                    }
                }
                None => self.findings.push(ExploreFinding {
                    check: f.check,
                    place,
                    step: f.step,
                    schedule: sched.clone(),
                    preemptions: *pre,
                    message: f.message,
                }),
            }
        }
    }

    /// The report so far (final once `advance` has returned true).
    pub fn report(&self) -> ExploreReport {
        let mut findings = self.findings.clone();
        findings.sort_by(|a, b| {
            (a.preemptions, a.step, a.check, a.place).cmp(&(
                b.preemptions,
                b.step,
                b.check,
                b.place,
            ))
        });
        ExploreReport {
            design: self.sim.cfg.design,
            cpus: self.sim.cfg.cpus,
            bound: self.bound,
            states: self.states,
            schedules: self.schedules,
            distinct: self.visited.len() as u64,
            pruned: self.pruned,
            spins_skipped: self.spins,
            local_skipped: self.locals,
            complete: self.done && self.complete_bound == Some(self.bound),
            complete_bound: self.complete_bound,
            max_choices: self.max_choices,
            peak_bytes: self.peak_bytes,
            findings,
        }
    }

    /// Runs a whole search.
    pub fn run(sc: &Scenario, design: Option<Design>, bound: u8, max_states: u64) -> ExploreReport {
        let mut e = Explorer::new(sc, design, bound, max_states);
        while !e.advance(1 << 20) {}
        e.report()
    }
}

impl ExploreReport {
    /// Everything but the time, one line per finding: equal reports give equal
    /// summaries natively and in wasm (`tests/explore/reports.txt`).
    pub fn summary(&self) -> String {
        let mut o = format!(
            "{} K={} states={} distinct={} schedules={} pruned={} spins={} local={} complete={}\n",
            self.design.name(),
            self.bound,
            self.states,
            self.distinct,
            self.schedules,
            self.pruned,
            self.spins_skipped,
            self.local_skipped,
            self.complete
        );
        for f in &self.findings {
            let (func, line) = f.where_(self.design);
            o.push_str(&format!(
                "  {} {func}:{line} step={} K={} {}\n",
                f.check.name(),
                f.step,
                f.preemptions,
                f.schedule
            ));
        }
        o
    }
}

/// A finding's JSON form (`exitpath explore --format json`).
#[derive(Clone, Debug, Serialize)]
pub struct FindingJson {
    pub check: &'static str,
    pub function: &'static str,
    /// 1-based line in the function's listing (as the source panel shows it).
    pub line: u32,
    pub step: u64,
    pub schedule: String,
    pub preemptions: u8,
    pub message: String,
}

impl ExploreFinding {
    /// Function name and 1-based listing line of the place, `("?", 0)` without one.
    pub fn where_(&self, design: Design) -> (&'static str, u32) {
        match self.place {
            Some(p) => (
                p.func.name(),
                super::source::body(design, p.func)
                    .map(|b| super::source::listing_line(b, u16::from(p.line)))
                    .unwrap_or(u32::from(p.line) + 1),
            ),
            None => ("?", 0),
        }
    }

    pub fn json(&self, design: Design) -> FindingJson {
        let (function, line) = self.where_(design);
        FindingJson {
            check: self.check.name(),
            function,
            line,
            step: self.step,
            schedule: self.schedule.text(),
            preemptions: self.preemptions,
            message: self.message.clone(),
        }
    }
}
