//! Integration tests for tai64n: labels, pass-through, chunking, flushing, exit codes, and
//! the reference side by side.

use crate::common::*;
use std::io::{BufRead, BufReader, Write};
use std::process::{Output, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// TAI64 seconds of the Unix epoch (2^62 + 10).
const EPOCH_TAI: u64 = (1 << 62) + 10;

/// Splits labelled output into (label seconds, label nanoseconds, rest of line) triples.
fn labels(out: &[u8]) -> Vec<(u64, u32, Vec<u8>)> {
    out.split_inclusive(|&b| b == b'\n')
        .map(|line| {
            assert!(
                line.len() >= 26 && line[0] == b'@' && line[25] == b' ',
                "{}",
                show(line)
            );
            let hex = std::str::from_utf8(&line[1..25]).unwrap();
            assert!(
                hex.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
            let secs = u64::from_str_radix(&hex[..16], 16).unwrap();
            let nanos = u32::from_str_radix(&hex[16..], 16).unwrap();
            (secs, nanos, line[26..].to_vec())
        })
        .collect()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[test]
fn every_line_gets_a_label_and_bytes_pass_unchanged() {
    let sb = Sandbox::new();
    let out = sb.run_input("tai64n", &[], b"a\n\nb\0c\r\n  spaced \t\nlast");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stderr, b"");
    assert_eq!(
        show(&normalise_labels(&out.stdout)),
        show(b"@TAI a\n@TAI \n@TAI b\0c\r\n@TAI   spaced \t\n@TAI last")
    );
}

#[test]
fn empty_input_gives_empty_output() {
    let sb = Sandbox::new();
    assert_output(&sb.run_input("tai64n", &[], b""), 0, b"", b"");
}

#[test]
fn arguments_are_ignored() {
    let sb = Sandbox::new();
    let out = sb.run_input("tai64n", &["-x", "whatever"], b"one\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(normalise_labels(&out.stdout), b"@TAI one\n");
    assert_eq!(out.stderr, b"");
}

#[test]
fn labels_are_now_and_never_go_back() {
    let sb = Sandbox::new();
    let input: Vec<u8> = (0..5000)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    let before = unix_now();
    let out = sb.run_input("tai64n", &[], &input);
    let after = unix_now();
    assert_eq!(out.status.code(), Some(0));
    let lines = labels(&out.stdout);
    assert_eq!(lines.len(), 5000);
    let mut last = (0, 0);
    for (i, (secs, nanos, rest)) in lines.iter().enumerate() {
        assert_eq!(rest, format!("line {i}\n").as_bytes());
        assert!(*nanos < 1_000_000_000);
        let unix = secs - EPOCH_TAI;
        assert!(
            before <= unix && unix <= after,
            "label {unix} outside {before}..={after}"
        );
        assert!((*secs, *nanos) >= last, "label went back at line {i}");
        last = (*secs, *nanos);
    }
    // Full clock resolution, not daemontools' microseconds * 1000 + 500.
    assert!(lines.iter().any(|(_, nanos, _)| nanos % 1000 != 500));
}

#[test]
fn lines_longer_than_a_read_keep_one_label() {
    let sb = Sandbox::new();
    let long = vec![b'x'; 300_000];
    let mut input = long.clone();
    input.extend_from_slice(b"\nshort\n");
    input.extend_from_slice(&long);
    let out = sb.run_input("tai64n", &[], &input);
    assert_eq!(out.status.code(), Some(0));
    let mut want = b"@TAI ".to_vec();
    want.extend_from_slice(&long);
    want.extend_from_slice(b"\n@TAI short\n@TAI ");
    want.extend_from_slice(&long);
    assert!(normalise_labels(&out.stdout) == want, "long lines mangled");
}

#[test]
fn many_short_lines_across_reads() {
    let sb = Sandbox::new();
    let input: Vec<u8> = (0..200_000)
        .flat_map(|i| format!("{i}\n").into_bytes())
        .collect();
    let out = sb.run_input("tai64n", &[], &input);
    assert_eq!(out.status.code(), Some(0));
    let want: Vec<u8> = (0..200_000)
        .flat_map(|i| format!("@TAI {i}\n").into_bytes())
        .collect();
    assert!(normalise_labels(&out.stdout) == want, "short lines mangled");
}

#[test]
fn a_slow_writers_lines_come_out_at_once() {
    let sb = Sandbox::new();
    let mut guard = ProcessGuard::spawn(
        sb.command("tai64n")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    );
    let mut stdin = guard.child.stdin.take().unwrap();
    let mut stdout = BufReader::new(guard.child.stdout.take().unwrap());
    for word in ["first", "second"] {
        stdin.write_all(format!("{word}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
        // The writer keeps stdin open: the line must arrive without end of input.
        let mut line = Vec::new();
        stdout.read_until(b'\n', &mut line).unwrap();
        assert_eq!(normalise_labels(&line), format!("@TAI {word}\n").as_bytes());
    }
    drop(stdin);
    assert_eq!(guard.wait_exit(Duration::from_secs(20)).code(), Some(0));
}

#[test]
fn read_error_exits_111_silently() {
    check_read_error("tai64n");
}

/// A directory on stdin (read fails with EISDIR): `applet` and the reference exit 111
/// without a word.
pub fn check_read_error(applet: &str) {
    let sb = Sandbox::new();
    sb.mkdir("dir");
    for program in [sb.bin(applet), reference(applet)] {
        let dir = std::fs::File::open(sb.join("dir")).unwrap();
        let out = sb.command(&program).stdin(dir).output().unwrap();
        assert_output(&out, 111, b"", b"");
    }
}

/// Runs `program` with `input` on stdin and stdout on /dev/full.
pub fn run_into_dev_full(sb: &Sandbox, program: &std::path::Path, input: &[u8]) -> Output {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut child = sb
        .command(program)
        .stdin(Stdio::piped())
        .stdout(full)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The program may exit before reading everything: a broken pipe here is fine.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

#[test]
fn write_error_exits_111_silently() {
    let sb = Sandbox::new();
    for program in [sb.bin("tai64n"), reference("tai64n")] {
        assert_output(&run_into_dev_full(&sb, &program, b"line\n"), 111, b"", b"");
    }
}

/// Runs `program` through `sh` with descriptor `fd` closed (`<&-` or `>&-`).
pub fn run_with_closed(sb: &Sandbox, program: &std::path::Path, redirect: &str) -> Output {
    let script = format!("exec \"$0\" {redirect}");
    let mut cmd = sb.command("/bin/sh");
    cmd.arg("-c").arg(script).arg(program);
    run_with_input(&mut cmd, b"line\n")
}

/// Runs `program` with a reader that has gone away: it is killed by SIGPIPE.
pub fn run_into_broken_pipe(sb: &Sandbox, program: &std::path::Path, input: &[u8]) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    let mut child = sb
        .command(program)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait().unwrap().signal()
}

#[test]
fn closed_descriptors_and_broken_pipes_like_the_reference() {
    let sb = Sandbox::new();
    for program in [sb.bin("tai64n"), reference("tai64n")] {
        assert_output(&run_with_closed(&sb, &program, "<&-"), 111, b"", b"");
        assert_output(&run_with_closed(&sb, &program, ">&-"), 111, b"", b"");
        assert_eq!(
            run_into_broken_pipe(&sb, &program, &[b'\n'; 100_000]),
            Some(13)
        );
    }
}

#[test]
fn same_output_as_the_reference_apart_from_labels() {
    let sb = Sandbox::new();
    let mut input = b"plain\n\n\0nul\r\n".to_vec();
    input.extend((0..=255u8).filter(|&b| b != b'\n'));
    input.extend_from_slice(b"\n@400000006b03ca5d13621ad4 label already\nno newline");
    let ours = sb.run_input("tai64n", &[], &input);
    let theirs = sb.run_input(reference("tai64n"), &[], &input);
    assert_eq!(ours.status.code(), theirs.status.code());
    assert!(normalise_labels(&ours.stdout) == normalise_labels(&theirs.stdout));
    assert_eq!(ours.stderr, theirs.stderr);
}
