//! The CPU panel: per CPU %cr3, %tr, esp0 and the kernel stack's u-area, curlwp, curpcb,
//! its idle PCB, EFLAGS.IF, spin locks and whether the running code may sleep, each with
//! its state in words; the big lock; with two CPUs, a column each and the one that ran
//! the last step marked.

use super::term::Term;
use super::view::{chg, Tone};
use crate::app::view::{Cpus, Section, CPU_REGS};
use crate::engine::snapshot::CpuView;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CpuProps {
    pub cpus: Section<Cpus>,
    /// With several CPUs, the one that ran the last step (None at boot, or one CPU).
    #[prop_or_default]
    pub ran: Option<u8>,
    /// Each CPU's idle PCB, by CPU.
    pub idle_pcbs: Rc<[String]>,
}

/// The `why` name of register row `i` (engine::why::CpuReg), where there is one.
fn why_reg(i: usize) -> Option<&'static str> {
    match CPU_REGS[i] {
        "%cr3" => Some("cr3"),
        "%tr" => Some("tr"),
        "esp0" => Some("esp0"),
        "curlwp" => Some("curlwp"),
        _ => None,
    }
}

/// How a register's note is shown: plain, or as a state with its tone (and the tone's
/// symbol unless the text has its own).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Note {
    Plain,
    State(Tone),
    /// A state whose text starts with its own symbol (✓ / ✗).
    Marked(Tone),
}

/// Register `i` of CPU `c`: its value, what it means, and how to show that.
fn reg(c: &CpuView, i: usize, idle: &str) -> (String, String, Note) {
    let s = |v: &str| v.to_string();
    match i {
        0 => (
            s(&c.cr3),
            s(&c.cr3_state),
            Note::State(Tone::of_cr3(c.cr3_kind)),
        ),
        1 => (
            s(&c.tr),
            s(&c.tr_state),
            Note::State(Tone::of_tr(c.tr_kind)),
        ),
        2 => (s(&c.esp0), s("ring-0 stack top in the TSS"), Note::Plain),
        3 => (s(&c.kstack), s("u-area the CPU runs on"), Note::Plain),
        4 => match &c.curlwp {
            Some(l) => (s(l), s("pid.lid running here"), Note::Plain),
            None => (s("NULL"), s("idle: switch_exit's idle PCB"), Note::Plain),
        },
        5 => (
            s(&c.curpcb),
            s(if c.curpcb == idle { "the idle PCB" } else { "" }),
            Note::Plain,
        ),
        6 => (s(idle), s("switch_exit's stack for this CPU"), Note::Plain),
        7 if c.eflags_if => (s("1"), s("interrupts enabled"), Note::Plain),
        7 => (
            s("0"),
            s("interrupts disabled (splhigh / cli)"),
            Note::Plain,
        ),
        8 => (
            c.spin_locks.to_string(),
            s(if c.proclist_locked {
                "proclist_lock held"
            } else {
                ""
            }),
            Note::Plain,
        ),
        _ => match &c.why_not {
            None if c.may_sleep => (String::new(), s("✓ may sleep"), Note::Marked(Tone::Ok)),
            w => (
                String::new(),
                format!("✗ must not sleep: {}", w.clone().unwrap_or_default()),
                Note::Marked(Tone::Warn),
            ),
        },
    }
}

fn note(text: String, how: Note) -> Html {
    let (tone, prefix) = match how {
        Note::Plain => return html! { <span class="cpu-note">{ text }</span> },
        Note::State(t) => (t, t.prefix()),
        Note::Marked(t) => (t, ""),
    };
    html! { <span class={classes!("cpu-note", "state", tone.class())}>{ prefix }{ text }</span> }
}

#[component]
pub fn CpuPanel(p: &CpuProps) -> Html {
    let s = &p.cpus.now;
    let prev = p.cpus.before();
    let multi = s.cpus.len() > 1;
    let idle = |i: usize| p.idle_pcbs.get(i).map_or("?", String::as_str);
    let lock_changed = prev.is_some_and(|pr| pr.biglock != s.biglock);
    html! {
        <section class="panel cpu" data-testid="cpu" aria-labelledby="cpu-h">
            <h2 id="cpu-h">{ "CPU" }{ if multi { "s" } else { "" } }<span class="sub">{ " i386 registers" }</span></h2>
            <table class={classes!("kv", multi.then_some("multi"))}>
                { if multi { html! {
                    <thead><tr>
                        <td></td>
                        { for s.cpus.iter().map(|c| {
                            let ran = p.ran == Some(c.id);
                            html! {
                                <th scope="col" class={classes!(ran.then_some("ran"))} data-cpu={c.id.to_string()}>
                                    { format!("cpu{}{}", c.id, if ran { " ▶ ran this step" } else { "" }) }
                                </th>
                            }
                        }) }
                    </tr></thead>
                } } else { html! {} } }
                <tbody>
                    { for CPU_REGS.iter().enumerate().map(|(i, name)| html! {
                        <tr>
                            <th scope="row"><Term term={*name} /></th>
                            { for s.cpus.iter().enumerate().map(|(k, c)| {
                                let (value, text, state) = reg(c, i, idle(k));
                                let before = prev.and_then(|pr| pr.cpus.get(k)).map(|b| reg(b, i, idle(k)));
                                let changed = before.is_some_and(|b| (b.0, b.1) != (value.clone(), text.clone()));
                                let cell = why_reg(i).map(|r| format!("cpu.{}.{r}", c.id));
                                let tabindex = cell.is_some().then_some("0");
                                if multi {
                                    html! { <td class={classes!("cpu-cell", chg(changed))}><span class="mono v" data-cell={cell} {tabindex}>{ value }</span>{ note(text, state) }</td> }
                                } else {
                                    html! { <><td class={classes!("mono", chg(changed))} data-cell={cell} {tabindex}>{ value }</td><td class={chg(changed)}>{ note(text, state) }</td></> }
                                }
                            }) }
                        </tr>
                    }) }
                    <tr class={chg(lock_changed)}>
                        <th scope="row"><Term term="kernel_lock" /></th>
                        <td class="mono" colspan="2">
                            { s.biglock.clone().unwrap_or_else(|| "free".into()) }
                            <span class="cpu-note">{ if s.biglock.is_some() { " big lock holder (one for all CPUs)" } else { " nobody holds the big lock" } }</span>
                        </td>
                    </tr>
                </tbody>
            </table>
        </section>
    }
}
