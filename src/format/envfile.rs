//! envdir's value rules and the environment edit algorithm shared by envdir and envuidgid.
//!
//! Pure: bytes in, bytes out. A file's content becomes a value by keeping what precedes the
//! first newline, stripping trailing blanks and tabs (nothing else) and turning NUL bytes into
//! newlines; an empty file means "remove". An edit is `NAME` (remove) or `NAME=VALUE`, split at
//! its first `=`, and is applied the way 0.76 does it: the first entry with that name is
//! replaced by the last entry of the array, then the edit is appended if it carries a value.

/// The value a non-empty file content gives, or `None` for an empty file (remove the name).
pub fn value(content: &[u8]) -> Option<Vec<u8>> {
    if content.is_empty() {
        return None;
    }
    let line = content.split(|&b| b == b'\n').next().unwrap_or_default();
    let kept = line
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |last| last + 1);
    Some(
        line[..kept]
            .iter()
            .map(|&b| if b == 0 { b'\n' } else { b })
            .collect(),
    )
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
