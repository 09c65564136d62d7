//! The fork.py lists the pinned file holds: seeds 0..100 in three settings (fork
//! fraction 0.7 and 0.3, and leaf-only), 12 to 40 actions each, one line per list.
use exitpath::engine::forkpy_run::generate;

pub fn all() -> String {
    let mut out = String::new();
    for seed in 0..100i64 {
        for (forks, leaf) in [(0.7, false), (0.3, false), (0.7, true)] {
            let n = 12 + (seed as u64 * 7) % 29;
            let line = match generate(seed * 7919 - 300, forks, n, leaf) {
                Ok(l) => (0..l.actions.len() as u32)
                    .map(|i| l.entry_text(i))
                    .collect::<Vec<_>>()
                    .join(","),
                Err(e) => format!("error: {e}"),
            };
            out.push_str(&format!("{seed} {forks} {leaf} {n}: {line}\n"));
        }
    }
    out
}
