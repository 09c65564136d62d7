//! Watchpoints: `Session::next_change` against brute force over the built-ins.

use exitpath::engine::library::BUILTINS;
use exitpath::engine::session::Session;
use exitpath::engine::why::{key, Cell};

/// `next_change` is the brute-force answer forward: the first k > at where `state --at k`
/// differs from `state --at k-1` in that cell; and it agrees with `last_change` (the last
/// change at or before that k is k itself).
#[test]
fn next_change_is_the_first_difference_after_the_position() {
    for b in BUILTINS.iter().take(6) {
        let s = Session::new(b.text, None).unwrap();
        let len = s.len();
        let states: Vec<_> = (0..=len).map(|k| s.sim_at(k).st).collect();
        for cell in [
            "proc.1.p_stat",
            "lwp.10.1.l_stat",
            "cpu.0.tr",
            "uvm_nuarea",
            "list.zombproc",
            "gdt.12",
        ] {
            let cell: Cell = cell.parse().unwrap();
            for at in (0..=len).step_by((len as usize / 7).max(1)) {
                let brute = (at + 1..=len).find(|&k| {
                    key(&states[k as usize], cell) != key(&states[k as usize - 1], cell)
                });
                assert_eq!(s.next_change(cell, at), brute, "{} {cell} at {at}", b.id);
                if let Some(k) = brute {
                    assert_eq!(
                        s.last_change(cell, k),
                        Some(k),
                        "{} {cell}: last_change at {k}",
                        b.id
                    );
                }
            }
        }
    }
}
