//! A scenario too large for a share link: says so, and offers the scenario as a file
//! (a Blob URL that an effect in `app` makes, and revokes when the text changes).

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TooLargeProps {
    /// Why the run on screen has no link (the codec's error); None: it has one.
    pub why: Option<String>,
    /// The editor's text as a file.
    pub url: Option<String>,
}

/// The notice, when the run on screen has no link, with the download of the editor's
/// text.
#[component]
pub fn TooLarge(p: &TooLargeProps) -> Html {
    let Some(why) = &p.why else {
        return html! {};
    };
    let url = p.url.as_ref();
    html! {
        <div class="too-large" data-testid="too-large" role="note">
            <span>{ "⚠ " }{ why.get(..1).map(str::to_ascii_uppercase).unwrap_or_default() }{ why.get(1..).unwrap_or_default() }
                { ". The address bar keeps the last link that fitted." }</span>
            { for url.map(|u| html! {
                <a class="download" data-testid="download-scenario" href={u.clone()} download="scenario.scn">{ "⤓ Download the scenario file" }</a>
            }) }
        </div>
    }
}
