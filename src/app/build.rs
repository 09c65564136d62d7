//! Building a job's runs a chunk of micro-steps at a time (`Work`), so that the UI can
//! yield to the browser between chunks (`ui::build`), and all at once (`settle`, for tests
//! and anything that cannot wait).

use super::run::{Job, Progress, Run};
use super::verb::{reduce, Outcome, Verb};
use super::State;
use crate::engine::session::{Session, SessionBuilder};
use crate::engine::sim::STEP_LIMIT_DEFAULT;
use std::rc::Rc;

/// Micro-steps per chunk.
pub const CHUNK_STEPS: u64 = 10_000;

/// A job being built.
pub struct Work {
    job: Rc<Job>,
    done: Vec<Rc<Run>>,
    current: Option<SessionBuilder>,
    /// The step limit of the runs (the same for all of them).
    limit: u64,
}

impl Work {
    pub fn new(job: Rc<Job>) -> Work {
        Work {
            job,
            done: Vec::new(),
            current: None,
            limit: STEP_LIMIT_DEFAULT,
        }
    }

    /// The id of the job.
    pub fn id(&self) -> u64 {
        self.job.id
    }

    /// One chunk of work; the job's runs once all are done.
    pub fn chunk(&mut self) -> Option<Vec<Rc<Run>>> {
        let designs = self.job.designs();
        let Some(&design) = designs.get(self.done.len()) else {
            return Some(std::mem::take(&mut self.done));
        };
        if self.current.is_none() {
            if let Some(run) = self.job.reusable(design) {
                self.done.push(run);
                return None;
            }
            match Session::build(&self.job.text, Some(design)) {
                Ok(b) => {
                    self.limit = b.progress().1;
                    self.current = Some(b);
                }
                // The model parsed the text before making the job; should it not parse
                // after all, the job ends with the runs it has (none: nothing changes).
                Err(_) => return Some(Vec::new()),
            }
        }
        let b = self.current.as_mut()?;
        if b.advance(CHUNK_STEPS) {
            let session = self.current.take()?.finish();
            self.done.push(Run::new(session));
        }
        None
    }

    /// How far the job has got.
    pub fn progress(&self) -> Progress {
        let designs = self.job.designs();
        let side = self.done.len().min(designs.len().saturating_sub(1));
        let (steps, limit) = self
            .current
            .as_ref()
            .map_or((0, self.limit), |b| b.progress());
        Progress {
            steps,
            limit,
            side,
            sides: designs.len(),
            design: designs[side],
        }
    }
}

/// Builds `job` at once: the verb it ends with.
pub fn build_now(job: &Rc<Job>) -> Verb {
    let mut w = Work::new(job.clone());
    loop {
        if let Some(runs) = w.chunk() {
            return Outcome::Built { job: job.id, runs }.into();
        }
    }
}

/// `build_now` for a state's pending job, applied to the state.
pub fn settle(state: Rc<State>) -> Rc<State> {
    match state.doc.job.clone() {
        Some(job) => reduce(state, build_now(&job)),
        None => state,
    }
}
