//! `cargo xtask bench`: the native engine benchmark, then the sizes of the built web app.

use crate::util::{self, run, step, Result};
use crate::{install, site};

pub fn task() -> Result<()> {
    step("bench: native engine (profile bench-native)");
    let bench = run(util::cargo().args([
        "run",
        "--profile",
        "bench-native",
        "--bin",
        "exitpath",
        "--",
        "bench",
    ]));
    if let Err(e) = &bench {
        eprintln!("bench: native benchmark failed: {e}");
    }
    step("bench: web app sizes");
    let sizes = install::ensure()
        .and_then(|()| site::build())
        .and_then(|()| site::print_sizes());
    if let Err(e) = &sizes {
        eprintln!("bench: could not build dist/ for sizes: {e}");
    }
    match (bench, sizes) {
        (Ok(()), Ok(())) => Ok(()),
        _ => Err("bench: some part failed (see above)".into()),
    }
}
