//! Faults and invariant violations found in the whole run, each with its step; clicking
//! one jumps there. Those not yet reached are marked "ahead".

use super::state::{Run, Verb};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FaultsProps {
    pub run: Rc<Run>,
    pub pos: u64,
    pub on: Callback<Verb>,
}

#[component]
pub fn FaultsPanel(p: &FaultsProps) -> Html {
    let findings = &p.run.session.trace.findings;
    let faults = findings.iter().filter(|f| f.check.is_fault()).count();
    let violations = findings.len() - faults;
    html! {
        <section class="panel faults" data-testid="faults" aria-labelledby="faults-h">
            <h2 id="faults-h">{ "Faults and invariants" }
                <span class="sub">{ format!(" {faults} fault{}, {violations} violation{}", if faults == 1 { "" } else { "s" }, if violations == 1 { "" } else { "s" }) }</span>
            </h2>
            { if findings.is_empty() {
                html! { <p class="state tone-ok">{ "✓ No fault and no broken invariant in this run." }</p> }
            } else {
                html! {
                    <ol class="findings">
                        { for findings.iter().map(|f| {
                            let on = p.on.clone();
                            let target = f.step + 1;
                            let ahead = f.step >= p.pos;
                            let here = f.step + 1 == p.pos;
                            html! {
                                <li class={classes!(if f.check.is_fault() { "fault" } else { "violation" }, ahead.then_some("ahead"), here.then_some("here"))}>
                                    <button type="button" class="jump" onclick={Callback::from(move |_| on.emit(Verb::Seek(target)))}
                                        aria-label={format!("Go to step {target}")}>{ format!("step {target}") }</button>
                                    <span class="kind">{ if f.check.is_fault() { "✗ fault" } else { "⚠ invariant" } }</span>
                                    <span class="check mono">{ format!("{:?}", f.check) }</span>
                                    <span class="msg">{ f.message.clone() }</span>
                                    { if ahead { html! { <span class="ahead-tag">{ "ahead" }</span> } } else { html! {} } }
                                </li>
                            }
                        }) }
                    </ol>
                }
            } }
        </section>
    }
}
