//! The header of a scenario file: the comment lines at its top. They are ignored by
//! the parser; the library and the UI read them.
//!
//! ```text
//! # title: The fork/wait loop          <- the title
//! # designs: patch committed           <- the designs the scenario is meant for
//! # lesson: Why the reaper costs a switch <- the checkpoints make a lesson
//! # stop: first exit: the worker exits  <- a checkpoint (engine::stops), any number
//! # say: exit1 begins ...               <- the stop's words in a lesson
//! # design: patch                       <- the design a lesson shows the stop in
//! # show: gdt cpu                       <- the panels a lesson highlights there
//! # ask: frees                          <- the Predict question a lesson asks there
//! # A shell forks a worker and         <- the description: lines joined with a
//! # waits for it.                         space, `- ` starts a list item on a new
//! #                                       line, an empty `#` line ends a paragraph
//! # - fork: ...
//! ```
//!
//! The header is the run of comment-only lines (first non-blank character `#`) at the
//! top of the file, after any blank lines; it ends at the first line that is not a
//! comment (a blank line included). Everything here is `const fn`, so the built-in
//! library computes titles, descriptions and designs at compile time from the files
//! it includes.

use crate::engine::design::Design;

/// One header line, as byte offsets into the text.
#[derive(Clone, Copy)]
struct HeaderLine {
    /// Offsets of the line's text after `#` and one optional space, trailing blanks
    /// removed.
    from: usize,
    to: usize,
    /// Offset where the next line starts.
    next: usize,
}

const fn is_blank(b: u8) -> bool {
    b == b' ' || b == b'\t' || b == b'\r'
}

/// The header line starting at `at`, or `None` when the header ends there. Leading
/// blank lines are skipped when `first` is true.
const fn header_line(text: &[u8], mut at: usize, first: bool) -> Option<HeaderLine> {
    loop {
        if at >= text.len() {
            return None;
        }
        let mut end = at;
        while end < text.len() && text[end] != b'\n' {
            end += 1;
        }
        let next = if end < text.len() { end + 1 } else { end };
        let mut i = at;
        while i < end && is_blank(text[i]) {
            i += 1;
        }
        if i == end {
            // A blank line: skipped before the header, ends it after.
            if first {
                at = next;
                continue;
            }
            return None;
        }
        if text[i] != b'#' {
            return None;
        }
        let mut from = i + 1;
        if from < end && text[from] == b' ' {
            from += 1;
        }
        let mut to = end;
        while to > from && is_blank(text[to - 1]) {
            to -= 1;
        }
        return Some(HeaderLine { from, to, next });
    }
}

/// Whether `text[from..to]` starts with `key` (e.g. `b"title:"`).
const fn starts_with(text: &[u8], from: usize, to: usize, key: &[u8]) -> bool {
    if to - from < key.len() {
        return false;
    }
    let mut k = 0;
    while k < key.len() {
        if text[from + k] != key[k] {
            return false;
        }
        k += 1;
    }
    true
}

/// The value of the header line `# KEY ...` (`key` includes the colon), trimmed, as
/// byte offsets; `None` when the header has no such line.
const fn field(text: &[u8], key: &[u8]) -> Option<(usize, usize)> {
    let mut at = 0;
    let mut first = true;
    while let Some(l) = header_line(text, at, first) {
        if starts_with(text, l.from, l.to, key) {
            let mut from = l.from + key.len();
            while from < l.to && is_blank(text[from]) {
                from += 1;
            }
            return Some((from, l.to));
        }
        at = l.next;
        first = false;
    }
    None
}

/// Header keys that are not part of the description.
const KEYS: [&[u8]; 8] = [
    b"title:",
    b"designs:",
    b"stop:",
    b"say:",
    b"lesson:",
    b"design:",
    b"show:",
    b"ask:",
];

const fn is_key_line(text: &[u8], l: HeaderLine) -> bool {
    let mut k = 0;
    while k < KEYS.len() {
        if starts_with(text, l.from, l.to, KEYS[k]) {
            return true;
        }
        k += 1;
    }
    false
}

/// The title: the value of the `# title:` header line, if any.
pub const fn title(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let Some((from, to)) = field(bytes, b"title:") else {
        return None;
    };
    if from >= to {
        return None;
    }
    let (head, _) = bytes.split_at(to);
    let (_, value) = head.split_at(from);
    // The cuts are next to ASCII bytes, so the value is valid UTF-8.
    match core::str::from_utf8(value) {
        Ok(s) => Some(s),
        Err(_) => None,
    }
}

/// Writes the description of `text` into `out` (at least as long as `text`) and
/// returns its length in bytes. The output is never longer than the input.
pub(crate) const fn description_into(text: &[u8], out: &mut [u8]) -> usize {
    let mut n = 0;
    let mut at = 0;
    let mut first = true;
    // What separates the next piece of text from the previous one.
    let mut pending_break = false;
    while let Some(l) = header_line(text, at, first) {
        at = l.next;
        first = false;
        if is_key_line(text, l) {
            continue;
        }
        let mut from = l.from;
        while from < l.to && is_blank(text[from]) {
            from += 1;
        }
        if from == l.to {
            // An empty `#` line: a paragraph break before the next text.
            pending_break = n > 0;
            continue;
        }
        if n > 0 {
            if pending_break {
                out[n] = b'\n';
                out[n + 1] = b'\n';
                n += 2;
            } else if starts_with(text, from, l.to, b"- ") || starts_with(text, from, l.to, b"* ") {
                out[n] = b'\n';
                n += 1;
            } else {
                out[n] = b' ';
                n += 1;
            }
        }
        pending_break = false;
        let mut i = from;
        while i < l.to {
            out[n] = text[i];
            n += 1;
            i += 1;
        }
    }
    n
}

/// The description: the header's comment lines without their `# `, except `# title:`
/// and `# designs:`. Lines of a paragraph are joined with a space; a line starting
/// with `- ` (a list item) starts on a new line; an empty `#` line ends a paragraph
/// (`"\n\n"` in the result).
pub fn description(text: &str) -> String {
    let mut out = vec![0u8; text.len()];
    let n = description_into(text.as_bytes(), &mut out);
    out.truncate(n);
    // Cuts only happen next to ASCII bytes, so this never fails.
    String::from_utf8(out).unwrap_or_default()
}

/// Design names as `# designs:` spells them, in the order of `Design::ALL` (a test
/// checks both against `Design::name`; `Design::name` is not a `const fn`).
const DESIGN_NAMES: [(&[u8], Design); Design::COUNT] = [
    (b"reaper", Design::Reaper),
    (b"patch", Design::Patch),
    (b"committed", Design::Committed),
    (b"fixed", Design::Fixed),
];

/// The designs named by `# designs:` (names separated by spaces or commas), in the
/// order of `Design::ALL`, or `None` when there is no such line. Unknown names are
/// counted in the second value.
pub(crate) const fn designs_raw(text: &[u8]) -> Option<([bool; Design::COUNT], usize)> {
    let Some((from, to)) = field(text, b"designs:") else {
        return None;
    };
    let mut seen = [false; Design::COUNT];
    let mut unknown = 0;
    let mut i = from;
    while i < to {
        while i < to && (is_blank(text[i]) || text[i] == b',') {
            i += 1;
        }
        let begin = i;
        while i < to && !(is_blank(text[i]) || text[i] == b',') {
            i += 1;
        }
        if i == begin {
            break;
        }
        let mut d = 0;
        let mut found = false;
        while d < DESIGN_NAMES.len() {
            let name = DESIGN_NAMES[d].0;
            if name.len() == i - begin && starts_with(text, begin, i, name) {
                seen[d] = true;
                found = true;
            }
            d += 1;
        }
        if !found {
            unknown += 1;
        }
    }
    Some((seen, unknown))
}

/// The designs a scenario is meant for: those named by its `# designs:` header line
/// (unknown names ignored), in the order of `Design::ALL`; every design when it has
/// no such line or the line names no known design.
pub fn designs(text: &str) -> Vec<Design> {
    let named: Vec<Design> = match designs_raw(text.as_bytes()) {
        Some((seen, _)) => Design::ALL
            .into_iter()
            .zip(seen)
            .filter_map(|(d, s)| s.then_some(d))
            .collect(),
        None => Vec::new(),
    };
    if named.is_empty() {
        Design::ALL.to_vec()
    } else {
        named
    }
}

/// `designs` for constants: the designs in the first `.1` entries of the array, or
/// `None` when a name is unknown or the line names none (the built-in library
/// refuses to compile then).
pub(crate) const fn designs_array(text: &str) -> Option<([Design; Design::COUNT], usize)> {
    let (seen, unknown) = match designs_raw(text.as_bytes()) {
        Some(raw) => raw,
        None => ([true; Design::COUNT], 0),
    };
    if unknown > 0 || !(seen[0] || seen[1] || seen[2]) {
        return None;
    }
    let mut out = [Design::Reaper; Design::COUNT];
    let mut n = 0;
    let mut d = 0;
    while d < DESIGN_NAMES.len() {
        if seen[d] {
            out[n] = DESIGN_NAMES[d].1;
            n += 1;
        }
        d += 1;
    }
    Some((out, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn design_names_match_the_engine() {
        assert_eq!(DESIGN_NAMES.len(), Design::ALL.len());
        for ((name, d), e) in DESIGN_NAMES.into_iter().zip(Design::ALL) {
            assert_eq!(d, e);
            assert_eq!(name, e.name().as_bytes());
        }
    }

    const TEXT: &str = "\n# title:  A  title \r\n# designs: patch, committed\n# One\n#   two.\n#\n#\n# - a\n#   b\n# - c \n#x\n\n# not header\nproc a\n  exit 0\n";

    #[test]
    fn header_fields() {
        assert_eq!(title(TEXT), Some("A  title"));
        assert_eq!(description(TEXT), "One two.\n\n- a b\n- c x");
        assert_eq!(designs(TEXT), vec![Design::Patch, Design::Committed]);
        assert_eq!(designs("proc a\n  exit 0\n"), Design::ALL.to_vec());
        assert_eq!(designs("# designs: nope reaper\n"), vec![Design::Reaper]);
        assert_eq!(designs_array("# designs: nope reaper\n"), None);
        assert_eq!(designs("# designs:\n"), Design::ALL.to_vec());
        assert_eq!(designs("# designs: nope\n"), Design::ALL.to_vec());
        assert_eq!(designs_array("# designs: ,\n"), None);
        assert_eq!(
            designs_array("# title: t\n").map(|(_, n)| n),
            Some(Design::COUNT)
        );
        assert_eq!(title("proc a\n# title: late\n"), None);
        assert_eq!(title("# title:\n"), None);
        assert_eq!(description(""), "");
        assert_eq!(
            description("#\n# caf\u{e9} \u{2014} d\u{e9}j\u{e0}\n"),
            "caf\u{e9} \u{2014} d\u{e9}j\u{e0}"
        );
    }
}
