use super::*;
use std::ffi::{CStr, CString};

const LABEL_A: &[u8; 26] = b"@4000000000000000000000aa ";
const LABEL_B: &[u8; 26] = b"@4000000000000000000000bb ";

/// Feeds `chunks` (each with its own label, alternating A/B) through the script made of
/// `args`, then ends the input when `eof`; returns everything produced, chunk after chunk.
fn route(args: &[&str], chunks: &[&[u8]], eof: bool) -> Outputs {
    let owned: Vec<CString> = args.iter().map(|a| CString::new(*a).unwrap()).collect();
    let refs: Vec<&CStr> = owned.iter().map(|c| c.as_c_str()).collect();
    let script = Script::parse(&refs);
    let mut router = Router::new(&script);
    let mut out = router.outputs();
    for (i, chunk) in chunks.iter().enumerate() {
        let label: &[u8] = if i % 2 == 0 { LABEL_A } else { LABEL_B };
        router.feed(chunk, label, &mut out);
    }
    if eof {
        router.finish(&mut out);
    }
    assert_eq!(
        router.in_line(),
        !eof && !chunks.concat().ends_with(b"\n") && !chunks.concat().is_empty()
    );
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn spec_selection_example() {
    let args = ["-*", "+a*", "./A", "-*", "+b*", "./B", "+*", "e", "./C"];
    let out = route(&args, &[b"apple\nbanana\navocado\ncherry\n"], true);
    assert_eq!(text(out.for_dir(0)), "apple\navocado\n");
    assert_eq!(text(out.for_dir(1)), "banana\n");
    assert_eq!(text(out.for_dir(2)), "apple\nbanana\navocado\ncherry\n");
    let err: Vec<String> = out.stderr.iter().map(|l| text(l)).collect();
    assert_eq!(err, ["apple\n", "banana\n", "avocado\n", "cherry\n"]);
}

#[test]
fn plain_directories_get_every_byte() {
    let input: &[u8] = b"one\n\0two\r\n\xff\xfe\n\nlast";
    let out = route(&["./a", "./b"], &[input], true);
    assert_eq!(out.for_dir(0), b"one\n\0two\r\n\xff\xfe\n\nlast\n");
    assert_eq!(out.for_dir(1), out.for_dir(0));
    let out = route(&["./a", "-x", "./b"], &[input], true);
    assert_eq!(out.for_dir(1), b"one\n\0two\r\n\xff\xfe\n\nlast\n");
}

#[test]
fn empty_input_gives_nothing() {
    let out = route(&["t", "./a", "e", "=s"], &[], true);
    assert!(out.for_dir(0).is_empty() && out.stderr.is_empty() && out.status[0].is_none());
    let out = route(&["t", "./a"], &[b""], true);
    assert!(out.for_dir(0).is_empty());
}

#[test]
fn partial_line_is_written_at_once_without_patterns() {
    let out = route(&["./a"], &[b"one\ntw"], false);
    assert_eq!(out.for_dir(0), b"one\ntw");
    let out = route(&["t", "./a"], &[b"one\ntw", b"o\nthree"], false);
    let want = [&LABEL_A[..], b"one\n", LABEL_A, b"two\n", LABEL_B, b"three"].concat();
    assert_eq!(text(out.for_dir(0)), text(&want));
}

#[test]
fn undecided_head_waits_for_its_line_end() {
    let out = route(&["-x*", "./a"], &[b"one\ntw"], false);
    assert_eq!(out.for_dir(0), b"one\n");
    let out = route(&["-x*", "./a"], &[b"one\ntw", b"o\nxno\n"], false);
    assert_eq!(out.for_dir(0), b"one\ntwo\n");
}

#[test]
fn timestamps_start_every_line_even_empty_ones() {
    let out = route(&["t", "./a"], &[b"\nx\n", b"\n"], true);
    let want = [&LABEL_A[..], b"\n", LABEL_A, b"x\n", LABEL_B, b"\n"].concat();
    assert_eq!(text(out.for_dir(0)), text(&want));
}

#[test]
fn patterns_see_the_label() {
    let args = ["t", "-*", "+* fatal: *", "./a"];
    let out = route(&args, &[b"ok\nfatal: no\nx fatal: y\n"], true);
    assert_eq!(
        text(out.for_dir(0)),
        text(&[&LABEL_A[..], b"fatal: no\n"].concat())
    );
}

#[test]
fn only_the_first_thousand_bytes_are_matched() {
    let mut line = vec![b'a'; MATCH_MAX - 1];
    line.extend_from_slice(b"xy\n");
    let out = route(&["-*", "+*y", "./a"], &[&line], true);
    assert!(out.for_dir(0).is_empty());
    let out = route(&["-*", "+*x", "./a"], &[&line], true);
    assert_eq!(out.for_dir(0), &line[..]);
    let out = route(
        &["-*", "+*y", "./a"],
        &[&line[..line.len() - 2], b"y\n"],
        true,
    );
    assert!(out.for_dir(0).is_empty());
}

#[test]
fn long_line_split_across_chunks_is_complete() {
    let line: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let chunks: Vec<&[u8]> = line.chunks(333).chain([&b"\n"[..]]).collect();
    let out = route(&["t", "-*", "+@*", "e", "=st", "./a"], &chunks, true);
    let want = [&LABEL_A[..], &line, b"\n"].concat();
    assert_eq!(out.for_dir(0), &want[..]);
    assert_eq!(out.stderr.len(), 1);
    assert_eq!(out.stderr[0], [&want[..STDERR_MAX], b"...\n"].concat());
    let record = status_record(out.status[0].as_ref().unwrap());
    assert_eq!(record.len(), STATUS_LEN);
    assert_eq!(&record[..MATCH_MAX], &want[..MATCH_MAX]);
    assert_eq!(record[MATCH_MAX], b'\n');
}

#[test]
fn stderr_cuts_after_two_hundred_bytes() {
    let exact = [vec![b'x'; STDERR_MAX], b"\n".to_vec()].concat();
    let over = [vec![b'y'; STDERR_MAX + 1], b"\n".to_vec()].concat();
    let out = route(&["e"], &[&exact, &over], true);
    assert_eq!(out.stderr[0], exact);
    assert_eq!(out.stderr[1], [&over[..STDERR_MAX], b"...\n"].concat());
    assert_eq!(out.stderr[1].len(), 204);
}

#[test]
fn status_record_is_padded_and_latest_wins() {
    let out = route(
        &["-*", "+STAT*", "=st"],
        &[b"STAT one\nnoise\nSTAT two\n"],
        true,
    );
    let record = status_record(out.status[0].as_ref().unwrap());
    assert_eq!(record.len(), STATUS_LEN);
    assert_eq!(&record[..9], b"STAT two\n");
    assert!(record[8..].iter().all(|&b| b == b'\n'));
    let out = route(&["=st"], &[b"x\n\n"], true);
    assert_eq!(
        status_record(out.status[0].as_ref().unwrap()),
        [b'\n'; STATUS_LEN]
    );
}

#[test]
fn final_partial_line_is_finished_at_eof() {
    let out = route(&["-*", "+t*", "=st", "e", "./a"], &[b"one\ntwo"], true);
    assert_eq!(out.for_dir(0), b"two\n");
    assert_eq!(out.stderr, [b"two\n".to_vec()]);
    assert_eq!(out.status[0].as_deref(), Some(&b"two"[..]));
}

#[test]
fn deselected_lines_go_nowhere_but_later_directories_may_take_them() {
    let out = route(&["-b*", "./a", "+b*", "./b"], &[b"a\nb\n"], true);
    assert_eq!(out.for_dir(0), b"a\n");
    assert_eq!(out.for_dir(1), b"a\nb\n");
}

#[test]
fn newline_search_agrees_with_a_plain_scan() {
    let hay = b"0123456789abcdef\n0123456\n\n";
    for start in 0..hay.len() {
        for end in start..=hay.len() {
            let part = &hay[start..end];
            assert_eq!(
                find_newline(part),
                part.iter().position(|&b| b == b'\n'),
                "{start}..{end}"
            );
        }
    }
    let tricky = [0x0bu8, 0x8a, 0x0a, 0x09, 0xff, 0x00, 0x0a, 0x0b, 0x0a];
    assert_eq!(find_newline(&tricky), Some(2));
    assert_eq!(find_newline(&[0x8a; 64]), None);
}
