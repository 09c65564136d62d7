//! The pseudo-source panel: the function the last micro-step ran, in the current design,
//! with the executed line highlighted and the lines the patch added (or removed) marked.

use super::dom;
use crate::app::breakpoints::{Breakpoint, Breakpoints};
use crate::app::{Nav, Verb};
use crate::engine::func::{Func, Mark};
use crate::engine::session::StepView;
use crate::engine::source;
use crate::engine::Design;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SourceProps {
    pub design: Design,
    pub step: Option<Rc<StepView>>,
    /// The running LWP's kernel stack, outermost first.
    pub stack: Rc<[&'static str]>,
    /// Prefix of element ids (two of this panel in compare mode).
    #[prop_or_default]
    pub idp: &'static str,
    /// The breakpoints, and where to toggle them (none in compare mode).
    #[prop_or_default]
    pub breakpoints: Breakpoints,
    #[prop_or_default]
    pub on: Option<Callback<Verb>>,
}

/// One listing line: its text, its patch mark, and the body line (the trace's
/// `Step::line`) it starts, where a breakpoint can go (`None` for the signature and for
/// a statement's second and later lines).
type ListingLine = (AttrValue, Mark, Option<u8>);

/// The listing of `func` in `design`, one entry per line (line 1 is the signature), each
/// with its patch mark; the same lines as `source::render`.
fn listing(design: Design, func: Func) -> Option<Vec<ListingLine>> {
    let body = source::body(design, func)?;
    let mut out = vec![(AttrValue::Static(body.signature), Mark::Same, None)];
    for (i, l) in body.lines.iter().enumerate() {
        for (k, t) in l.text.lines().enumerate() {
            let starts = (k == 0).then(|| u8::try_from(i).ok()).flatten();
            out.push((AttrValue::from(format!("    {t}")), l.mark, starts));
        }
    }
    Some(out)
}

/// The legend of the patch marks in `design`: lines the patch removed (before it) or
/// added (after it), its class and its words.
fn mark_legend(design: Design) -> (&'static str, &'static str) {
    let class = match design {
        Design::Reaper => "m-gone",
        Design::Patch | Design::Committed | Design::Fixed => "m-new",
    };
    (class, design.mark_note())
}

/// One listing line; `at` marks the first executed one (kept in view). `bp`: the body
/// line it starts (its number is then a breakpoint toggle) and whether one is set.
fn source_line(
    n: usize,
    text: &AttrValue,
    mark: Mark,
    hit: bool,
    at: Option<&NodeRef>,
    bp: Option<(u8, bool)>,
) -> Html {
    let (mcls, msym, mtitle) = match mark {
        Mark::New => ("m-new", "+", "new in the patch"),
        Mark::Gone => ("m-gone", "−", "removed by the patch"),
        Mark::Same => ("", " ", ""),
    };
    html! {
        <li key={n} class={classes!(mcls, hit.then_some("hit"), (n == 1).then_some("sig"), bp.is_some_and(|b| b.1).then_some("bp"))}
            ref={at.cloned().unwrap_or_default()}
            aria-current={if hit { Some("step") } else { None }}>
            { match bp {
                Some((line, set)) => html! {
                    <button type="button" class="ln" data-bp={line.to_string()} aria-pressed={if set { "true" } else { "false" }}
                        title={if set { "clear the breakpoint (b on the current line)" } else { "set a breakpoint: play and run until stop here (b on the current line)" }}
                        aria-label={format!("breakpoint on line {n}")}>{ n }</button>
                },
                None => html! { <span class="ln" aria-hidden="true">{ n }</span> },
            } }
            <span class="mk" title={mtitle}>{ msym }</span>
            <code>{ text.clone() }</code>
        </li>
    }
}

/// Which sources the design's pseudo-source follows (at boot too).
fn sources_note(design: Design) -> Html {
    html! {
        <p class="sources" data-testid="design-sources">{ design.sources() }{ " (" }
            <a href="docs/fidelity.md" target="_blank" rel="noopener" data-testid="doc-fidelity">{ "docs/fidelity.md" }</a>
            { " names each line's source; " }
            <a href="docs/model.md" target="_blank" rel="noopener">{ "docs/model.md" }</a>
            { " every modelling choice.)" }</p>
    }
}

#[component]
pub fn SourcePanel(p: &SourceProps) -> Html {
    let box_ref = use_node_ref();
    let line_ref = use_node_ref();
    // Bumped by every scroll request; a frame callback that is no longer the latest does
    // nothing (several steps within one frame scroll once).
    let scroll_gen = use_mut_ref(|| 0u32);
    let key = p.step.as_ref().map(|s| (s.func, s.listing_line));
    {
        let (box_ref, line_ref) = (box_ref.clone(), line_ref.clone());
        use_effect_with(key, move |_| {
            // Keep the executed line in view inside the listing, a third from the top,
            // without scrolling the page itself. Read at the start of the next frame, not
            // here: reading layout right after a render forces a synchronous layout.
            let gen = {
                let mut g = scroll_gen.borrow_mut();
                *g = g.wrapping_add(1);
                *g
            };
            dom::next_frame(move || {
                if *scroll_gen.borrow() != gen {
                    return;
                }
                if let (Some(b), Some(l)) = (
                    box_ref.cast::<web_sys::HtmlElement>(),
                    line_ref
                        .get()
                        .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok()),
                ) {
                    // `.listing` is positioned, so offset_top is relative to it.
                    let (top, h) = (l.offset_top(), l.offset_height());
                    let (view, seen) = (b.client_height(), b.scroll_top());
                    if top < seen || top + h > seen + view {
                        b.set_scroll_top((top - view / 3).max(0));
                    }
                }
            });
        });
    }
    let func = p
        .step
        .as_ref()
        .and_then(|s| Func::ALL.iter().copied().find(|f| f.name() == s.func));
    let lines = use_memo((p.design, func), |&(design, func)| {
        func.and_then(|f| listing(design, f))
    });
    let Some(step) = &p.step else {
        return html! {
            <section class="panel source" data-testid="source" aria-labelledby={format!("{}src-h", p.idp)}>
                <h2 id={format!("{}src-h", p.idp)}>{ "Source" }</h2>
                <p class="empty">{ "At boot: nothing has run yet. Step forward to see each line the kernel executes." }</p>
                { sources_note(p.design) }
            </section>
        };
    };
    // One click handler for the listing: a line number with `data-bp` toggles its
    // breakpoint.
    let toggle = {
        let on = p.on.clone();
        Callback::from(move |e: MouseEvent| {
            let line = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|el| el.get_attribute("data-bp"))
                .and_then(|v| v.parse::<u8>().ok());
            if let (Some(on), Some(func), Some(line)) = (&on, func, line) {
                on.emit(Nav::ToggleBreakpoint(Breakpoint { func, line }).into());
            }
        })
    };
    let first = step.listing_line as usize;
    let last = first + step.listing_span.max(1) as usize - 1;
    let (mark_class, mark_note) = mark_legend(p.design);
    html! {
        <section class="panel source" data-testid="source" aria-labelledby={format!("{}src-h", p.idp)}>
            <h2 id={format!("{}src-h", p.idp)}>
                <span class="mono">{ format!("{}()", step.func) }</span>
                <span class="sub">{ format!(" {} · design {}", step.file, p.design.name()) }</span>
            </h2>
            { if p.stack.len() > 1 { html! {
                <p class="callstack" aria-label="Kernel stack of the running LWP">
                    { "stack: " }<span class="mono">{ p.stack.join(" › ") }</span>
                </p>
            } } else { html! {} } }
            <div class="listing" ref={box_ref} tabindex="0" aria-label={format!("Pseudo-source of {}", step.func)}>
                { match lines.as_ref() {
                    None => html! { <p class="empty">{ "(no pseudo-source for this function in this design)" }</p> },
                    Some(lines) => html! {
                        <ol class="code" onclick={toggle}>
                            { for lines.iter().enumerate().map(|(i, (text, mark, starts))| {
                                let n = i + 1;
                                let hit = n >= first && n <= last;
                                let bp = starts.filter(|_| p.on.is_some()).map(|line| {
                                    (line, func.is_some_and(|func| p.breakpoints.contains(Breakpoint { func, line })))
                                });
                                source_line(n, text, *mark, hit, (n == first).then_some(&line_ref), bp)
                            }) }
                        </ol>
                    },
                } }
            </div>
            <p class="legend">
                <span class="hit key">{ "▶ executed by this step" }</span>
                <span class={classes!("key", mark_class)}>{ mark_note }</span>
            </p>
            { sources_note(p.design) }
        </section>
    }
}
