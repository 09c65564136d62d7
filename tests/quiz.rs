//! Predict, then reveal (`engine::quiz`): for random scenarios in every design and
//! several seeds, every question has exactly one right choice and it is what the
//! trace shows at the reveal; the page's "ask here" gives the quiz's own questions;
//! built-in scenarios give every kind; the CLI prints the documented JSON.

mod gen;

use exitpath::engine::design::Design;
use exitpath::engine::quiz::{self, Ask, Question, GONE};
use exitpath::engine::session::Session;
use exitpath::engine::state::KernelState;
use exitpath::engine::trace::Event;
use exitpath::engine::why::{self, Cell};
use gen::Gen;

/// The pids named "(pid N)" in a choice.
fn pids_in(s: &str) -> Vec<u32> {
    s.split("(pid ")
        .skip(1)
        .filter_map(|t| t.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok())
        .collect()
}

fn pptr(st: &KernelState, pid: u32) -> Option<u32> {
    st.proc(pid).map(|p| p.pptr)
}

/// The number after `word` in `text` (e.g. "slot 16").
fn number_after(text: &str, word: &str) -> Option<u64> {
    let t = text.split(word).nth(1)?.trim_start();
    let t = t.trim_start_matches("0x");
    let digits: String = t.chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    if text.contains(&format!("{word}0x")) || text.contains(&format!("{word} 0x")) {
        u64::from_str_radix(&digits, 16).ok()
    } else {
        digits.parse().ok()
    }
}

/// Checks one question against the trace; `what` names it in a failure.
fn check(s: &Session, q: &Question, what: &str) {
    let n = q.choices.len();
    assert!((2..=5).contains(&n), "{what}: {n} choices: {q:#?}");
    for (i, a) in q.choices.iter().enumerate() {
        assert!(
            !q.choices[i + 1..].contains(a),
            "{what}: choice {a:?} twice: {q:#?}"
        );
    }
    assert!(q.answer < n, "{what}: answer out of range");
    assert!(
        q.step <= q.reveal && q.reveal <= s.len(),
        "{what}: reveal {q:#?}"
    );
    let right = &q.choices[q.answer];
    // the step that decided it: at or before the reveal, with the source line named
    if let Some(d) = q.decided_at {
        assert!(0 < d && d <= q.reveal && q.func.is_some(), "{what}: {q:#?}");
        if q.ask == Ask::Action {
            let cell: Cell = q.cell.as_deref().unwrap().parse().unwrap();
            let (before, after) = (s.sim_at(d - 1).st, s.sim_at(d).st);
            assert_ne!(
                why::key(&before, cell),
                why::key(&after, cell),
                "{what}: the cell changes at {d}: {q:#?}"
            );
        } else {
            assert_eq!(d, q.reveal, "{what}: {q:#?}");
        }
    }
    // the step that decides it is named as the page counts: the reveal's number
    if matches!(q.ask, Ask::Step | Ask::Event)
        || (q.ask == Ask::Frees && !right.starts_with("nobody"))
    {
        assert!(
            q.explanation
                .starts_with(&format!("Step {} on cpu", q.reveal)),
            "{what}: {q:#?}"
        );
    }
    match q.ask {
        Ask::Step => {
            assert_eq!(q.reveal, q.step + 1, "{what}");
            assert_eq!(
                s.trace.steps[q.step as usize].func.name(),
                right,
                "{what}: {q:#?}"
            );
        }
        Ask::Action => {
            let cell: Cell = q
                .cell
                .as_deref()
                .expect("an action question names its cell")
                .parse()
                .unwrap();
            let then = s.sim_at(q.reveal).st;
            let shown = why::value(&then, cell).unwrap_or_else(|| GONE.to_string());
            assert_eq!(&shown, right, "{what}: {q:#?}");
            assert_eq!(q.reveal, s.next_action(q.step), "{what}");
        }
        Ask::Frees => {
            let nobody = right.starts_with("nobody");
            let reaper = right.contains("reaper");
            assert!(
                !reaper || s.design == Design::Reaper,
                "{what}: only the reaper design has a reaper: {q:#?}"
            );
            if q.question.contains("GDT slot") {
                let slot = number_after(&q.question, "GDT slot").unwrap() as u16;
                let cell = Cell::Gdt(slot);
                let at = why::key(&s.sim_at(q.step).st, cell);
                if nobody {
                    assert_eq!(q.reveal, s.len(), "{what}");
                    assert_eq!(why::key(&s.trace.last, cell), at, "{what}: {q:#?}");
                    assert!(
                        s.last_change(cell, s.len()).is_none_or(|k| k <= q.step),
                        "{what}: {q:#?}"
                    );
                } else {
                    // held until the reveal, free at it
                    assert_eq!(why::key(&s.sim_at(q.reveal - 1).st, cell), at, "{what}");
                    let v = why::value(&s.sim_at(q.reveal).st, cell).unwrap();
                    assert!(v.starts_with("free"), "{what}: {v}: {q:#?}");
                    if s.design == Design::Reaper {
                        assert!(
                            reaper,
                            "{what}: before the patch the reaper frees TSSs: {q:#?}"
                        );
                    }
                }
            } else {
                let events: Vec<Event> = s.trace.steps[q.step as usize..q.reveal as usize]
                    .iter()
                    .map(|x| x.event)
                    .collect();
                let cached = q.question.starts_with("uvm_nuarea is");
                let hits = |e: &Event| {
                    if cached {
                        *e == Event::KmFree
                    } else {
                        matches!(e, Event::UareaCached | Event::KmFree)
                    }
                };
                let n_hits = events.iter().filter(|e| hits(e)).count();
                if nobody {
                    assert_eq!(q.reveal, s.len(), "{what}");
                    if cached {
                        assert_eq!(n_hits, 0, "{what}: {q:#?}");
                    }
                } else {
                    assert!(
                        hits(events.last().unwrap()),
                        "{what}: the reveal frees it: {q:#?}"
                    );
                }
            }
        }
        Ask::Event => {
            // the reveal is right after an event step, run by the chain's last function
            let step = &s.trace.steps[q.reveal as usize - 1];
            assert_eq!(
                Some(step.func.name()),
                right.rsplit(" › ").next(),
                "{what}: {q:#?}"
            );
            assert!(right.contains(" › ") || !right.is_empty(), "{what}");
            let kinds = exitpath::engine::session::MarkerKind::ALL;
            assert!(
                kinds
                    .iter()
                    .any(|k| s.markers(*k).contains(&(q.reveal - 1))),
                "{what}: the reveal follows a marker: {q:#?}"
            );
        }
        Ask::Adopts => {
            let adopted = pids_in(right);
            let (before, after) = (s.sim_at(q.step).st, s.sim_at(q.reveal).st);
            for &p in &adopted {
                assert_eq!(pptr(&after, p), Some(1), "{what}: {p} adopted: {q:#?}");
            }
            // everyone named in the question whose parent became init by the reveal
            // (and was not init's before) is in the answer
            for p in pids_in(&q.question) {
                let newly = pptr(&after, p) == Some(1) && pptr(&before, p).is_some_and(|x| x != 1);
                if newly && !q.question.starts_with(&format!("{} ", p)) {
                    // the exiting process itself is named first; its own parent never changes here
                    assert!(
                        adopted.contains(&p)
                            || q.question.contains(&format!("(pid {p}) is the next")),
                        "{what}: {p} became init's but is not in the answer: {q:#?}"
                    );
                }
            }
        }
    }
}

#[test]
fn every_question_has_one_right_choice_and_the_trace_shows_it() {
    let mut asked = [0usize; Ask::ALL.len()];
    for seed in 0..1000u64 {
        let text = Gen::scenario(seed);
        let design = Design::ALL[(seed % 4) as usize];
        let s = Session::new(&text, Some(design)).unwrap();
        let others = quiz::others(&s);
        for qseed in [seed, seed.wrapping_mul(7919) + 1] {
            let qs = quiz::quiz(&s, &others, qseed, 6);
            for (i, q) in qs.iter().enumerate() {
                let what = format!(
                    "scenario seed {seed}, {}, quiz seed {qseed}, question {i}",
                    design.name()
                );
                check(&s, q, &what);
                asked[Ask::ALL.iter().position(|&a| a == q.ask).unwrap()] += 1;
                // the page asks the same question at that position
                assert_eq!(
                    quiz::ask(&s, &others, q.step, q.ask, qseed).as_ref(),
                    Some(q),
                    "{what}"
                );
            }
            assert!(
                qs.windows(2).all(|w| w[0].step <= w[1].step),
                "in step order"
            );
        }
        // the page's "ask here" at a few positions, every kind
        for k in 0..4u64 {
            let at = (seed * 131 + k * 977) % (s.len() + 1);
            for a in Ask::ALL {
                if let Some(q) = quiz::ask(&s, &others, at, a, seed) {
                    check(
                        &s,
                        &q,
                        &format!(
                            "scenario seed {seed}, {}, ask {} at {at}",
                            design.name(),
                            a.id()
                        ),
                    );
                }
            }
        }
    }
    for (a, n) in Ask::ALL.iter().zip(asked) {
        assert!(n > 100, "only {n} {} questions in 1,000 scenarios", a.id());
    }
}

#[test]
fn the_same_seed_gives_the_same_questions_and_another_seed_others() {
    let text = exitpath::engine::library::find("orphans").unwrap().text;
    let s = Session::new(text, Some(Design::Patch)).unwrap();
    let others = quiz::others(&s);
    let a = quiz::quiz(&s, &others, 42, 8);
    assert_eq!(a, quiz::quiz(&s, &others, 42, 8));
    assert_eq!(a.len(), 8);
    assert_ne!(a, quiz::quiz(&s, &others, 43, 8));
}

/// Built-in scenarios where each kind has something to ask, with the answer the
/// model's facts (docs/model.md) say.
#[test]
fn built_ins_ask_every_kind_with_the_facts_of_each_design() {
    let lib = |n: &str| exitpath::engine::library::find(n).unwrap().text;
    // who frees the exiting LWP's TSS: the reaper before the patch, the exiting LWP after
    for (design, who) in [
        (Design::Reaper, "the reaper kernel thread"),
        (Design::Patch, "the exiting LWP itself"),
        (Design::Committed, "the exiting LWP itself"),
    ] {
        let s = Session::new(lib("fork-wait-loop"), Some(design)).unwrap();
        let others = quiz::others(&s);
        let exit = s.markers(exitpath::engine::session::MarkerKind::Exit)[0];
        let q = (0..64)
            .find_map(|seed| {
                quiz::ask(&s, &others, exit, Ask::Frees, seed)
                    .filter(|q| q.question.contains("GDT slot"))
            })
            .expect("a TSS question at the first exit");
        assert!(
            q.choices[q.answer].starts_with(who),
            "{}: {q:#?}",
            design.name()
        );
        check(&s, &q, design.name());
    }
    // init adopts the direct children only: not the grandchild (fork.py's default)
    let text = "proc top\n  fork a\n  wait\n  exit 0\n\nproc a\n  fork b\n  yield\n  exit 0\n\n\
                proc b\n  fork c\n  sleep 3\n  exit 0\n\nproc c\n  sleep 6\n  exit 0\n";
    for design in Design::ALL {
        let s = Session::new(text, Some(design)).unwrap();
        let q = quiz::ask(&s, &quiz::others(&s), 0, Ask::Adopts, 1).expect("a exits with children");
        check(&s, &q, design.name());
        assert!(q.question.starts_with("a (pid 11)"), "{q:#?}");
        assert!(q.question.contains("c (pid 13, grandchild"), "{q:#?}");
        assert_eq!(q.choices[q.answer], "b (pid 12)", "{q:#?}");
        assert!(
            q.choices.contains(&"b (pid 12), c (pid 13)".to_string()),
            "fork.py's answer is offered: {q:#?}"
        );
    }
}
