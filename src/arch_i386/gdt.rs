//! The i386 GDT as gdt.c manages it: NGDT static descriptors, then dynamic slots handed
//! out by `gdt_get_slot` from a free list or a sweep pointer, grown from MINGDTSIZ to
//! MAXGDTSIZ descriptors.

use serde::Serialize;

/// Static descriptors before the dynamic area. The 2003 value is not confirmed; we use
/// the names of the i386 segments.h of the period (see docs/model.md).
pub const STATIC_NAMES: [&str; 11] = [
    "GNULL_SEL",
    "GCODE_SEL",
    "GDATA_SEL",
    "GLDT_SEL",
    "GUCODE_SEL",
    "GUDATA_SEL",
    "GAPM32CODE_SEL",
    "GAPM16CODE_SEL",
    "GAPMDATA_SEL",
    "GBIOSCODE_SEL",
    "GBIOSDATA_SEL",
];
/// NGDT: index of the first dynamic slot.
pub const NGDT: u16 = STATIC_NAMES.len() as u16;
/// Descriptors backed by memory at boot (gdt.h).
pub const MINGDTSIZ: u16 = 512;
/// Most descriptors the GDT may grow to (gdt.h).
pub const MAXGDTSIZ: u16 = 8192;

/// What a dynamic GDT slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "state", content = "owner", rename_all = "lowercase")]
pub enum SlotState {
    /// SDT_SYSNULL, on the free list.
    Free,
    /// SDT_SYS386TSS describing the TSS of this owner (an LWP number of the engine).
    Tss(u32),
}

/// The dynamic part of the GDT.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gdt {
    /// gdt_size: descriptors currently backed by pages.
    pub size: u16,
    /// gdt_count: descriptors in use (static ones included).
    pub count: u16,
    /// gdt_next: the sweep pointer, next never-used slot.
    pub next: u16,
    /// gdt_free: the free list, head last (LIFO, chained through the descriptors).
    pub free: Vec<u16>,
    /// State of each dynamic slot from NGDT to `next` (index: slot - NGDT).
    pub slots: Vec<SlotState>,
    /// The slot freed most recently (for the UI's "just freed").
    pub last_freed: Option<u16>,
    /// Highest `count` seen.
    pub count_peak: u16,
}

/// Why `gdt_get_slot` could not give a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GdtFull;

impl Default for Gdt {
    fn default() -> Self {
        Gdt::new()
    }
}

impl Gdt {
    /// The GDT after `gdt_init`: static descriptors in place, MINGDTSIZ backed.
    pub fn new() -> Gdt {
        Gdt {
            size: MINGDTSIZ,
            count: NGDT,
            next: NGDT,
            free: Vec::new(),
            slots: Vec::new(),
            last_freed: None,
            count_peak: NGDT,
        }
    }

    /// True when the next `get_slot` has to call `gdt_grow` (which may sleep).
    pub fn needs_grow(&self) -> bool {
        self.free.is_empty() && self.next >= self.size
    }

    /// `gdt_get_slot`: the free list first, then the sweep; grows the table by doubling
    /// when the sweep reaches the end. Returns the slot and whether it grew.
    pub fn get_slot(&mut self, owner: u32) -> Result<(u16, bool), GdtFull> {
        let mut grew = false;
        let slot = if let Some(slot) = self.free.pop() {
            slot
        } else {
            if self.next >= self.size {
                if self.size >= MAXGDTSIZ {
                    return Err(GdtFull);
                }
                self.size = self.size.saturating_mul(2).min(MAXGDTSIZ);
                grew = true;
            }
            let slot = self.next;
            self.next += 1;
            self.slots.push(SlotState::Free);
            slot
        };
        if let Some(s) = self.slot_mut(slot) {
            *s = SlotState::Tss(owner);
        }
        self.count += 1;
        self.count_peak = self.count_peak.max(self.count);
        Ok((slot, grew))
    }

    /// `gdt_put_slot`: mark the descriptor SDT_SYSNULL and push it on the free list.
    /// Returns the previous state (so the caller can report a double free).
    pub fn put_slot(&mut self, slot: u16) -> Option<SlotState> {
        let prev = self.state(slot)?;
        if let Some(s) = self.slot_mut(slot) {
            *s = SlotState::Free;
        }
        if prev != SlotState::Free {
            self.count -= 1;
            self.free.push(slot);
        }
        self.last_freed = Some(slot);
        Some(prev)
    }

    /// State of a dynamic slot; `None` for static or never-used slots.
    pub fn state(&self, slot: u16) -> Option<SlotState> {
        slot.checked_sub(NGDT)
            .and_then(|i| self.slots.get(i as usize).copied())
    }

    fn slot_mut(&mut self, slot: u16) -> Option<&mut SlotState> {
        slot.checked_sub(NGDT)
            .and_then(|i| self.slots.get_mut(i as usize))
    }

    /// Dynamic slots in use.
    pub fn dynamic_in_use(&self) -> u16 {
        self.count - NGDT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_list_is_lifo_and_sweep_grows() {
        let mut g = Gdt::new();
        let (a, _) = g.get_slot(1).unwrap();
        let (b, _) = g.get_slot(2).unwrap();
        assert_eq!((a, b), (NGDT, NGDT + 1));
        g.put_slot(a);
        assert_eq!(g.get_slot(3).unwrap(), (a, false));
        let mut grew = 0;
        for i in 0..600 {
            if g.get_slot(10 + i).unwrap().1 {
                grew += 1;
            }
        }
        assert_eq!((g.size, grew), (1024, 1));
    }
}
