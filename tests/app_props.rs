//! Property test of the app model: seeded random sequences of verbs (navigation, edits,
//! links, builds finishing or not, effects reporting late) go through `app::reduce`. The
//! model never panics, the position always lies within the run on screen, and the same
//! sequence gives the same state twice. A failure names the seed that reproduces it.

use exitpath::app::build::build_now;
use exitpath::app::{self, Edit, Nav, Outcome, ShareStatus, State, Verb};
use exitpath::engine::library::BUILTINS;
use exitpath::engine::session::MarkerKind;
use exitpath::engine::{Design, Switch};
use std::rc::Rc;

/// Sequences per run of the test, and verbs per sequence.
const SEQUENCES: u64 = 120;
const VERBS: usize = 60;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize].clone()
    }
}

/// Small texts: good ones, one that does not parse, an empty one.
const TEXTS: [&str; 4] = [
    "proc a\n  fork b\n  wait\n  exit 0\nproc b\n  exit 1\n",
    "proc a\n  thread t\n  lwp_wait\n  exit 0\nlwp t\n  lwp_exit\n",
    "proc a\n  frobnicate\n",
    "",
];

/// A random verb; `built` holds the last job's finished runs (a build may land late).
fn verb(rng: &mut Rng, s: &State, late: &mut Vec<Verb>) -> Verb {
    let end = s.end();
    match rng.below(31) {
        0..=3 => Nav::StepForward.into(),
        4 => Nav::StepBack.into(),
        5 => Nav::ActionForward.into(),
        6 => Nav::ActionBack.into(),
        7 => rng
            .pick(&[Nav::Home, Nav::End, Nav::Reset, Nav::TogglePlay])
            .into(),
        8 => Nav::Seek(rng.below(end + 50)).into(),
        9 => Nav::SeekCompare(rng.below(end + 50)).into(),
        10 => Nav::Tick.into(),
        11 => Nav::Advance(rng.below(40)).into(),
        12 => Nav::SetSpeed(rng.below(2000) as u32).into(),
        13 => Nav::SetUntilKind(rng.pick(&MarkerKind::ALL)).into(),
        14 => Nav::RunUntil {
            forward: rng.below(2) == 0,
        }
        .into(),
        15 => Edit::SetDesign(rng.pick(&Design::ALL)).into(),
        16 => Edit::SetCompare(match rng.below(4) {
            0 => None,
            _ => Some(rng.pick(&Design::ALL)),
        })
        .into(),
        17 => Edit::PickBuiltin(rng.pick(BUILTINS).id.to_string()).into(),
        18 => Edit::Text(rng.pick(&TEXTS).to_string()).into(),
        19 => Outcome::Commit(s.doc.edit_seq.saturating_sub(rng.below(2))).into(),
        20 => Edit::SetSwitch(rng.pick(&Switch::ALL), rng.below(2) == 0).into(),
        21 => rng
            .pick(&[
                Edit::Unstash,
                Edit::CancelBuild,
                Edit::Share,
                Edit::DismissBanner,
                Edit::DismissRestored,
            ])
            .into(),
        22 => {
            let frag = match rng.below(3) {
                0 => String::new(),
                1 => "v=1&garbage".to_string(),
                _ => s.fragment().unwrap_or_default(),
            };
            Edit::OpenLink(frag).into()
        }
        23 => match rng.below(3) {
            0 => Outcome::ShareDone(ShareStatus::Copied("x".into())).into(),
            // The why panel: a cell that may or may not exist in the run on screen.
            1 => match rng.below(5) {
                0 => Nav::Ask(None).into(),
                3 => Nav::Escape.into(),
                4 => {
                    let go = rng.below(9) as u16;
                    Nav::Lesson(rng.pick(&[
                        exitpath::app::verb::LessonNav::Next,
                        exitpath::app::verb::LessonNav::Prev,
                        exitpath::app::verb::LessonNav::Leave,
                        exitpath::app::verb::LessonNav::Go(go),
                    ]))
                    .into()
                }
                1 => Nav::ToggleBreakpointHere.into(),
                _ => Nav::ToggleBreakpoint(exitpath::app::breakpoints::Breakpoint {
                    func: rng.pick(&exitpath::engine::func::Func::ALL),
                    line: rng.below(12) as u8,
                })
                .into(),
            },
            _ => Nav::Ask(format!("lwp.{}.1.l_stat", rng.below(14)).parse().ok()).into(),
        },
        // The builder reports on the job, finishes it now, or later (stale by then).
        24 | 25 => match &s.doc.job {
            Some(job) if rng.below(3) == 0 => {
                late.push(build_now(job));
                Nav::Tick.into()
            }
            Some(job) => build_now(job),
            None => Nav::StepForward.into(),
        },
        26 => match &s.doc.job {
            Some(job) => Outcome::BuildProgress {
                job: job.id,
                progress: app::Progress {
                    steps: rng.below(1000),
                    limit: 1000,
                    side: 0,
                    sides: 1,
                    design: job.design,
                },
            }
            .into(),
            None => Nav::StepBack.into(),
        },
        27 => late.pop().unwrap_or(Nav::End.into()),
        28 => {
            use exitpath::app::predict::PredictNav as P;
            let n = rng.below(6) as usize;
            Nav::Predict(match rng.below(10) {
                0 => P::On(rng.below(4) != 0),
                1 => P::Seed(rng.below(5)),
                2 => P::Kind(rng.pick(&exitpath::engine::quiz::Ask::ALL)),
                3 => P::AskHere,
                4 => P::Question(n * 2),
                5 | 6 => P::Next,
                7 => P::Prev,
                8 => P::Answer(n),
                _ => P::Back,
            })
            .into()
        }
        _ => Nav::StepForward.into(),
    }
}

/// What a state shows, without the run's identity (`gen` differs between two replays).
fn fingerprint(s: &State) -> String {
    let d = &s.doc;
    format!(
        "{:?} {:?} {:?} {} {:?} | {:?} {:?} {:?} {} {} {:?} {} {} {} {:?} | run {} {} {} | cmp {:?} {:?} | job {:?} | predict {:?}",
        s.cursor, s.banner, s.status, s.share_seq, s.share,
        d.text, d.editor_error, d.builtin, d.embed, d.history_seq, d.progress, d.edit_seq,
        d.committed_seq, d.restored, d.stash,
        d.run.session.design.name(), d.run.end(), d.run.session.text.len(),
        d.cmp.as_ref().map(|c| (c.design(), c.end())), d.compare,
        d.job.as_ref().map(|j| (j.id, &j.text, j.design, j.compare, j.place, j.push)),
        s.predict.as_ref().map(|p| (
            p.seed, p.kind, p.open.as_ref().map(|o| (o.index, &o.question.question, o.chosen)),
            p.pending, p.right, p.answered, &p.note, p.quiz.as_ref().map(|q| q.questions.len()),
        )),
    )
}

/// Runs sequence `seed`; the fingerprint after every verb.
fn run(seed: u64) -> Vec<String> {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut s = Rc::new(State::from_url("", ""));
    let mut late = Vec::new();
    let mut out = Vec::with_capacity(VERBS);
    for i in 0..VERBS {
        let v = verb(&mut rng, &s, &mut late);
        let desc = format!("{v:?}");
        s = app::reduce(s, v);
        assert!(
            s.cursor.pos <= s.end(),
            "seed {seed}, verb {i} ({desc}): position {} past the end {}",
            s.cursor.pos,
            s.end()
        );
        assert!(
            !s.cursor.playing || s.cursor.pos < s.end(),
            "seed {seed}, verb {i} ({desc}): playing at the end"
        );
        if let Some(p) = &s.predict {
            assert!(
                p.right <= p.answered,
                "seed {seed}, verb {i} ({desc}): score"
            );
            if let (Some(q), None) = (&p.quiz, &s.doc.job) {
                assert!(
                    Rc::ptr_eq(&q.run, &s.doc.run),
                    "seed {seed}, verb {i} ({desc}): a stale quiz"
                );
            }
        }
        out.push(fingerprint(&s));
    }
    out
}

#[test]
fn random_verb_sequences_keep_the_position_in_the_run_and_replay_the_same() {
    for seed in 0..SEQUENCES {
        let a = run(seed);
        let b = run(seed);
        if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
            panic!(
                "seed {seed}: verb {i} gave two states:\n  {}\n  {}",
                a[i], b[i]
            );
        }
    }
}
