//! The explore panel (issue 14): on a two-CPU scenario, "Find races" runs the explorer
//! (engine::explore) over every interleaving with at most two preemptions, a slice at a
//! time between frames with its progress shown, then lists each distinct finding with
//! the fewest preemptions that reach it; "Open" runs the scenario with that schedule
//! (the link's `r=`), where the timeline marks the CPU handovers.

use super::dom;
use crate::app::share_link;
use crate::app::{Edit, Run, Verb};
use crate::engine::explore::{ExploreReport, Explorer};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// The preemption bound the page searches with (the races of docs/model.md §10 need 1 or 2).
const BOUND: u8 = 2;
/// States the page visits at most (a few seconds in the page).
const MAX_STATES: u64 = 20_000_000;
/// Micro-steps explored between clock readings, and the time one slice may take.
const BUDGET: u64 = 20_000;
const SLICE_MS: f64 = 12.0;

#[derive(Properties, PartialEq)]
pub struct ExploreProps {
    pub run: Rc<Run>,
    pub on: Callback<Verb>,
}

/// Where a search is.
#[derive(Clone, PartialEq)]
enum Search {
    Idle,
    Running { states: u64, bound: u8 },
    Done(Rc<ExploreReport>),
}

#[component]
pub fn ExplorePanel(p: &ExploreProps) -> Html {
    let search = use_state(|| Search::Idle);
    let stop = use_mut_ref(|| Rc::new(Cell::new(false)));
    // A new run ends the search of the old one.
    {
        let (search, stop) = (search.clone(), stop.clone());
        use_effect_with(p.run.clone(), move |_| {
            search.set(Search::Idle);
            // at cleanup, stop whichever search is running then (Find races installs a
            // new flag for each search)
            move || stop.borrow().set(true)
        });
    }
    if p.run.session.scenario.cpus < 2 {
        return html! {};
    }
    let start = {
        let (search, stop, run) = (search.clone(), stop.clone(), p.run.clone());
        Callback::from(move |_| {
            let flag = Rc::new(Cell::new(false));
            stop.borrow().set(true);
            *stop.borrow_mut() = flag.clone();
            let s = &run.session;
            let ex = Rc::new(RefCell::new(Explorer::new(
                &s.scenario,
                Some(s.design),
                BOUND,
                MAX_STATES,
            )));
            search.set(Search::Running {
                states: 0,
                bound: 0,
            });
            slice(ex, search.clone(), flag);
        })
    };
    let body = match &*search {
        Search::Idle => html! {},
        Search::Running { states, bound } => html! {
            <p class="hint" data-testid="explore-progress" role="status">
                { format!("Exploring: {} states visited, up to {bound} preemption(s)…", super::progress::thousands(*states)) }
            </p>
        },
        Search::Done(r) => {
            let design = p.run.session.design;
            let text = p.run.session.text.clone();
            html! { <>
                <p class="hint" data-testid="explore-summary">{ format!(
                    "{} states, {} schedules; {} with up to {} preemption(s). {} distinct finding(s).",
                    super::progress::thousands(r.states), super::progress::thousands(r.schedules),
                    if r.complete { "complete" } else { "stopped at the state limit" }, r.bound, r.findings.len()) }</p>
                // The model's own false alarms in `reaper` (docs/model.md §13).
                { if design == crate::engine::Design::Reaper && !r.findings.is_empty() { html! {
                    <p class="note" data-testid="explore-reaper-note">{ "In reaper these can be the model's, not the kernel's: the model does not make the other CPU wait for deadproc_slock, which the reaper holds from its check of deadprocs to its sleep, so a lost wakeup of the reaper (ZombieUnreaped) appears here that the kernel cannot have. Read docs/model.md §13 before trusting a reaper finding." }</p>
                } } else { html! {} } }
                <ol class="findings" data-testid="explore-findings">
                    { for r.findings.iter().map(|f| {
                        let mut link = share_link::make(&text, design, f.step + 1, None, false);
                        link.schedule = f.schedule.clone();
                        let frag = share_link::encode(&link).ok();
                        let on = p.on.clone();
                        let onclick = frag.clone().map(|fr| Callback::from(move |_| on.emit(Edit::OpenLink(fr.clone()).into())));
                        let info = f.check.info();
                        html! {
                            <li class={classes!("finding", if f.check.is_fault() { "fault" } else { "violation" })}>
                                <strong>{ info.name }</strong>{ format!(" at step {}, with {} preemption(s)", f.step + 1, f.preemptions) }
                                <span class="hint">{ format!(" · schedule {}", f.schedule) }</span>
                                { for onclick.map(|onclick| html! { <button type="button" class="jump" data-testid="explore-open" {onclick}>{ "Open this run" }</button> }) }
                            </li>
                        }
                    }) }
                </ol>
            </> }
        }
    };
    let running = matches!(*search, Search::Running { .. });
    html! {
        <section class="panel explore" data-testid="explore" aria-labelledby="explore-h">
            <h2 id="explore-h">{ "Races" }<span class="sub">{ " every interleaving of the two CPUs" }</span></h2>
            <p class="hint">{ format!("The explorer runs this scenario under every schedule with at most {BOUND} preemptions (a CPU switched away while it could have gone on) and lists what the checks find (docs/model.md §13).") }</p>
            <button type="button" data-testid="explore-start" onclick={start} disabled={running}>{ "Find races" }</button>
            { body }
        </section>
    }
}

fn slice(ex: Rc<RefCell<Explorer>>, search: UseStateHandle<Search>, stop: Rc<Cell<bool>>) {
    if stop.get() {
        return;
    }
    let t0 = dom::now_ms();
    let done = loop {
        let mut e = ex.borrow_mut();
        if e.advance(BUDGET) {
            break true;
        }
        if dom::now_ms() - t0 > SLICE_MS {
            break false;
        }
    };
    if done {
        search.set(Search::Done(Rc::new(ex.borrow().report())));
        return;
    }
    let (states, _, bound) = ex.borrow().progress();
    search.set(Search::Running { states, bound });
    dom::after(0, move || slice(ex, search, stop));
}
