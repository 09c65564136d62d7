//! `Step` questions: which function runs the next micro-step.

use super::{choose, other_designs, step_words, Ask, Question};
use crate::engine::forkpy_run::SplitMix64;
use crate::engine::session::Session;

pub(super) fn ask_step(
    s: &Session,
    others: &[Session],
    at: u64,
    rng: &mut SplitMix64,
) -> Option<Question> {
    let steps = &s.trace.steps;
    let next = steps.get(at as usize)?;
    let answer = next.func.name().to_string();
    let mut wrong: Vec<String> = others
        .iter()
        .filter_map(|o| o.trace.steps.get(s.lock_pos(o, at) as usize))
        .map(|st| st.func.name().to_string())
        .collect();
    if let Some(prev) = at.checked_sub(1).and_then(|i| steps.get(i as usize)) {
        wrong.push(prev.func.name().to_string());
    }
    // the functions run nearby, nearest first
    let (lo, hi) = (at.saturating_sub(400), (at + 400).min(s.len()));
    let mut near: Vec<(u64, &'static str)> = (lo..hi)
        .map(|i| (i.abs_diff(at), steps[i as usize].func.name()))
        .collect();
    near.sort();
    wrong.extend(near.into_iter().map(|(_, f)| f.to_string()));
    let (choices, answer) = choose(rng, answer, wrong)?;
    let (words, func, line) = step_words(s, at + 1);
    let others_say = other_designs(s, others, |o| {
        o.trace
            .steps
            .get(s.lock_pos(o, at) as usize)
            .map(|st| st.func.name().to_string())
    });
    Some(Question {
        ask: Ask::Step,
        step: at,
        reveal: at + 1,
        question: "Which function runs the next micro-step?".to_string(),
        choices,
        answer,
        explanation: format!("{words}{others_say}"),
        func,
        line,
        decided_at: Some(at + 1),
        cell: None,
    })
}
