//! The fork.py exercise panel: the parameters (seed, actions, fork fraction, leaf only,
//! show the trees), "Run exercise" (opens the exercise's link, so it runs as any
//! scenario does), the actions with each answer hidden behind "Reveal" (the tree after
//! the action, read from the run's kernel state; with "show the trees", the action),
//! the action the cursor is in highlighted, and "Print N variants": one page per seed
//! with the actions and room to draw, then the answer keys, for `window.print`. The
//! model is `app::exercise`.

use super::dom;
use crate::app::exercise::{self, Exercise, Params, Revealed, Sheet};
use crate::app::{share_link, Edit, Nav, Run, Verb};
use crate::link::LinkState;
use std::collections::BTreeMap;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// Actions shown at once (a page of the list follows the cursor).
const PAGE: usize = 50;

#[derive(Properties, PartialEq)]
pub struct ExerciseProps {
    pub run: Rc<Run>,
    pub pos: u64,
    pub on: Callback<Verb>,
}

/// The parameter inputs as typed (kept as typed when they do not make an exercise).
#[derive(Clone, Debug, PartialEq)]
struct Form {
    seed: String,
    actions: String,
    forks: String,
    leaf_only: bool,
    show_tree: bool,
    variants: String,
}

impl Form {
    fn of(p: &Params) -> Form {
        Form {
            seed: p.seed.to_string(),
            actions: p.actions.to_string(),
            forks: p.forks().to_string(),
            leaf_only: p.leaf_only,
            show_tree: p.show_tree,
            variants: "4".into(),
        }
    }

    /// The parameters, or what is wrong with them (the link reader's words).
    fn params(&self) -> Result<Params, String> {
        let flags = format!(
            "{}{}-",
            if self.leaf_only { "L" } else { "" },
            if self.show_tree { "t" } else { "" }
        );
        Params::parse(&format!(
            "{},{},{},{flags}",
            self.seed.trim(),
            self.actions.trim(),
            self.forks.trim()
        ))
    }
}

fn value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

#[component]
pub fn ExercisePanel(p: &ExerciseProps) -> Html {
    // The exercise the run on screen is, if it is one; and where its trees are.
    let ex = use_memo(p.run.clone(), |run| {
        Exercise::of_text(&run.session.text).map(Rc::new)
    });
    let at = use_memo((p.run.clone(), ex.clone()), |(run, ex)| {
        ex.as_ref()
            .as_ref()
            .map(|x| exercise::turn_positions(&run.session, &x.list))
            .unwrap_or_default()
    });
    let params = ex.as_ref().as_ref().map(|x| x.params);
    let form = use_state(|| Form::of(&params.unwrap_or_default()));
    let revealed = use_state(Revealed::default);
    let page = use_state(|| None::<usize>);
    let sheets = use_state(|| None::<Result<Rc<Vec<Sheet>>, String>>);
    let sheets: UseStateHandle<Sheets> = sheets;
    let error = use_state(|| None::<String>);
    // A new exercise: its parameters in the form, every answer hidden again.
    {
        let (form, revealed, page) = (form.clone(), revealed.clone(), page.clone());
        use_effect_with(params, move |params| {
            if let Some(p) = params {
                let variants = form.variants.clone();
                form.set(Form {
                    variants,
                    ..Form::of(p)
                });
            }
            revealed.set(Revealed::default());
            page.set(None);
        });
    }
    // The print layout is on screen: mark the body so that print shows only it.
    use_effect_with(sheets.is_some(), |&on| {
        dom::set_body_attr("data-print", on.then_some("exercise"));
        move || dom::set_body_attr("data-print", None)
    });
    // Trees read so far for this run (each is a replay from a checkpoint).
    let cache = use_mut_ref(|| (0u64, BTreeMap::<usize, Rc<str>>::new()));

    let set = |f: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let mut v = (*form).clone();
            f(&mut v, value(&e));
            form.set(v);
        })
    };
    let flag = |f: fn(&mut Form, bool)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut v = (*form).clone();
            f(&mut v, checked(&e));
            form.set(v);
        })
    };
    let start = {
        let (form, error, on, design) = (
            form.clone(),
            error.clone(),
            p.on.clone(),
            p.run.session.design,
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let made = form.params().and_then(|p| {
                Exercise::new(p)?;
                let mut link = LinkState::new("", design);
                link.exercise = Some(p);
                share_link::encode(&link)
            });
            match made {
                Ok(f) => {
                    error.set(None);
                    on.emit(Edit::OpenLink(f).into());
                }
                Err(why) => error.set(Some(why)),
            }
        })
    };
    let print = {
        let (form, sheets) = (form.clone(), sheets.clone());
        Callback::from(move |_| {
            let n = form.variants.trim().parse::<u32>().map_err(|_| {
                format!(
                    "the number of variants `{}` is not a whole number from 1 to {}",
                    form.variants.trim(),
                    exercise::VARIANTS_MAX
                )
            });
            let made = n.and_then(|n| form.params().and_then(|p| exercise::sheets(&p, n)));
            sheets.set(Some(made.map(Rc::new)));
        })
    };

    let form_html = html! {
        <form class="ex-form" novalidate=true onsubmit={start}>
            <label>{ "seed " }<input type="number" data-testid="ex-seed" value={form.seed.clone()} oninput={set(|f, v| f.seed = v)} /></label>
            <label>{ "actions " }<input type="number" min="1" max={exercise::EXERCISE_ACTIONS_MAX.to_string()} data-testid="ex-actions" value={form.actions.clone()} oninput={set(|f, v| f.actions = v)} /></label>
            <label>{ "fork fraction " }<input type="number" min="0" max="1" step="0.05" data-testid="ex-forks" value={form.forks.clone()} oninput={set(|f, v| f.forks = v)} /></label>
            <label title="-L: only processes without live children exit"><input type="checkbox" data-testid="ex-leaf" checked={form.leaf_only} onchange={flag(|f, v| f.leaf_only = v)} />{ " leaf only" }</label>
            <label title="-t: show the trees, ask for the actions"><input type="checkbox" data-testid="ex-show-tree" checked={form.show_tree} onchange={flag(|f, v| f.show_tree = v)} />{ " show the trees" }</label>
            <button type="submit" data-testid="ex-run">{ "Run exercise" }</button>
            <span class="ex-print">
                <label>{ "variants " }<input type="number" min="1" max={exercise::VARIANTS_MAX.to_string()} class="ex-variants" data-testid="ex-variants" value={form.variants.clone()} oninput={set(|f, v| f.variants = v)} /></label>
                <button type="button" data-testid="ex-print" onclick={print}>{ format!("Print {} variants", form.variants.trim()) }</button>
            </span>
            { for error.as_ref().map(|m| html! { <p class="ex-error" role="alert" data-testid="ex-error">{ m.clone() }</p> }) }
        </form>
    };

    let print_html = match sheets.as_ref() {
        None => html! {},
        Some(Err(m)) => {
            let sheets = sheets.clone();
            html! {
                <p class="ex-error" role="alert" data-testid="ex-error">{ m.clone() }{ " " }
                    <button type="button" onclick={Callback::from(move |_| sheets.set(None))}>{ "Dismiss" }</button></p>
            }
        }
        Some(Ok(list)) => print_layout(list, &sheets),
    };

    let Some(x) = ex.as_ref().clone() else {
        return html! {
            <details class="exercise" data-testid="exercise">
                <summary>{ "fork.py exercise: generate a process-tree quiz and run it in the kernel model" }</summary>
                { form_html }
                { print_html }
            </details>
        };
    };

    // The run's trees: reset the cache when the run changes.
    {
        let mut c = cache.borrow_mut();
        if c.0 != p.run.gen {
            *c = (p.run.gen, BTreeMap::new());
        }
    }
    let tree = |i: Option<usize>| -> Rc<str> {
        let key = i.map_or(usize::MAX, |i| i);
        if let Some(t) = cache.borrow().1.get(&key) {
            return t.clone();
        }
        let s = &p.run.session;
        let t: Rc<str> = match i {
            Some(i) => x.tree_after(s, &at, i),
            None => x.start_tree(s, &at),
        }
        .unwrap_or_default()
        .into();
        cache.borrow_mut().1.insert(key, t.clone());
        t
    };
    let n = x.list.actions.len();
    let current = x.current(&at, p.pos);
    let pages = n.div_ceil(PAGE);
    let pg = page
        .unwrap_or(current.unwrap_or(0) / PAGE)
        .min(pages.saturating_sub(1));
    let words = x.actions();
    let show_tree = x.params.show_tree;
    let toggle = |i: usize| {
        let revealed = revealed.clone();
        Callback::from(move |_| {
            let mut r = (*revealed).clone();
            r.toggle(i);
            revealed.set(r);
        })
    };
    let seek = |i: usize| {
        let on = p.on.clone();
        let e = crate::engine::forkpy_run::tree_after_action(&x.list, i) as usize;
        // The position where the action's turn is taken: the tree before it.
        let pos = at.get(e.saturating_sub(1)).copied().unwrap_or(0);
        Callback::from(move |_| on.emit(Nav::Seek(pos).into()))
    };
    let reveal_all = {
        let revealed = revealed.clone();
        Callback::from(move |_| {
            let mut r = (*revealed).clone();
            r.show_all();
            revealed.set(r);
        })
    };
    let hide_all = {
        let revealed = revealed.clone();
        Callback::from(move |_| revealed.set(Revealed::default()))
    };
    let go_page = |to: usize| {
        let page = page.clone();
        Callback::from(move |_| page.set(Some(to)))
    };
    let shown = revealed.count(n);
    let items = (pg * PAGE..((pg + 1) * PAGE).min(n)).map(|i| {
        let open = revealed.is_shown(i);
        let here = current == Some(i);
        let what = if show_tree && !open { "Action?".to_string() } else { format!("Action: {}", words[i]) };
        let body = if show_tree || open {
            html! { <pre class="ex-tree" data-testid="ex-tree">{ unindent(&tree(Some(i))) }</pre> }
        } else {
            html! { <p class="ex-hidden" data-testid="ex-hidden">{ "Process Tree?" }</p> }
        };
        html! {
            <li key={i} class={classes!("ex-action", here.then_some("here"))} data-testid="ex-action" data-index={i.to_string()}
                aria-current={here.then_some("step")}>
                <div class="ex-head">
                    <button type="button" class="ex-n" title="go to this action's turn" onclick={seek(i)}>{ i + 1 }</button>
                    <span class="ex-what" data-testid="ex-what">{ what }</span>
                    <button type="button" class="ex-reveal" data-testid="ex-reveal" onclick={toggle(i)}>
                        { if open { "Hide" } else { "Reveal" } }</button>
                </div>
                { body }
            </li>
        }
    });
    let design = p.run.session.design;
    html! {
        <details class="exercise exercise-on" data-testid="exercise" open=true>
            <summary>{ format!("fork.py exercise: seed {}, {} actions, fork fraction {}{}{}", x.params.seed, x.params.actions, x.params.forks(),
                if x.params.leaf_only { ", leaf only" } else { "" }, if show_tree { ", trees shown" } else { "" }) }</summary>
            { form_html }
            { print_html }
            <p class="ex-note">{ "The list runs in the kernel model below like any scenario: step through it and each panel shows what the kernel does. Each answer is read from the kernel's state after the action (the parents in p_pptr, zombies marked, orphans under init), the same as " }
                <code data-testid="ex-cli">{ x.cli_in(design) }</code>{ " prints." }</p>
            <div class="ex-bar">
                <span class="ex-count" data-testid="ex-count">{ format!("{shown} of {n} answers shown") }</span>
                <button type="button" data-testid="ex-reveal-all" onclick={reveal_all}>{ "Reveal all" }</button>
                <button type="button" data-testid="ex-hide-all" onclick={hide_all}>{ "Hide all" }</button>
                { if pages > 1 { html! {
                    <span class="ex-pages">
                        <button type="button" disabled={pg == 0} onclick={go_page(pg.saturating_sub(1))}>{ "◀" }</button>
                        { format!(" actions {}-{} of {n} ", pg * PAGE + 1, ((pg + 1) * PAGE).min(n)) }
                        <button type="button" disabled={pg + 1 >= pages} onclick={go_page(pg + 1)}>{ "▶" }</button>
                    </span>
                } } else { html! {} } }
            </div>
            <div class="ex-start"><span>{ "Process Tree:" }</span><pre class="ex-tree" data-testid="ex-start">{ unindent(&tree(None)) }</pre></div>
            <ol class="ex-actions" start={(pg * PAGE + 1).to_string()}>{ for items }</ol>
        </details>
    }
}

/// The sheets for print: one page per variant with its actions and room to answer,
/// then the answer keys, each on a new page; shown on screen as a preview.
/// The print layout, or why there is none.
type Sheets = Option<Result<Rc<Vec<Sheet>>, String>>;

/// A tree without fork.py's 31-column indent (the panel is narrow).
fn unindent(t: &str) -> String {
    let cut = t
        .lines()
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    t.lines()
        .map(|l| format!("{}\n", l.get(cut..).unwrap_or(l)))
        .collect()
}

fn print_layout(list: &Rc<Vec<Sheet>>, sheets: &UseStateHandle<Sheets>) -> Html {
    let close = {
        let sheets = sheets.clone();
        Callback::from(move |_| sheets.set(None))
    };
    let question = |s: &Sheet| {
        let show_tree = s.params.show_tree;
        html! {
            <section class="sheet" data-testid="sheet">
                <h2>{ format!("Process trees: exercise {}", s.params.seed) }</h2>
                <p class="sheet-how">{ if show_tree {
                    "Each tree below is the process tree after one action. Write the action that made it (\"x forks y\" or \"x EXITS\"). NetBSD: an exited process stays a zombie until its parent waits; its children go to init."
                } else {
                    "Draw the process tree after each action. NetBSD: an exited process stays a zombie until its parent waits; its children go to init."
                } }</p>
                <p class="sheet-name">{ "Name: ______________________________" }</p>
                <div class="sheet-start"><span>{ "Process Tree:" }</span><pre>{ unindent(&s.start) }</pre></div>
                <ol class="sheet-actions">{ for s.actions.iter().map(|(a, t)| if show_tree { html! {
                    <li><p>{ "Action: ______________________________" }</p><pre>{ unindent(t) }</pre></li>
                } } else { html! {
                    <li><p>{ format!("Action: {a}") }</p><div class="sheet-blank"></div></li>
                } }) }</ol>
            </section>
        }
    };
    let answers = |s: &Sheet| {
        html! {
            <section class="sheet sheet-key" data-testid="sheet-key">
                <h2>{ format!("Answer key: exercise {}", s.params.seed) }</h2>
                <p class="sheet-how"><code>{ s.cli.clone() }</code></p>
                <div class="sheet-start"><span>{ "Process Tree:" }</span><pre>{ unindent(&s.start) }</pre></div>
                <ol class="sheet-actions">{ for s.actions.iter().map(|(a, t)| html! {
                    <li><p>{ format!("Action: {a}") }</p><pre>{ unindent(t) }</pre></li>
                }) }</ol>
            </section>
        }
    };
    html! {
        <div class="sheets" data-testid="sheets" role="dialog" aria-label="print layout">
            <div class="sheets-bar">
                <span>{ format!("{} variants, then their answer keys, one per page.", list.len()) }</span>
                <button type="button" data-testid="sheets-print" onclick={Callback::from(|_| dom::print_page())}>{ "Print" }</button>
                <button type="button" data-testid="sheets-close" onclick={close}>{ "Close" }</button>
            </div>
            { for list.iter().map(question) }
            { for list.iter().map(answers) }
        </div>
    }
}
