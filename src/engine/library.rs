//! The built-in scenarios, compiled into the binary (files under `scenarios/`).

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Builtin {
    /// Short id, used in links and file names.
    pub id: &'static str,
    pub title: &'static str,
    pub text: &'static str,
}

pub const BUILTINS: &[Builtin] = &[
    Builtin { id: "fork-wait-loop", title: "The fork/wait loop", text: include_str!("../../scenarios/fork-wait-loop.scn") },
    Builtin { id: "three-lwps", title: "A process with three LWPs exits", text: include_str!("../../scenarios/three-lwps.scn") },
    Builtin { id: "orphans", title: "Orphans reparented to init", text: include_str!("../../scenarios/orphans.scn") },
    Builtin { id: "fork-storm", title: "A fork storm fills the u-area cache", text: include_str!("../../scenarios/fork-storm.scn") },
];

/// The scenario the app opens on.
pub fn default_builtin() -> &'static Builtin {
    &BUILTINS[0]
}

pub fn find(id: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.id == id)
}
