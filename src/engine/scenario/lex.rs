//! Line-level lexing for the scenario language: splitting lines, character checks,
//! indentation width, words with their columns, numbers, names and the error sink.

use super::ast::{limits, ParseError};

/// Longest block or process name, in characters.
pub(crate) const NAME_CHARS_MAX: usize = 32;
/// A tab moves the indentation to the next multiple of this many columns.
pub(crate) const TAB_WIDTH: usize = 8;

/// Keeps the earliest error (in file order) seen so far.
#[derive(Default)]
pub(crate) struct Errors {
    first: Option<ParseError>,
}

impl Errors {
    /// Records an error unless an earlier one (same position included) is already
    /// known. The message is built only when it is kept, so costly messages (name
    /// suggestions) are computed at most a few times.
    pub(crate) fn at(&mut self, line: u32, col: u32, message: impl FnOnce() -> String) {
        let earlier = match &self.first {
            None => true,
            Some(e) => (line, col) < (e.line, e.col),
        };
        if earlier {
            self.first = Some(ParseError {
                line,
                col,
                message: message(),
            });
        }
    }

    pub(crate) fn any(&self) -> bool {
        self.first.is_some()
    }

    pub(crate) fn into_first(self) -> Option<ParseError> {
        self.first
    }
}

/// A count or offset as a 1-based position, saturating on absurdly long lines.
pub(crate) fn pos(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One word of a line and the 1-based column of its first character.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Word<'a> {
    pub(crate) text: &'a str,
    pub(crate) col: u32,
}

/// What a raw line (without its line ending) holds.
pub(crate) struct LineInfo<'a> {
    /// The line without its line ending.
    pub(crate) raw: &'a str,
    /// Column and value of the first character that is not allowed: outside
    /// printable ASCII and tab before the `#`, a control or bidirectional-override
    /// character in the comment (see `comment_char_ok`).
    pub(crate) bad: Option<(u32, char)>,
    /// The byte offset of `bad` (only meaningful with `bad`).
    bad_byte: usize,
    /// Line length in characters.
    pub(crate) chars: usize,
    /// Width of the leading blanks, tabs expanded to multiples of TAB_WIDTH.
    pub(crate) indent: usize,
    /// Byte offset (and, the blanks being ASCII, character offset) of the first
    /// non-blank character.
    pub(crate) start: usize,
    /// Byte offset one past the last character of the content (before any `#`,
    /// trailing blanks removed).
    pub(crate) end: usize,
    /// Byte offset of the `#` that starts the comment, if any.
    hash: Option<usize>,
}

impl<'a> LineInfo<'a> {
    pub(crate) fn new(raw: &'a str) -> LineInfo<'a> {
        let mut bad = None;
        let mut bad_byte = 0;
        let mut hash = None;
        let mut chars = 0usize;
        for (byte, c) in raw.char_indices() {
            chars += 1;
            let ok = if hash.is_none() {
                c == '\t' || (' '..='~').contains(&c)
            } else {
                comment_char_ok(c)
            };
            if bad.is_none() && !ok {
                bad = Some((pos(chars), c));
                bad_byte = byte;
            }
            if hash.is_none() && c == '#' {
                hash = Some(byte);
            }
        }
        let bytes = raw.as_bytes();
        let mut indent = 0usize;
        let mut start = 0usize;
        while let Some(&b) = bytes.get(start) {
            match b {
                b' ' => indent = indent.saturating_add(1),
                b'\t' => {
                    indent = (indent / TAB_WIDTH)
                        .saturating_add(1)
                        .saturating_mul(TAB_WIDTH)
                }
                _ => break,
            }
            start += 1;
        }
        let mut end = hash.unwrap_or(raw.len()).max(start);
        while end > start && matches!(bytes.get(end - 1), Some(b' ' | b'\t')) {
            end -= 1;
        }
        LineInfo {
            raw,
            bad,
            bad_byte,
            chars,
            indent,
            start,
            end,
            hash,
        }
    }

    /// The comment after the `#`, trimmed; `None` when there is none or it is empty.
    /// Only meaningful when `bad` is `None`.
    pub(crate) fn note(&self) -> Option<&'a str> {
        let text = self.raw.get(self.hash? + 1..)?.trim();
        (!text.is_empty()).then_some(text)
    }

    /// True when the line holds nothing but blanks and a comment.
    pub(crate) fn is_blank(&self) -> bool {
        self.start >= self.end
    }

    /// True when the first bad character lies in the comment.
    pub(crate) fn bad_in_comment(&self) -> bool {
        self.bad.is_some() && self.hash.is_some_and(|h| self.bad_byte > h)
    }

    /// True when the first bad character lies in the content (not in the comment),
    /// so the content cannot be read.
    pub(crate) fn bad_in_content(&self) -> bool {
        self.bad.is_some() && self.bad_byte < self.end
    }

    /// The content: trimmed, comment removed. Only call when `!bad_in_content()`,
    /// which makes it pure ASCII; returns "" if the offsets are somehow not on
    /// character boundaries.
    pub(crate) fn content(&self) -> &'a str {
        self.raw.get(self.start..self.end).unwrap_or("")
    }

    /// 1-based column of the first non-blank character.
    pub(crate) fn first_col(&self) -> u32 {
        pos(self.start + 1)
    }

    /// The content split at blanks, each word with its column.
    pub(crate) fn words(&self) -> Vec<Word<'a>> {
        words_in(self.raw, self.start, self.end)
    }
}

/// Splits `raw[from..to]` (ASCII) at spaces and tabs.
pub(crate) fn words_in(raw: &str, from: usize, to: usize) -> Vec<Word<'_>> {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    while i < to {
        while i < to && matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        let begin = i;
        while i < to && !matches!(bytes.get(i), Some(b' ' | b'\t') | None) {
            i += 1;
        }
        if i > begin {
            if let Some(text) = raw.get(begin..i) {
                out.push(Word {
                    text,
                    col: pos(begin + 1),
                });
            }
        }
    }
    out
}

/// Splits a text into numbered lines without their `\n` / `\r\n` endings.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_inclusive('\n').enumerate().map(|(i, piece)| {
        let raw = piece.strip_suffix('\n').unwrap_or(piece);
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        (i + 1, raw)
    })
}

/// Reads a decimal number made of ASCII digits only; very long numbers saturate.
pub(crate) fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value: u64 = 0;
    for b in text.bytes() {
        value = value.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    Some(value)
}

/// Checks a name (`[A-Za-z_][A-Za-z0-9_-]*`, at most NAME_CHARS_MAX characters);
/// `hyphen` allows `-` after the first character.
pub(crate) fn check_name(text: &str, hyphen: bool) -> Result<(), String> {
    let mut bytes = text.bytes();
    let first_ok = matches!(bytes.next(), Some(b) if b.is_ascii_alphabetic() || b == b'_');
    let rest_ok = bytes.all(|b| b.is_ascii_alphanumeric() || b == b'_' || (hyphen && b == b'-'));
    if !first_ok || !rest_ok {
        let allowed = if hyphen {
            "letters, digits, `_` and `-`"
        } else {
            "letters, digits and `_`"
        };
        return Err(format!(
            "`{}` is not a valid name: a name starts with a letter or `_` and contains only {allowed}",
            show(text)
        ));
    }
    if text.len() > NAME_CHARS_MAX {
        return Err(format!(
            "the name `{}` is {} characters long; names are at most {NAME_CHARS_MAX} characters",
            show(text),
            text.len()
        ));
    }
    Ok(())
}

/// Levenshtein distance between two short ASCII names.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a = a.as_bytes();
    let b = b.as_bytes();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        if let Some(c0) = cur.first_mut() {
            *c0 = i + 1;
        }
        for (j, &cb) in b.iter().enumerate() {
            let subst = prev.get(j).copied().unwrap_or(0) + usize::from(ca != cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = subst.min(del).min(ins);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// The closest candidate to `name`, if it is close enough to be a likely typo.
pub(crate) fn suggest<'c>(
    name: &str,
    candidates: impl Iterator<Item = &'c str>,
) -> Option<&'c str> {
    let limit = (name.len() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(name, c);
        if d <= limit && d < name.len() && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// User text quoted in a message, cut short when it is long.
pub(crate) fn show(text: &str) -> String {
    const SHOWN_CHARS_MAX: usize = 40;
    match text.char_indices().nth(SHOWN_CHARS_MAX) {
        Some((cut, _)) => format!("{}...", text.get(..cut).unwrap_or("")),
        None => text.to_string(),
    }
}

/// The message for a line that exceeds LINE_CHARS_MAX.
pub(crate) fn line_too_long(chars: usize) -> String {
    format!(
        "this line is {chars} characters long; lines are at most {} characters (LINE_CHARS_MAX)",
        limits::LINE_CHARS_MAX
    )
}

/// Whether a comment may contain `c`: any Unicode character (accents, dashes,
/// symbols) except control characters other than tab, and the bidirectional
/// embedding, override and isolate characters, which can make a line display
/// differently from what it says (U+202A-U+202E, U+2066-U+2069).
pub(crate) fn comment_char_ok(c: char) -> bool {
    c == '\t'
        || !(c.is_control()
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c))
}

/// The message for a character that is not allowed where it is: `in_comment` when it
/// comes after the line's `#`.
pub(crate) fn bad_char_at(c: char, in_comment: bool) -> String {
    if !in_comment {
        return bad_char(c);
    }
    format!(
        "the character U+{:04X} is not allowed in a comment: comments may contain any text \
         except control characters (other than tab) and bidirectional-override characters",
        u32::from(c)
    )
}

/// The message for a character outside printable ASCII and tab, outside a comment.
pub(crate) fn bad_char(c: char) -> String {
    let shown = if c.is_control() || c.is_whitespace() {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}` (U+{:04X})", u32::from(c))
    };
    format!(
        "the character {shown} is not allowed: scenario files may contain only printable ASCII \
         characters and tabs, except in comments"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance() {
        assert_eq!(edit_distance("wrker", "worker"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(
            suggest("wrker", ["shell", "worker"].into_iter()),
            Some("worker")
        );
        assert_eq!(suggest("zzzz", ["shell", "worker"].into_iter()), None);
    }

    #[test]
    fn line_info() {
        let l = LineInfo::new("\t  fork  a   # c");
        assert_eq!(l.indent, 10);
        assert_eq!(l.first_col(), 4);
        assert_eq!(l.content(), "fork  a");
        let w = l.words();
        assert_eq!(w.len(), 2);
        assert_eq!(w[1].col, 10);
        assert!(LineInfo::new("   # only").is_blank());
        let e = LineInfo::new("ab\u{e9}");
        assert_eq!(e.bad, Some((3, '\u{e9}')));
        assert!(e.bad_in_content());
        assert!(!LineInfo::new("ab # \u{e9}").bad_in_content());
        let c = LineInfo::new("  fork w   # caf\u{e9} \u{2014} d\u{e9}j\u{e0}  ");
        assert_eq!(c.bad, None);
        assert_eq!(c.note(), Some("caf\u{e9} \u{2014} d\u{e9}j\u{e0}"));
        assert_eq!(LineInfo::new("  yield #   ").note(), None);
        assert_eq!(LineInfo::new("  yield").note(), None);
        let r = LineInfo::new("a # x\u{202e}y");
        assert_eq!(r.bad, Some((6, '\u{202e}')));
        assert!(!r.bad_in_content());
        assert_eq!(LineInfo::new("a # \u{0}").bad, Some((5, '\u{0}')));
    }
}
