//! Fuzz target `engine`: the input drives a generator of valid scenarios
//! (`common::scenario`, through `arbitrary::Unstructured`); each one parses and runs in
//! every design without a panic, the same way twice. `cargo fuzz fmt engine FILE`
//! prints the scenario an input stands for (that text is the reproducer to keep).
#![no_main]

#[allow(dead_code)]
mod common;

use arbitrary::{Arbitrary, Unstructured};

/// A generated scenario text; `Debug` prints the text as it is.
struct Scenario(String);

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

struct FromBytes<'a, 'b>(&'b mut Unstructured<'a>);

impl common::Choices for FromBytes<'_, '_> {
    fn below(&mut self, n: u32) -> u32 {
        self.0.int_in_range(0..=n.max(1) - 1).unwrap_or(0)
    }
}

impl<'a> Arbitrary<'a> for Scenario {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Scenario(common::scenario(&mut FromBytes(u))))
    }
}

libfuzzer_sys::fuzz_target!(|input: Scenario| common::check_engine_text(&input.0));
