//! `exitpath quiz`'s output: the questions as JSON or as lettered text.

use super::Question;
use crate::engine::session::Session;

/// `exitpath quiz --format json`: `{"seed": S, "questions": [{"step", "question",
/// "choices", "answer", "explanation"}]}`, `answer` and `explanation` only with
/// `answers`.
pub fn json(seed: u64, qs: &[Question], answers: bool) -> String {
    let questions: Vec<serde_json::Value> = qs
        .iter()
        .map(|q| {
            let mut v = serde_json::json!({
                "step": q.step,
                "kind": q.ask.id(),
                "question": q.question,
                "choices": q.choices,
            });
            if answers {
                v["answer"] = q.answer.into();
                v["explanation"] = q.explanation.clone().into();
                v["reveal"] = q.reveal.into();
                v["decided_at"] = q.decided_at.into();
            }
            v
        })
        .collect();
    serde_json::json!({ "seed": seed, "questions": questions }).to_string()
}

/// `exitpath quiz` as text: each question with its step and lettered choices; with
/// `answers`, the answer and the explanation under it.
pub fn text(s: &Session, seed: u64, qs: &[Question], answers: bool) -> String {
    let mut out = format!(
        "exitpath quiz: {} questions, design {}, seed {seed} (the page's Predict panel asks the same)\n",
        qs.len(),
        s.design.name()
    );
    for (n, q) in qs.iter().enumerate() {
        out.push_str(&format!("\n{}. [step {}] {}\n", n + 1, q.step, q.question));
        for (i, c) in q.choices.iter().enumerate() {
            out.push_str(&format!("   {}) {c}\n", letter(i)));
        }
        if answers {
            out.push_str(&format!(
                "   Answer: {}) {}\n   {}\n",
                letter(q.answer),
                q.choices[q.answer],
                q.explanation
            ));
        }
    }
    out
}

/// a, b, c, ... for choice `i`.
pub fn letter(i: usize) -> char {
    char::from(b'a' + (i % 26) as u8)
}
