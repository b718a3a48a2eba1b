//! Integration tests for fghack: exit codes passed through, waiting for background
//! descendants, the 31 inherited pipe descriptors, crashed children, programs that close
//! their descriptors, failures, and the same command lines through the reference.

use crate::common::*;
use crate::envdir::check_unrunnable;
use std::process::Stdio;
use std::time::Duration;

const USAGE: &[u8] = b"fghack: usage: fghack child\n";

#[test]
fn usage() {
    let sb = Sandbox::new();
    assert_output(&sb.run("fghack", &[]), 100, b"", USAGE);
    same_as_reference(&sb, "fghack", &[]);
}

#[test]
fn exit_code_and_output_pass_through() {
    let sb = Sandbox::new();
    let cases: &[(&[&str], i32, &[u8])] = &[
        (&["true"], 0, b""),
        (&["echo", "hi", "-x"], 0, b"hi -x\n"),
        (&["sh", "-c", "exit 7"], 7, b""),
        (&["sh", "-c", "exit 255"], 255, b""),
    ];
    for (args, code, stdout) in cases {
        assert_output(&sb.run("fghack", args), *code, stdout, b"");
        same_as_reference(&sb, "fghack", args);
    }
}

#[test]
fn waits_for_background_descendants() {
    let sb = Sandbox::new();
    let theirs = reference("fghack");
    for fghack in [sb.bin("fghack"), theirs] {
        let _ = std::fs::remove_file(sb.join("marker"));
        let script = "(sleep 0.2; echo done > marker) & exit 7";
        let out = sb
            .command(&fghack)
            .args(["sh", "-c", script])
            .output()
            .unwrap();
        assert_output(&out, 7, b"", b"");
        let marker = std::fs::read(sb.join("marker")).unwrap_or_default();
        assert_eq!(
            show(&marker),
            "done\n",
            "{} returned early",
            fghack.display()
        );
    }
}

#[test]
fn program_holds_31_copies_of_the_write_end() {
    let sb = Sandbox::new();
    // Lists the descriptors that share fd 3's pipe.
    let script = r#"t=$(readlink /proc/$$/fd/3); for f in /proc/$$/fd/*; do
        [ "$(readlink "$f")" = "$t" ] && echo "${f##*/}"; done | sort -n | tr '\n' ' '"#;
    let out = same_as_reference(&sb, "fghack", &["sh", "-c", script]);
    assert_eq!(
        (out.status.code(), show(&out.stderr)),
        (Some(0), String::new())
    );
    // The shell moves one descriptor of its own out of the way, so only the count is fixed.
    let fds: Vec<u32> = show(&out.stdout)
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    assert_eq!(fds.len(), 31, "{fds:?}");
    assert!(fds.iter().all(|&n| (3..=40).contains(&n)), "{fds:?}");
}

#[test]
fn child_killed_by_a_signal_is_a_crash() {
    let sb = Sandbox::new();
    for signal in ["KILL", "TERM", "SEGV"] {
        let script = format!("kill -{signal} $$");
        let args = ["sh", "-c", script.as_str()];
        assert_output(
            &sb.run("fghack", &args),
            111,
            b"",
            b"fghack: fatal: child crashed\n",
        );
        same_as_reference(&sb, "fghack", &args);
    }
}

#[test]
fn descendant_that_closes_its_descriptors_is_not_waited_for() {
    let sb = Sandbox::new();
    let script = "bash -c 'for i in {3..40}; do eval \"exec $i>&-\"; done; exec sleep 100' \
                  >/dev/null 2>&1 </dev/null & echo $! > descendant; exit 4";
    for fghack in [sb.bin("fghack"), reference("fghack")] {
        let mut guard = ProcessGuard::spawn(
            sb.command(&fghack)
                .args(["sh", "-c", script])
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let status = guard.wait_exit(Duration::from_secs(20));
        assert_eq!(status.code(), Some(4), "{}", fghack.display());
        // fghack is gone while the descendant still sleeps (the guard kills it).
        let pid = std::fs::read_to_string(sb.join("descendant")).unwrap();
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()));
        assert!(
            stat.is_ok_and(|s| !s.contains(") Z ")),
            "{}: the descendant is gone",
            fghack.display()
        );
    }
}

#[test]
fn program_that_cannot_be_run() {
    check_unrunnable(&Sandbox::new(), "fghack", &[]);
}
