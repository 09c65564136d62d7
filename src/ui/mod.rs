//! Yew front end (wasm32 only). Placeholder until the simulator UI lands.

use yew::prelude::*;

/// Root component of the web app.
#[component]
pub fn App() -> Html {
    html! {
        <main>
            <h1>{ "exitpath" }</h1>
            <p>{ "The simulator UI is being built." }</p>
        </main>
    }
}
