//! Trace digests of every built-in in every design, checked in (`tests/digests.txt`).
//! The same file is checked by the wasm test `tests/web_digest.rs` in Chromium, so
//! native and browser runs are proven identical. `UPDATE_DIGESTS=1` rewrites it.

use exitpath::engine::digest::trace_digest;
use exitpath::engine::library::BUILTINS;
use exitpath::engine::session::Session;
use exitpath::engine::Design;

fn table() -> String {
    let mut out = String::new();
    for b in BUILTINS {
        for d in Design::ALL {
            let s = Session::new(b.text, Some(d)).unwrap();
            out.push_str(&format!(
                "{} {} {:016x}\n",
                b.id,
                d.name(),
                trace_digest(&s.trace)
            ));
        }
    }
    out
}

#[test]
fn digests_match_the_checked_in_table() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/digests.txt");
    let got = table();
    if std::env::var_os("UPDATE_DIGESTS").is_some() {
        std::fs::write(path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(path).unwrap_or_default();
    if want != got {
        let diff = similar::TextDiff::from_lines(&want, &got)
            .unified_diff()
            .context_radius(1)
            .header("tests/digests.txt (want)", "tests/digests.txt (got)")
            .to_string();
        panic!(
            "trace digests changed (UPDATE_DIGESTS=1 to accept, after checking the golden \
             traces):\n{diff}"
        );
    }
}
