//! UVM and i386 ops: u-area allocation, the u-area cache and its drain, kernel_map,
//! vmspaces and pmaps, GDT TSS slots.

use crate::arch_i386::{gsel, idxsel, SlotState, TSS_SEL_POISON};
use crate::engine::design::{Design, Switch};
use crate::engine::func::{Arg, Frame, Func, VmOp};
use crate::engine::sim::{alloc_kva, new_vmspace, Sim, DIRTY_UAREA};
use crate::engine::state::*;
use crate::engine::trace::{Check, Event};

impl Sim {
    pub(super) fn exec_vm(&mut self, cpu: usize, f: Frame, op: VmOp) {
        use VmOp::*;
        self.dirty |= DIRTY_UAREA;
        match op {
            UareaCacheTake => {
                if self.st.uarea_cache.is_empty() {
                    return;
                }
                let a = self.st.uarea_cache.remove(0);
                self.st.uvm_nuarea = self.st.uvm_nuarea.wrapping_sub(1);
                self.st.inflight.push(a);
                self.st.counters.uarea_cache_hits += 1;
                let c = &mut self.st.cpus[cpu];
                c.spin_locks = c.spin_locks.saturating_sub(1);
                if let Some(top) = self.stack(cpu).last_mut() {
                    top.uaddr = a;
                    top.inmem = true;
                }
                self.set_ev(Event::UareaFromCache, a);
                self.ret(cpu, 1);
            }
            KmValloc => {
                self.need_sleepable(cpu, "uvm_km_valloc(kernel_map, USPACE)");
                let a = alloc_kva(&mut self.st);
                self.st.inflight.push(a);
                self.st.counters.km_alloc += 1;
                if let Some(top) = self.stack(cpu).last_mut() {
                    top.uaddr = a;
                    top.inmem = false;
                }
                self.set_ev(Event::KmAlloc, a);
                self.ret(cpu, 0);
            }
            UvmspaceFork => {
                self.need_sleepable(cpu, "uvmspace_fork");
                let vm = new_vmspace(&mut self.st);
                if let Some(c) = self.st.proc_mut(f.p2) {
                    c.vmspace = Some(vm);
                }
            }
            WireUarea => {
                let inmem = self
                    .st
                    .lwp(f.l2)
                    .is_some_and(|l| l.flags & lflag::L_INMEM != 0);
                if !inmem {
                    self.need_sleepable(cpu, "uvm_fault_wire");
                    if let Some(l) = self.st.lwp_mut(f.l2) {
                        l.flags |= lflag::L_INMEM;
                    }
                }
            }
            PcbCopy => {
                if let Some(l) = self.st.lwp_mut(f.l2) {
                    l.tss_sel = 0;
                }
            }
            SetEsp0 => {}
            GdtLock => self.need_sleepable(cpu, "gdt_lock (a lockmgr lock)"),
            GdtGetSlot => {
                if self.st.gdt.needs_grow() {
                    self.need_sleepable(cpu, "gdt_grow");
                }
                match self.st.gdt.get_slot(f.l2) {
                    Ok((slot, grew)) => {
                        if let Some(top) = self.stack(cpu).last_mut() {
                            top.slot = slot;
                        }
                        if grew {
                            let size = self.st.gdt.size as u32;
                            self.set_ev(Event::GdtGrow, size);
                        } else {
                            self.set_ev(Event::TssAlloc, slot as u32);
                        }
                    }
                    Err(_) => {
                        self.kernel_panic("gdt_get_slot: out of GDT slots (MAXGDTSIZ)".into())
                    }
                }
            }
            SetGdtTss => {
                if let Some(l) = self.st.lwp_mut(f.l2) {
                    l.tss_sel = gsel(f.slot) as u32;
                }
            }
            PmapDeactivate => {
                if self.cfg.has(Switch::NoPmapDeactivate) {
                    return;
                }
                let mask = self.st.cpus[cpu].regs.mask();
                let vm = self.st.proc(f.p).and_then(|p| p.vmspace);
                if let Some(vm) = vm {
                    self.st.vmspaces[vm as usize].pm_cpus &= !mask;
                }
                // whose pmap: after uvm_proc_exit (committed) the process runs on
                // proc0's borrowed vmspace, the kernel pmap (pid 0 in the event)
                let owner = if vm == Some(0) { 0 } else { f.p };
                self.set_ev(Event::PmapDeactivate, owner);
            }
            UvmspaceFree => {
                self.need_sleepable(cpu, "uvmspace_free");
                let Some(vm) = self.st.proc(f.p).and_then(|p| p.vmspace) else {
                    return;
                };
                self.free_vmspace(f.p, vm);
            }
            UareaFreeCall => {
                let Some(l) = self.st.lwp(f.l) else {
                    return;
                };
                if !l.owns_uarea {
                    // what-if uarea_cache_before_switch_exit: already given up
                    return;
                }
                let ua = l.uarea;
                if let Some(top) = self.stack(cpu).last_mut() {
                    top.uaddr = ua;
                }
                let mut callee = f;
                callee.uaddr = ua;
                if self.cfg.design != Design::Reaper
                    && self.cfg.has(Switch::DrainInLwpExit2)
                    && self.on_lwp(cpu).is_none()
                {
                    // what-if: lwp_exit2 also calls uvm_uarea_drain(FALSE)
                    self.call(cpu, callee, Func::uvm_uarea_drain, Arg::Same, Some(0));
                }
                self.call(cpu, callee, Func::uvm_uarea_free, Arg::Same, None);
            }
            CachePush => {
                if self.cfg.design != Design::Reaper
                    && self.cfg.has(Switch::KmFreeInLwpExit2)
                    && self.on_lwp(cpu).is_none()
                {
                    // what-if: lwp_exit2 hands the u-area straight back to kernel_map
                    self.need_sleepable(cpu, "uvm_km_free(kernel_map, uaddr, USPACE)");
                    self.km_free(f.uaddr, f.l);
                    return;
                }
                self.st.uarea_cache.insert(0, f.uaddr);
                self.st.uvm_nuarea = self.st.uvm_nuarea.wrapping_add(1);
                self.st.counters.uarea_cache_peak =
                    self.st.counters.uarea_cache_peak.max(self.st.uvm_nuarea);
                self.give_up_uarea(f.l, f.uaddr);
                self.set_ev(Event::UareaCached, f.uaddr);
            }
            IfCacheRoom(t) => {
                if self.st.uvm_nuarea >= self.st.uvm_nuarea_max {
                    self.goto(cpu, t);
                }
            }
            KmFree => {
                self.need_sleepable(cpu, "uvm_km_free(kernel_map, uaddr, USPACE)");
                self.km_free(f.uaddr, f.l);
            }
            DrainFree => {
                let c = &mut self.st.cpus[cpu];
                c.spin_locks = c.spin_locks.saturating_sub(1);
                self.need_sleepable(cpu, "uvm_km_free(kernel_map, uaddr, USPACE)");
                self.km_free(f.uaddr, f.l);
            }
            ClearInmem => {
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.flags &= !lflag::L_INMEM;
                }
                self.ret(cpu, 0);
            }
            DrainCheck => {
                self.need_sleepable(cpu, "uvm_uarea_drain (it may call uvm_km_free)");
                let leave = self.drain_leave(f);
                if self.st.uvm_nuarea <= leave {
                    self.ret(cpu, 0);
                } else {
                    self.st.counters.drains += 1;
                    let n = self.st.uvm_nuarea;
                    // Drain keeps UVM_NUAREA_MAX, DrainAll (empty = TRUE) keeps none
                    let ev = if leave == 0 {
                        Event::DrainAll
                    } else {
                        Event::Drain
                    };
                    self.set_ev(ev, n);
                }
            }
            DrainPop(t) => {
                let leave = self.drain_leave(f);
                if self.st.uvm_nuarea <= leave || self.st.uarea_cache.is_empty() {
                    self.goto(cpu, t);
                    return;
                }
                let a = self.st.uarea_cache.remove(0);
                self.st.uvm_nuarea = self.st.uvm_nuarea.wrapping_sub(1);
                self.st.inflight.push(a);
                if let Some(top) = self.stack(cpu).last_mut() {
                    top.uaddr = a;
                }
            }
            PagedaemonWake => {
                self.wakeup(Chan::Pagedaemon);
            }
            WakeFree => {
                self.wakeup(Chan::UvmexpFree);
            }
            TssFreeCall => self.call_tss_free(cpu, f),
            GdtPutSlot => {
                let prev = self.st.gdt.put_slot(f.slot);
                if prev != Some(SlotState::Tss(f.l)) {
                    let was = match prev {
                        Some(SlotState::Tss(o)) => format!("the TSS of {}", self.st.lwp_name(o)),
                        Some(SlotState::Free) => {
                            "already free (SDT_SYSNULL, on gdt_free)".to_string()
                        }
                        None => "no dynamic descriptor".to_string(),
                    };
                    let msg = format!(
                        "tss_free: GDT slot {} is {was}, not the TSS of {}: freed twice",
                        f.slot,
                        self.st.lwp_name(f.l)
                    );
                    self.finding(Check::TssDoubleFree, msg);
                }
                self.set_ev(Event::TssFree, f.slot as u32);
            }
            BorrowProc0Vm => {
                let old = self.st.proc(f.p).and_then(|p| p.vmspace).unwrap_or(0);
                if let Some(top) = self.stack(cpu).last_mut() {
                    top.arg = old;
                }
                if let Some(p) = self.st.proc_mut(f.p) {
                    p.vmspace = Some(0);
                }
            }
            PmapActivate => {
                let mask = self.st.cpus[cpu].regs.mask();
                let vm = self.st.proc(f.p).and_then(|p| p.vmspace).unwrap_or(0);
                self.st.vmspaces[vm as usize].pm_cpus |= mask;
                let pa = self.st.vmspaces[vm as usize].pdirpa;
                let c = &mut self.st.cpus[cpu];
                c.regs.cr3 = pa;
                c.cr3_vm = Some(vm);
                self.set_ev(Event::Cr3, pa);
            }
            UvmspaceFreeOld => {
                self.need_sleepable(cpu, "uvmspace_free");
                let vm = f.arg;
                if vm == 0 || vm as usize >= self.st.vmspaces.len() {
                    self.model_error(format!("uvmspace_free of vmspace #{vm}"));
                    return;
                }
                self.free_vmspace(f.p, vm);
                self.st.vm_free.push(vm);
                self.ret(cpu, 0);
            }
            PoisonFeedbeedRet => {
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.tss_sel = crate::arch_i386::TSS_SEL_POISON_COMMITTED;
                }
                self.ret(cpu, 0);
            }
            PoisonTssRet => {
                if let Some(l) = self.st.lwp_mut(f.l) {
                    l.tss_sel = TSS_SEL_POISON;
                }
                self.ret(cpu, 0);
            }
        }
    }

    /// `tss_free(l->l_md.md_tss_sel)` for the frame's `l`: a call of tss_free, or a
    /// finding when md_tss_sel is no TSS selector (already freed and poisoned).
    pub(super) fn call_tss_free(&mut self, cpu: usize, f: Frame) {
        let sel = self.st.lwp(f.l).map(|l| l.tss_sel).unwrap_or(0);
        if sel == TSS_SEL_POISON || sel == 0 || sel > u16::MAX as u32 {
            let msg = format!(
                "{}: tss_free({sel:#x}) for {}: not a TSS selector",
                f.func.name(),
                self.st.lwp_name(f.l)
            );
            self.finding(Check::TssDoubleFree, msg);
            return;
        }
        let mut callee = f;
        callee.slot = idxsel(sel as u16);
        self.call(cpu, callee, Func::tss_free, Arg::Same, None);
    }

    /// uvmspace_free: the pmap is destroyed, its page directory goes to the pool.
    fn free_vmspace(&mut self, pid: Pid, vm: u32) {
        let v = self.st.vmspaces[vm as usize].clone();
        if v.pm_cpus != 0 {
            let msg = format!(
                "uvmspace_free: the pmap of pid {pid} is still active on {} (pm_cpus={:#x}): pmap_deactivate() did not run first",
                cpus_of(v.pm_cpus),
                v.pm_cpus
            );
            self.finding(Check::PmapActiveFreed, msg);
        }
        if v.freed {
            self.finding(
                Check::VmspaceDoubleFree,
                format!("uvmspace_free: pid {pid}'s vmspace freed twice"),
            );
            return;
        }
        self.st.vmspaces[vm as usize].freed = true;
        if let Some(i) = self.st.pdir_index(v.pdirpa) {
            self.st.pdirs[i].1 = PdirState::Cached;
        }
        self.st.pdp_cache.push(v.pdirpa);
        self.set_ev(Event::VmspaceFree, pid);
    }

    fn drain_leave(&self, f: Frame) -> u32 {
        if f.arg == 1 {
            0
        } else {
            self.st.uvm_nuarea_max
        }
    }

    /// The LWP no longer holds `ua` (it went to the cache or back to kernel_map).
    fn give_up_uarea(&mut self, l: LwpIdx, ua: u32) {
        if let Some(lw) = self.st.lwps.get_mut(l as usize) {
            if !lw.freed && lw.uarea == ua {
                lw.owns_uarea = false;
            }
        }
    }

    /// uvm_km_free(kernel_map, ua, USPACE).
    fn km_free(&mut self, ua: u32, l: LwpIdx) {
        match self.st.kernel_map.binary_search(&ua) {
            Ok(i) => {
                self.st.kernel_map.remove(i);
            }
            Err(_) => {
                self.finding(
                    Check::UareaDoubleFree,
                    format!("uvm_km_free of u-area {ua:#010x}, which is not allocated"),
                );
            }
        }
        self.st.inflight.retain(|&a| a != ua);
        self.give_up_uarea(l, ua);
        self.st.counters.km_free += 1;
        self.set_ev(Event::KmFree, ua);
    }
}

fn cpus_of(mask: u32) -> String {
    let v: Vec<String> = (0..32)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| format!("cpu{i}"))
        .collect();
    v.join(", ")
}
