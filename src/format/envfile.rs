//! envdir's value rules and the environment edit algorithm shared by envdir and envuidgid.
//!
//! Pure: bytes in, bytes out. A file's content becomes a value by keeping what precedes the
//! first newline, stripping trailing blanks and tabs (nothing else) and turning NUL bytes into
//! newlines; an empty file means "remove". [`ValueReader`] applies the rule to a file read in
//! pieces and holds only what a program could be given. An edit is `NAME` (remove) or `NAME=VALUE`, split at
//! its first `=`, and is applied the way 0.76 does it: the first entry with that name is
//! replaced by the last entry of the array, then the edit is appended if it carries a value.

/// Is `b` one of the blanks stripped from the end of a value?
fn blank(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Reads a variable file's value piece by piece, up to its first newline and holding at
/// most `limit + 1` bytes: a value longer than `limit` is kept as its first `limit + 1`
/// bytes, which is all a caller needs to know that it is too long (envdir's limit is the
/// longest environment string a program can be given, so the run then fails as it would
/// with the whole value). A first line that never ends, such as `/dev/zero`'s, is read
/// only until its length is known to pass the limit.
pub struct ValueReader {
    kept: Vec<u8>,
    limit: usize,
    /// Any byte was read (an empty file removes the variable).
    any: bool,
    /// Longer than `limit`: `kept` is a prefix of the value.
    too_long: bool,
    /// The first newline was seen or the value is too long: nothing more is needed.
    done: bool,
}

impl ValueReader {
    pub fn new(limit: usize) -> Self {
        ValueReader {
            kept: Vec::new(),
            limit,
            any: false,
            too_long: false,
            done: false,
        }
    }

    /// Takes the next bytes of the file; true once the value is settled.
    pub fn feed(&mut self, bytes: &[u8]) -> bool {
        if self.done || bytes.is_empty() {
            return self.done;
        }
        self.any = true;
        let line_end = bytes.iter().position(|&b| b == b'\n');
        let line = &bytes[..line_end.unwrap_or(bytes.len())];
        let room = (self.limit.saturating_add(1)).saturating_sub(self.kept.len());
        let (now, later) = line.split_at(line.len().min(room));
        self.kept.extend_from_slice(now);
        // Past the limit only blanks may follow, or the value is longer than the limit.
        if self.kept.len() > self.limit
            && (!self.kept.last().copied().is_some_and(blank) || later.iter().any(|&b| !blank(b)))
        {
            self.too_long = true;
        }
        self.done = self.too_long || line_end.is_some();
        self.done
    }

    /// The value read, or `None` for an empty file (remove the variable): what precedes the
    /// first newline, less trailing blanks and tabs, with NUL bytes turned into newlines.
    pub fn finish(mut self) -> Option<Vec<u8>> {
        if !self.any {
            return None;
        }
        if !self.too_long {
            let kept = self
                .kept
                .iter()
                .rposition(|&b| !blank(b))
                .map_or(0, |last| last + 1);
            self.kept.truncate(kept);
        }
        for b in &mut self.kept {
            if *b == 0 {
                *b = b'\n';
            }
        }
        Some(self.kept)
    }
}

/// The value whole file contents give, or `None` for an empty file (remove the name).
pub fn value(content: &[u8]) -> Option<Vec<u8>> {
    let mut reader = ValueReader::new(usize::MAX);
    reader.feed(content);
    reader.finish()
}

/// The content envdir "reads" for an entry that cannot be opened because it does not exist:
/// 0.76 leaves the previous entry's buffer in place, which holds that entry's value followed by
/// the NUL that terminated it (nothing after an empty file or before the first entry). The
/// caller feeds the result to [`value`] again.
pub fn stale_buffer(previous: Option<&[u8]>) -> Vec<u8> {
    previous.map_or_else(Vec::new, |v| [v, b"\0"].concat())
}

/// The edit for variable `name`: `NAME=VALUE`, or `NAME` alone to remove it.
pub fn edit(name: &[u8], value: Option<&[u8]>) -> Vec<u8> {
    match value {
        Some(v) => [name, b"=", v].concat(),
        None => name.to_vec(),
    }
}

/// Applies `edits` in order to `env` (entries `NAME=VALUE`, in environ order).
pub fn apply(mut env: Vec<Vec<u8>>, edits: &[Vec<u8>]) -> Vec<Vec<u8>> {
    for edit in edits {
        let split = edit.iter().position(|&b| b == b'=').unwrap_or(edit.len());
        let name = &edit[..split];
        let found = env.iter().position(|entry| {
            entry
                .strip_prefix(name)
                .is_some_and(|r| r.first() == Some(&b'='))
        });
        if let Some(at) = found {
            env.swap_remove(at);
        }
        if split < edit.len() {
            env.push(edit.clone());
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(content: &[u8]) -> Option<Vec<u8>> {
        value(content)
    }

    #[test]
    fn value_rules_from_the_spec() {
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"hello world  \t \nsecond line\n", Some(b"hello world")),
            (b"no newline", Some(b"no newline")),
            (b"", None),
            (b"a\0b\0c \n", Some(b"a\nb\nc")),
            (b"\n", Some(b"")),
            (b"   \n", Some(b"")),
            (b" lead", Some(b" lead")),
            (b"tab\t", Some(b"tab")),
            (b"cr\r\n", Some(b"cr\r")),
            (b"\0 ", Some(b"\n")),
            (b"x \0 \n", Some(b"x \n")),
        ];
        for (content, expected) in cases {
            assert_eq!(v(content).as_deref(), *expected, "content {content:?}");
        }
    }

    #[test]
    fn values_past_the_limit_stay_longer_than_the_limit() {
        let read = |content: &[u8], limit: usize, step: usize| {
            let mut reader = ValueReader::new(limit);
            for piece in content.chunks(step) {
                if reader.feed(piece) {
                    break;
                }
            }
            reader.finish()
        };
        let cases: &[(&[u8], Option<&[u8]>)] = &[
            (b"abcd", Some(b"abcd")),
            (b"abcde", Some(b"abcde")),
            (b"abcdef\n", Some(b"abcde")),
            (b"abcd      \t\n", Some(b"abcd")),
            (b"abc     x", Some(b"abc  ")),
            (b"abcd  \nmore", Some(b"abcd")),
            (b"\0\0\0\0\0\0\0\0", Some(b"\n\n\n\n\n")),
            (b"", None),
        ];
        for (content, expected) in cases {
            for step in 1..=content.len().max(1) {
                let got = read(content, 4, step);
                assert_eq!(got.as_deref(), *expected, "{content:?} in pieces of {step}");
            }
        }
    }

    #[test]
    fn stale_buffer_reuses_the_previous_value() {
        let reread = |prev: Option<&[u8]>| value(&stale_buffer(prev));
        assert_eq!(reread(Some(b"val_u")).as_deref(), Some(&b"val_u\n"[..]));
        assert_eq!(reread(Some(b"")).as_deref(), Some(&b"\n"[..]));
        // A converted NUL is a newline now, so the second pass cuts there.
        assert_eq!(reread(Some(b"a\nb\nc")).as_deref(), Some(&b"a"[..]));
        assert_eq!(reread(None), None);
        // Two missing entries in a row: the second sees the first one's stale result.
        let first = reread(Some(b"x")).unwrap();
        assert_eq!(reread(Some(&first)).as_deref(), Some(&b"x"[..]));
    }

    fn env(entries: &[&str]) -> Vec<Vec<u8>> {
        entries.iter().map(|e| e.as_bytes().to_vec()).collect()
    }

    #[test]
    fn edits_move_the_last_entry_into_the_hole() {
        let out = apply(
            env(&["A=1", "B=2", "C=3", "D=4"]),
            &[edit(b"B", Some(b"x"))],
        );
        assert_eq!(out, env(&["A=1", "D=4", "C=3", "B=x"]));
        let out = apply(
            env(&["A=1", "UID=2", "C=3", "GID=4", "E=5"]),
            &[edit(b"GID", Some(b"1")), edit(b"UID", Some(b"1"))],
        );
        assert_eq!(out, env(&["A=1", "GID=1", "C=3", "E=5", "UID=1"]));
    }

    #[test]
    fn removal_and_missing_names() {
        let out = apply(env(&["A=1", "B=2", "C=3"]), &[edit(b"A", None)]);
        assert_eq!(out, env(&["C=3", "B=2"]));
        let out = apply(env(&["A=1"]), &[edit(b"Z", None), edit(b"Y", Some(b""))]);
        assert_eq!(out, env(&["A=1", "Y="]));
    }

    #[test]
    fn only_the_first_duplicate_goes_and_prefixes_do_not_match() {
        let out = apply(env(&["A=1", "AB=2", "A=3", "A"]), &[edit(b"A", Some(b"9"))]);
        assert_eq!(out, env(&["A", "AB=2", "A=3", "A=9"]));
    }

    #[test]
    fn names_with_equals_split_at_the_first() {
        let out = apply(env(&["G=old", "X=1"]), &[edit(b"G=H", Some(b"eq"))]);
        assert_eq!(out, env(&["X=1", "G=H=eq"]));
        // An empty file named G=H still sets G, to H.
        let out = apply(env(&["G=old"]), &[edit(b"G=H", None)]);
        assert_eq!(out, env(&["G=H"]));
    }
}
