//! Integration tests for svok: every exit code and message, ours against the reference.

use crate::common::*;
use crate::svc::mkfifo;
use std::fs::OpenOptions;
use std::os::unix::fs::OpenOptionsExt;

/// Runs our svok and the reference with `args`; both must give `code` and `stderr`.
fn both(sb: &Sandbox, args: &[&str], code: i32, stderr: &str) {
    assert_output(&sb.run("svok", args), code, b"", stderr.as_bytes());
    assert_output(
        &sb.run(reference("svok"), args),
        code,
        b"",
        stderr.as_bytes(),
    );
}

#[test]
fn usage() {
    let sb = Sandbox::new();
    both(&sb, &[], 100, "svok: usage: svok dir\n");
}

#[test]
fn running_supervise_is_ok() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_up(&sb, "s");
    both(&sb, &["s"], 0, "");
    // Only the first argument counts.
    both(&sb, &["s", "nonexistent"], 0, "");
}

#[test]
fn not_running_is_100() {
    let sb = Sandbox::new();
    sb.mkdir("never");
    mkfifo(&sb.join("stopped/supervise/ok"));
    both(&sb, &["never"], 100, "");
    both(&sb, &["stopped"], 100, "");
}

#[test]
fn regular_file_counts_as_running() {
    let sb = Sandbox::new();
    sb.write("odd/supervise/ok", "");
    both(&sb, &["odd"], 0, "");
}

#[test]
fn errors_are_111() {
    let sb = Sandbox::new();
    sb.write("file", "");
    sb.mkdir("okdir/supervise/ok");
    both(
        &sb,
        &["nonexistent"],
        111,
        "svok: fatal: unable to chdir to nonexistent: file does not exist\n",
    );
    both(
        &sb,
        &["file"],
        111,
        "svok: fatal: unable to chdir to file: not a directory\n",
    );
    both(
        &sb,
        &["okdir"],
        111,
        "svok: fatal: unable to open okdir/supervise/ok: is a directory\n",
    );
}

#[test]
fn svok_writes_nothing_to_the_fifo() {
    let sb = Sandbox::new();
    mkfifo(&sb.join("s/supervise/ok"));
    let mut reader = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(sb.join("s/supervise/ok"))
        .unwrap();
    assert_output(&sb.run("svok", &["s"]), 0, b"", b"");
    let mut buf = [0u8; 8];
    let got = std::io::Read::read(&mut reader, &mut buf).unwrap_or(0);
    assert_eq!(got, 0);
}
