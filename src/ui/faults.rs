//! Faults and invariant violations found in the whole run, grouped by check: what the
//! check means, then each finding with its step (clicking one jumps there; those not yet
//! reached are marked "ahead"). A long run lists the first few of each check.

use crate::app::{Nav, Run, Verb};
use crate::engine::trace::{Check, Finding};
use std::rc::Rc;
use yew::prelude::*;

/// Findings listed per check; the rest are counted (and reached with "run until fault").
const LISTED_MAX: usize = 12;

/// What a check means, for a student.
pub fn explain(c: Check) -> &'static str {
    match c {
        Check::RunOnFreedUarea => "A CPU runs on a kernel stack (u-area) that its LWP no longer owns: the cache, or the next fork, may hand it out while it is in use.",
        Check::UareaTwice => "A u-area is in two places at once (the cache and an LWP, or twice in the cache): one kernel stack, two users.",
        Check::UareaLeak => "A u-area allocated in kernel_map that nobody holds: kernel memory lost for good.",
        Check::UareaDoubleFree => "uvm_km_free of a u-area that is not allocated, or that is still in use.",
        Check::Cr3Reused => "%cr3 still names a page directory that now belongs to another vmspace: the CPU runs in someone else's address space.",
        Check::PmapActiveFreed => "A pmap was destroyed while a CPU still had it active (its bit in pm_cpus): later TLB shootdowns go to the wrong CPUs.",
        Check::ActivateFreed => "pmap_activate of a vmspace that was already freed.",
        Check::LtrInvalid => "ltr of a selector that is not this LWP's TSS: the CPU raises a general protection fault (#GP).",
        Check::TrReused => "%tr still names a GDT slot that tss_alloc has given to another LWP. The CPU keeps using the TSS it cached at its last ltr until switch_exit loads the idle TSS, so no trap goes wrong, but the GDT no longer describes what the CPU runs on.",
        Check::TssDoubleFree => "tss_free of a GDT slot the LWP does not own.",
        Check::SleepAfterNoReturn => "A sleep after exit1's point of no return (\"NO LONGER ALLOWED TO SLEEP\").",
        Check::BlockingNoSleep => "A call that may sleep (uvm_km_free, uvm_uarea_drain, a lockmgr lock, ...) where sleeping is not allowed: on the idle PCB, or with a spin lock held.",
        Check::BigLockDeadOwner => "The big lock is held by an LWP that no longer exists: nobody will ever release it.",
        Check::LwpReapedInExit2 => "lwp_wait1 collected an LWP while lwp_exit2 for it still ran on another CPU: p_nzlwps is decremented before it was incremented, and the LWP goes back to lwp_pool while that CPU still uses it.",
        Check::CountMismatch => "p_nlwps / p_nrlwps / p_nzlwps disagree with the process's LWPs.",
        Check::ListMismatch => "allproc / zombproc disagree with p_stat.",
        Check::NuareaMismatch => "uvm_nuarea disagrees with the length of the u-area cache list.",
        Check::ZombieUnreaped => "A zombie nobody will ever reap: no wait4 will come for it.",
        Check::TssLeak => "An LWP was freed still owning a GDT slot: the slot is lost.",
        Check::LostWakeup => "A parent sleeps in wait4 although a child it waits for is already a zombie: a wakeup was lost.",
        Check::SleepForever => "An LWP asleep with nobody left to wake it.",
        Check::ModelError => "The model reached a state it cannot handle: a bug in exitpath itself.",
    }
}

#[derive(Properties, PartialEq)]
pub struct FaultsProps {
    pub run: Rc<Run>,
    /// The position on screen (cut down to what the panel shows: `Reached`).
    pub pos: u64,
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
struct Reached {
    here: usize,
    ahead: usize,
}

impl Reached {
    fn at(findings: &[Finding], pos: u64) -> Reached {
        Reached {
            here: findings.partition_point(|f| f.step + 1 < pos),
            ahead: findings.partition_point(|f| f.step < pos),
        }
    }
}

/// The panel at a position: only `Reached` of it goes to the list.
#[component]
pub fn FaultsPanel(p: &FaultsProps) -> Html {
    let reached = Reached::at(&p.run.session.trace.findings, p.pos);
    html! { <FaultList run={p.run.clone()} {reached} on={p.on.clone()} idp={p.idp} /> }
}

#[derive(Properties, PartialEq)]
struct FaultListProps {
    run: Rc<Run>,
    reached: Reached,
    on: Callback<Verb>,
    idp: &'static str,
}

#[component]
fn FaultList(p: &FaultListProps) -> Html {
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
                { if ahead { html! { <span class="ahead-tag">{ "ahead" }</span> } } else { html! {} } }
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
                                    <p class="explain" data-testid="fault-explain">{ explain(check) }</p>
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
