//! The GDT's dynamic TSS slots as a grid: free, owned (by which LWP), just freed, or
//! poisoned (free, but a dead LWP still carries its selector).

use super::term::Term;
use super::view::{chg, diff};
use crate::app::view::Section;
use crate::engine::snapshot::{GdtView, SlotView};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct GdtProps {
    pub gdt: Section<GdtView>,
    /// Compare mode: the other design's GDT at the same action.
    #[prop_or_default]
    pub other: Option<Rc<GdtView>>,
    /// Prefix of element ids (two of this panel in compare mode).
    #[prop_or_default]
    pub idp: &'static str,
}

fn slot_state(s: &SlotView) -> (&'static str, String) {
    match (&s.owner, s.poisoned, s.just_freed) {
        (Some(o), _, _) => ("slot-owned", format!("TSS of {o}")),
        (None, true, _) => ("slot-poisoned", "free, selector still held".into()),
        (None, false, true) => ("slot-freed", "just freed".into()),
        (None, false, false) => ("slot-free", "free".into()),
    }
}

#[component]
pub fn GdtPanel(p: &GdtProps) -> Html {
    let g = &p.gdt.now;
    let before = p.gdt.before();
    let in_use = g.slots.iter().filter(|s| s.owner.is_some()).count();
    let other_in_use = p
        .other
        .as_ref()
        .map(|o| o.slots.iter().filter(|s| s.owner.is_some()).count());
    let (dcls, dtitle) = diff(other_in_use.is_some_and(|n| n != in_use));
    html! {
        <section class="panel gdt" aria-labelledby={format!("{}gdt-h", p.idp)}>
            <h2 id={format!("{}gdt-h", p.idp)}>{ "GDT: TSS slots" }<span class="sub">{ " " }<span class={dcls} title={dtitle}>{ format!("{in_use} in use") }</span>
                { format!(" · gdt_size {} · gdt_count {} · gdt_next {}", g.size, g.count, g.next) }</span></h2>
            <ol class="slots" data-testid="tss-slots">
                { for g.slots.iter().map(|s| {
                    let (cls, text) = slot_state(s);
                    let was = before.and_then(|b| b.slots.iter().find(|x| x.slot == s.slot));
                    let changed = before.is_some() && was.is_none_or(|w| w.owner != s.owner || w.poisoned != s.poisoned);
                    html! {
                        <li key={s.slot} class={classes!("slot", cls, chg(changed))} data-slot={s.slot.to_string()}
                            data-cell={format!("gdt.{}", s.slot)} tabindex="0"
                            data-owner={s.owner.clone().unwrap_or_default()} data-state={cls.trim_start_matches("slot-").to_string()}
                            title={format!("GDT slot {}, selector {}: {text}", s.slot, s.sel)}>
                            <span class="slot-no">{ format!("#{} {}", s.slot, s.sel) }</span>
                            <span class="slot-what">{ match &s.owner { Some(o) => o.clone(), None => text.clone() } }</span>
                        </li>
                    }
                }) }
            </ol>
            <p class="legend">
                <span class="slot-owned key">{ "owned" }</span>
                <span class="slot-free key">{ "free" }</span>
                <span class="slot-freed key"><Term term="just freed" /></span>
                <span class="slot-poisoned key"><Term term="poisoned" />{ ": freed while a dead LWP keeps the selector" }</span>
            </p>
        </section>
    }
}
