//! Integration tests for pgrphack: the program leads a new session and process group, an
//! existing group leader still runs the program, usage and exec failures, and the same
//! command lines through the reference.

use crate::common::*;
use crate::envdir::check_unrunnable;
use std::os::unix::process::CommandExt;

const USAGE: &[u8] = b"pgrphack: usage: pgrphack child\n";

/// (pid, process group, session) from a /proc/PID/stat line.
fn ids(stat: &[u8]) -> (u32, u32, u32) {
    let text = show(stat);
    let pid = text.split_whitespace().next().unwrap().parse().unwrap();
    let after_comm = &text[text.rfind(')').unwrap() + 2..];
    let fields: Vec<u32> = after_comm
        .split_whitespace()
        .skip(2)
        .take(2)
        .map(|f| f.parse().unwrap())
        .collect();
    (pid, fields[0], fields[1])
}

#[test]
fn usage() {
    let sb = Sandbox::new();
    assert_output(&sb.run("pgrphack", &[]), 100, b"", USAGE);
    same_as_reference(&sb, "pgrphack", &[]);
}

#[test]
fn program_leads_a_new_session() {
    let sb = Sandbox::new();
    let own_session = ids(&std::fs::read("/proc/self/stat").unwrap()).2;
    for pgrphack in [sb.bin("pgrphack"), reference("pgrphack")] {
        let out = sb
            .command(&pgrphack)
            .args(["cat", "/proc/self/stat"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let (pid, group, session) = ids(&out.stdout);
        assert_eq!((group, session), (pid, pid), "{}", pgrphack.display());
        assert_ne!(session, own_session);
    }
}

#[test]
fn group_leader_stays_in_its_session() {
    let sb = Sandbox::new();
    let own_session = ids(&std::fs::read("/proc/self/stat").unwrap()).2;
    for pgrphack in [sb.bin("pgrphack"), reference("pgrphack")] {
        let out = sb
            .command(&pgrphack)
            .args(["cat", "/proc/self/stat"])
            .process_group(0)
            .output()
            .unwrap();
        assert_eq!(
            (out.status.code(), show(&out.stderr)),
            (Some(0), String::new())
        );
        let (pid, group, session) = ids(&out.stdout);
        assert_eq!(
            (group, session),
            (pid, own_session),
            "{}",
            pgrphack.display()
        );
    }
}

#[test]
fn arguments_reach_the_program() {
    let sb = Sandbox::new();
    let out = same_as_reference(&sb, "pgrphack", &["echo", "-x", "", "two words"]);
    assert_output(&out, 0, b"-x  two words\n", b"");
    let out = same_as_reference(&sb, "pgrphack", &["sh", "-c", "exit 42"]);
    assert_output(&out, 42, b"", b"");
}

#[test]
fn program_that_cannot_be_run() {
    check_unrunnable(&Sandbox::new(), "pgrphack", &[]);
}
