//! The engine's speed in Chromium (wasm32, built with --release): the fork/exit/wait loop
//! of `exitpath bench`, per design, timed with `performance.now()`. Prints one line per
//! design, the best of three runs: `web-bench <design> steps=<n> ms=<t> steps_per_s=<r>
//! ...`, which `cargo xtask bench` reads. Run: `cargo test --release --target
//! wasm32-unknown-unknown --test web_bench -- --nocapture` (`WEB_BENCH_ITERATIONS` at
//! build time overrides the 20,000 rounds).
//! The runner shows the test's `console_log!` lines with `--nocapture`.
//! Asserts a floor far below the aim, so only a collapse (not a slow machine) fails.
#![cfg(target_arch = "wasm32")]

use exitpath::engine::bench::loop_scenario;
use exitpath::engine::{scenario, Design, Sim};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds, sub-millisecond resolution.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn perf_now() -> f64;
}

/// Rounds of fork, exit, wait (about 130 micro-steps each). A tenth without --release
/// (`cargo xtask test` runs every tests/web_*.rs in the test profile): there the test
/// only checks that the bench runs, and the figures mean little.
fn iterations() -> u64 {
    let default = if cfg!(debug_assertions) {
        2_000
    } else {
        20_000
    };
    option_env!("WEB_BENCH_ITERATIONS")
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// Micro-steps per second below which the test fails (the aim is 2 M/s).
const FLOOR: f64 = 200_000.0;

/// Timed runs per design; the fastest counts (the machine may be shared: noise only slows).
const RUNS: u32 = 3;

#[wasm_bindgen_test]
fn engine_steps_per_second_in_the_browser() {
    let n = iterations();
    let sc = scenario::parse(&loop_scenario(n)).expect("the bench scenario parses");
    // Warm-up: the first run of a fresh module pays for tier-up (Liftoff to TurboFan).
    let _ = Sim::new(&sc, Some(Design::Patch)).run_to_end(false);
    for d in Design::ALL {
        let mut best_ms = f64::INFINITY;
        let mut steps = 0;
        let mut bytes_per_step = 0.0;
        for _ in 0..RUNS {
            let mut sim = Sim::new(&sc, Some(d));
            sim.cfg.step_limit = u64::MAX;
            let t0 = perf_now();
            let trace = sim.run_to_end(false);
            let ms = perf_now() - t0;
            best_ms = best_ms.min(ms);
            steps = trace.steps.len();
            bytes_per_step = trace.bytes_per_step();
        }
        let rate = steps as f64 / (best_ms.max(0.001) / 1000.0);
        console_log!(
            "web-bench {} steps={steps} ms={best_ms:.1} steps_per_s={rate:.0} bytes_per_step={bytes_per_step:.1} iterations={n} runs={RUNS}",
            d.name(),
        );
        assert!(
            rate >= FLOOR,
            "{}: {rate:.0} micro-steps/s in wasm, below the floor of {FLOOR}",
            d.name()
        );
    }
}
