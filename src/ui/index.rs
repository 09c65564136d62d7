//! After a long run is built, its `why` index (engine::why::WhyIndexBuilder) is built in
//! the background, a slice at a time between frames, so the first "why" about a value
//! set long ago answers at once instead of holding the page while it replays the run
//! (about 0.6 s on the 1M-step loop). Dropping the `Indexer` stops it. `lifelines`
//! does the same for the lifelines when their section is opened on a long run; both
//! go through one slicer (`sliced`).

use super::dom;
use crate::app::Run;
use crate::engine::lifelines::LifelinesBuilder;
use crate::engine::why::WhyIndexBuilder;
use std::cell::Cell;
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

/// A replay that advances in steps and says how far it is.
trait Replaying: 'static {
    /// Replay up to `steps` more; true once the whole run is in.
    fn advance(&mut self, steps: u64) -> bool;
    /// (steps replayed, steps in the run).
    fn progress(&self) -> (u64, u64);
}

impl Replaying for WhyIndexBuilder {
    fn advance(&mut self, steps: u64) -> bool {
        WhyIndexBuilder::advance(self, steps)
    }
    fn progress(&self) -> (u64, u64) {
        WhyIndexBuilder::progress(self)
    }
}

impl Replaying for LifelinesBuilder {
    fn advance(&mut self, steps: u64) -> bool {
        LifelinesBuilder::advance(self, steps)
    }
    fn progress(&self) -> (u64, u64) {
        LifelinesBuilder::progress(self)
    }
}

/// Runs `work` in slices of SLICE_MS from `delay_ms` on, calling `progress` with the
/// percent done after each unfinished slice and `done` with the work once it is in.
/// `keep_going` is asked before each slice; false, or the Indexer dropped, stops it.
fn sliced<W: Replaying>(
    work: W,
    delay_ms: i32,
    keep_going: impl Fn() -> bool + 'static,
    progress: impl Fn(u8) + 'static,
    done: impl FnOnce(W) + 'static,
) -> Indexer {
    struct Job<W, K, P, D> {
        work: W,
        stopped: Rc<Cell<bool>>,
        keep_going: K,
        progress: P,
        done: D,
    }
    fn slice<
        W: Replaying,
        K: Fn() -> bool + 'static,
        P: Fn(u8) + 'static,
        D: FnOnce(W) + 'static,
    >(
        mut job: Job<W, K, P, D>,
    ) {
        if job.stopped.get() || !(job.keep_going)() {
            return;
        }
        let t0 = dom::now_ms();
        loop {
            if job.work.advance(STEPS) {
                (job.done)(job.work);
                return;
            }
            if dom::now_ms() - t0 > SLICE_MS {
                break;
            }
        }
        let (at, of) = job.work.progress();
        (job.progress)((at * 100 / of.max(1)).min(99) as u8);
        dom::after(0, move || slice(job));
    }
    let stopped = Rc::new(Cell::new(false));
    let job = Job {
        work,
        stopped: stopped.clone(),
        keep_going,
        progress,
        done,
    };
    dom::after(delay_ms, move || slice(job));
    Indexer { stopped }
}

/// Starts indexing `run` if it is long and has no index yet.
pub fn start(run: Rc<Run>) -> Option<Indexer> {
    let s = &run.session;
    if s.len() < MIN_STEPS || s.why_index_built().is_some() {
        return None;
    }
    let work = WhyIndexBuilder::new(s);
    let asked = run.clone();
    Some(sliced(
        work,
        50,
        // a far question may have built it meanwhile
        move || asked.session.why_index_built().is_none(),
        |_| {},
        move |b| {
            // false when a question built it meanwhile: the same index either way
            let _ = run.session.set_why_index(b.finish());
        },
    ))
}

/// Builds `run`'s lifelines in slices (engine::lifelines::LifelinesBuilder), calling
/// `progress` with the percent done after each slice and `done` at the end.
pub fn lifelines(run: Rc<Run>, progress: yew::Callback<u8>, done: yew::Callback<()>) -> Indexer {
    let work = LifelinesBuilder::new(&run.session);
    sliced(
        work,
        0,
        || true,
        move |pct| progress.emit(pct),
        move |b| {
            let _ = run.session.set_lifelines(b.finish());
            done.emit(());
        },
    )
}
