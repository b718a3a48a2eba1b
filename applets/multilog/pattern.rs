//! multilog's line patterns (pure): literal bytes and `*`, matched against the whole text.
//!
//! A `*` at the end of the pattern takes everything left; a `*` followed by byte `c` skips to
//! the first `c` still ahead and never looks for a later one (no backtracking), so `**` means
//! "skip to the first `*`". There are no escapes and no other special bytes (spec §6). The
//! caller decides how much of the line is the text (at most 1000 bytes).

/// Does `pattern` match all of `text`?
pub fn matches(pattern: &[u8], text: &[u8]) -> bool {
    let mut text = text;
    let mut rest = pattern;
    while let Some((&p, after)) = rest.split_first() {
        rest = after;
        if p == b'*' {
            let Some(&stop) = rest.first() else {
                return true;
            };
            match text.iter().position(|&b| b == stop) {
                Some(at) => text = &text[at..],
                None => return false,
            }
            continue;
        }
        match text.split_first() {
            Some((&b, tail)) if b == p => text = tail,
            _ => return false,
        }
    }
    text.is_empty()
}

#[cfg(test)]
mod tests {
    use super::matches;

    /// The worked examples of spec §6: (pattern, text, expected).
    const CASES: &[(&str, &str, bool)] = &[
        ("one", "one", true),
        ("one", "", false),
        ("one", "on", false),
        ("one", "onetwo", false),
        ("", "", true),
        ("", "x", false),
        ("*", "", true),
        ("*", "anything", true),
        ("one*", "one", true),
        ("one*", "onetwo", true),
        ("one*", "on", false),
        ("* one", " one", true),
        ("* one", "xy one", true),
        ("* one", "one", false),
        ("* one", "  one", false),
        ("* one", "xy one ", false),
        ("* * one", "x y one", true),
        ("* * one", "  one", true),
        ("* * one", " one", false),
        ("a*c", "abc", true),
        ("a*c", "ac", true),
        ("a*c", "abcbc", false),
        ("*c", "abcbc", false),
        ("*a", "bba", true),
        ("*a", "bbab", false),
        ("*b*", "abc", true),
        ("x*y*", "xaaybbb", true),
        ("*.*", "a.b.c", true),
        ("a**b", "aXb", false),
        ("a**b", "ab", false),
        ("**", "", false),
        ("a*", "", false),
        ("a?c", "abc", false),
        ("[ab]", "a", false),
        ("\\*", "*", false),
        (
            "named[*]: Cleaned cache *",
            "named[135]: Cleaned cache of 3121 RRs.",
            true,
        ),
        (
            "* fatal: *",
            "@400000003b4a39c23294b13c fatal: out of memory",
            true,
        ),
        ("*: *", "a: b: c", true),
    ];

    #[test]
    fn spec_worked_examples() {
        for &(pattern, text, want) in CASES {
            assert_eq!(
                matches(pattern.as_bytes(), text.as_bytes()),
                want,
                "pattern {pattern:?} against {text:?}"
            );
        }
    }

    #[test]
    fn literal_specials_and_binary_bytes() {
        assert!(matches(b"a?c", b"a?c"));
        assert!(matches(b"[ab]", b"[ab]"));
        assert!(matches(b"\\*", b"\\x"));
        assert!(matches(b"*\0", b"ab\0"));
        assert!(matches(b"\r*", b"\rxyz"));
        assert!(matches(b"\xff*\xfe", b"\xffab\xfe"));
        assert!(!matches(b"*\xfe", b"\xfe\xfe"));
    }

    #[test]
    fn double_star_skips_to_a_literal_star() {
        assert!(matches(b"a**b", b"aX*b"));
        assert!(matches(b"**", b"*"));
        assert!(matches(b"**", b"xx*"));
        assert!(matches(b"**", b"xx*y"));
        assert!(!matches(b"**", b"xxy"));
    }
}
