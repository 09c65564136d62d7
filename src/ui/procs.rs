//! The process table: per proc a header row (pid, command, ppid, p_stat, p_flag,
//! p_nlwps/p_nrlwps/p_nzlwps), then one row per LWP (l_stat, l_flag, u-area, TSS, wchan).
//! In compare mode, states that differ from the other design's are marked.
//!
//! It is an ARIA table of CSS-grid rows, not a `<table>`: every row has the same fixed
//! column template, lays out and paints on its own (`contain`), and a proc's rows off
//! the screen are not laid out or painted at all (`content-visibility: auto`), so a step
//! costs the row that changed, not the whole table (issue 9; docs/benchmarks.md).

use super::term::Term;
use super::view::{chg, diff, lstat_class, pstat_class};
use crate::app::glossary;
use crate::app::view::{Procs, Section};
use crate::engine::snapshot::{LwpView, ProcView};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProcsProps {
    pub procs: Section<Procs>,
    /// Compare mode: the other design's processes at the same action.
    #[prop_or_default]
    pub other: Option<Rc<Procs>>,
    /// Prefix of element ids (two of this panel in compare mode).
    #[prop_or_default]
    pub idp: &'static str,
}

fn wchan_text(l: &LwpView) -> String {
    match &l.wchan {
        Some(c) => format!("{c} \"{}\"", l.wmesg),
        None => "—".into(),
    }
}

fn kstack_text(l: &LwpView) -> String {
    let n = l.kstack.len();
    if n == 0 {
        return "—".into();
    }
    l.kstack[n.saturating_sub(2)..].join(" › ")
}

fn lwp_cells(
    pid: u32,
    l: &LwpView,
    before: Option<&LwpView>,
    other: Option<Option<&LwpView>>,
) -> Html {
    let (dcls, dtitle) = diff(other.is_some_and(|o| o.is_none_or(|o| o.stat != l.stat)));
    let ch = |f: &dyn Fn(&LwpView, &LwpView) -> bool| before.is_some_and(|b| f(b, l));
    let uarea = if l.owns_uarea {
        l.uarea.clone()
    } else {
        format!("({} released)", l.uarea)
    };
    // The `why` cell each column asks about (engine::why::LwpField).
    let cell = |f: &str| format!("lwp.{pid}.{}.{f}", l.lid);
    html! {
        <>
            <span role="cell" class="num">{ l.lid }</span>
            <span role="cell" data-cell={cell("l_stat")} tabindex="0" class={classes!("stat", lstat_class(l.stat), chg(ch(&|b, l| b.stat != l.stat)), dcls)}
                title={dtitle.map(String::from).unwrap_or_else(|| glossary::describe_names(glossary::lstat_term(l.stat)))}>{ format!("{:?}", l.stat) }</span>
            <span role="cell" data-cell={cell("l_flag")} tabindex="0" class={classes!("flags", chg(ch(&|b, l| b.flags != l.flags)))} title={glossary::describe_names(&l.flags)}>{ l.flags.replace('|', " ") }</span>
            <span role="cell" data-cell={cell("l_addr")} tabindex="0" class={classes!("mono", (!l.owns_uarea).then_some("gone"), chg(ch(&|b, l| (&b.uarea, b.owns_uarea) != (&l.uarea, l.owns_uarea))))}>{ uarea }</span>
            <span role="cell" data-cell={cell("md_tss_sel")} tabindex="0" class={classes!("mono", chg(ch(&|b, l| b.tss_sel != l.tss_sel)))}>{ l.tss_sel.clone() }</span>
            <span role="cell" data-cell={cell("wchan")} tabindex="0" class={classes!("wchan", chg(ch(&|b, l| (&b.wchan, b.wmesg) != (&l.wchan, l.wmesg))))}>{ wchan_text(l) }</span>
            <span role="cell" class={classes!("kstack", chg(ch(&|b, l| kstack_text(b) != kstack_text(l))))}>{ kstack_text(l) }</span>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct ProcRowsProps {
    p: Rc<ProcView>,
    /// The same proc before the last step (None: new, or at boot).
    before: Option<Rc<ProcView>>,
    /// There is a state before the last step (not boot).
    had_prev: bool,
    /// Compare mode: the same pid on the other side (None inside when it has none).
    twin: Option<Option<Rc<ProcView>>>,
}

/// One LWP's row: LWP `i` of proc `p`. Equal props (the same LWP, before and in the
/// other design, as shown) skip the redraw, however much the rest of the proc changed:
/// a proc with 64 LWPs redraws the one that ran.
#[derive(Properties)]
struct LwpRowProps {
    p: Rc<ProcView>,
    i: usize,
    before: Option<Rc<ProcView>>,
    new_proc: bool,
    had_prev: bool,
    twin: Option<Option<Rc<ProcView>>>,
}

impl LwpRowProps {
    fn lwp(&self) -> &LwpView {
        &self.p.lwps[self.i]
    }
    fn find(p: Option<&ProcView>, lid: u32) -> Option<&LwpView> {
        p?.lwps.iter().find(|x| x.lid == lid)
    }
    fn before_lwp(&self) -> Option<&LwpView> {
        Self::find(self.before.as_deref(), self.lwp().lid)
    }
    fn twin_lwp(&self) -> Option<Option<&LwpView>> {
        let lid = self.lwp().lid;
        self.twin.as_ref().map(|t| Self::find(t.as_deref(), lid))
    }
}

impl PartialEq for LwpRowProps {
    fn eq(&self, o: &Self) -> bool {
        self.p.pid == o.p.pid
            && self.p.stat == o.p.stat
            && self.new_proc == o.new_proc
            && self.had_prev == o.had_prev
            && self.lwp() == o.lwp()
            && self.before_lwp() == o.before_lwp()
            && self.twin_lwp().map(|t| t.map(|l| l.stat)) == o.twin_lwp().map(|t| t.map(|l| l.stat))
    }
}

#[component]
fn LwpRow(props: &LwpRowProps) -> Html {
    let (p, l) = (&props.p, props.lwp());
    let lb = props.before_lwp();
    let new_lwp = props.had_prev && lb.is_none();
    html! {
        <div role="row" class={classes!("lwp-row", chg(props.new_proc || new_lwp))}
            data-pid={p.pid.to_string()} data-lid={l.lid.to_string()}
            data-stat={format!("{:?}", l.stat)} data-pstat={format!("{:?}", p.stat)}>
            { lwp_cells(p.pid, l, lb, props.twin_lwp()) }
        </div>
    }
}

/// One proc: its header row and a row per LWP; redrawn only when they change.
#[component]
fn ProcRows(props: &ProcRowsProps) -> Html {
    let p = &*props.p;
    let before = props.before.as_deref();
    let had_prev = props.had_prev;
    let twin = props.twin.as_ref().map(|t| t.as_deref());
    let (dcls, dtitle) = diff(twin.is_some_and(|t| t.is_none_or(|t| t.stat != p.stat)));
    let is_new = had_prev && before.is_none();
    let ch = |f: &dyn Fn(&ProcView) -> String| before.is_some_and(|b| f(b) != f(p));
    let pstat = format!("{:?}", p.stat);
    let counts = |p: &ProcView| format!("{}/{}/{}", p.nlwps, p.nrlwps, p.nzlwps);
    // `f`: the `why` field the value asks about (engine::why::ProcField).
    let cell = |f: &str| format!("proc.{}.{f}", p.pid);
    // The field names are a Tab stop on the first process (proc0) only: they repeat on
    // every process.
    let focusable = p.pid == 0;
    let field = |name: &'static str, value: Html, extra: Classes, changed: bool| {
        html! {
            <span class={classes!("pf", extra, chg(changed))}><span class="pf-name"><Term term={name} {focusable} /></span>{ " " }<span class="pf-val">{ value }</span></span>
        }
    };
    let asks =
        |f: &str, text: String| html! { <span data-cell={cell(f)} tabindex="0">{ text }</span> };
    let no_lwps = p.lwps.is_empty();
    let cells = html! {
        <span role="rowheader" class="proc-head">
            <span class="pid">{ p.pid }</span>{ " " }<span class="name">{ p.name.clone() }</span>
            { field("ppid", asks("p_pptr", p.ppid.to_string()), classes!(), ch(&|p| p.ppid.to_string())) }
            <span class={dcls} title={dtitle.map(String::from).unwrap_or_else(|| glossary::describe_names(glossary::pstat_term(p.stat)))}>{ field("p_stat", asks("p_stat", pstat.clone()), classes!("stat", pstat_class(p.stat)), ch(&|p| format!("{:?}", p.stat))) }</span>
            { field("p_flag", asks("p_flag", p.flags.replace('|', " ")), classes!("flags"), ch(&|p| p.flags.clone())) }
            { field("p_nlwps/nrlwps/nzlwps", html! { <>
                { asks("p_nlwps", p.nlwps.to_string()) }{ "/" }{ asks("p_nrlwps", p.nrlwps.to_string()) }{ "/" }{ asks("p_nzlwps", p.nzlwps.to_string()) }
            </> }, classes!(), ch(&counts)) }
            { if no_lwps { html! { <span class="empty">{ "no LWPs left" }</span> } } else { html! {} } }
        </span>
    };
    // A proc whose LWPs are all gone (a zombie in `patch`) is one row, still carrying
    // data-pid / data-pstat (with an empty data-lid) so it can be found like the others.
    if no_lwps {
        return html! {
            <div role="rowgroup" class="proc-group">
                <div role="row" class={classes!("proc-row", chg(is_new))} data-proc={p.pid.to_string()}
                    data-pid={p.pid.to_string()} data-lid="" data-stat="" data-pstat={pstat}>
                    { cells }
                </div>
            </div>
        };
    }
    let head = html! {
        <div role="row" class={classes!("proc-row", chg(is_new))} data-proc={p.pid.to_string()}>{ cells }</div>
    };
    html! {
        <div role="rowgroup" class="proc-group">
            { head }
            { for p.lwps.iter().enumerate().map(|(i, l)| html! {
                <LwpRow key={l.lid} p={props.p.clone()} {i} before={props.before.clone()} new_proc={is_new}
                    {had_prev} twin={props.twin.clone()} />
            }) }
        </div>
    }
}

#[component]
pub fn ProcsPanel(p: &ProcsProps) -> Html {
    let now = &p.procs.now;
    let prev = p.procs.before();
    let gone: Vec<&Rc<ProcView>> = prev
        .map(|pr| {
            pr.iter()
                .filter(|x| !now.iter().any(|y| y.pid == x.pid))
                .collect()
        })
        .unwrap_or_default();
    html! {
        <section class="panel procs" aria-labelledby={format!("{}procs-h", p.idp)}>
            <h2 id={format!("{}procs-h", p.idp)}>{ "Processes and LWPs" }<span class="sub">{ " struct proc / struct lwp" }</span></h2>
            <div class="scroll-x">
                <div role="table" class="ptable" data-testid="procs" aria-labelledby={format!("{}procs-h", p.idp)}>
                    <div role="rowgroup" class="ptable-head">
                        <div role="row" class="prow">
                            <span role="columnheader" class="num"><Term term="lid" /></span>
                            <span role="columnheader"><Term term="l_stat" /></span>
                            <span role="columnheader"><Term term="l_flag" /></span>
                            <span role="columnheader"><Term term="u-area (l_addr)" /></span>
                            <span role="columnheader"><Term term="md_tss_sel" /></span>
                            <span role="columnheader"><Term term={"wchan \"wmesg\""} /></span>
                            <span role="columnheader"><Term term="in kernel" /></span>
                        </div>
                    </div>
                    { for now.iter().map(|x| {
                        let before = prev.and_then(|pr| pr.iter().find(|y| y.pid == x.pid)).cloned();
                        let twin = p.other.as_ref().map(|o| o.iter().find(|y| y.pid == x.pid).cloned());
                        html! { <ProcRows key={x.pid} p={x.clone()} {before} had_prev={prev.is_some()} {twin} /> }
                    }) }
                </div>
            </div>
            { if gone.is_empty() { html! {} } else { html! {
                <p class="note chg">{ format!("Freed in this step: {}", gone.iter().map(|g| format!("pid {} ({})", g.pid, g.name)).collect::<Vec<_>>().join(", ")) }</p>
            } } }
        </section>
    }
}
