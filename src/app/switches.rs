//! The what-if switches as text: which `switch NAME` lines a scenario has, adding or
//! removing one (the text stays the one truth, so the editor, the run and the link
//! agree), and the designs where a switch changes anything.

use crate::engine::library;
use crate::engine::{Design, Switch};

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
