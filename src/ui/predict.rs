//! The Predict panel: "Predict, then reveal" on any step of any scenario. Off, a button
//! turns it on; on, it walks through the seeded quiz of the run on screen (the questions
//! `exitpath quiz --seed S --count 8` prints) or asks a question of a chosen kind at the
//! position; choosing an answer reveals it (the page goes to the step that shows it),
//! with the model's explanation, the source line and a "why" link. While a question
//! waits for its answer, `app.rs` hides the lifelines and markers (they show the future).

use crate::app::predict::{Predict, PredictNav, QUIZ_LEN};
use crate::app::{Nav, Verb};
use crate::engine::quiz::{letter, Ask};
use crate::engine::why::Cell;
use web_sys::HtmlInputElement;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PredictProps {
    pub predict: Option<Predict>,
    pub pos: u64,
    pub on: Callback<Verb>,
}

fn nav(on: &Callback<Verb>, v: PredictNav) -> Callback<MouseEvent> {
    let on = on.clone();
    Callback::from(move |_| on.emit(Nav::Predict(v).into()))
}

#[component]
pub fn PredictPanel(p: &PredictProps) -> Html {
    let Some(pr) = &p.predict else {
        return html! {
            <p class="predict-off">
                <button type="button" data-testid="predict-on" onclick={nav(&p.on, PredictNav::On(true))}
                    title="Questions from this run's own trace: guess what the kernel does next, then see it">
                    { "◎ Predict, then reveal" }</button>
                <span class="hint">{ " quiz yourself on this run: the answers come from the model's trace" }</span>
            </p>
        };
    };
    let on = &p.on;
    let seed = {
        let on = on.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(s) = v.trim().parse::<u64>() {
                on.emit(Nav::Predict(PredictNav::Seed(s)).into());
            }
        })
    };
    let kind = {
        let on = on.clone();
        Callback::from(move |e: Event| {
            let v = e.target_unchecked_into::<HtmlSelectElement>().value();
            if let Some(k) = Ask::from_id(&v) {
                on.emit(Nav::Predict(PredictNav::Kind(k)).into());
            }
        })
    };
    let quiz = pr.quiz.as_ref();
    let n = quiz.map_or(0, |q| q.questions.len());
    let open_index = pr.open.as_ref().and_then(|o| o.index);
    let dots = quiz.map(|q| {
        html! {
            <ol class="lesson-dots" aria-label="questions of this quiz">
                { for q.questions.iter().enumerate().map(|(i, qq)| html! {
                    <li class={classes!((Some(i) == open_index).then_some("here"))}>
                        <button type="button" onclick={nav(on, PredictNav::Question(i))}
                            aria-label={format!("question {} (step {})", i + 1, qq.step)}
                            aria-current={(Some(i) == open_index).then_some("step")}>{ i + 1 }</button>
                    </li>
                }) }
            </ol>
        }
    });
    let body = match &pr.open {
        None => html! {
            <p class="hint">{ match quiz {
                Some(_) => format!("{n} questions from this run, seed {}: press “Next question”, or ask about the step on screen.", pr.seed),
                None => "The quiz is made once the run is built.".to_string(),
            } }</p>
        },
        Some(o) => {
            let q = &o.question;
            let kicker = match o.index {
                Some(k) => format!("Question {} of {n} · step {}", k + 1, q.step),
                None => format!("Asked at step {} · {}", q.step, q.ask.label()),
            };
            let choices = q.choices.iter().enumerate().map(|(i, c)| {
                let state = o.chosen.map(|ch| {
                    if i == q.answer {
                        "right"
                    } else if i == ch {
                        "wrong"
                    } else {
                        "other"
                    }
                });
                let mark = match state {
                    Some("right") => " ✓",
                    Some("wrong") => " ✗",
                    _ => "",
                };
                html! {
                    <li>
                        <button type="button" class={classes!("choice", state)} data-testid="predict-choice"
                            disabled={o.chosen.is_some()} onclick={nav(on, PredictNav::Answer(i))}
                            aria-pressed={o.chosen.map(|ch| if ch == i { "true" } else { "false" })}>
                            <b>{ format!("{}) ", letter(i)) }</b>{ c.clone() }{ mark }
                        </button>
                    </li>
                }
            });
            let reveal = o.chosen.map(|ch| {
                let right = ch == q.answer;
                let verdict = if right {
                    "Right.".to_string()
                } else {
                    format!("Not quite: the answer is {}).", letter(q.answer))
                };
                let why_cell = q
                    .cell
                    .as_deref()
                    .and_then(|c| c.parse::<Cell>().ok());
                let why = why_cell.map(|c| {
                    let on = on.clone();
                    let ask = Callback::from(move |_: MouseEvent| on.emit(Nav::Ask(Some(c)).into()));
                    html! { <button type="button" data-testid="predict-why" onclick={ask}
                        title="Open the why panel on this cell at this step">{ format!("Why does {c} hold this?") }</button> }
                });
                html! {
                    <div class="predict-reveal" data-testid="predict-reveal" role="status">
                        <p class={classes!("verdict", if right { "right" } else { "wrong" })}>{ verdict }</p>
                        <p class="explanation">{ q.explanation.clone() }</p>
                        <p class="predict-tools">
                            { for q.func.zip(q.line).map(|(f, l)| html! { <span class="src-ref">{ format!("Source: {f}(), line {l} (source panel). ") }</span> }) }
                            { for why }
                            { for q.decided_at.filter(|&d| d != p.pos).map(|d| {
                                let on = on.clone();
                                let go = Callback::from(move |_: MouseEvent| on.emit(Nav::Seek(d).into()));
                                html! { <button type="button" data-testid="predict-decided" onclick={go}
                                    title="The step that decided the answer: the source panel shows its line there">{ format!("Go to step {d}") }</button> }
                            }) }
                            { " " }
                            <button type="button" onclick={nav(on, PredictNav::Back)}>{ format!("Back to step {}", q.step) }</button>
                        </p>
                    </div>
                }
            });
            let away = o.chosen.is_none() && p.pos != q.step;
            html! {
                <div class="predict-q" data-testid="predict-question">
                    <p class="lesson-kicker">{ kicker }</p>
                    <p class="q-text" data-testid="predict-text">{ q.question.clone() }</p>
                    <ol class="choices" aria-label="choices">{ for choices }</ol>
                    { if away { html! {
                        <p class="hint">{ format!("You have moved away from step {}, where this was asked. ", q.step) }
                            <button type="button" onclick={nav(on, PredictNav::Back)}>{ "back to it" }</button></p>
                    } } else { html! {} } }
                    { for reveal }
                </div>
            }
        }
    };
    html! {
        <section class="lesson predict" data-testid="predict" aria-labelledby="predict-h">
            <div class="lesson-top">
                <h2 id="predict-h" class="predict-h">{ "Predict, then reveal" }</h2>
                <label class="predict-seed">{ "seed " }
                    <input type="number" min="0" value={pr.seed.to_string()} onchange={seed} data-testid="predict-seed"
                        aria-label="quiz seed: the same seed gives the same questions (exitpath quiz --seed)" /></label>
                { for pr.score().map(|s| html! { <span class="predict-score" data-testid="predict-score">{ format!("Score: {s}") }</span> }) }
                <button type="button" class="lesson-leave" onclick={nav(on, PredictNav::On(false))}>{ "Close" }</button>
            </div>
            { body }
            <div class="lesson-nav">
                <button type="button" data-testid="predict-prev" onclick={nav(on, PredictNav::Prev)}>{ "◀ Previous question" }</button>
                { for dots }
                <button type="button" data-testid="predict-next" onclick={nav(on, PredictNav::Next)}>{ "Next question ▶" }</button>
                <span class="predict-here">
                    <label for="predict-kind">{ "or ask here: " }</label>
                    <select id="predict-kind" onchange={kind}>
                        { for Ask::ALL.iter().map(|a| html! {
                            <option value={a.id()} selected={*a == pr.kind}>{ a.label() }</option>
                        }) }
                    </select>
                    <button type="button" data-testid="predict-ask" onclick={nav(on, PredictNav::AskHere)}>{ "Ask" }</button>
                </span>
            </div>
            { for pr.note.iter().map(|m| html! { <p class="hint" role="status">{ m.clone() }</p> }) }
            <p class="hint predict-foot">{ format!("The same questions: exitpath quiz FILE --seed {} --count {QUIZ_LEN}", pr.seed) }</p>
        </section>
    }
}
