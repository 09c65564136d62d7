//! Small helpers the panels share: change highlighting, compare-mode differences, tones,
//! state classes, chips. (What the panels read at a position is `app::view::View`.)

use crate::engine::snapshot::{Concern, Cr3State, TrState};
use crate::engine::state::{LStat, PStat};
use yew::prelude::*;

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
    /// Expected, and said why: looks odd, is not a fault (neutral, no warning sign).
    Info,
    Warn,
    Bad,
}

impl Tone {
    pub fn class(self) -> &'static str {
        match self {
            Tone::Ok => "tone-ok",
            Tone::Info => "tone-info",
            Tone::Warn => "tone-warn",
            Tone::Bad => "tone-bad",
        }
    }

    pub fn prefix(self) -> &'static str {
        match self {
            Tone::Ok => "",
            Tone::Info => "ℹ ",
            Tone::Warn => "⚠ ",
            Tone::Bad => "✗ ",
        }
    }
}

impl Tone {
    /// The tone of how worrying the engine says a state is.
    pub fn of(c: Concern) -> Tone {
        match c {
            Concern::Fine => Tone::Ok,
            Concern::Expected => Tone::Info,
            Concern::Warn => Tone::Warn,
            Concern::Bad => Tone::Bad,
        }
    }

    /// How worrying a %cr3 state is.
    pub fn of_cr3(s: Cr3State) -> Tone {
        Tone::of(s.concern())
    }

    /// How worrying a %tr state is.
    pub fn of_tr(s: TrState) -> Tone {
        Tone::of(s.concern())
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

/// Keys for a list's items: each item's text, with `#n` on a repeat (the u-area cache
/// holds one address twice when a what-if breaks it), so keys stay unique.
pub fn unique_keys<'a>(items: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    items
        .map(|it| {
            let n = seen.iter().filter(|s| **s == it).count();
            seen.push(it);
            if n == 0 {
                it.to_string()
            } else {
                format!("{it}#{n}")
            }
        })
        .collect()
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
    let texts: Vec<String> = items.iter().map(ToString::to_string).collect();
    html! {
        <ol class="chips">
            { for items.iter().zip(unique_keys(texts.iter().map(String::as_str))).map(|(it, key)| {
                let new = before.is_some_and(|b| !b.contains(it));
                let text = it.to_string();
                match attr {
                    Some("data-pid") => html! { <li {key} class={chg(new)} data-pid={text.clone()}>{ text }</li> },
                    _ => html! { <li {key} class={chg(new)}>{ text }</li> },
                }
            }) }
        </ol>
    }
}
