//! After a long run is built, its `why` index (engine::why::WhyIndexBuilder) is built in
//! the background, a slice at a time between frames, so the first "why" about a value
//! set long ago answers at once instead of holding the page while it replays the run
//! (about 0.6 s on the 1M-step loop). Dropping the `Indexer` stops it. `lifelines`
//! does the same for the lifelines when their section is opened on a long run.

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

/// Builds `run`'s lifelines in slices (engine::lifelines::LifelinesBuilder), calling
/// `progress` with the percent done after each slice and `done` at the end.
pub fn lifelines(run: Rc<Run>, progress: yew::Callback<u8>, done: yew::Callback<()>) -> Indexer {
    use crate::engine::lifelines::LifelinesBuilder;
    let stopped = Rc::new(Cell::new(false));
    let work = Rc::new(RefCell::new(Some(LifelinesBuilder::new(&run.session))));
    let st = stopped.clone();
    fn step(
        run: Rc<Run>,
        work: Rc<RefCell<Option<crate::engine::lifelines::LifelinesBuilder>>>,
        stopped: Rc<Cell<bool>>,
        progress: yew::Callback<u8>,
        done: yew::Callback<()>,
    ) {
        if stopped.get() {
            return;
        }
        let t0 = dom::now_ms();
        let finished = {
            let mut w = work.borrow_mut();
            let Some(b) = w.as_mut() else { return };
            loop {
                if b.advance(STEPS) {
                    break true;
                }
                if dom::now_ms() - t0 > SLICE_MS {
                    let (at, of) = b.progress();
                    progress.emit((at * 100 / of.max(1)).min(99) as u8);
                    break false;
                }
            }
        };
        if finished {
            if let Some(b) = work.borrow_mut().take() {
                let _ = run.session.set_lifelines(b.finish());
            }
            done.emit(());
            return;
        }
        dom::after(0, move || step(run, work, stopped, progress, done));
    }
    dom::after(0, move || step(run, work, st, progress, done));
    Indexer { stopped }
}
