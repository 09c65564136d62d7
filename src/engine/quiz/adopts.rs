//! `Adopts` questions: which processes init adopts when a process with children exits.

use super::{choose, step_words, Ask, Question};
use crate::engine::forkpy_run::SplitMix64;
use crate::engine::narrate;
use crate::engine::session::Session;
use crate::engine::sim::Sim;
use crate::engine::state::{KernelState, Pid};
use crate::engine::trace::Event;
use crate::engine::why::{Cell, ProcField};

/// `pid`'s descendants in `st`, each with its depth (1: a child).
fn descendants(st: &KernelState, pid: Pid) -> Vec<(Pid, u32)> {
    let mut out = Vec::new();
    let mut todo = vec![(pid, 0u32)];
    while let Some((p, d)) = todo.pop() {
        if let Some(pr) = st.proc(p) {
            for &c in &pr.children {
                out.push((c, d + 1));
                todo.push((c, d + 1));
            }
        }
    }
    out.sort();
    out
}

pub(super) fn ask_adopts(s: &Session, at: u64, rng: &mut SplitMix64) -> Option<Question> {
    let steps = &s.trace.steps;
    // the next exit of a process with children, at most 64 exits on (one replay
    // forward from the first, not a replay from a checkpoint per exit)
    let mut replay: Option<Sim> = None;
    let mut found = None;
    for (k, x) in steps[at.min(s.len()) as usize..]
        .iter()
        .enumerate()
        .filter(|(_, x)| x.event == Event::ExitBegin)
        .take(64)
    {
        let e = at + k as u64;
        let sim = replay.get_or_insert_with(|| {
            let mut sim = s.sim_at(e);
            sim.checks = false;
            sim
        });
        while sim.step_no < e && sim.step().is_some() {}
        if sim.st.proc(x.val).is_some_and(|p| !p.children.is_empty()) {
            found = Some((e, x.val));
            break;
        }
    }
    let (e, pid) = found?;
    let sim = replay?;
    let st = &sim.st;
    let all = descendants(st, pid);
    let label = |p: Pid| narrate::proc_label(&sim, p).unwrap_or_else(|| format!("pid {p}"));
    let set = |v: &[Pid]| -> String {
        if v.is_empty() {
            "none of them".to_string()
        } else {
            let mut v = v.to_vec();
            v.sort();
            v.iter()
                .map(|&p| format!("{} (pid {p})", label(p)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    // what the trace does: the Reparent steps its own LWPs run until it is a zombie
    let own: Vec<u32> = st.proc(pid).map(|p| p.lwps.clone()).unwrap_or_default();
    let mut adopted: Vec<Pid> = Vec::new();
    let mut last = None;
    for (k, x) in steps[e as usize..].iter().enumerate() {
        let i = e + k as u64;
        match x.event {
            Event::Reparent if own.contains(&x.lwp) => {
                adopted.push(x.val);
                last = Some(i);
            }
            Event::Zombie | Event::Dead if x.val == pid => break,
            _ => {}
        }
    }
    let children: Vec<Pid> = all
        .iter()
        .filter(|(_, d)| *d == 1)
        .map(|(p, _)| *p)
        .collect();
    let everyone: Vec<Pid> = all.iter().map(|(p, _)| *p).collect();
    let living: Vec<Pid> = children
        .iter()
        .copied()
        .filter(|&c| {
            st.proc(c)
                .is_some_and(|p| p.stat != crate::engine::state::PStat::SZOMB)
        })
        .collect();
    let zombies: Vec<Pid> = children
        .iter()
        .copied()
        .filter(|c| !living.contains(c))
        .collect();
    let answer = set(&adopted);
    // fork.py's rule (every descendant), the living or the zombie children only, none
    let wrong = vec![
        set(&everyone),
        set(&living),
        set(&zombies),
        set(&[]),
        set(&children),
    ];
    let (choices, answer_ix) = choose(rng, answer, wrong)?;
    let tree = all
        .iter()
        .map(|&(p, d)| {
            let zombie = st
                .proc(p)
                .is_some_and(|x| x.stat == crate::engine::state::PStat::SZOMB);
            let what = match d {
                1 => "child",
                2 => "grandchild",
                _ => "descendant",
            };
            format!(
                "{} (pid {p}, {what}{})",
                label(p),
                if zombie { ", a zombie" } else { "" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (words, func, line) = match last {
        Some(i) => step_words(s, i + 1),
        None => (
            "No step reparents a process before it is a zombie.".to_string(),
            None,
            None,
        ),
    };
    Some(Question {
        ask: Ask::Adopts,
        step: at,
        reveal: last.map_or(e + 1, |i| i + 1),
        question: format!(
            "{} (pid {pid}) is the next process with children to call exit. Its descendants \
             then: {tree}. Which processes will init (pid 1) adopt?",
            label(pid)
        ),
        choices,
        answer: answer_ix,
        explanation: format!("The last reparenting: {words}"),
        func,
        line,
        decided_at: last.map(|i| i + 1),
        cell: adopted
            .first()
            .map(|&p| Cell::Proc(p, ProcField::Pptr).to_string()),
    })
}
