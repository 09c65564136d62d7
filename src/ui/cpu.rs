//! The CPU panel: %cr3, %tr, esp0 and the kernel stack's u-area, curlwp, EFLAGS.IF, the
//! big lock and whether the running code may sleep, each with its state in words.

use super::view::{chg, Tone};
use crate::engine::snapshot::{CpuView, Snapshot};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CpuProps {
    pub snap: Rc<Snapshot>,
    pub prev: Option<Rc<Snapshot>>,
}

/// How worrying a %cr3 / %tr state is.
fn tone_of(state: &str) -> Tone {
    let s = state.to_ascii_lowercase();
    if s.contains("reused") {
        Tone::Bad
    } else if s.contains("freed") || s.contains("stale") || s.contains("unknown") {
        Tone::Warn
    } else {
        Tone::Ok
    }
}

fn row(name: &str, value: Html, note: Html, changed: bool) -> Html {
    html! {
        <tr class={chg(changed)}>
            <th scope="row">{ name.to_string() }</th>
            <td class="mono">{ value }</td>
            <td>{ note }</td>
        </tr>
    }
}

fn state_text(text: &str) -> Html {
    let tone = tone_of(text);
    html! { <span class={classes!("state", tone.class())}>{ tone.prefix() }{ text.to_string() }</span> }
}

fn cpu_table(
    c: &CpuView,
    p: Option<&CpuView>,
    biglock: &Option<String>,
    prev_lock: Option<&Option<String>>,
) -> Html {
    let ch = |f: &dyn Fn(&CpuView) -> String| p.is_some_and(|p| f(p) != f(c));
    let (if_text, if_note) = if c.eflags_if {
        ("1", "interrupts enabled")
    } else {
        ("0", "interrupts disabled (splhigh / cli)")
    };
    let sleep = if c.may_sleep {
        html! { <span class="state tone-ok">{ "✓ may sleep" }</span> }
    } else {
        html! { <span class="state tone-warn">{ format!("✗ must not sleep: {}", c.why_not.clone().unwrap_or_default()) }</span> }
    };
    html! {
        <table class="kv">
            <tbody>
                { row("%cr3", html! { { c.cr3.clone() } }, state_text(&c.cr3_state), ch(&|c| format!("{}{}", c.cr3, c.cr3_state))) }
                { row("%tr", html! { { c.tr.clone() } }, state_text(&c.tr_state), ch(&|c| format!("{}{}", c.tr, c.tr_state))) }
                { row("esp0", html! { { c.esp0.clone() } }, html! { { "ring-0 stack top in the TSS" } }, ch(&|c| c.esp0.clone())) }
                { row("kernel stack", html! { { c.kstack.clone() } }, html! { { "u-area the CPU runs on" } }, ch(&|c| c.kstack.clone())) }
                { row("curlwp", html! { { c.curlwp.clone().unwrap_or_else(|| "NULL".into()) } },
                      html! { { if c.curlwp.is_some() { "pid.lid running here" } else { "idle: switch_exit's idle PCB" } } },
                      ch(&|c| format!("{:?}", c.curlwp))) }
                { row("curpcb", html! { { c.curpcb.clone() } }, html! {}, ch(&|c| c.curpcb.clone())) }
                { row("EFLAGS.IF", html! { { if_text } }, html! { { if_note } }, ch(&|c| c.eflags_if.to_string())) }
                { row("kernel_lock", html! { { biglock.clone().unwrap_or_else(|| "free".into()) } },
                      html! { { if biglock.is_some() { "big lock holder" } else { "nobody holds the big lock" } } },
                      prev_lock.is_some_and(|l| l != biglock)) }
                { row("spin locks", html! { { c.spin_locks.to_string() } },
                      html! { { if c.proclist_locked { "proclist_lock held" } else { "" } } },
                      ch(&|c| format!("{}{}", c.spin_locks, c.proclist_locked))) }
                { row("sleep?", html! {}, sleep, ch(&|c| format!("{}{:?}", c.may_sleep, c.why_not))) }
            </tbody>
        </table>
    }
}

#[component]
pub fn CpuPanel(p: &CpuProps) -> Html {
    let s = &p.snap;
    let multi = s.cpus.len() > 1;
    html! {
        <section class="panel cpu" data-testid="cpu" aria-labelledby="cpu-h">
            <h2 id="cpu-h">{ "CPU" }{ if multi { "s" } else { "" } }<span class="sub">{ " i386 registers" }</span></h2>
            { for s.cpus.iter().enumerate().map(|(i, c)| {
                let prev = p.prev.as_ref().and_then(|pr| pr.cpus.get(i));
                html! {
                    <div class="cpu-one">
                        { if multi { html! { <h3>{ format!("cpu{}", c.id) }</h3> } } else { html! {} } }
                        { cpu_table(c, prev, &s.biglock, p.prev.as_ref().map(|pr| &pr.biglock)) }
                    </div>
                }
            }) }
        </section>
    }
}
