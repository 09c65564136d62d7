//! One modelled i386 CPU: the registers and per-CPU variables the exit path changes.

use serde::Serialize;

/// The registers and per-CPU variables that matter for exit: which page directory is
/// loaded, which TSS the task register names, which kernel stack is in use.
/// Addresses are modelled kernel virtual / physical addresses, not host pointers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Cpu {
    /// cpu_number().
    pub id: u8,
    /// %cr3: physical address of the loaded page directory.
    pub cr3: u32,
    /// %tr: the selector of the loaded TSS (its descriptor is cached by the CPU).
    pub tr: u16,
    /// tss_esp0 of the loaded TSS: where a trap from user mode would put the stack.
    pub esp0: u32,
    /// The u-area whose kernel stack %esp is in right now.
    pub kstack: u32,
    /// curpcb: the u-area holding the current PCB.
    pub curpcb: u32,
    /// EFLAGS.IF: interrupts enabled.
    pub eflags_if: bool,
    /// The idle PCB that switch_exit moves to (lwp0's on a uniprocessor).
    pub idle_pcb: u32,
    /// The TSS selector of the idle PCB.
    pub idle_tss_sel: u16,
    /// The page directory of the idle PCB (the kernel's own, proc0's pmap).
    pub idle_cr3: u32,
}

impl Cpu {
    /// A CPU sitting on its idle PCB, as after boot.
    pub fn new(id: u8, idle_pcb: u32, idle_tss_sel: u16, idle_cr3: u32) -> Cpu {
        Cpu {
            id,
            cr3: idle_cr3,
            tr: idle_tss_sel,
            esp0: idle_pcb + super::ESP0_OFFSET,
            kstack: idle_pcb,
            curpcb: idle_pcb,
            eflags_if: true,
            idle_pcb,
            idle_tss_sel,
            idle_cr3,
        }
    }

    /// Bit for this CPU in a pmap's `pm_cpus` mask.
    pub fn mask(&self) -> u32 {
        1u32 << self.id
    }
}
