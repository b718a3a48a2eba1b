//! Integration tests for setuidgid (run as root, as in CI): the ids and groups the program
//! gets, the untouched environment, the PATH search after the switch, every failure message,
//! and the same command lines through the reference.

use crate::common::*;
use crate::envdir::check_unrunnable;

const USAGE: &[u8] = b"setuidgid: usage: setuidgid account child\n";

/// The Uid, Gid and Groups lines of a /proc/PID/status text.
fn ids(status: &[u8]) -> String {
    show(status)
        .lines()
        .filter(|l| l.starts_with("Uid:") || l.starts_with("Gid:") || l.starts_with("Groups:"))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" ") + "\n")
        .collect()
}

#[test]
fn usage() {
    let sb = Sandbox::new();
    for args in [&[][..], &["daemon"][..]] {
        assert_output(&sb.run("setuidgid", args), 100, b"", USAGE);
        same_as_reference(&sb, "setuidgid", args);
    }
}

#[test]
fn switches_uid_gid_and_drops_groups() {
    assert!(is_root(), "setuidgid tests need root (CI runs as root)");
    let sb = Sandbox::new();
    let cases = [
        ("daemon", "Uid: 1 1 1 1\nGid: 1 1 1 1\nGroups: 1\n"),
        (
            "nobody",
            "Uid: 65534 65534 65534 65534\nGid: 65534 65534 65534 65534\nGroups: 65534\n",
        ),
        ("root", "Uid: 0 0 0 0\nGid: 0 0 0 0\nGroups: 0\n"),
    ];
    for (account, expected) in cases {
        let out = sb.run("setuidgid", &[account, "cat", "/proc/self/status"]);
        assert_eq!(
            (out.status.code(), ids(&out.stdout), show(&out.stderr)),
            (Some(0), expected.to_owned(), String::new())
        );
        let theirs = sb.run(
            reference("setuidgid"),
            &[account, "cat", "/proc/self/status"],
        );
        assert_eq!(ids(&theirs.stdout), expected);
    }
}

#[test]
fn environment_is_unchanged() {
    let sb = Sandbox::new();
    let out = sb
        .command("setuidgid")
        .args(["daemon", "env"])
        .env("UID", "7")
        .env("HOME", "/root")
        .output()
        .unwrap();
    let expected = format!("HOME=/root\nPATH={}\nTZ=UTC\nUID=7\n", sb.path_var());
    assert_output(&out, 0, expected.as_bytes(), b"");
}

#[test]
fn a_switched_process_cannot_switch_again() {
    let sb = Sandbox::new();
    let expected: &[u8] = b"setuidgid: fatal: unable to setgid: permission denied\n";
    let theirs = reference("setuidgid");
    for inner in ["setuidgid", theirs.to_str().unwrap()] {
        let out = sb.run("setuidgid", &["nobody", inner, "daemon", "true"]);
        assert_output(&out, 111, b"", expected);
    }
}

#[test]
fn path_search_runs_as_the_new_account() {
    let sb = Sandbox::new();
    let private = sb.mkdir("private");
    sb.script("private/prog", "#!/bin/sh\necho private\n");
    std::fs::set_permissions(
        &private,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    let path = format!("{}:{}", private.display(), sb.path_var());
    for program in [sb.bin("setuidgid"), reference("setuidgid")] {
        let run = |account: &str| {
            sb.command(&program)
                .args([account, "prog"])
                .env("PATH", &path)
                .output()
                .unwrap()
        };
        assert_output(&run("root"), 0, b"private\n", b"");
        assert_output(
            &run("nobody"),
            111,
            b"",
            b"setuidgid: fatal: unable to run prog: access denied\n",
        );
    }
}

#[test]
fn unknown_accounts() {
    let sb = Sandbox::new();
    let cases: &[(&str, &[u8])] = &[
        (
            "nosuchuser",
            b"setuidgid: fatal: unknown account nosuchuser\n",
        ),
        ("-x", b"setuidgid: fatal: unknown account -x\n"),
        ("", b"setuidgid: fatal: unknown account \n"),
        ("daemon:x", b"setuidgid: fatal: unknown account daemon:x\n"),
    ];
    for (account, stderr) in cases {
        assert_output(&sb.run("setuidgid", &[account, "true"]), 111, b"", stderr);
        same_as_reference(&sb, "setuidgid", &[account, "true"]);
    }
}

#[test]
fn program_that_cannot_be_run() {
    check_unrunnable(&Sandbox::new(), "setuidgid", &["daemon"]);
}
