//! Predict, then reveal, in the page: the Predict panel's state. The questions are
//! `engine::quiz`'s for the run on screen and a seed (the same `exitpath quiz --seed S
//! --count 8` prints); this holds which question is open, the choice made (which
//! reveals the answer) and the session's score.

use super::run::Run;
use crate::engine::quiz::{self, Ask, Question};
use crate::engine::session::Session;
use std::rc::Rc;

/// Questions in the seeded quiz the panel walks through: `exitpath quiz --count 8`.
pub const QUIZ_LEN: usize = 8;
/// The seed the panel starts with when no link gives one.
pub const SEED_DEFAULT: u64 = 1;

/// The quiz of one run and seed, with the other designs' runs its wrong choices come
/// from (`quiz::others`).
pub struct Quiz {
    pub run: Rc<Run>,
    pub seed: u64,
    pub others: Vec<Session>,
    pub questions: Vec<Rc<Question>>,
}

impl std::fmt::Debug for Quiz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Quiz({:?}, seed {}, {} questions)",
            self.run,
            self.seed,
            self.questions.len()
        )
    }
}

/// A quiz is equal only to itself (one per run and seed): comparing the panel's props
/// costs a pointer compare, not its questions and the other designs' runs.
impl PartialEq for Quiz {
    fn eq(&self, o: &Self) -> bool {
        std::ptr::eq(self, o)
    }
}

impl Quiz {
    pub fn new(run: Rc<Run>, seed: u64) -> Quiz {
        let others = quiz::others(&run.session);
        let questions = quiz::quiz(&run.session, &others, seed, QUIZ_LEN)
            .into_iter()
            .map(Rc::new)
            .collect();
        Quiz {
            run,
            seed,
            others,
            questions,
        }
    }

    /// The question of kind `kind` at `pos`, as `exitpath quiz` would ask it there.
    pub fn ask(&self, pos: u64, kind: Ask) -> Option<Question> {
        quiz::ask(&self.run.session, &self.others, pos, kind, self.seed)
    }
}

/// The question on screen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Open {
    /// Its number in the quiz (0-based); `None`: asked at the position with "Ask".
    pub index: Option<usize>,
    pub question: Rc<Question>,
    /// The choice made: the answer shows.
    pub chosen: Option<usize>,
}

/// The Predict panel: on, with a seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Predict {
    pub seed: u64,
    /// What "Ask" asks about at the position on screen.
    pub kind: Ask,
    /// Built for the run on screen once it is there (`State::sync_predict`).
    pub quiz: Option<Rc<Quiz>>,
    pub open: Option<Open>,
    /// A link asked for this quiz question (0-based), opened once the quiz is built.
    pub pending: Option<usize>,
    /// A lesson stop asks a question of this kind at its position, once its run is on
    /// screen (`# ask:`).
    pub pending_ask: Option<Ask>,
    /// Answers right, answers given (this session).
    pub right: u32,
    pub answered: u32,
    /// Why "Ask" or "Next" had nothing to ask.
    pub note: Option<String>,
}

impl Predict {
    /// On with `seed`, quiz question `pending` to open when the quiz is there.
    pub fn new(seed: u64, pending: Option<usize>) -> Predict {
        Predict {
            seed,
            kind: Ask::Step,
            quiz: None,
            open: None,
            pending,
            pending_ask: None,
            right: 0,
            answered: 0,
            note: None,
        }
    }

    /// The open question while its answer is hidden and the position is where it was
    /// asked: the page hides what shows the future (lifelines, markers ahead).
    pub fn hiding(&self, pos: u64) -> bool {
        self.open
            .as_ref()
            .is_some_and(|o| o.chosen.is_none() && o.question.step == pos)
    }

    /// "3 of 4 right", or nothing before the first answer.
    pub fn score(&self) -> Option<String> {
        (self.answered > 0).then(|| format!("{} of {} right", self.right, self.answered))
    }
}

/// What the Predict panel's controls do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PredictNav {
    /// Turn the panel on (seed 1, or the one it had) or off.
    On(bool),
    /// A new seed: another quiz; the score starts again.
    Seed(u64),
    /// What "Ask" asks about.
    Kind(Ask),
    /// Ask a question of the chosen kind at the position on screen.
    AskHere,
    /// Quiz question `k` (0-based): go to its step and ask it.
    Question(usize),
    /// The quiz question after the open one (or the first at or after the position).
    Next,
    /// The quiz question before the open one (or the last before the position).
    Prev,
    /// Choose answer `i` of the open question: reveals it and goes to its reveal step.
    Answer(usize),
    /// Back to the open question's step, its answer hidden again if not chosen.
    Back,
}
