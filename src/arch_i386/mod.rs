//! The modelled i386 CPU: registers that the exit path touches, and the GDT with its
//! dynamic TSS slots. Knows nothing of processes beyond opaque owner numbers.

pub mod cpu;
pub mod gdt;

pub use cpu::Cpu;
pub use gdt::{Gdt, SlotState};

/// Size of a u-area on i386: UPAGES (2) pages of 4 KiB, holding the PCB (with its
/// embedded TSS) and the kernel stack.
pub const USPACE: u32 = 2 * 4096;

/// `tss_esp0` is set 16 bytes below the top of the u-area (cpu_lwp_fork).
pub const ESP0_OFFSET: u32 = USPACE - 16;

/// The value `cpu_lwp_free` writes into `md_tss_sel` under DEBUG (committed form).
pub const TSS_SEL_POISON_COMMITTED: u32 = 0xfeed_beed;

/// The value `cpu_wait` writes into `md_tss_sel` under DEBUG after `tss_free` (patch).
pub const TSS_SEL_POISON: u32 = 0xdead_beef;

/// A GDT selector for kernel privilege: `GSEL(slot, SEL_KPL)`.
pub fn gsel(slot: u16) -> u16 {
    slot << 3
}

/// The descriptor index of a selector: `IDXSEL(sel)`.
pub fn idxsel(sel: u16) -> u16 {
    sel >> 3
}
