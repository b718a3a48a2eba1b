//! multilog's pure parts: the pattern matcher, the script parser, the line router and the
//! rotation rules.

use super::{Input, pieces, words};
use crate::applets::multilog::pattern::matches;
use crate::applets::multilog::route::{MATCH_MAX, Outputs, Router, STATUS_LEN, status_record};
use crate::applets::multilog::rules::{OLD_NAME_LEN, WINDOW, next_piece, oldest_to_remove};
use crate::applets::multilog::script::{Action, MAX_SIZE, MIN_NUM, MIN_SIZE, Script};
use std::ffi::CStr;

/// The matching rule of spec §6 written as plainly as possible (recursion over the
/// pattern): literal bytes match themselves, a final `*` takes everything, and `*c` skips
/// to the first `c` ahead.
fn reference(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => match rest.first() {
            None => true,
            Some(stop) => match text.iter().position(|b| b == stop) {
                Some(at) => reference(rest, &text[at..]),
                None => false,
            },
        },
        Some((&p, rest)) => text.first() == Some(&p) && reference(rest, &text[1..]),
    }
}

/// Bytes drawn mostly from a small alphabet, so that patterns and texts meet.
fn small_alphabet(bytes: &[u8]) -> Vec<u8> {
    bytes
        .iter()
        .map(|&b| match b % 8 {
            0..=2 => b'*',
            3 => b'a',
            4 => b'b',
            5 => b' ',
            6 => b'\n',
            _ => b,
        })
        .collect()
}

/// The matcher agrees with the plain rule; a pattern without `*` matches only itself;
/// `*` alone matches everything.
pub fn pattern(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.byte();
    let (p, t) = (input.sized(255).to_vec(), input.rest().to_vec());
    let (p, t) = if mode & 1 == 0 {
        (small_alphabet(&p), small_alphabet(&t))
    } else {
        (p, t)
    };
    let got = matches(&p, &t);
    assert_eq!(got, reference(&p, &t), "pattern {p:?} text {t:?}");
    if !p.contains(&b'*') {
        assert_eq!(got, p == t);
    }
    assert!(matches(b"*", &t));
    if !t.contains(&b'*') {
        assert!(matches(&t, &t));
    }
}

/// What routing a whole input produced: per directory, stderr lines, last `=` records.
#[derive(Debug, PartialEq, Eq)]
struct Routed {
    dirs: Vec<Vec<u8>>,
    stderr: Vec<Vec<u8>>,
    status: Vec<Option<Vec<u8>>>,
}

/// Routes `chunks` one after another (every chunk gets the same label), then ends input.
fn route_all(script: &Script<'_>, chunks: &[&[u8]]) -> Routed {
    let label = [b'@'; crate::format::tai::LABEL_LEN + 1];
    let mut router = Router::new(script);
    let mut out = router.outputs();
    let mut routed = Routed {
        dirs: vec![Vec::new(); script.dirs.len()],
        stderr: Vec::new(),
        status: vec![None; script.status_files.len()],
    };
    let collect = |out: &mut Outputs, routed: &mut Routed| {
        for (i, dir) in routed.dirs.iter_mut().enumerate() {
            dir.extend_from_slice(out.for_dir(i));
        }
        routed.stderr.extend(out.stderr.iter().cloned());
        for (last, new) in routed.status.iter_mut().zip(&out.status) {
            if let Some(head) = new {
                assert!(head.len() <= MATCH_MAX);
                assert_eq!(status_record(head).len(), STATUS_LEN);
                *last = Some(head.clone());
            }
        }
        out.clear();
    };
    let mut fed = 0;
    for chunk in chunks {
        router.feed(chunk, &label, &mut out);
        fed += chunk.len();
        // What is held undecided is the start of the line in hand: never more than the
        // bytes a line is decided on, never more than was fed.
        assert!(router.held_input() <= MATCH_MAX.min(fed));
        collect(&mut out, &mut routed);
    }
    router.finish(&mut out);
    collect(&mut out, &mut routed);
    assert!(!router.in_line());
    routed
}

/// The script's shape is consistent; routing does not depend on where reads end; a
/// script without patterns, `e` or `=` copies every byte to every directory; every line
/// ends with a newline at end of input.
pub fn route(data: &[u8]) {
    let mut input = Input::new(data);
    let args = words(input.sized(255));
    let args: Vec<&CStr> = args.iter().map(|a| a.as_c_str()).collect();
    let cuts = input.cuts();
    let text = input.rest();
    let script = Script::parse(&args);
    let dir_actions = script
        .actions
        .iter()
        .filter(|a| matches!(a, Action::Dir(_)))
        .count();
    assert_eq!(dir_actions, script.dirs.len());
    for action in &script.actions {
        if let Action::Status(i) = action {
            assert!(*i < script.status_files.len());
        }
    }
    for dir in &script.dirs {
        assert!((MIN_SIZE..=MAX_SIZE).contains(&dir.size));
        assert!(dir.num >= MIN_NUM);
    }
    let whole = route_all(&script, &[text]);
    let split = route_all(&script, &pieces(text, &cuts));
    assert_eq!(whole, split, "routing depends on read boundaries");
    for dir in &whole.dirs {
        assert!(dir.is_empty() || dir.ends_with(b"\n"));
    }
    if !script.examines_lines() && !script.timestamp {
        let mut want = text.to_vec();
        if !want.is_empty() && !want.ends_with(b"\n") {
            want.push(b'\n');
        }
        for dir in &whole.dirs {
            assert_eq!(dir, &want);
        }
    }
    rules(&mut Input::new(text));
}

/// A file never grows past its limit; a piece closes the file only at a newline inside
/// the last `WINDOW` bytes; trimming removes an old name only when there are enough.
fn rules(input: &mut Input<'_>) {
    let size = (input.u64() % MAX_SIZE).max(MIN_SIZE);
    let bytes = input.u64() % size;
    let data = input.rest();
    let (len, close) = next_piece(bytes, size, data);
    assert!(len <= data.len());
    assert!(bytes + len as u64 <= size);
    if close {
        assert_eq!(data[len - 1], b'\n');
        assert!(bytes + len as u64 + WINDOW >= size);
    } else if len < data.len() {
        assert_eq!(bytes + len as u64, size);
    }
    let names: Vec<Vec<u8>> = data.split(|&b| b == b'/').map(<[u8]>::to_vec).collect();
    let num = u64::from(data.first().copied().unwrap_or(0) % 8);
    if let Some(oldest) = oldest_to_remove(&names, num) {
        assert!(oldest.starts_with(b"@") && oldest.len() >= OLD_NAME_LEN);
        let old = names
            .iter()
            .filter(|n| n.starts_with(b"@") && n.len() >= OLD_NAME_LEN);
        assert!(old.clone().count() as u64 >= num);
        assert!(
            old.clone()
                .all(|n| n[..OLD_NAME_LEN] >= oldest[..OLD_NAME_LEN])
        );
    }
}
