//! Builds a job's runs in slices (`app::build::Work`), yielding to the browser between
//! slices so a run of a million micro-steps never freezes the page: clicks, keys and the
//! progress bar are handled in between. Reports `Outcome::BuildProgress` after each slice
//! and `Outcome::Built` at the end; dropping the `Builder` stops it.

use super::dom;
use crate::app::build::Work;
use crate::app::{Job, Outcome, Verb};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::Callback;

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

/// Starts building `job`: the first slice runs now (a small run is done before this
/// returns), the rest after the browser has had its turn.
pub fn start(job: Rc<Job>, on: Callback<Verb>) -> Builder {
    let stopped = Rc::new(Cell::new(false));
    let work = Rc::new(RefCell::new(Work::new(job)));
    slice(work, on, stopped.clone());
    Builder { stopped }
}

fn slice(work: Rc<RefCell<Work>>, on: Callback<Verb>, stopped: Rc<Cell<bool>>) {
    if stopped.get() {
        return;
    }
    let t0 = dom::now_ms();
    let mut w = work.borrow_mut();
    let job = w.id();
    loop {
        if let Some(runs) = w.chunk() {
            drop(w);
            on.emit(Outcome::Built { job, runs }.into());
            return;
        }
        if dom::now_ms() - t0 > SLICE_MS {
            break;
        }
    }
    let progress = w.progress();
    drop(w);
    on.emit(Outcome::BuildProgress { job, progress }.into());
    dom::after(0, move || slice(work, on, stopped));
}
