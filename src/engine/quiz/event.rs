//! `Event` questions: the kernel call chain of the next event of a kind.

use super::{choose, other_designs, step_words, Ask, Question};
use crate::engine::forkpy_run::SplitMix64;
use crate::engine::func::NONE;
use crate::engine::session::MarkerKind;
use crate::engine::session::Session;
use crate::engine::sim::IDLE_OWNER_BASE;

/// How far ahead (micro-steps) an `Event` question looks for the next event of each
/// kind: a kind a long run never has again would otherwise cost a scan to its end.
const EVENT_HORIZON: usize = 20_000;

/// The marker kinds an `Event` question asks about: those a step's event decides.
const EVENT_KINDS: [MarkerKind; 8] = [
    MarkerKind::Exit,
    MarkerKind::Zombie,
    MarkerKind::LwpZombie,
    MarkerKind::Reap,
    MarkerKind::UareaCached,
    MarkerKind::KmFree,
    MarkerKind::TssFree,
    MarkerKind::Drain,
];

/// The kernel call chain step `i` runs in ("syscall › sys_exit › exit1 › cpu_wait ›
/// tss_free"): the stack of the LWP (or of the idle PCB) that ran it, before it ran.
fn chain(s: &Session, i: u64) -> Option<String> {
    let step = s.trace.steps.get(i as usize)?;
    let sim = s.sim_at(i);
    let st = &sim.st;
    let frames = if step.lwp == NONE || step.lwp >= IDLE_OWNER_BASE {
        &st.cpus.get(usize::from(step.cpu))?.idle_frames
    } else {
        &st.lwps.get(step.lwp as usize)?.kstack
    };
    let mut names: Vec<&str> = frames.iter().map(|f| f.func.name()).collect();
    if names.last() != Some(&step.func.name()) {
        names.push(step.func.name());
    }
    Some(names.join(" › "))
}

/// Step indices of the markers of `kind` in `s` from step `from` on (at most `max`).
fn markers_from(s: &Session, kind: MarkerKind, from: u64, max: usize) -> Vec<u64> {
    s.trace.steps[from.min(s.len()) as usize..]
        .iter()
        .enumerate()
        .filter(|(_, x)| kind.matches(s.design, x))
        .take(max)
        .map(|(k, _)| from + k as u64)
        .collect()
}

pub(super) fn ask_event(
    s: &Session,
    others: &[Session],
    at: u64,
    rng: &mut SplitMix64,
) -> Option<Question> {
    // the next marker of each kind after `at`, within `EVENT_HORIZON` steps
    let mut next: Vec<(MarkerKind, u64)> = Vec::new();
    let ahead = s.trace.steps[at.min(s.len()) as usize..].iter();
    for (k, x) in ahead.take(EVENT_HORIZON).enumerate() {
        for kind in EVENT_KINDS {
            if !next.iter().any(|(n, _)| *n == kind) && kind.matches(s.design, x) {
                next.push((kind, at + k as u64));
            }
        }
        if next.len() == EVENT_KINDS.len() {
            break;
        }
    }
    next.sort_by_key(|(kind, _)| EVENT_KINDS.iter().position(|k| k == kind));
    let &(kind, i) = next.get(rng.below(next.len() as u64) as usize)?;
    let answer = chain(s, i)?;
    // which one of its kind it is, for the same one in the other designs (counted only
    // when there are other runs: a long run has none)
    let nth = if others.is_empty() {
        0
    } else {
        s.trace.steps[..i as usize]
            .iter()
            .filter(|x| kind.matches(s.design, x))
            .count()
    };
    let in_other = |o: &Session| -> Option<String> {
        let j = *markers_from(o, kind, 0, nth + 1).get(nth)?;
        chain(o, j)
    };
    let mut wrong: Vec<String> = others.iter().filter_map(in_other).collect();
    // the chains of later events of the same kind, then of the other kinds ahead
    wrong.extend(
        markers_from(s, kind, i + 1, 6)
            .into_iter()
            .filter_map(|j| chain(s, j)),
    );
    wrong.extend(
        next.iter()
            .filter(|(k, _)| *k != kind)
            .filter_map(|&(_, j)| chain(s, j)),
    );
    let (choices, answer_ix) = choose(rng, answer, wrong)?;
    let (words, func, line) = step_words(s, i + 1);
    let others_say = other_designs(s, others, in_other);
    Some(Question {
        ask: Ask::Event,
        step: at,
        reveal: i + 1,
        question: format!(
            "Run on to the next {} ({}). Through which kernel call chain does it happen?",
            kind.name(),
            kind.counts()
        ),
        choices,
        answer: answer_ix,
        explanation: format!("{words}{others_say}"),
        func,
        line,
        decided_at: Some(i + 1),
        cell: None,
    })
}
