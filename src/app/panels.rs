//! `?panels=...` in the page's query string: which panels an embedded page (a course
//! page's iframe) shows, e.g. `?embed&panels=narration,procs,cpu`. Without it, all.

/// The panels that can be chosen, by the names `panels=` uses (also their CSS classes);
/// a lesson stop's `# show:` line uses the same names (engine::stops).
pub use crate::engine::stops::PANELS;

/// The panels `search` (the query string, with or without `?`) asks for: `Ok(None)`
/// without `panels=`, else the names in `PANELS` order, or a message naming what is not
/// a panel. Names are separated by commas (`%2C` too), spaces or `+`; empty items are
/// skipped; the last `panels=` wins.
pub fn panels_in_search(search: &str) -> Result<Option<Vec<&'static str>>, String> {
    let Some(value) = search
        .trim_start_matches('?')
        .split('&')
        .rev()
        .find_map(|p| p.strip_prefix("panels="))
    else {
        return Ok(None);
    };
    let value = value
        .replace("%2C", ",")
        .replace("%2c", ",")
        .replace("%20", " ");
    let mut want = [false; PANELS.len()];
    for name in value.split([',', ' ', '+']).filter(|n| !n.is_empty()) {
        match PANELS.iter().position(|p| *p == name) {
            Some(i) => want[i] = true,
            None => {
                let shown: String = name.chars().take(40).collect();
                return Err(format!(
                    "panels=: `{shown}` is not a panel; the panels are {}. Showing them all.",
                    PANELS.join(", ")
                ));
            }
        }
    }
    Ok(Some(
        PANELS
            .iter()
            .zip(want)
            .filter_map(|(p, w)| w.then_some(*p))
            .collect(),
    ))
}
