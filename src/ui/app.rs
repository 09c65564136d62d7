//! The root component: one `use_reducer` for the whole app (the model is `crate::app`),
//! the effects that talk to the browser (building runs in slices, the edit debounce,
//! localStorage, play timer, keyboard, URL and history, clipboard), and the page layout:
//! one design's panels, or two designs side by side in compare mode. Each panel takes
//! only its slice of the view (`app::view::View`), so a step redraws only what it changed.

use super::build;
use super::checkpoints::Checkpoints;
use super::compare::Compare;
use super::controls::Controls;
use super::cpu::CpuPanel;
use super::dom::{self, Listener};
use super::download::TooLarge;
use super::editor::Editor;
use super::exercise::ExercisePanel;
use super::explore::ExplorePanel;
use super::faults::{FaultsPanel, Reached};
use super::gdt::GdtPanel;
use super::header::{About, Header};
use super::keys::{self, KeyList};
use super::lesson::{lesson_shows, LessonPanel};
use super::lifelines::LifelinesPanel;
use super::lists::ListsPanel;
use super::metrics::MetricsPanel;
use super::narration::Narration;
use super::predict::PredictPanel;
use super::procs::ProcsPanel;
use super::progress::ProgressRow;
use super::share_link;
use super::source::SourcePanel;
use super::switches::SwitchesPanel;
use super::term::GlossaryList;
use super::timeline::Timeline;
use super::uarea::UareaPanel;
use super::why::{ask_handlers, WhyPanel};
use crate::app::panels::{panels_in_search, PANELS};
use crate::app::state::{STORAGE_KEY, STORAGE_TAB_KEY};
use crate::app::switches::switches_in;
use crate::app::view::View;
use crate::app::{builtin_of, link_of, Edit, Nav, Outcome, Run, ShareStatus, State, Verb};
use gloo_timers::callback::{Interval, Timeout};
use std::rc::Rc;
use yew::prelude::*;

/// How long the state must hold still before the URL is rewritten.
const URL_SETTLE_MS: u32 = 120;
/// How long the editor's text must hold still before it is parsed and run.
const EDIT_SETTLE_MS: u32 = 300;
/// From this many steps per second, play advances by the steps due (time-based).
const PLAY_BATCH_SPEED: u32 = 30;
/// The play timer's period at those speeds: about a frame.
const PLAY_FRAME_MS: u32 = 16;

#[derive(Properties, PartialEq)]
struct BannerProps {
    message: String,
    on: Callback<Verb>,
}

/// A message about the page itself (a link that did not open, a step out of range).
#[component]
fn Banner(p: &BannerProps) -> Html {
    let on = p.on.clone();
    html! {
        <div class="banner" data-testid="error-banner" role="alert">
            <span class="banner-icon" aria-hidden="true">{ "⚠" }</span>
            <span class="banner-text">{ p.message.clone() }</span>
            <button type="button" onclick={Callback::from(move |_| on.emit(Edit::DismissBanner.into()))}>{ "Dismiss" }</button>
        </div>
    }
}

/// The view of `run` at `pos`, worked out once per position: from the last view of the
/// same run when there is one (a step forward then takes one snapshot, not two, and the
/// panels that did not change keep their slices).
#[hook]
fn use_view(run: Rc<Run>, pos: u64) -> Rc<View> {
    let last = use_mut_ref(|| None::<(u64, Rc<View>)>);
    let memo = use_memo((run, pos), move |(run, pos)| {
        let known = last.borrow().clone().filter(|(gen, _)| *gen == run.gen);
        let view = Rc::new(match known {
            Some((_, k)) => View::after(&k, &run.session, *pos),
            None => View::at(&run.session, *pos),
        });
        *last.borrow_mut() = Some((run.gen, view.clone()));
        view
    });
    (*memo).clone()
}

/// The whole app.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| {
        let stored = dom::storage_get(STORAGE_KEY);
        // This tab's id, kept in the history entries the app writes: a reload finds it
        // there, and tells its own URL from a link opened from elsewhere.
        let tab = dom::history_tab();
        let own = tab.is_some() && tab == dom::storage_get(STORAGE_TAB_KEY);
        let mut s = State::open(&dom::read_hash(), &dom::read_search(), stored, own);
        Rc::make_mut(&mut s.doc).tab = tab.unwrap_or_else(dom::new_tab_id);
        s
    });
    let doc = state.doc.clone();
    let cur = state.cursor;
    let tab = doc.tab.clone();
    let on = {
        let d = state.dispatcher();
        use_callback((), move |v: Verb, _| d.dispatch(v))
    };

    // Build the job's runs a slice at a time; a newer job (or none) stops the old one.
    {
        let on = on.clone();
        use_effect_with(doc.job.clone(), move |job| {
            let builder = job.clone().map(|j| build::start(j, on));
            move || drop(builder)
        });
    }
    // A long run's `why` index, built in the background once the run is on screen.
    use_effect_with(doc.run.clone(), |run| {
        let indexer = super::index::start(run.clone());
        move || drop(indexer)
    });
    // Commit the editor's text once it has held still.
    {
        let on = on.clone();
        use_effect_with(
            (doc.edit_seq, state.edit_pending()),
            move |&(seq, pending)| {
                let timer = pending.then(|| {
                    Timeout::new(EDIT_SETTLE_MS, move || on.emit(Outcome::Commit(seq).into()))
                });
                move || drop(timer)
            },
        );
    }
    // Why the run on screen has no link (too large), worked out once per run.
    let too_large_why = use_memo((doc.run.clone(), doc.cmp.clone()), |(run, cmp)| {
        share_link::encode(&link_of(run, cmp.as_deref(), 0, false)).err()
    });
    // What the document's text gives the header and the switches, once per edit (not per
    // step): its built-in, its switch lines, and the text itself for the storage effect.
    let from_text = use_memo(doc.clone(), |d| {
        (
            builtin_of(&d.text),
            switches_in(&d.text),
            Rc::new(d.text.clone()),
        )
    });
    let (builtin, active_switches, text) = (*from_text).clone();
    // Keep the editor's text in this browser (not from an iframe: an embedded moment must
    // not replace what the user was editing), and offer it as a file when it is too
    // large for a link (a Blob URL, revoked when the text changes).
    let blob_url = use_state(|| None::<String>);
    {
        let (tab, blob_url) = (tab.clone(), blob_url.clone());
        let deps = (text, doc.embed, too_large_why.is_some());
        use_effect_with(deps, move |(text, embed, big)| {
            if !*embed {
                dom::storage_set(STORAGE_KEY, text);
                dom::storage_set(STORAGE_TAB_KEY, &tab);
            }
            let made = if *big { dom::text_blob_url(text) } else { None };
            blob_url.set(made.clone());
            move || {
                if let Some(u) = made {
                    dom::revoke_url(&u);
                }
            }
        });
    }
    // Play: one micro-step per tick while playing; from PLAY_BATCH_SPEED steps/s up, a
    // tick about every frame advancing by the steps due since the last one (time-based),
    // so a tick that costs more than its period does not slow play down.
    {
        let on = on.clone();
        use_effect_with((cur.playing, cur.speed), move |&(playing, speed)| {
            let timer = playing.then(|| {
                let speed = speed.max(1);
                if speed < PLAY_BATCH_SPEED {
                    return Interval::new(1000 / speed, move || on.emit(Nav::Tick.into()));
                }
                let rate = f64::from(speed) / 1000.0;
                // At most a quarter of a second's steps at once (a throttled tab resumes
                // without a jump).
                let most = (f64::from(speed) / 4.0).max(1.0);
                let last = std::cell::Cell::new(dom::now_ms());
                let due = std::cell::Cell::new(0.0f64);
                Interval::new(PLAY_FRAME_MS, move || {
                    let now = dom::now_ms();
                    let d = due.get() + (now - last.get()).max(0.0) * rate;
                    last.set(now);
                    let n = d.floor().min(most);
                    due.set((d - n).min(1.0));
                    if n >= 1.0 {
                        on.emit(Nav::Advance(n as u64).into());
                    }
                })
            });
            move || drop(timer)
        });
    }
    // Keyboard shortcuts, and history navigation (back / forward / an edited fragment).
    {
        let on = on.clone();
        use_effect_with((), move |_| {
            let keys = keys::listen(on.clone());
            let on2 = on.clone();
            let pop = Listener::window("popstate", move |_| {
                on.emit(Edit::OpenLink(dom::read_hash()).into())
            });
            let hash = Listener::window("hashchange", move |_| {
                on2.emit(Edit::OpenLink(dom::read_hash()).into())
            });
            move || drop((keys, pop, hash))
        });
    }
    // The URL follows the state: stepping replaces the history entry, a new scenario or
    // design pushes one. Written once the state has held still for URL_SETTLE_MS, so
    // playing or holding an arrow key does not flood the history API (Chrome throttles
    // it and complains after a couple of hundred calls in ten seconds). Not while a job
    // builds: the run on screen is about to be replaced (and a reload must find the link
    // that is building).
    {
        let last_seq = use_mut_ref(|| doc.history_seq);
        let deps = (
            (doc.run.clone(), doc.cmp.clone()),
            (cur.pos, state.breakpoints.clone(), cur.why, cur.lesson),
            (doc.embed, state.predict_key()),
            doc.history_seq,
            doc.job.is_some() || too_large_why.is_some(),
        );
        let tab = tab.clone();
        // The state these deps were read from (a cheap handle): `State::link` makes the
        // link when the timer fires, the same link the share button copies.
        let now = state.clone();
        use_effect_with(deps, move |(_, _, _, seq, skip)| {
            let seq = *seq;
            let timer = (!*skip).then(|| {
                Timeout::new(URL_SETTLE_MS, move || {
                    let push = *last_seq.borrow() != seq;
                    *last_seq.borrow_mut() = seq;
                    if let Ok(f) = share_link::encode(&now.link()) {
                        dom::write_fragment(&f, push, &tab);
                    }
                })
            });
            move || drop(timer)
        });
    }
    // Share: copy the link to the clipboard, or show it when that is not possible. The
    // link is made when the button asks for it, not on every render.
    {
        let on = on.clone();
        let state = state.clone();
        use_effect_with(state.share_seq, move |&seq| {
            if seq > 0 {
                match share_link::encode(&state.link()).map(|f| dom::url_with(&f)) {
                    Ok(url) => {
                        let shown = url.clone();
                        dom::copy_text(&url, move |copied| {
                            on.emit(
                                Outcome::ShareDone(if copied {
                                    ShareStatus::Copied(shown)
                                } else {
                                    ShareStatus::Manual(shown)
                                })
                                .into(),
                            )
                        });
                    }
                    Err(why) => on.emit(Outcome::ShareDone(ShareStatus::Failed(why)).into()),
                }
            }
        });
    }

    let run = &doc.run;
    let view = use_view(run.clone(), cur.pos);
    let action = use_memo((run.clone(), cur.pos), |(run, pos)| run.action_at(*pos));
    let label = action.as_ref().as_ref().map(|a| a.label.clone());
    // In an iframe: a link to the same moment in the full app.
    // `?panels=...`: which panels show (a course page's iframe); read once.
    let panels = use_memo((), |_| panels_in_search(&dom::read_search()));
    let hidden: Classes = match panels.as_ref() {
        Ok(Some(shown)) => PANELS
            .iter()
            .filter(|p| !shown.contains(p))
            .map(|p| format!("hide-{p}"))
            .collect(),
        _ => classes!(),
    };
    let panels_error = panels.as_ref().as_ref().err().cloned();
    let full_view = doc
        .embed
        .then(|| share_link::encode(&link_of(run, doc.cmp.as_deref(), cur.pos, false)).ok())
        .flatten()
        .map(|f| format!("{}#{f}", dom::read_pathname()));
    let design = state.want_design();
    let truncated = run.session.trace.truncated.then(|| run.end());

    // Compare mode's second view (out of compare mode, a cheap one of the main run at boot).
    let (cmp, cpos) = state.cmp_at().unzip();
    let cmp_view = use_view(
        cmp.clone().unwrap_or_else(|| run.clone()),
        cpos.unwrap_or(0),
    );
    let multi = view.cpus.now.cpus.len() > 1;
    // A question waits for its answer: the lifelines and markers ahead would tell it.
    let predicting = state.predict.as_ref().is_some_and(|p| p.hiding(cur.pos));
    // Click or Enter on a value with a `data-cell` asks the why panel about it.
    let (ask_click, ask_key) = ask_handlers(&on);
    let panels = match &cmp {
        Some(c) => html! {
            <Compare left={run.clone()} lv={view.clone()} right={c.clone()} rv={cmp_view.clone()}
                playing={cur.playing} on={on.clone()} />
        },
        None => html! {
            <>
            <Narration step={view.step.clone()} action={label.clone()} note={action.as_ref().as_ref().and_then(|a| a.note.clone())} playing={cur.playing} />
            <div class="cols" onclick={ask_click} onkeydown={ask_key}>
                <div class="col col-a">
                    <SourcePanel design={state.design()} step={view.step.clone()} stack={view.stack.clone()}
                        breakpoints={state.breakpoints.clone()} on={on.clone()} />
                    <CpuPanel cpus={view.cpus.clone()} ran={view.step.as_ref().filter(|_| multi).map(|s| s.cpu)}
                        idle_pcbs={run.idle_pcbs.clone()} />
                </div>
                <div class="col col-b">
                    <ProcsPanel procs={view.procs.clone()} />
                    <ListsPanel lists={view.lists.clone()} />
                </div>
                <div class="col col-c">
                    <GdtPanel gdt={view.gdt.clone()} />
                    <UareaPanel uareas={view.uareas.clone()} />
                    <FaultsPanel run={run.clone()} reached={Reached::at(&run.session.trace.findings, cur.pos)} on={on.clone()} />
                    <ExplorePanel run={run.clone()} on={on.clone()} />
                    <MetricsPanel run={run.clone()} counts={view.counts.clone()} pos={cur.pos} />
                </div>
            </div>
            </>
        },
    };

    html! {
        <div class={classes!("app", doc.embed.then_some("embed"), doc.cmp.is_some().then_some("comparing"), predicting.then_some("predicting"), hidden, lesson_shows(run, cur.lesson))}>
            { for panels_error.map(|m| html! { <p class="note panels-error" role="status" data-testid="panels-error">{ m }</p> }) }
            <Header {design} compare={state.want_compare()} {builtin} embed={doc.embed} active={active_switches.clone()}
                share={state.share.clone()} {full_view} on={on.clone()} />
            { if doc.embed { html! {} } else { html! {
                <>
                    <About {builtin} {design} />
                    <TooLarge why={(*too_large_why).clone()} url={(*blob_url).clone()} />
                </>
            } } }
            { for state.banner.iter().map(|m| html! { <Banner message={m.clone()} on={on.clone()} /> }) }
            <Controls pos={cur.pos} len={state.end()} playing={cur.playing} speed={cur.speed}
                until_kind={cur.until_kind} status={state.status.clone()} on={on.clone()} />
            <ProgressRow progress={doc.progress} {truncated} on={on.clone()} />
            <Timeline run={run.clone()} pos={cur.pos} on={on.clone()} />
            { if doc.embed { html! {} } else { html! { <LifelinesPanel run={run.clone()} pos={cur.pos} cmp={doc.cmp.clone()} on={on.clone()} /> } } }
            // In a lesson its row of stops replaces the checkpoints (the same stops).
            { if cur.lesson.is_none() { html! { <Checkpoints run={run.clone()} pos={cur.pos} on={on.clone()} /> } } else { html! {} } }
            <LessonPanel run={run.clone()} pos={cur.pos} stop={cur.lesson} on={on.clone()} />
            { if doc.embed { html! {} } else { html! { <PredictPanel predict={state.predict.clone()} pos={cur.pos} on={on.clone()} /> } } }
            { if doc.embed { html! {} } else { html! { <ExercisePanel run={run.clone()} pos={cur.pos} on={on.clone()} /> } } }
            <main class="panels">
                { panels }
                { if doc.embed { html! {} } else { html! {
                    <div class="row row-end">
                        <Editor doc={doc.clone()} action={label} on={on.clone()} />
                        <div class="col">
                            <SwitchesPanel active={active_switches} {design} run={run.clone()} on={on.clone()} />
                            <KeyList />
                            <GlossaryList />
                        </div>
                    </div>
                } } }
            </main>
            { if cmp.is_none() { html! {
                <WhyPanel run={run.clone()} pos={cur.pos} cell={cur.why} playing={cur.playing} on={on.clone()} />
            } } else { html! {} } }
            <footer class="foot">
                { "exitpath models NetBSD's exit path of late 2003: the reaper kthread before the patch, the patch that removed it, the form committed in January 2004, and that form with the fix of PRs kern/24329 and kern/24574. Everything runs in this page; nothing is sent anywhere." }
            </footer>
        </div>
    }
}
