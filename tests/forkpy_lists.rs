//! The fork.py lists the seeded generator gives (`forkpy_run::generate`), pinned in
//! `tests/forkpy_lists.txt`: natively here, and in Chromium by `tests/web_digest.rs`, so
//! a seed gives the same exercise in the CLI and in the page (issue 12).
//! `UPDATE_LISTS=1 cargo test --test forkpy_lists` rewrites the file.

#[path = "gen/forkpy_lists.rs"]
mod lists;

#[test]
fn generated_lists_equal_the_pinned_ones() {
    let got = lists::all();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/forkpy_lists.txt");
    if std::env::var_os("UPDATE_LISTS").is_some() {
        std::fs::write(path, &got).unwrap();
    }
    let want = std::fs::read_to_string(path).unwrap();
    assert!(
        want.lines().count() >= 300,
        "{} lists",
        want.lines().count()
    );
    assert_eq!(
        want, got,
        "the generator changed: every exercise handed out changes with it"
    );
}
