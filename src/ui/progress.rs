//! Under the controls: the progress bar of a run being built (the run on screen stays
//! usable meanwhile, and the build can be stopped), and a warning when the run on screen
//! was cut at the engine's step limit.

use crate::app::{Edit, Progress, Verb};
use yew::prelude::*;

/// `n` with thousands separators: 1,234,567.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct ProgressProps {
    /// The job being built, how far.
    pub progress: Option<Progress>,
    /// The run on screen stopped at the step limit, after this many micro-steps.
    pub truncated: Option<u64>,
    pub on: Callback<Verb>,
}

/// The progress bar of the job being built, and the warning for a run that stopped at
/// the step limit.
#[component]
pub fn ProgressRow(p: &ProgressProps) -> Html {
    let bar = p.progress.map(|pr| {
        let on = p.on.clone();
        let of = if pr.sides > 1 {
            format!(" (run {} of {})", pr.side + 1, pr.sides)
        } else {
            String::new()
        };
        let text = format!(
            "Building the run in {}{of}: {} micro-steps so far; a run stops at {}.",
            pr.design.name(),
            thousands(pr.steps),
            thousands(pr.limit)
        );
        // Over all the runs of the job (compare mode builds two), so it only goes forward.
        let (now, max) = (
            (pr.side as u64 * pr.limit + pr.steps).to_string(),
            (pr.sides as u64 * pr.limit).to_string(),
        );
        html! {
            <div class="progress-row" role="status">
                <progress data-testid="progress" role="progressbar" aria-label="Building the run"
                    value={now.clone()} max={max.clone()} aria-valuemin="0" aria-valuemax={max.clone()} aria-valuenow={now.clone()}
                    aria-valuetext={text.clone()} />
                <span class="progress-text">{ text }{ " The panels show the previous run until it is done." }</span>
                <button type="button" data-testid="cancel-build" onclick={Callback::from(move |_| on.emit(Edit::CancelBuild.into()))}>{ "Stop" }</button>
            </div>
        }
    });
    let cut = p.truncated.map(|n| html! {
        <p class="limit-note tone-warn" data-testid="step-limit" role="note">
            { format!("⚠ This run stopped at the step limit of {} micro-steps: the scenario had not finished. Make a repeat count smaller to see its end.", thousands(n)) }
        </p>
    });
    html! { <>{ for bar }{ for cut }</> }
}
