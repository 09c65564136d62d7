//! The what-if panel: a checkbox per `Switch` that adds or removes its `switch NAME`
//! line in the scenario text (`app::switches`), and what the checks found in the run;
//! and the same checkboxes as a "What if…" menu next to the Design picker
//! (`WhatIfMenu`, in the header).

use super::dom::Listener;
use crate::app::switches::designs_for;
use crate::app::{Edit, Nav, Run, Verb};
use crate::engine::{Design, Switch};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SwitchesProps {
    /// The switches whose line the editor's text has.
    pub active: Vec<Switch>,
    /// The design asked for.
    pub design: Design,
    pub run: Rc<Run>,
    pub on: Callback<Verb>,
}

/// The panel: a checkbox per switch (checked when the editor's text has its line; a
/// note where the design ignores it), and what the checks found in the run.
#[component]
pub fn SwitchesPanel(p: &SwitchesProps) -> Html {
    let (active, design, on) = (&p.active, p.design, &p.on);
    let findings = &p.run.session.trace.findings;
    let faults = findings.iter().filter(|f| f.check.is_fault()).count();
    let summary = match findings.first() {
        None => {
            html! { <p class="state tone-ok">{ "✓ The checks found nothing in this run." }</p> }
        }
        Some(first) => {
            let on = on.clone();
            let target = first.step + 1;
            html! {
                <p class="whatif-found" role="status">
                    <span class="tone-bad">{ format!("✗ {faults} fault{}, {} broken invariant{}", if faults == 1 { "" } else { "s" },
                        findings.len() - faults, if findings.len() - faults == 1 { "" } else { "s" }) }</span>
                    { format!(" · first at step {target}: {:?} ", first.check) }
                    <button type="button" data-testid="whatif-first" onclick={Callback::from(move |_| on.emit(Nav::Seek(target).into()))}>{ "Go there" }</button>
                </p>
            }
        }
    };
    html! {
        <section class="panel switches" data-testid="switches" aria-labelledby="switches-h">
            <h2 id="switches-h">{ "What if…" }<span class="sub">{ " break the kernel on purpose; each adds a line to the scenario" }</span></h2>
            { switch_list(active, design, on, "") }
            { summary }
        </section>
    }
}

/// A checkbox per switch, checked when the editor's text has its line, with a note
/// where `design` ignores it. `idp` prefixes the ids and test ids (the header's menu and
/// the panel show the same list).
fn switch_list(active: &[Switch], design: Design, on: &Callback<Verb>, idp: &str) -> Html {
    html! {
        <ul class="switch-list">
            { for Switch::ALL.iter().map(|&sw| {
                let checked = active.contains(&sw);
                let on = on.clone();
                let onchange = Callback::from(move |e: Event| {
                    let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
                    on.emit(Edit::SetSwitch(sw, v).into());
                });
                let applies = designs_for(sw).contains(&design);
                let id = format!("{idp}sw-{}", sw.name());
                html! {
                    <li key={sw.name()} class={classes!((!applies).then_some("inert"))}>
                        <input type="checkbox" id={id.clone()} data-testid={format!("{idp}switch-{}", sw.name())} {checked} {onchange} />
                        <label for={id}>
                            <code>{ sw.name() }</code>{ ": " }{ sw.describe() }
                            { if applies { html! {} } else { html! {
                                <span class="hint">{ format!(" (no effect in {})", design.name()) }</span>
                            } } }
                        </label>
                    </li>
                }
            }) }
        </ul>
    }
}

#[derive(Properties, PartialEq)]
pub struct WhatIfMenuProps {
    /// The switches whose line the editor's text has.
    pub active: Vec<Switch>,
    /// The design asked for.
    pub design: Design,
    pub on: Callback<Verb>,
}

/// "What if… (N on)" next to the Design picker: a disclosure that opens the switches
/// where a student chooses a design (issue 13 item 13). Two clicks (or Tab, Enter, Tab,
/// Space) from the top of the page to any switch; Escape or a click elsewhere closes it.
#[component]
pub fn WhatIfMenu(p: &WhatIfMenuProps) -> Html {
    let details = use_node_ref();
    let summary = use_node_ref();
    // A click anywhere else closes it, as a menu would.
    {
        let details = details.clone();
        use_effect_with((), move |_| {
            let listener = Listener::document("click", move |e: web_sys::Event| {
                let Some(d) = details.cast::<web_sys::Element>() else {
                    return;
                };
                let inside = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
                    .is_some_and(|n| d.contains(Some(&n)));
                if !inside && d.has_attribute("open") {
                    let _ = d.remove_attribute("open");
                }
            });
            move || drop(listener)
        });
    }
    let onkeydown = {
        let (details, summary) = (details.clone(), summary.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() != "Escape" {
                return;
            }
            if let Some(d) = details.cast::<web_sys::Element>() {
                if d.has_attribute("open") {
                    let _ = d.remove_attribute("open");
                    if let Some(s) = summary.cast::<web_sys::HtmlElement>() {
                        let _ = s.focus();
                    }
                }
            }
        })
    };
    let n = p.active.len();
    let count = if n == 0 {
        "none on".to_string()
    } else {
        format!("{n} on")
    };
    html! {
        <details class="whatif-menu" data-testid="whatif-menu" ref={details} {onkeydown}>
            <summary ref={summary} data-testid="whatif-toggle" title="Break the kernel on purpose: the what-if switches">
                { "What if…" }<span class={classes!("whatif-count", (n > 0).then_some("on"))}>{ count }</span>
            </summary>
            <div class="whatif-pop" role="group" aria-label="What-if switches">
                <p class="hint">{ "Break the kernel on purpose. Each switch adds a " }<code>{ "switch NAME" }</code>
                    { " line to the scenario; what the checks find shows in the Faults panel and under What if… below." }</p>
                { switch_list(&p.active, p.design, &p.on, "hdr-") }
            </div>
        </details>
    }
}
