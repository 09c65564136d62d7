//! In Chromium (wasm32): every built-in in every design gives the same trace digest
//! as the native run recorded in `tests/digests.txt`.
#![cfg(target_arch = "wasm32")]

use exitpath::engine::digest::trace_digest;
use exitpath::engine::library::BUILTINS;
use exitpath::engine::session::Session;
use exitpath::engine::Design;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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
