//! The one place the app meets the share-link codec (`crate::link`): building the link of
//! what is on screen, encoding it (refusing links too long to open), decoding one with an
//! error message a student can read, and folding a link's what-if switches into the text.

use crate::engine::scenario;
use crate::engine::Design;
pub use crate::link::LinkState;

/// The link state for `scenario` in `design` at `step`.
pub fn make(
    scenario: &str,
    design: Design,
    step: u64,
    builtin: Option<&str>,
    embed: bool,
) -> LinkState {
    let mut link = LinkState::new(scenario, design);
    link.step = step;
    link.builtin = builtin.map(str::to_string);
    link.embed = embed;
    link
}

/// The URL fragment (without '#'), or why the link cannot be shared (too long to open).
pub fn encode(link: &LinkState) -> Result<String, String> {
    crate::link::encode_checked(link).map_err(|e| e.to_string())
}

/// Reads a fragment (with or without its '#'). The error is one sentence. An
/// exercise's link (`x=`) gets its scenario text made from its parameters here.
pub fn decode(fragment: &str) -> Result<LinkState, String> {
    let mut link = crate::link::decode(fragment).map_err(|e| e.to_string())?;
    if let Some(p) = link.exercise {
        let x = super::exercise::Exercise::new(p).map_err(|e| {
            format!(
                "the exercise `x={}` in this link cannot be made: {e}",
                p.text()
            )
        })?;
        link.scenario = x.text;
    }
    Ok(link)
}

/// The scenario text a link runs: its text, plus a `switch NAME` line for each what-if
/// switch the link carries that the text does not already declare, and the link's
/// schedule (`r=`) as the text's `schedule` line when it differs from the text's own
/// (the UI keeps both in the text, where the user can see and edit them, and the run,
/// the editor and the next link agree).
pub fn scenario_text(link: &LinkState) -> String {
    let parsed = scenario::parse(&link.scenario).ok();
    let declared = parsed
        .as_ref()
        .map(|s| s.switches.clone())
        .unwrap_or_default();
    let own = parsed.map(|s| s.schedule).unwrap_or_default();
    let mut text = if link.schedule != own && !link.schedule.is_round_robin() {
        let mut t: String = link
            .scenario
            .split_inclusive('\n')
            .filter(|l| {
                l.split('#').next().unwrap_or("").split_whitespace().next() != Some("schedule")
                    || l.starts_with([' ', '\t'])
            })
            .collect();
        if !t.is_empty() && !t.ends_with('\n') {
            t.push('\n');
        }
        t.push_str("schedule ");
        t.push_str(&link.schedule.text());
        t.push('\n');
        t
    } else {
        link.scenario.clone()
    };
    for sw in link.switches.iter().filter(|sw| !declared.contains(sw)) {
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("switch ");
        text.push_str(sw.name());
        text.push('\n');
    }
    text
}
