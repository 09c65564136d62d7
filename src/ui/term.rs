//! A term with its glossary entry (`app::glossary`) as a tooltip that the keyboard reaches
//! too: the term is focusable, and on focus or hover its explanation (the kernel's words,
//! one plain sentence, the source) opens as a popover in the top layer, so no panel's
//! clipping hides it, placed under the term with CSS anchor positioning (one anchor
//! name, on the open term, set by a class: the page's CSP allows no inline style). Escape or
//! leaving closes it. The tooltip is in the DOM only while open (a table of hundreds of
//! LWPs pays for none); `aria-description` carries the words when it is closed. And the
//! whole glossary as a list (`GlossaryList`).

use crate::app::glossary;
use std::cell::Cell;
use wasm_bindgen::JsCast;
use yew::prelude::*;

thread_local! {
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
}

fn next_id() -> u32 {
    NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    })
}

/// A callback that opens (`v`) or closes the tooltip.
fn set<E: 'static>(open: &UseStateHandle<bool>, v: bool) -> Callback<E> {
    let open = open.clone();
    Callback::from(move |_: E| open.set(v))
}

#[derive(Properties, PartialEq)]
pub struct TermProps {
    /// The glossary key (`glossary::find`).
    pub term: &'static str,
    /// The text shown, when it is not the key itself.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    /// A Tab stop (the default); off where the same term repeats on every row, so the
    /// keyboard does not stop at each copy (hover still shows it).
    #[prop_or(true)]
    pub focusable: bool,
}

/// `term`, explained on focus and hover; plain text when the glossary has no entry.
#[component]
pub fn Term(p: &TermProps) -> Html {
    let id = use_memo((), |_| next_id());
    let open = use_state_eq(|| false);
    let tip = use_node_ref();
    {
        let tip = tip.clone();
        use_effect_with(*open, move |open| {
            if *open {
                if let Some(el) = tip.cast::<web_sys::HtmlElement>() {
                    let _ = el.show_popover();
                }
            }
        });
    }
    let label = p.label.clone().unwrap_or(AttrValue::Static(p.term));
    let Some(entry) = glossary::find(p.term) else {
        return html! { <span class={p.class.clone()}>{ label }</span> };
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    // A click on a term in a link or a button must not follow it.
    let onclick = Callback::from(|e: MouseEvent| {
        if let Some(t) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        {
            if t.closest("a, button").ok().flatten().is_some() {
                e.prevent_default();
            }
        }
    });
    let tip_id = format!("term-tip-{id}");
    html! {
        <span class={classes!("term", p.class.clone(), open.then_some("open"))} tabindex={p.focusable.then_some("0")} data-term={p.term}
            aria-description={(!*open).then(|| format!("{} {}", entry.kernel, entry.plain))}
            aria-describedby={open.then(|| tip_id.clone())}
            onfocus={set::<FocusEvent>(&open, true)} onblur={set::<FocusEvent>(&open, false)}
            onmouseenter={set::<MouseEvent>(&open, true)} onmouseleave={set::<MouseEvent>(&open, false)}
            {onkeydown} {onclick}>
            { label }
            { if *open { html! {
                <span ref={tip} id={tip_id} class="term-tip" popover="manual" role="tooltip" data-testid="term-tip">
                    <span class="tt-term">{ entry.term }</span>
                    <span class="tt-kernel">{ entry.kernel }</span>
                    <span class="tt-plain">{ entry.plain }</span>
                    <span class="tt-source">{ format!("Source: {}", entry.source) }</span>
                </span>
            } } else { html! {} } }
        </span>
    }
}

/// The whole glossary as one list that opens on demand, so every term (the states and
/// flags of the table's cells among them) can be read by keyboard and by search.
#[component]
pub fn GlossaryList() -> Html {
    html! {
        <details class="panel glossary" data-testid="glossary">
            <summary><h2>{ "Glossary" }<span class="sub">{ " every header, state, flag and counter, in the kernel's words" }</span></h2></summary>
            <dl class="glossary-dl">
                { for glossary::ENTRIES.iter().map(|e| html! {
                    <div key={e.term} class="glossary-row" data-term={e.term}>
                        <dt><code>{ e.term }</code></dt>
                        <dd>
                            <span class="tt-kernel">{ e.kernel }</span>{ " " }
                            <span class="tt-plain">{ e.plain }</span>{ " " }
                            <span class="tt-source">{ format!("({})", e.source) }</span>
                        </dd>
                    </div>
                }) }
            </dl>
        </details>
    }
}
