//! Integration tests for envuidgid: the GID/UID edits and their order, unknown accounts,
//! usage, programs that cannot be run, and the same command lines through the reference.

use crate::common::*;
use crate::envdir::check_unrunnable;

const USAGE: &[u8] = b"envuidgid: usage: envuidgid account child\n";

#[test]
fn usage() {
    let sb = Sandbox::new();
    for args in [&[][..], &["daemon"][..]] {
        assert_output(&sb.run("envuidgid", args), 100, b"", USAGE);
        same_as_reference(&sb, "envuidgid", args);
    }
}

#[test]
fn sets_gid_then_uid() {
    let sb = Sandbox::new();
    let out = sb.run("envuidgid", &["nobody", "env"]);
    let expected = format!("PATH={}\nTZ=UTC\nGID=65534\nUID=65534\n", sb.path_var());
    assert_output(&out, 0, expected.as_bytes(), b"");
    same_as_reference(&sb, "envuidgid", &["nobody", "env"]);
    same_as_reference(&sb, "envuidgid", &["root", "env"]);
}

#[test]
fn edit_order_matches_0_76() {
    let sb = Sandbox::new();
    let theirs = reference("envuidgid");
    let ours = sb.bin("envuidgid");
    for program in [&ours, &theirs] {
        let program = program.to_str().unwrap();
        let env = [
            "-", "A=1", "UID=2", "C=3", "GID=4", "E=5", program, "daemon", "env",
        ];
        let out = sb.run("env", &env);
        assert_output(&out, 0, b"A=1\nGID=1\nC=3\nE=5\nUID=1\n", b"");
    }
}

#[test]
fn privileges_are_unchanged() {
    let sb = Sandbox::new();
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let ids = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("Uid:") || l.starts_with("Gid:"))
            .map(str::to_owned)
            .collect()
    };
    let out = sb.run("envuidgid", &["nobody", "cat", "/proc/self/status"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(ids(&show(&out.stdout)), ids(&status));
}

#[test]
fn unknown_accounts() {
    let sb = Sandbox::new();
    let cases: &[(&str, &[u8])] = &[
        (
            "nosuchuser",
            b"envuidgid: fatal: unknown account nosuchuser\n",
        ),
        ("-x", b"envuidgid: fatal: unknown account -x\n"),
        ("", b"envuidgid: fatal: unknown account \n"),
        ("root:x", b"envuidgid: fatal: unknown account root:x\n"),
        ("roo", b"envuidgid: fatal: unknown account roo\n"),
    ];
    for (account, stderr) in cases {
        assert_output(&sb.run("envuidgid", &[account, "true"]), 111, b"", stderr);
        same_as_reference(&sb, "envuidgid", &[account, "true"]);
    }
}

#[test]
fn program_that_cannot_be_run() {
    check_unrunnable(&Sandbox::new(), "envuidgid", &["daemon"]);
}
