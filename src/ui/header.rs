//! The top bar: title, scenario picker (stories, then what-ifs), design picker and the
//! "What if…" switches next to it, compare picker, and the share button with the link it copied (or a field to copy it from
//! when the clipboard is unavailable); under it, the scenario's description.

use super::switches::WhatIfMenu;
use crate::app::{Edit, ShareStatus, Verb};
use crate::engine::library::{self, BUILTINS};
use crate::engine::{Design, Switch};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub design: Design,
    /// Compare mode's second design.
    pub compare: Option<Design>,
    /// The built-in the editor holds unedited; None: the user's own text.
    pub builtin: Option<&'static str>,
    pub embed: bool,
    /// The what-if switches whose line the editor's text has (the "What if…" menu).
    #[prop_or_default]
    pub active: Vec<Switch>,
    pub share: ShareStatus,
    /// In an iframe: a link that opens the same moment in the full app.
    pub full_view: Option<String>,
    pub on: Callback<Verb>,
}

/// A design as the picker names it.
pub fn design_label(d: Design) -> &'static str {
    d.title()
}

#[component]
pub fn Header(p: &HeaderProps) -> Html {
    let on_design = {
        let on = p.on.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Some(d) = Design::from_name(&v) {
                on.emit(Edit::SetDesign(d).into());
            }
        })
    };
    let on_scenario = {
        let on = p.on.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            on.emit(Edit::PickBuiltin(v).into());
        })
    };
    let on_compare = {
        let on = p.on.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            on.emit(Edit::SetCompare(Design::from_name(&v)).into());
        })
    };
    let on_share = {
        let on = p.on.clone();
        Callback::from(move |_: MouseEvent| on.emit(Edit::Share.into()))
    };
    let select_all = Callback::from(|e: FocusEvent| {
        e.target_unchecked_into::<web_sys::HtmlInputElement>()
            .select();
    });
    let share_out = match &p.share {
        ShareStatus::Idle => html! {},
        ShareStatus::Pending => {
            html! { <span class="share-msg" role="status">{ "Copying…" }</span> }
        }
        ShareStatus::Failed(why) => {
            html! { <span class="share-msg tone-warn" role="status">{ format!("No link: {why}") }</span> }
        }
        ShareStatus::Copied(url) | ShareStatus::Manual(url) => {
            let copied = matches!(p.share, ShareStatus::Copied(_));
            html! {
                <span class="share-msg" role="status">
                    <label for="share-link">{ if copied { "✓ Link copied:" } else { "Copy this link:" } }</label>
                    <input id="share-link" data-testid="share-link" type="text" readonly=true value={url.clone()} onfocus={select_all} />
                </span>
            }
        }
    };
    html! {
        <header class="top">
            <h1><span class="logo">{ "exitpath" }</span><span class="tagline">{ " the NetBSD exit path, step by step" }</span></h1>
            <div class="pickers">
                { if p.embed { html! {} } else { html! {
                    <div class="group">
                        <label for="scenario-picker">{ "Scenario" }</label>
                        <select id="scenario-picker" data-testid="scenario-picker" onchange={on_scenario}>
                            { for [("Stories", false), ("What if...", true)].into_iter().map(|(label, whatif)| html! {
                                <optgroup {label}>
                                    { for BUILTINS.iter().filter(|b| b.is_whatif() == whatif).map(|b| html! {
                                        <option value={b.id} selected={p.builtin == Some(b.id)}>{ b.title }</option>
                                    }) }
                                </optgroup>
                            }) }
                            { if p.builtin.is_none() { html! { <option value="" selected=true disabled=true>{ "your own scenario" }</option> } } else { html! {} } }
                        </select>
                    </div>
                } } }
                <div class="group">
                    <label for="design-picker">{ "Design" }</label>
                    <select id="design-picker" data-testid="design" onchange={on_design}>
                        { for Design::ALL.iter().map(|d| html! {
                            <option value={d.name()} selected={*d == p.design} title={d.sources()}>{ design_label(*d) }</option>
                        }) }
                    </select>
                </div>
                { if p.embed { html! {} } else { html! {
                    <WhatIfMenu active={p.active.clone()} design={p.design} on={p.on.clone()} />
                } } }
                <div class="group">
                    <label for="compare-picker">{ "Compare with" }</label>
                    <select id="compare-picker" data-testid="compare-picker" onchange={on_compare}>
                        <option value="" selected={p.compare.is_none()}>{ "none" }</option>
                        { for Design::ALL.iter().filter(|d| **d != p.design).map(|d| html! {
                            <option value={d.name()} selected={Some(*d) == p.compare}>{ d.name() }</option>
                        }) }
                    </select>
                </div>
                <button type="button" data-testid="share" onclick={on_share} title="Copy a link to exactly this moment">{ "Share link" }</button>
                { for p.full_view.iter().map(|href| html! {
                    <a class="full-view" href={href.clone()} target="_blank" rel="noopener">{ "Open in exitpath ↗" }</a>
                }) }
                { share_out }
            </div>
        </header>
    }
}

#[derive(Properties, PartialEq)]
pub struct AboutProps {
    /// The built-in the editor holds unedited.
    pub builtin: Option<&'static str>,
    pub design: Design,
}

/// The built-in scenario's title and description (its header comments), under the
/// pickers: the first paragraph shows, the rest opens on demand; a note when `design` is
/// not one it is meant for.
#[component]
pub fn About(p: &AboutProps) -> Html {
    let design = p.design;
    let Some(b) = p.builtin.and_then(library::find) else {
        return html! {};
    };
    // The first paragraph; the rest keeps its line breaks (list items) with CSS.
    let (first, rest) = b
        .description
        .split_once("\n\n")
        .unwrap_or((b.description, ""));
    let elsewhere = !b.designs.is_empty() && !b.designs.contains(&design);
    html! {
        <>
        <details class="about" data-testid="about">
            <summary>
                <strong>{ b.title }</strong>{ " " }<span class="about-first">{ first }</span>
                { if rest.is_empty() { html! {} } else { html! { <span class="more">{ " (more)" }</span> } } }
            </summary>
            <p class="about-rest">{ rest }</p>
        </details>
        { if elsewhere { html! {
            <p class="about-warn tone-warn">{ format!("⚠ This scenario is meant for {}; in {} it may show nothing special.",
                b.designs.iter().map(|d| d.name()).collect::<Vec<_>>().join(", "), design.name()) }</p>
        } } else { html! {} } }
        </>
    }
}
