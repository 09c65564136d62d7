//! In Chromium (wasm32): every built-in in every design gives the same trace digest
//! as the native run recorded in `tests/digests.txt`, and the explorer the same reports
//! as natively (`tests/explore/reports.txt`), and the fork.py generator the same lists
//! (`tests/forkpy_lists.txt`).
#![cfg(target_arch = "wasm32")]

use exitpath::engine::digest::trace_digest;
use exitpath::engine::library::BUILTINS;
use exitpath::engine::session::Session;
use exitpath::engine::Design;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "gen/forkpy_lists.rs"]
mod forkpy_lists;

/// The seeded fork.py generator gives in wasm the lists it gives natively (issue 12).
#[wasm_bindgen_test]
fn wasm_forkpy_lists_equal_native_ones() {
    assert_eq!(include_str!("forkpy_lists.txt"), forkpy_lists::all());
}

#[wasm_bindgen_test]
fn wasm_digests_equal_native_ones() {
    let want = include_str!("digests.txt");
    let mut got = String::new();
    for b in BUILTINS {
        for d in Design::ALL {
            let s = Session::new(b.text, Some(d)).unwrap();
            got.push_str(&format!(
                "{} {} {:016x}\n",
                b.id,
                d.name(),
                trace_digest(&s.trace)
            ));
        }
    }
    assert_eq!(want, got);
}

#[wasm_bindgen_test]
fn wasm_explorer_reports_equal_native_ones() {
    use exitpath::engine::explore::Explorer;
    use exitpath::engine::scenario;
    let want = include_str!("explore/reports.txt");
    let mut got = String::new();
    let two_cpus = BUILTINS
        .iter()
        .filter(|b| scenario::parse(b.text).is_ok_and(|sc| sc.cpus == 2))
        .map(|b| (b.id, b.text));
    let fixtures = [
        ("fork-wait", include_str!("explore/fork-wait.scn")),
        (
            "lwp-exit-while-exiting",
            include_str!("explore/lwp-exit-while-exiting.scn"),
        ),
    ];
    for (id, text) in two_cpus.chain(fixtures) {
        let sc = scenario::parse(text).unwrap();
        for d in Design::ALL {
            let r = Explorer::run(&sc, Some(d), 2, 20_000_000);
            got.push_str(&format!("{id} {}", r.summary()));
        }
    }
    assert_eq!(want, got);
}
