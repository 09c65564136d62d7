//! The what-if switches: a checkbox per `Switch` that adds or removes its `switch NAME`
//! line in the scenario text (the text stays the one truth, so the editor, the run and
//! the link agree), and what the checks found in the run.

use super::state::{Run, Verb};
use crate::engine::library;
use crate::engine::{Design, Switch};
use std::rc::Rc;
use yew::prelude::*;

/// The first word of a setting line (column 1).
const SETTINGS: [&str; 5] = ["design", "uvm_nuarea_max", "cpus", "switch", "forkpy"];

/// The words of a line without its comment.
fn words(line: &str) -> Vec<&str> {
    line.split('#')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect()
}

fn is_switch_line(line: &str, sw: Switch) -> bool {
    !line.starts_with([' ', '\t']) && words(line) == ["switch", sw.name()]
}

/// The switches whose `switch NAME` line is in `text` (read line by line, so it works on
/// a text that does not parse).
pub fn switches_in(text: &str) -> Vec<Switch> {
    Switch::ALL
        .into_iter()
        .filter(|&sw| text.lines().any(|l| is_switch_line(l, sw)))
        .collect()
}

/// `text` with the `switch NAME` line of `sw` added (`on`) or removed. A new line goes
/// after the last setting line, or else before the first block, after the header
/// comments; nothing else in the text changes.
pub fn set_switch_line(text: &str, sw: Switch, on: bool) -> String {
    let nl = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if !on {
        return lines
            .into_iter()
            .filter(|l| !is_switch_line(l, sw))
            .collect();
    }
    if lines.iter().any(|l| is_switch_line(l, sw)) {
        return text.to_string();
    }
    let top_level = |l: &str| !l.starts_with([' ', '\t']);
    let last_setting = lines
        .iter()
        .rposition(|l| top_level(l) && words(l).first().is_some_and(|w| SETTINGS.contains(w)));
    let first_code = lines.iter().position(|l| !words(l).is_empty());
    let line = format!("switch {}{nl}", sw.name());
    let (at, insert) = match (last_setting, first_code) {
        (Some(i), _) => (i + 1, line),
        // Before the first block, with a blank line between them.
        (None, Some(i)) => (i, format!("{line}{nl}")),
        (None, None) => (lines.len(), line),
    };
    let mut out = String::with_capacity(text.len() + insert.len() + 2);
    for l in &lines[..at] {
        out.push_str(l);
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push_str(nl);
    }
    out.push_str(&insert);
    for l in &lines[at..] {
        out.push_str(l);
    }
    out
}

/// The designs where `sw` changes anything: those of its what-if built-in.
pub fn designs_for(sw: Switch) -> &'static [Design] {
    let id = format!("whatif-{}", sw.name().replace('_', "-"));
    library::find(&id).map_or(&Design::ALL[..], |b| b.designs)
}

/// The panel: a checkbox per switch (checked when the editor's `text` has its line; a
/// note where `design` ignores it), and what the checks found in `run`.
pub fn switches_panel(text: &str, design: Design, run: &Rc<Run>, on: &Callback<Verb>) -> Html {
    let active = switches_in(text);
    let findings = &run.session.trace.findings;
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
                    <button type="button" data-testid="whatif-first" onclick={Callback::from(move |_| on.emit(Verb::Seek(target)))}>{ "Go there" }</button>
                </p>
            }
        }
    };
    html! {
        <section class="panel switches" data-testid="switches" aria-labelledby="switches-h">
            <h2 id="switches-h">{ "What if…" }<span class="sub">{ " break the kernel on purpose; each adds a line to the scenario" }</span></h2>
            <ul class="switch-list">
                { for Switch::ALL.iter().map(|&sw| {
                    let checked = active.contains(&sw);
                    let on = on.clone();
                    let onchange = Callback::from(move |e: Event| {
                        let v = e.target_unchecked_into::<web_sys::HtmlInputElement>().checked();
                        on.emit(Verb::SetSwitch(sw, v));
                    });
                    let applies = designs_for(sw).contains(&design);
                    let id = format!("sw-{}", sw.name());
                    html! {
                        <li class={classes!((!applies).then_some("inert"))}>
                            <input type="checkbox" id={id.clone()} data-testid={format!("switch-{}", sw.name())} {checked} {onchange} />
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
            { summary }
        </section>
    }
}
