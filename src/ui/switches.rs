//! The what-if panel: a checkbox per `Switch` that adds or removes its `switch NAME`
//! line in the scenario text (`app::switches`), and what the checks found in the run.

use crate::app::switches::designs_for;
use crate::app::{Edit, Nav, Run, Verb};
use crate::engine::{Design, Switch};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SwitchesProps {
    /// The switches whose line the editor's text has.
    pub active: Vec<Switch>,
    /// The design asked for.
    pub design: Design,
    pub run: Rc<Run>,
    pub on: Callback<Verb>,
}

/// The panel: a checkbox per switch (checked when the editor's text has its line; a
/// note where the design ignores it), and what the checks found in the run.
#[component]
pub fn SwitchesPanel(p: &SwitchesProps) -> Html {
    let (active, design, on) = (&p.active, p.design, &p.on);
    let findings = &p.run.session.trace.findings;
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
                    <button type="button" data-testid="whatif-first" onclick={Callback::from(move |_| on.emit(Nav::Seek(target).into()))}>{ "Go there" }</button>
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
                        on.emit(Edit::SetSwitch(sw, v).into());
                    });
                    let applies = designs_for(sw).contains(&design);
                    let id = format!("sw-{}", sw.name());
                    html! {
                        <li key={sw.name()} class={classes!((!applies).then_some("inert"))}>
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
