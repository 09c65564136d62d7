//! After a long run is built, its `why` index (engine::why::WhyIndexBuilder) is built in
//! the background, a slice at a time between frames, so the first "why" about a value
//! set long ago answers at once instead of holding the page while it replays the run
//! (about 0.6 s on the 1M-step loop). Dropping the `Indexer` stops it.

use super::dom;
use crate::app::Run;
use crate::engine::why::WhyIndexBuilder;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// How long one slice may run before it yields to the browser, in milliseconds.
const SLICE_MS: f64 = 8.0;
/// Steps replayed between clock readings.
const STEPS: u64 = 2_048;
/// Runs shorter than this answer any question quickly without the index (a far
/// question replays at most this many steps).
const MIN_STEPS: u64 = 8 * 1024;

/// The background work for one run; dropping it stops the work at the next slice.
pub struct Indexer {
    stopped: Rc<Cell<bool>>,
}

impl Drop for Indexer {
    fn drop(&mut self) {
        self.stopped.set(true);
    }
}

/// Starts indexing `run` if it is long and has no index yet.
pub fn start(run: Rc<Run>) -> Option<Indexer> {
    let s = &run.session;
    if s.len() < MIN_STEPS || s.why_index_built().is_some() {
        return None;
    }
    let stopped = Rc::new(Cell::new(false));
    let work = Rc::new(RefCell::new(Some(WhyIndexBuilder::new(s))));
    let st = stopped.clone();
    dom::after(50, move || slice(run, work, st));
    Some(Indexer { stopped })
}

fn slice(run: Rc<Run>, work: Rc<RefCell<Option<WhyIndexBuilder>>>, stopped: Rc<Cell<bool>>) {
    if stopped.get() || run.session.why_index_built().is_some() {
        return;
    }
    let t0 = dom::now_ms();
    let done = {
        let mut w = work.borrow_mut();
        let Some(b) = w.as_mut() else { return };
        loop {
            if b.advance(STEPS) {
                break true;
            }
            if dom::now_ms() - t0 > SLICE_MS {
                break false;
            }
        }
    };
    if done {
        if let Some(b) = work.borrow_mut().take() {
            // false when a question built it meanwhile: the same index either way
            let _ = run.session.set_why_index(b.finish());
        }
        return;
    }
    dom::after(0, move || slice(run, work, stopped));
}
