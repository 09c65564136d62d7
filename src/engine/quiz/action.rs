//! `Action` questions: what a cell holds when the next scenario action starts.

use super::GONE;
use super::{choose, other_designs, step_words, Ask, Question};
use crate::arch_i386::gdt::NGDT;
use crate::arch_i386::SlotState;
use crate::engine::forkpy_run::SplitMix64;
use crate::engine::narrate;
use crate::engine::session::Session;
use crate::engine::sim::{Sim, FIRST_USER_PID};
use crate::engine::state::{KernelState, Pid};
use crate::engine::why::{self, Cell, CpuReg, ListName, LwpField, ProcField};

/// The cells an "after this action" question may ask about, as the issue names them:
/// `p_stat`, `l_stat`, `uvm_nuarea`, `%tr`, the lists.
fn askable(cell: &Cell) -> bool {
    match cell {
        Cell::Proc(pid, ProcField::Stat) | Cell::Lwp(pid, _, LwpField::Stat) => {
            *pid >= FIRST_USER_PID
        }
        Cell::UvmNuarea | Cell::Cpu(_, CpuReg::Tr) => true,
        Cell::List(l) => *l != ListName::Runqueue,
        _ => false,
    }
}

fn value_or_gone(st: &KernelState, cell: Cell) -> String {
    why::value(st, cell).unwrap_or_else(|| GONE.to_string())
}

/// The cell in words, for a question: a process named as it is in `sim`, or else in
/// `later` (a process not yet forked).
fn cell_words(sim: &Sim, later: &Sim, cell: Cell) -> String {
    let name = |pid: Pid| {
        narrate::proc_label(sim, pid)
            .or_else(|| narrate::proc_label(later, pid))
            .unwrap_or_else(|| format!("pid {pid}"))
    };
    match cell {
        Cell::Proc(pid, _) => format!("p_stat of {} (pid {pid})", name(pid)),
        Cell::Lwp(pid, lid, _) => format!("l_stat of LWP {pid}.{lid} ({})", name(pid)),
        Cell::UvmNuarea => "uvm_nuarea (the u-areas on the cache list)".into(),
        Cell::Cpu(n, _) => format!("%tr of cpu{n}"),
        Cell::List(_) => format!("the list {}", cell.to_string().trim_start_matches("list.")),
        Cell::Gdt(slot) => format!("GDT slot {slot}"),
    }
}

/// Plausible values of `cell` besides the answer: kind by kind.
fn alternatives(cell: Cell, answer: &str, now: &KernelState) -> Vec<String> {
    let words = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match cell {
        Cell::Proc(..) => words(&["SZOMB", "SDEAD", "SACTIVE", GONE]),
        Cell::Lwp(..) => words(&["LSZOMB", "LSDEAD", "LSONPROC", "LSSLEEP", "LSRUN", GONE]),
        Cell::UvmNuarea => {
            let n: i64 = answer.parse().unwrap_or(0);
            [n + 1, n - 1, n + 2, n - 2]
                .into_iter()
                .filter(|&v| v >= 0)
                .map(|v| v.to_string())
                .collect()
        }
        Cell::Cpu(..) => {
            // the selectors of the TSSs in the GDT now
            let mut v: Vec<String> = now
                .gdt
                .slots
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s, SlotState::Tss(_)))
                .map(|(i, _)| format!("{:#06x}", (NGDT + i as u16) << 3))
                .collect();
            v.reverse();
            v
        }
        Cell::List(_) => {
            // the answer with its last item left out, or with its first item twice
            let inner = answer.trim_start_matches('[').trim_end_matches(']');
            let items: Vec<&str> = inner.split(", ").filter(|s| !s.is_empty()).collect();
            let mut v = Vec::new();
            if !items.is_empty() {
                v.push(format!("[{}]", items[..items.len() - 1].join(", ")));
                v.push(format!("[{}]", items[1..].join(", ")));
            }
            v.push("[]".into());
            v
        }
        Cell::Gdt(_) => Vec::new(),
    }
}

pub(super) fn ask_action(
    s: &Session,
    others: &[Session],
    at: u64,
    rng: &mut SplitMix64,
) -> Option<Question> {
    let reveal = s.next_action(at);
    if reveal <= at {
        return None;
    }
    let now = s.sim_at(at);
    let then = s.sim_at(reveal);
    let mut cells: Vec<Cell> = why::cells(&now.st);
    cells.extend(why::cells(&then.st));
    cells.sort();
    cells.dedup();
    cells.retain(askable);
    let changed: Vec<Cell> = cells
        .iter()
        .copied()
        .filter(|&c| why::value(&now.st, c) != why::value(&then.st, c))
        .collect();
    // a cell the student can see now, if one changes; else one that appears
    let seen: Vec<Cell> = changed
        .iter()
        .copied()
        .filter(|&c| why::value(&now.st, c).is_some())
        .collect();
    let pool = [&seen, &changed, &cells]
        .into_iter()
        .find(|v| !v.is_empty())?;
    let cell = *pool.get(rng.below(pool.len() as u64) as usize)?;
    let answer = value_or_gone(&then.st, cell);
    let at_same = |o: &Session| {
        let p = s.same_action(reveal, o);
        value_or_gone(&o.sim_at(p).st, cell)
    };
    let mut wrong: Vec<String> = others.iter().map(at_same).collect();
    wrong.push(value_or_gone(&now.st, cell));
    wrong.extend(alternatives(cell, &answer, &now.st));
    let (choices, answer_ix) = choose(rng, answer.clone(), wrong)?;
    let doing = match s.action_at(at.max(1)).or_else(|| s.trace.actions.first()) {
        Some(a) if at > 0 && a.line > 0 => {
            format!(
                "The kernel is serving `{}` (scenario line {}). ",
                a.text.trim(),
                a.line
            )
        }
        _ => String::new(),
    };
    let (explanation, func, line, decided_at) = match s.why(cell, reveal, 0) {
        Ok(w) => match w.step {
            Some(k) => {
                let (words, func, line) = step_words(s, k + 1);
                (
                    format!("It holds {answer} since step {}. {words}", k + 1),
                    func,
                    line,
                    Some(k + 1),
                )
            }
            None => (format!("It holds {answer} since boot."), None, None, None),
        },
        Err(_) => (
            "By then it no longer exists: its proc or LWP was freed.".to_string(),
            None,
            None,
            None,
        ),
    };
    let others_say = other_designs(s, others, |o| Some(at_same(o)));
    Some(Question {
        ask: Ask::Action,
        step: at,
        reveal,
        question: format!(
            "{doing}When the next scenario action starts, what will {} hold?",
            cell_words(&now, &then, cell)
        ),
        choices,
        answer: answer_ix,
        explanation: format!("{explanation}{others_say}"),
        func,
        line,
        decided_at,
        cell: Some(cell.to_string()),
    })
}
