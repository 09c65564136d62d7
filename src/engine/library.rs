//! The built-in scenarios, compiled into the binary (files under `scenarios/`).
//!
//! Each file is the single source of its entry: the title comes from its
//! `# title:` line, the description from its header comments and the designs from
//! its `# designs:` line (all designs when it has none), read at compile time by the
//! `const fn`s of `scenario::header`. A file without a title, or with an unknown
//! design name, does not compile.

use super::design::Design;
use super::scenario::header;

/// A built-in scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Builtin {
    /// Short id, used in links and file names (`scenarios/ID.scn`).
    pub id: &'static str,
    /// From the `# title:` header line.
    pub title: &'static str,
    /// From the header comments (`scenario::description`).
    pub description: &'static str,
    pub text: &'static str,
    /// The designs the scenario is meant for (`# designs:`; every design without it).
    /// A what-if scenario lists those where its switch applies.
    pub designs: &'static [Design],
}

impl Builtin {
    /// True for the what-if scenarios, which break the kernel on purpose with a
    /// `switch` line: their runs are expected to have findings.
    pub fn is_whatif(&self) -> bool {
        self.id.starts_with("whatif-")
    }
}

/// One `Builtin` for `scenarios/$id.scn`, its header read at compile time.
macro_rules! builtin {
    ($id:literal) => {{
        const TEXT: &str = include_str!(concat!("../../scenarios/", $id, ".scn"));
        const TITLE: &str = match header::title(TEXT) {
            Some(t) => t,
            None => panic!(concat!("scenarios/", $id, ".scn has no `# title:` line")),
        };
        const LEN: usize = TEXT.len();
        static DESCRIPTION_BUF: ([u8; LEN], usize) = {
            let mut buf = [0u8; LEN];
            let n = header::description_into(TEXT.as_bytes(), &mut buf);
            (buf, n)
        };
        const DESCRIPTION: &str =
            match core::str::from_utf8(DESCRIPTION_BUF.0.split_at(DESCRIPTION_BUF.1).0) {
                Ok(d) => d,
                Err(_) => panic!("description is not UTF-8"),
            };
        static DESIGNS_BUF: ([Design; Design::COUNT], usize) = match header::designs_array(TEXT) {
            Some(d) => d,
            None => panic!(concat!(
                "scenarios/",
                $id,
                ".scn: unknown design in `# designs:`"
            )),
        };
        const DESIGNS: &[Design] = DESIGNS_BUF.0.split_at(DESIGNS_BUF.1).0;
        Builtin {
            id: $id,
            title: TITLE,
            description: DESCRIPTION,
            text: TEXT,
            designs: DESIGNS,
        }
    }};
}

/// Every built-in scenario, in the order the UI lists them.
pub const BUILTINS: &[Builtin] = &[
    builtin!("fork-wait-loop"),
    builtin!("three-lwps"),
    builtin!("detached-lwps"),
    builtin!("orphans"),
    builtin!("never-waits"),
    builtin!("traced"),
    builtin!("fork-storm"),
    builtin!("pagedaemon"),
    builtin!("gdt-growth"),
    builtin!("tss"),
    builtin!("two-cpus-proc-freed"),
    builtin!("patch-got-wrong"),
    builtin!("whatif-no-pmap-deactivate"),
    builtin!("whatif-km-free-in-lwp-exit2"),
    builtin!("whatif-drain-in-lwp-exit2"),
    builtin!("whatif-uarea-cache-before-switch-exit"),
    builtin!("whatif-no-zombie-orphan-wakeup"),
    builtin!("whatif-tss-free-before-exit-lwps"),
];

/// The scenario the app opens on: the fork/wait loop.
pub fn default_builtin() -> &'static Builtin {
    find("fork-wait-loop").unwrap_or(&BUILTINS[0])
}

/// The built-in scenario with this id.
pub fn find(id: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.id == id)
}
