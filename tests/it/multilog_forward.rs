//! Integration tests for multilog's `1PREFIX` action: selected lines forwarded to stdout
//! with a prefix, one write per line, while the log directory keeps every line.

use crate::common::*;
use std::fs;

#[test]
fn selected_lines_reach_stdout_with_the_prefix_and_the_directory_keeps_all() {
    let sb = Sandbox::new();
    let input = b"info one\nerror two\ninfo three\nerror four\n";
    let out = sb.run_input("multilog", &["./main", "-*", "+error *", "1web: "], input);
    assert_output(&out, 0, b"web: error two\nweb: error four\n", b"");
    assert_eq!(fs::read(sb.join("main/current")).unwrap(), input);
}

#[test]
fn timestamps_come_after_the_prefix_and_an_empty_prefix_is_allowed() {
    let sb = Sandbox::new();
    let out = sb.run_input("multilog", &["t", "./main", "1"], b"a\nb");
    let text = normalise_labels(&out.stdout);
    assert_eq!(
        show(&text),
        "@TAI a\n@TAI b\n",
        "the last line is finished at the end"
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_long_line_goes_out_in_pieces_with_one_prefix() {
    let sb = Sandbox::new();
    let long = "x".repeat(10_000);
    let input = format!("{long}\nshort\n");
    let out = sb.run_input("multilog", &["1p:"], input.as_bytes());
    assert_eq!(show(&out.stdout), format!("p:{long}\np:short\n"));
}

#[test]
fn a_closed_stdout_is_a_warning_and_the_directory_loses_nothing() {
    let sb = Sandbox::new();
    let mut input = Vec::new();
    for i in 0..20_000 {
        input.extend_from_slice(format!("line {i}\n").as_bytes());
    }
    let mut cmd = sb.command("sh");
    cmd.args(["-c", "multilog s16777215 ./main 1p: | true"]);
    let out = run_with_input(&mut cmd, &input);
    assert_eq!(out.status.code(), Some(0));
    let kept = fs::read(sb.join("main/current")).unwrap();
    assert!(
        kept == input,
        "{} of {} bytes kept",
        kept.len(),
        input.len()
    );
    assert_eq!(
        show(&out.stderr),
        "multilog: warning: unable to write to standard output: broken pipe\n"
    );
}

#[test]
fn the_reference_ignores_the_action() {
    let sb = Sandbox::new();
    let input = b"a\nb\n";
    let theirs = sb.run_input(reference("multilog"), &["./main", "1p:"], input);
    assert_output(&theirs, 0, b"", b"");
    assert_eq!(fs::read(sb.join("main/current")).unwrap(), input);
}
