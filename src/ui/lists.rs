//! The kernel's lists: allproc, zombproc, (in `reaper`) deadprocs / deadlwp / zomblwp,
//! the run queue and the sleep queues by wait channel. New entries are highlighted.

use super::term::Term;
use super::view::{chg, chips, diff, unique_keys};
use crate::app::view::{Lists, Section};
use crate::engine::Design;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ListsProps {
    pub lists: Section<Lists>,
    /// Compare mode: the other design's lists at the same action.
    #[prop_or_default]
    pub other: Option<Rc<Lists>>,
    /// Prefix of element ids (two of this panel in compare mode).
    #[prop_or_default]
    pub idp: &'static str,
}

fn list_row(name: &'static str, note: &str, body: Html, testid: Option<&'static str>) -> Html {
    list_row_d(name, note, body, testid, false)
}

fn list_row_d(
    name: &'static str,
    note: &str,
    body: Html,
    testid: Option<&'static str>,
    differs: bool,
) -> Html {
    let (dcls, dtitle) = diff(differs);
    // The lists "why" can answer for (engine::why::ListName): a click on the name (or
    // Enter on its glossary term) asks it.
    let cell = match name {
        "allproc" | "zombproc" | "deadprocs" | "deadlwp" => Some(format!("list.{name}")),
        "run queue" => Some("list.runqueue".to_string()),
        _ => None,
    };
    html! {
        <div class={classes!("list-row", dcls)} data-testid={testid}>
            <dt title={dtitle.map(|d| format!("{d}: {note}"))} data-cell={cell}><Term term={name} /></dt>
            <dd>{ body }</dd>
        </div>
    }
}

/// Whether `design` has the reaper's queues (deadprocs, deadlwp, zomblwp).
fn has_reaper_queues(design: Design) -> bool {
    match design {
        Design::Reaper => true,
        Design::Patch | Design::Committed | Design::Fixed => false,
    }
}

#[component]
pub fn ListsPanel(p: &ListsProps) -> Html {
    let s = &p.lists.now;
    let b = p.lists.before();
    let reaper = has_reaper_queues(s.design);
    html! {
        <section class="panel lists" aria-labelledby={format!("{}lists-h", p.idp)}>
            <h2 id={format!("{}lists-h", p.idp)}>{ "Kernel lists" }<span class="sub">{ " head first" }</span></h2>
            <dl class="lists-dl">
                { list_row("allproc", "every live process", chips(&s.allproc, b.map(|b| b.allproc.as_slice()), Some("data-pid")), None) }
                { list_row_d("zombproc", "processes that exited, waiting for their parent's wait4", chips(&s.zombproc, b.map(|b| b.zombproc.as_slice()), Some("data-pid")), Some("zombproc"),
                    p.other.as_ref().is_some_and(|o| o.zombproc != s.zombproc)) }
                { if reaper { html! { <>
                    { list_row("deadprocs", "exit2 queued these procs for the reaper", chips(&s.deadprocs, b.map(|b| b.deadprocs.as_slice()), Some("data-pid")), Some("deadprocs")) }
                    { list_row("deadlwp", "exit2 queued these LWPs for the reaper", chips(&s.deadlwp, b.map(|b| b.deadlwp.as_slice()), None), Some("deadlwp")) }
                    { list_row("zomblwp", "zombie LWPs waiting for lwp_wait", chips(&s.zomblwp, b.map(|b| b.zomblwp.as_slice()), None), Some("zomblwp")) }
                </> } } else { html! {} } }
                { list_row("run queue", "LWPs ready to run (sched_qs)", chips(&s.runq, b.map(|b| b.runq.as_slice()), None), Some("runq")) }
                { list_row("sleep queues", "LWPs asleep, by wait channel", html! {
                    if s.sleepq.is_empty() {
                        <span class="empty">{ "(nobody asleep)" }</span>
                    } else {
                        <ul class="sleepq">
                            { for s.sleepq.iter().zip(unique_keys(s.sleepq.iter().map(|q| q.chan.as_str()))).map(|(q, key)| {
                                // The queue of the same channel before.
                                let before = b.and_then(|b| b.sleepq.iter().find(|x| x.id == q.id));
                                html! {
                                    <li {key} class={chg(b.is_some() && before.is_none())}>
                                        <span class="chan mono">{ q.chan.clone() }</span>{ " ← " }
                                        { chips(&q.lwps, before.map(|x| x.lwps.as_slice()).or(b.map(|_| &[][..])), None) }
                                    </li>
                                }
                            }) }
                        </ul>
                    }
                }, Some("sleepq")) }
            </dl>
        </section>
    }
}
