//! The executor: what each pseudo-source `Op` does to the kernel state. Split by
//! subsystem; this file holds dispatch, calls and returns.

mod proc;
mod sched;
mod vm;

use super::func::{Arg, Frame, Func, Op, NONE};
use super::sim::Sim;
use super::state::LwpIdx;
use super::trace::Check;

impl Sim {
    /// Execute one line. `f` is a copy of the current frame with `pc` already past
    /// the line.
    pub(crate) fn exec(&mut self, cpu: usize, f: Frame, op: Op) {
        use Op::*;
        match op {
            Nop => {}
            MaySleep(what) => self.need_sleepable(cpu, what),
            Goto(t) => self.goto(cpu, t),
            Call(Func::switch_exit, _) if self.uarea_early(f) => {
                // what-if: the u-area goes to the cache before switch_exit leaves it
                self.again(cpu);
                self.call(cpu, f, Func::uvm_lwp_exit, Arg::Same, None);
            }
            Call(func, arg) => self.call(cpu, f, func, arg, None),
            CallArg(func, arg, a) => self.call(cpu, f, func, arg, Some(a)),
            CallArgGoto(func, a, t) => {
                self.goto(cpu, t);
                self.call(cpu, f, func, Arg::Same, Some(a));
            }
            Ret => self.ret(cpu, 0),
            RetRv => self.ret(cpu, f.rv),
            RetIfErr => {
                if f.rv != 0 {
                    self.ret(cpu, f.rv)
                }
            }
            RetIfErrOrGoto(t) => {
                if f.rv != 0 {
                    self.ret(cpu, f.rv)
                } else {
                    self.goto(cpu, t)
                }
            }
            RetNanosleep => {
                let rv = if f.rv == super::sim::EWOULDBLOCK {
                    0
                } else {
                    f.rv
                };
                self.ret(cpu, rv)
            }
            Tsleep(kind) => {
                // lwp_wait1: (lid != 0) ? "lwpwait" : "lwpwait2"
                let kind = match kind {
                    super::func::Sleep::LwpWait
                        if f.arg & !super::func::LWPWAIT_EXITCONTROL == 0 =>
                    {
                        super::func::Sleep::LwpWait2
                    }
                    k => k,
                };
                let mut callee = f;
                callee.func = Func::ltsleep;
                callee.pc = 0;
                callee.sleep = Some(kind);
                self.stack(cpu).push(callee);
            }
            Sched(op) => self.exec_sched(cpu, f, op),
            Proc(op) => self.exec_proc(cpu, f, op),
            Vm(op) => self.exec_vm(cpu, f, op),
        }
    }

    /// Continue at line `t` of the current function.
    pub(crate) fn goto(&mut self, cpu: usize, t: u16) {
        if let Some(top) = self.stack(cpu).last_mut() {
            top.pc = t;
        }
    }

    /// Execute the current line again after the callee pushed next returns.
    pub(crate) fn again(&mut self, cpu: usize) {
        if let Some(top) = self.stack(cpu).last_mut() {
            top.pc = top.pc.saturating_sub(1);
        }
    }

    /// Push a callee: a copy of the caller's locals, `l`/`p` rebound per `arg`.
    pub(crate) fn call(&mut self, cpu: usize, f: Frame, func: Func, arg: Arg, a: Option<u32>) {
        let mut callee = f;
        callee.func = func;
        callee.pc = 0;
        callee.sleep = None;
        match arg {
            Arg::Same => {}
            Arg::L2 => {
                callee.l = f.l2;
                callee.p = self.st.lwp(f.l2).map(|l| l.pid).unwrap_or(NONE);
            }
            Arg::P2 => callee.p = f.p2,
        }
        if let Some(a) = a {
            callee.arg = a;
        }
        self.stack(cpu).push(callee);
    }

    /// Pop the current frame; the caller gets `rv` and the callee's out-parameters.
    /// A caller whose last line was the call (a tail call, such as
    /// `proc_free(child); return (0);`) returns too, with the same value.
    pub(crate) fn ret(&mut self, cpu: usize, rv: i32) {
        if rv > 1
            && self.ev.0 == super::trace::Event::None
            && matches!(
                self.stack(cpu).last().map(|f| f.func),
                Some(Func::lwp_wait1 | Func::find_stopped_child)
            )
        {
            self.set_ev(super::trace::Event::Error, rv as u32);
        }
        let design = self.cfg.design;
        let stack = self.stack(cpu);
        let Some(mut callee) = stack.pop() else {
            return;
        };
        while let Some(caller) = stack.last_mut() {
            caller.rv = rv;
            caller.l2 = callee.l2;
            caller.p2 = callee.p2;
            caller.uaddr = callee.uaddr;
            caller.inmem = callee.inmem;
            caller.slot = callee.slot;
            let len = super::source::body(design, caller.func)
                .map(|b| b.lines.len())
                .unwrap_or(0);
            if (caller.pc as usize) < len {
                break;
            }
            callee = *caller;
            stack.pop();
        }
    }

    /// Why the code on `cpu` may not sleep, if it may not.
    pub(crate) fn no_sleep_reason(&self, cpu: usize, interlock: bool) -> Option<&'static str> {
        let c = &self.st.cpus[cpu];
        let Some(l) = c.on_stack else {
            return Some("it runs on the idle PCB, where there is no LWP to put to sleep");
        };
        if self.st.lwps[l as usize].no_sleep {
            return Some("exit1 is past \"NO LONGER ALLOWED TO SLEEP\"");
        }
        if c.spin_locks > u8::from(interlock) {
            return Some("a simple lock is held");
        }
        if c.proclist_locked {
            return Some("proclist_lock (a spin lock) is held");
        }
        None
    }

    /// A call that may block: record a fault if this context cannot sleep.
    pub(crate) fn need_sleepable(&mut self, cpu: usize, what: &str) {
        if let Some(why) = self.no_sleep_reason(cpu, false) {
            let check = if self
                .on_lwp(cpu)
                .map(|l| self.st.lwps[l as usize].no_sleep)
                .unwrap_or(false)
            {
                Check::SleepAfterNoReturn
            } else {
                Check::BlockingNoSleep
            };
            self.finding(check, format!("{what} may sleep, but here {why}"));
        }
    }

    fn uarea_early(&self, f: Frame) -> bool {
        self.cfg.design != super::design::Design::Reaper
            && self
                .cfg
                .has(super::design::Switch::UareaCacheBeforeSwitchExit)
            && self.st.lwp(f.l).is_some_and(|l| l.owns_uarea)
    }

    pub(crate) fn on_lwp(&self, cpu: usize) -> Option<LwpIdx> {
        self.st.cpus[cpu].on_stack
    }
}
