//! The root component: one `use_reducer` for the whole app, the effects that talk to the
//! browser (play timer, keyboard, URL and history, clipboard), and the page layout.

use super::controls::Controls;
use super::cpu::CpuPanel;
use super::dom::{self, Listener};
use super::editor::Editor;
use super::faults::FaultsPanel;
use super::gdt::GdtPanel;
use super::header::Header;
use super::keys::{self, KeyList};
use super::lists::ListsPanel;
use super::metrics::MetricsPanel;
use super::narration::Narration;
use super::procs::ProcsPanel;
use super::share_link;
use super::source::SourcePanel;
use super::state::{builtin_of, ShareStatus, State, Verb};
use super::timeline::Timeline;
use super::uarea::UareaPanel;
use super::view::View;
use crate::engine::session::{Session, StepView};
use gloo_timers::callback::{Interval, Timeout};
use yew::prelude::*;

/// How long the state must hold still before the URL is rewritten.
const URL_SETTLE_MS: u32 = 120;

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
            <button type="button" onclick={Callback::from(move |_| on.emit(Verb::DismissBanner))}>{ "Dismiss" }</button>
        </div>
    }
}

/// The kernel stack of the LWP that ran the last step ("pid.lid"), before it ran.
fn running_stack(view: &View) -> Vec<String> {
    let find = || {
        let step = view.step.as_ref()?;
        let (pid, lid) = step.who.split_once('.')?;
        let (pid, lid): (u32, u32) = (pid.parse().ok()?, lid.parse().ok()?);
        let snap = view.prev.as_ref()?;
        let lwp = snap
            .procs
            .iter()
            .find(|p| p.pid == pid)?
            .lwps
            .iter()
            .find(|l| l.lid == lid)?;
        Some(lwp.kstack.clone())
    };
    find().unwrap_or_default()
}

/// The scenario action the last step serves, as "line N: text (pid.lid)". The trace
/// groups steps by the action started most recently, but an LWP that resumes (the shell
/// back in its wait4) serves its own earlier action: look for the newest action of the
/// LWP that ran the step (none for a kernel thread; the latest for the idle PCB).
fn action_label(session: &Session, pos: u64, step: Option<&StepView>) -> Option<String> {
    let actions = &session.trace.actions;
    let last = session.trace.action_of(pos.checked_sub(1)?)?;
    let who = step.map(|s| s.who.as_str()).filter(|w| *w != "idle");
    // A kernel thread (the reaper, the pagedaemon) serves no scenario action.
    let a = actions[..=last]
        .iter()
        .rev()
        .find(|a| who.is_none_or(|w| format!("{}.{}", a.pid, a.lid) == w))?;
    let who = format!("{}.{}", a.pid, a.lid);
    Some(if a.line > 0 {
        format!("line {}: {} ({who})", a.line, a.text)
    } else {
        format!("{} ({who})", a.text)
    })
}

/// The whole app.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| State::from_url(&dom::read_hash(), &dom::read_search()));
    let on = {
        let d = state.dispatcher();
        use_callback((), move |v: Verb, _| d.dispatch(v))
    };

    // Play: one micro-step per tick while playing.
    {
        let on = on.clone();
        use_effect_with((state.playing, state.speed), move |&(playing, speed)| {
            let timer =
                playing.then(|| Interval::new(1000 / speed.max(1), move || on.emit(Verb::Tick)));
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
                on.emit(Verb::OpenLink(dom::read_hash()))
            });
            let hash = Listener::window("hashchange", move |_| {
                on2.emit(Verb::OpenLink(dom::read_hash()))
            });
            move || drop((keys, pop, hash))
        });
    }
    // The URL follows the state: stepping replaces the history entry, a new scenario or
    // design pushes one. Written once the state has held still for URL_SETTLE_MS, so
    // playing or holding an arrow key does not flood the history API (Chrome throttles
    // it and complains after a couple of hundred calls in ten seconds).
    let fragment = state.fragment();
    {
        // The sequence number the URL was last written for; the page's own URL counts as
        // written for the state it opened with.
        let last_seq = use_mut_ref(|| state.history_seq);
        use_effect_with(
            (fragment.clone().ok(), state.history_seq),
            move |(fragment, seq)| {
                let (fragment, seq) = (fragment.clone(), *seq);
                let timer = Timeout::new(URL_SETTLE_MS, move || {
                    let push = *last_seq.borrow() != seq;
                    *last_seq.borrow_mut() = seq;
                    // No fragment: the scenario is too large for a link; the URL keeps
                    // the last one.
                    if let Some(fragment) = fragment {
                        dom::write_fragment(&fragment, push);
                    }
                });
                move || drop(timer)
            },
        );
    }
    // Share: copy the link to the clipboard, or show it when that is not possible.
    {
        let on = on.clone();
        let url = fragment
            .as_ref()
            .map(|f| dom::url_with(f))
            .map_err(Clone::clone);
        use_effect_with(state.share_seq, move |&seq| {
            if seq > 0 {
                match url {
                    Ok(url) => {
                        let shown = url.clone();
                        dom::copy_text(&url, move |copied| {
                            on.emit(Verb::ShareDone(if copied {
                                ShareStatus::Copied(shown)
                            } else {
                                ShareStatus::Manual(shown)
                            }))
                        });
                    }
                    Err(why) => on.emit(Verb::ShareDone(ShareStatus::Failed(why))),
                }
            }
        });
    }

    let view = use_memo((state.run.clone(), state.pos), |(run, pos)| {
        View::at(&run.session, *pos)
    });
    let session = &state.run.session;
    let action = action_label(session, state.pos, view.step.as_deref());
    let full_view = state.embed.then(|| {
        let mut link = state.link();
        link.embed = false;
        share_link::encode(&link)
            .ok()
            .map(|f| format!("{}#{f}", dom::read_pathname()))
    });
    let full_view = full_view.flatten();
    let stack = running_stack(&view);

    html! {
        <div class={classes!("app", state.embed.then_some("embed"))}>
            <Header design={state.design()} builtin={builtin_of(&state.text)} embed={state.embed}
                share={state.share.clone()} {full_view} on={on.clone()} />
            { for state.banner.iter().map(|m| html! { <Banner message={m.clone()} on={on.clone()} /> }) }
            <Controls pos={state.pos} len={state.end()} playing={state.playing} speed={state.speed}
                until_kind={state.until_kind} status={state.status.clone()} on={on.clone()} />
            <Timeline run={state.run.clone()} pos={state.pos} on={on.clone()} />
            <Narration step={view.step.clone()} action={action.clone()} playing={state.playing} />
            <main class="panels">
                <div class="cols">
                    <div class="col col-a">
                        <SourcePanel design={state.design()} step={view.step.clone()} {stack} />
                        <CpuPanel snap={view.snap.clone()} prev={view.prev.clone()} />
                    </div>
                    <div class="col col-b">
                        <ProcsPanel snap={view.snap.clone()} prev={view.prev.clone()} />
                        <ListsPanel snap={view.snap.clone()} prev={view.prev.clone()} />
                    </div>
                    <div class="col col-c">
                        <GdtPanel snap={view.snap.clone()} prev={view.prev.clone()} />
                        <UareaPanel snap={view.snap.clone()} prev={view.prev.clone()} />
                        <FaultsPanel run={state.run.clone()} pos={state.pos} on={on.clone()} />
                        <MetricsPanel run={state.run.clone()} snap={view.snap.clone()} prev={view.prev.clone()} />
                    </div>
                </div>
                { if state.embed { html! {} } else { html! {
                    <div class="row row-end">
                        <Editor text={state.text.clone()} error={state.editor_error.clone()} {action} on={on.clone()} />
                        <KeyList />
                    </div>
                } } }
            </main>
            <footer class="foot">
                { "exitpath models NetBSD's exit path of late 2003: the reaper kthread before the patch, and the patch that removed it. Everything runs in this page; nothing is sent anywhere." }
            </footer>
        </div>
    }
}
