//! Faults and invariant violations found in the whole run, grouped by check: what the
//! check means, then each finding with its step (clicking one jumps there; those not yet
//! reached are marked "ahead"). A long run lists the first few of each check.

use super::term::Term;
use crate::app::{Nav, Run, Verb};
use crate::engine::trace::{Check, Finding};
use std::rc::Rc;
use yew::prelude::*;

/// Findings listed per check; the rest are counted (and reached with "run until fault").
const LISTED_MAX: usize = 12;

#[derive(Properties, PartialEq)]
pub struct FaultsProps {
    pub run: Rc<Run>,
    /// How far the position on screen is among the findings (`Reached::at`).
    pub reached: Reached,
    pub on: Callback<Verb>,
    /// Prefix of element ids (two of this panel in compare mode).
    #[prop_or_default]
    pub idp: &'static str,
}

/// The findings grouped by check, in the order each check first fired.
/// Each with its index in the run's findings.
fn groups(findings: &[Finding]) -> Vec<(Check, Vec<(usize, &Finding)>)> {
    let mut out: Vec<(Check, Vec<(usize, &Finding)>)> = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        match out.iter_mut().find(|(c, _)| *c == f.check) {
            Some((_, v)) => v.push((i, f)),
            None => out.push((f.check, vec![(i, f)])),
        }
    }
    out
}

/// How far the position is among the findings: those before `here` are behind, those
/// from `here` to `ahead` were found by the last step, the rest are ahead. A step that
/// crosses no finding leaves it as it was, and the list is not redrawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Reached {
    here: usize,
    ahead: usize,
}

impl Reached {
    pub fn at(findings: &[Finding], pos: u64) -> Reached {
        Reached {
            here: findings.partition_point(|f| f.step + 1 < pos),
            ahead: findings.partition_point(|f| f.step < pos),
        }
    }
}

#[component]
pub fn FaultsPanel(p: &FaultsProps) -> Html {
    let findings = &p.run.session.trace.findings;
    let faults = findings.iter().filter(|f| f.check.is_fault()).count();
    let violations = findings.len() - faults;
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let item = |(i, f): (usize, &Finding)| {
        let on = p.on.clone();
        let target = f.step + 1;
        let ahead = i >= p.reached.ahead;
        let here = i >= p.reached.here && !ahead;
        html! {
            <li key={i} class={classes!(ahead.then_some("ahead"), here.then_some("here"))}>
                <button type="button" class="jump" onclick={Callback::from(move |_| on.emit(Nav::Seek(target).into()))}
                    aria-label={format!("Go to step {target}")}>{ format!("step {target}") }</button>
                <span class="msg">{ f.message.clone() }</span>
                { if ahead { html! { <span class="ahead-tag"><Term term="ahead" focusable={i == p.reached.ahead} /></span> } } else { html! {} } }
            </li>
        }
    };
    html! {
        <section class="panel faults" data-testid="faults" aria-labelledby={format!("{}faults-h", p.idp)}>
            <h2 id={format!("{}faults-h", p.idp)}>{ "Faults and invariants" }
                <span class="sub">{ format!(" {faults} fault{}, {violations} violation{}", plural(faults), plural(violations)) }</span>
            </h2>
            { if findings.is_empty() {
                html! { <p class="state tone-ok">{ "✓ No fault and no broken invariant in this run." }</p> }
            } else {
                html! {
                    <ol class="fgroups">
                        { for groups(findings).into_iter().map(|(check, fs)| {
                            let fault = check.is_fault();
                            let more = fs.len().saturating_sub(LISTED_MAX);
                            html! {
                                <li key={format!("{check:?}")} class={classes!("fgroup", if fault { "fault" } else { "violation" })} data-check={format!("{check:?}")}>
                                    <p class="fg-head">
                                        <span class="kind">{ if fault { "✗ fault" } else { "⚠ invariant" } }</span>
                                        <span class="check mono">{ format!("{check:?}") }</span>
                                        <span class="count">{ format!("× {}", fs.len()) }</span>
                                    </p>
                                    <p class="explain" data-testid="fault-explain">{ check.explain() }</p>
                                    <ol class="findings">{ for fs.iter().take(LISTED_MAX).map(|&(i, f)| item((i, f))) }</ol>
                                    { if more > 0 { html! {
                                        <p class="hint">{ format!("… and {more} more: Run until ▸ fault steps through them.") }</p>
                                    } } else { html! {} } }
                                </li>
                            }
                        }) }
                    </ol>
                }
            } }
        </section>
    }
}
