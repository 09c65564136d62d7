//! Fuzz target `forkpy`: the input drives `exitpath forkpy`'s options and action list
//! (`common::forkpy_options`, through `arbitrary::Unstructured`); every combination
//! gives a clear error or a clean run, the same twice, never a panic.
#![no_main]

#[allow(dead_code)]
mod common;

use arbitrary::{Arbitrary, Unstructured};

/// The options an input stands for; `Debug` prints them.
#[derive(Debug)]
struct Input(exitpath::engine::forkpy_run::Options);

struct FromBytes<'a, 'b>(&'b mut Unstructured<'a>);

impl common::Choices for FromBytes<'_, '_> {
    fn below(&mut self, n: u32) -> u32 {
        self.0.int_in_range(0..=n.max(1) - 1).unwrap_or(0)
    }
}

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(Input(common::forkpy_options(&mut FromBytes(u))))
    }
}

libfuzzer_sys::fuzz_target!(|input: Input| common::check_forkpy(&input.0));
