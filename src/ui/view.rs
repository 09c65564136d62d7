//! What the panels read for one position (the snapshot, the one before it, the step that
//! led there) and small shared helpers: change highlighting, tones, state classes.

use crate::engine::session::{Session, StepView};
use crate::engine::snapshot::Snapshot;
use crate::engine::state::{LStat, PStat};
use std::rc::Rc;
use yew::prelude::*;

/// The state at one position and the step that led there.
#[derive(PartialEq)]
pub struct View {
    pub snap: Rc<Snapshot>,
    /// The state before the last step (None at boot): what changed is highlighted.
    pub prev: Option<Rc<Snapshot>>,
    pub step: Option<Rc<StepView>>,
}

impl View {
    pub fn at(session: &Session, pos: u64) -> View {
        View {
            snap: Rc::new(session.snapshot_at(pos)),
            prev: pos.checked_sub(1).map(|p| Rc::new(session.snapshot_at(p))),
            step: session.step_view(pos).map(Rc::new),
        }
    }
}

/// The class of something the last step changed.
pub fn chg(changed: bool) -> Classes {
    if changed {
        classes!("chg")
    } else {
        classes!()
    }
}

/// How good or bad a state is; shown as a colour and a text symbol.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ok,
    Warn,
    Bad,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Ok => "tone-ok",
            Tone::Warn => "tone-warn",
            Tone::Bad => "tone-bad",
        }
    }

    pub fn prefix(self) -> &'static str {
        match self {
            Tone::Ok => "",
            Tone::Warn => "⚠ ",
            Tone::Bad => "✗ ",
        }
    }
}

pub fn lstat_class(s: LStat) -> &'static str {
    match s {
        LStat::LSIDL => "st-idl",
        LStat::LSRUN => "st-run",
        LStat::LSONPROC => "st-onproc",
        LStat::LSSLEEP => "st-sleep",
        LStat::LSSTOP | LStat::LSSUSPENDED => "st-stop",
        LStat::LSZOMB => "st-zomb",
        LStat::LSDEAD => "st-dead",
    }
}

pub fn pstat_class(s: PStat) -> &'static str {
    match s {
        PStat::SIDL => "st-idl",
        PStat::SACTIVE => "st-run",
        PStat::SSTOP => "st-stop",
        PStat::SZOMB => "st-zomb",
        PStat::SDEAD => "st-dead",
    }
}

/// A list shown as chips; items absent before the last step are highlighted.
pub fn chips<T: PartialEq + ToString>(
    items: &[T],
    before: Option<&[T]>,
    attr: Option<&'static str>,
) -> Html {
    if items.is_empty() {
        return html! { <span class="empty">{ "(empty)" }</span> };
    }
    html! {
        <ol class="chips">
            { for items.iter().map(|it| {
                let new = before.is_some_and(|b| !b.contains(it));
                let text = it.to_string();
                match attr {
                    Some("data-pid") => html! { <li class={chg(new)} data-pid={text.clone()}>{ text }</li> },
                    _ => html! { <li class={chg(new)}>{ text }</li> },
                }
            }) }
        </ol>
    }
}
