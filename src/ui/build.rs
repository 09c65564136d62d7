//! Builds a job's runs a slice at a time (`Session::build`), yielding to the browser
//! between slices so a run of a million micro-steps never freezes the page: clicks, keys
//! and the progress bar are handled in between. Reports `Verb::BuildProgress` after each
//! slice and `Verb::Built` at the end; dropping the `Builder` stops it.

use super::dom;
use super::state::{Job, Progress, Run, Verb};
use crate::engine::session::{Session, SessionBuilder};
use crate::engine::sim::STEP_LIMIT_DEFAULT;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::Callback;

/// Micro-steps between two looks at the clock.
const CHUNK_STEPS: u64 = 10_000;
/// How long one slice may run before it yields to the browser, in milliseconds.
const SLICE_MS: f64 = 30.0;

/// A job being built; dropping it stops the work at the next slice.
pub struct Builder {
    stopped: Rc<Cell<bool>>,
}

impl Drop for Builder {
    fn drop(&mut self) {
        self.stopped.set(true);
    }
}

struct Work {
    job: Rc<Job>,
    done: Vec<Rc<Run>>,
    current: Option<SessionBuilder>,
    /// The step limit of the runs (the same for all of them).
    limit: u64,
}

impl Work {
    /// One chunk of work; the job's runs once all are done.
    fn chunk(&mut self) -> Option<Vec<Rc<Run>>> {
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
                // The reducer parsed the text before making the job; should it not parse
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

    fn progress(&self) -> Progress {
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

/// Starts building `job`: the first slice runs now (a small run is done before this
/// returns), the rest after the browser has had its turn.
pub fn start(job: Rc<Job>, on: Callback<Verb>) -> Builder {
    let stopped = Rc::new(Cell::new(false));
    let work = Rc::new(RefCell::new(Work {
        job,
        done: Vec::new(),
        current: None,
        limit: STEP_LIMIT_DEFAULT,
    }));
    slice(work, on, stopped.clone());
    Builder { stopped }
}

fn slice(work: Rc<RefCell<Work>>, on: Callback<Verb>, stopped: Rc<Cell<bool>>) {
    if stopped.get() {
        return;
    }
    let t0 = dom::now_ms();
    let mut w = work.borrow_mut();
    let id = w.job.id;
    loop {
        if let Some(runs) = w.chunk() {
            drop(w);
            on.emit(Verb::Built { job: id, runs });
            return;
        }
        if dom::now_ms() - t0 > SLICE_MS {
            break;
        }
    }
    let progress = w.progress();
    drop(w);
    on.emit(Verb::BuildProgress { job: id, progress });
    dom::after(0, move || slice(work, on, stopped));
}

/// Builds `job` at once (tests, and anything that cannot wait): the verb it ends with.
pub fn build_now(job: &Rc<Job>) -> Verb {
    let mut w = Work {
        job: job.clone(),
        done: Vec::new(),
        current: None,
        limit: STEP_LIMIT_DEFAULT,
    };
    loop {
        if let Some(runs) = w.chunk() {
            return Verb::Built { job: job.id, runs };
        }
    }
}

/// `build_now` for a state's pending job, reduced into the state.
pub fn settle(state: Rc<super::state::State>) -> Rc<super::state::State> {
    use yew::Reducible;
    match state.job.clone() {
        Some(job) => state.reduce(build_now(&job)),
        None => state,
    }
}
