//! Schedules: which CPU takes each micro-step where both CPUs could run (a *choice
//! point*), written as run lengths (`0:3,1:2,0:5`). Without a schedule, or past its
//! end, the CPUs take turns (round robin), as they always did.
//!
//! # Text form
//!
//! ```text
//! schedule = "rr" | run { "," run }
//! run      = CPU [ ":" COUNT ]          CPU: 0 or 1; COUNT: 1 to 1000000000, default 1
//! ```
//!
//! `0:3,1:2,0:5` says: at the first three choice points CPU 0 runs, at the next two
//! CPU 1, at the five after that CPU 0; from the eleventh choice point on, round robin.
//! `rr` (or an empty schedule) is round robin from the start. Only choice points are
//! counted: a micro-step where only one CPU has anything to do is not in the schedule.
//! No blanks inside. The canonical form ([`Schedule::text`]) merges neighbouring runs of
//! the same CPU and leaves out `:1`.

use serde::{Serialize, Serializer};
use std::fmt;

/// Most runs a schedule may have (bounds links and memory).
pub const RUNS_MAX: usize = 100_000;
/// Largest run length.
pub const COUNT_MAX: u32 = 1_000_000_000;

/// A schedule: per choice point, which CPU runs; round robin after its end.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Schedule {
    /// (cpu, choice points), neighbours on different CPUs, counts ≥ 1.
    runs: Vec<(u8, u32)>,
    /// Cumulative ends of the runs (choice points covered up to each run's end).
    ends: Vec<u64>,
}

/// Why a schedule text is not one: the 0-based character offset and a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "character {}: {}", self.offset + 1, self.message)
    }
}

impl std::error::Error for ScheduleError {}

impl Schedule {
    /// Round robin from the start (no runs).
    pub fn round_robin() -> Schedule {
        Schedule::default()
    }

    /// True for round robin from the start.
    pub fn is_round_robin(&self) -> bool {
        self.runs.is_empty()
    }

    /// The runs, (cpu, count), in order.
    pub fn runs(&self) -> &[(u8, u32)] {
        &self.runs
    }

    /// Choice points the schedule decides (after them: round robin).
    pub fn len(&self) -> u64 {
        self.ends.last().copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends `count` choice points on `cpu` (0 or 1).
    pub fn push(&mut self, cpu: u8, count: u32) {
        if count == 0 {
            return;
        }
        let end = self.len() + u64::from(count);
        match self.runs.last_mut() {
            Some((c, n)) if *c == cpu && n.checked_add(count).is_some_and(|s| s <= COUNT_MAX) => {
                *n += count;
                if let Some(e) = self.ends.last_mut() {
                    *e = end;
                }
            }
            _ => {
                self.runs.push((cpu, count));
                self.ends.push(end);
            }
        }
    }

    /// A schedule from one CPU number per choice point.
    pub fn from_choices(choices: &[u8]) -> Schedule {
        let mut s = Schedule::default();
        for &c in choices {
            s.push(c, 1);
        }
        s
    }

    /// The CPU the schedule names for choice point `k` (0-based), `None` past its end.
    pub fn at(&self, k: u64) -> Option<u8> {
        let i = self.ends.partition_point(|&e| e <= k);
        self.runs.get(i).map(|&(c, _)| c)
    }

    /// Number of CPU changes between consecutive runs.
    pub fn switches(&self) -> usize {
        self.runs.len().saturating_sub(1)
    }

    /// The canonical text: `rr`, or runs like `0:3,1,0:5`.
    pub fn text(&self) -> String {
        if self.runs.is_empty() {
            return "rr".into();
        }
        let mut out = String::new();
        for (i, &(c, n)) in self.runs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push(char::from(b'0' + c));
            if n != 1 {
                out.push(':');
                out.push_str(&n.to_string());
            }
        }
        out
    }

    /// Reads the text form (see the module documentation). Never panics; linear time.
    pub fn parse(text: &str) -> Result<Schedule, ScheduleError> {
        let err = |offset: usize, message: String| Err(ScheduleError { offset, message });
        if text.is_empty() || text == "rr" {
            return Ok(Schedule::default());
        }
        let mut s = Schedule::default();
        let chars: Vec<char> = text.chars().collect();
        let mut i = 0;
        let mut runs = 0usize;
        loop {
            // CPU
            let cpu = match chars.get(i) {
                Some('0') => 0,
                Some('1') => 1,
                Some(c) if c.is_ascii_digit() => {
                    return err(
                        i,
                        format!("CPU `{c}` does not exist: a schedule names CPU 0 or 1"),
                    )
                }
                Some(c) => {
                    return err(
                        i,
                        format!("expected a CPU (0 or 1), found `{}`", c.escape_debug()),
                    )
                }
                None => return err(i, "expected a CPU (0 or 1) after `,`".into()),
            };
            i += 1;
            if chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
                return err(
                    i - 1,
                    "a CPU is one digit, 0 or 1; write `CPU:COUNT` for a run (`0:3`)".into(),
                );
            }
            let mut count = 1u32;
            if chars.get(i) == Some(&':') {
                i += 1;
                let from = i;
                let mut n: u64 = 0;
                while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
                    n = (n * 10 + u64::from(d)).min(u64::from(COUNT_MAX) + 1);
                    i += 1;
                }
                if i == from {
                    return err(
                        from,
                        match chars.get(from) {
                            Some(c) => {
                                format!("expected a count after `:`, found `{}`", c.escape_debug())
                            }
                            None => "expected a count after `:`".into(),
                        },
                    );
                }
                if n == 0 || n > u64::from(COUNT_MAX) {
                    return err(from, format!("a run's count is from 1 to {COUNT_MAX}"));
                }
                count = n as u32;
            }
            runs += 1;
            if runs > RUNS_MAX {
                return err(i, format!("a schedule has at most {RUNS_MAX} runs"));
            }
            s.push(cpu, count);
            match chars.get(i) {
                None => break,
                Some(',') => i += 1,
                Some(c) => {
                    return err(
                        i,
                        format!(
                        "expected `,` or `:` after the CPU, or the end of the schedule, found `{}`",
                        c.escape_debug()
                    ),
                    )
                }
            }
        }
        Ok(s)
    }
}

impl fmt::Display for Schedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Serialize for Schedule {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_lookup() {
        let s = Schedule::parse("0:3,1:2,0:5").unwrap();
        assert_eq!(s.text(), "0:3,1:2,0:5");
        assert_eq!(s.len(), 10);
        let want = [0, 0, 0, 1, 1, 0, 0, 0, 0, 0];
        for (k, &w) in want.iter().enumerate() {
            assert_eq!(s.at(k as u64), Some(w));
        }
        assert_eq!(s.at(10), None);
        assert_eq!(Schedule::parse("0,0:2,1").unwrap().text(), "0:3,1");
        assert_eq!(Schedule::parse("rr").unwrap(), Schedule::round_robin());
        assert_eq!(Schedule::parse("").unwrap().text(), "rr");
        assert_eq!(Schedule::from_choices(&[1, 1, 0]).text(), "1:2,0");
    }

    #[test]
    fn errors_say_where() {
        for (text, offset) in [
            ("2:3", 0),
            ("0:", 2),
            ("0:x", 2),
            ("0:0", 2),
            ("0;1", 1),
            ("0,", 2),
            ("0:3,,1", 4),
            ("10", 0),
            ("0:99999999999", 2),
            (" 0", 0),
        ] {
            let e = Schedule::parse(text).unwrap_err();
            assert_eq!(e.offset, offset, "{text}: {e}");
        }
    }
}
