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

/// Reads a fragment (with or without its '#'). The error is one sentence.
pub fn decode(fragment: &str) -> Result<LinkState, String> {
    crate::link::decode(fragment).map_err(|e| e.to_string())
}

/// The scenario text a link runs: its text, plus a `switch NAME` line for each what-if
/// switch the link carries that the text does not already declare (the UI keeps
/// switches in the text, where the user can see and edit them).
pub fn scenario_text(link: &LinkState) -> String {
    let declared = scenario::parse(&link.scenario)
        .map(|s| s.switches)
        .unwrap_or_default();
    let mut text = link.scenario.clone();
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
