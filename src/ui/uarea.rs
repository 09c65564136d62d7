//! The u-area cache (uvm_uareas) as a stack with its UVM_NUAREA_MAX line, and the u-areas
//! allocated in kernel_map with who holds each.

use super::term::Term;
use super::view::{chg, diff, unique_keys};
use crate::app::view::{Holder, Section, Uareas};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct UareaProps {
    pub uareas: Section<Uareas>,
    /// Compare mode: the other design's u-areas at the same action.
    #[prop_or_default]
    pub other: Option<Rc<Uareas>>,
    /// Prefix of element ids (two of this panel in compare mode).
    #[prop_or_default]
    pub idp: &'static str,
}

/// Who holds a u-area, in words.
fn holder_text(h: &Holder) -> String {
    match h {
        Holder::Lwp { pid, lid } => format!("LWP {pid}.{lid}"),
        Holder::Cache => "in the cache".into(),
        Holder::Nobody => "nobody".into(),
    }
}

#[component]
pub fn UareaPanel(p: &UareaProps) -> Html {
    let s = &p.uareas.now;
    let c = &s.cache;
    let b = p.uareas.before();
    let before = b.map(|b| &b.cache);
    let over = c.nuarea > c.max;
    let ddiff = diff(p.other.as_ref().is_some_and(|o| o.cache.nuarea != c.nuarea));
    // The stack, head (uvm_uareas) first.
    let keys = unique_keys(c.list.iter().map(String::as_str));
    let cells: Vec<Html> = c
        .list
        .iter()
        .zip(keys)
        .enumerate()
        .map(|(i, (a, key))| {
            let new = before.is_some_and(|bc| !bc.list.contains(a));
            let beyond = i as u32 >= c.max;
            html! {
                <li {key} class={classes!("ua", beyond.then_some("beyond"), chg(new))}>
                    <span class="mono">{ a.clone() }</span>
                    { if i == 0 { html! { <span class="head-tag">{ "← uvm_uareas" }</span> } } else { html! {} } }
                </li>
            }
        })
        .collect();
    // Below the entries: the room left before the limit, then the UVM_NUAREA_MAX line
    // (or, when the cache has grown past it, the line after the max-th entry).
    let len = cells.len();
    let limit_at = (c.max as usize).min(len);
    let mut stack = cells;
    let room = (c.max as usize).saturating_sub(len);
    if room > 0 {
        stack.push(html! {
            <li key="room" class="room">{ format!("room for {room} more") }</li>
        });
    }
    stack.insert(
        if room > 0 { stack.len() } else { limit_at },
        html! {
            <li key="limit" class={classes!("limit", over.then_some("over"))}>
                <Term term="UVM_NUAREA_MAX" />{ format!(" = {}", c.max) }
            </li>
        },
    );
    let km_before = b.map(|b| &b.kernel_map);
    let km_keys = unique_keys(s.kernel_map.iter().map(|(a, _)| a.as_str()));
    html! {
        <section class="panel uarea" aria-labelledby={format!("{}uarea-h", p.idp)}>
            <h2 id={format!("{}uarea-h", p.idp)}>{ "u-areas" }</h2>
            <div class="uarea-cols">
                <div class="ua-cache" data-testid="uarea-cache" data-nuarea={c.nuarea.to_string()} data-max={c.max.to_string()}>
                    <h3 class={classes!(chg(before.is_some_and(|bc| bc.nuarea != c.nuarea)), ddiff.0)} title={ddiff.1}>
                        { "cache: " }<Term term="uvm_nuarea" />{ " = " }<strong data-cell="uvm_nuarea" tabindex="0">{ c.nuarea }</strong>{ format!(" of {}", c.max) }
                        { if over { html! { <span class="state tone-warn">{ " ⚠ over the limit: uvm_uarea_drain trims it" }</span> } } else { html! {} } }
                    </h3>
                    <ol class="ua-stack">
                        { for stack }
                    </ol>
                </div>
                <div class="ua-km">
                    <h3><Term term="kernel_map" />{ format!(": {} u-area{}", s.kernel_map.len(), if s.kernel_map.len() == 1 { "" } else { "s" }) }</h3>
                    <ul class="km">
                        { for s.kernel_map.iter().zip(km_keys).map(|((a, who), key)| {
                            let was = km_before.map(|k| k.iter().find(|(x, _)| x == a));
                            let new = was.is_some_and(|w| w.is_none());
                            let moved = was.flatten().is_some_and(|(_, h)| h != who);
                            html! {
                                <li {key} class={chg(new || moved)}><span class="mono">{ a.clone() }</span>{ " " }<span class="who">{ holder_text(who) }</span></li>
                            }
                        }) }
                    </ul>
                </div>
            </div>
        </section>
    }
}
