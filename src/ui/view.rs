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
        let p = session.position(pos);
        View {
            snap: Rc::new(p.snapshot),
            prev: p.previous.map(Rc::new),
            step: p.step.map(Rc::new),
        }
    }
}

/// The kernel stack of the LWP that ran the last step ("pid.lid"), before it ran.
pub fn running_stack(view: &View) -> Vec<String> {
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

/// The class of something the last step changed.
pub fn chg(changed: bool) -> Classes {
    if changed {
        classes!("chg")
    } else {
        classes!()
    }
}

/// Compare mode: the class and tooltip of something that differs from the other design.
pub fn diff(d: bool) -> (Classes, Option<&'static str>) {
    if d {
        (classes!("diff"), Some("differs from the other design"))
    } else {
        (classes!(), None)
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
