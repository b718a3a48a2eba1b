//! Integration tests for setlock: the inherited locked descriptor, blocking and non-blocking
//! locks against our own and the reference setlock, `-x`/`-X`, every failure message, and the
//! same command lines through the reference.

use crate::common::*;
use crate::envdir::check_unrunnable;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

const USAGE: &[u8] = b"setlock: usage: setlock [ -nNxX ] file program [ arg ... ]\n";
const HELD: &[u8] = b"setlock: fatal: unable to lock lk: temporary failure\n";

/// Both implementations, as program paths.
fn both(sb: &Sandbox) -> [String; 2] {
    [sb.bin("setlock"), reference("setlock")].map(|p| p.to_str().unwrap().to_owned())
}

#[test]
fn usage_errors() {
    let sb = Sandbox::new();
    let illegal = [&b"setlock: illegal option -- z\n"[..], USAGE].concat();
    let cases: &[(&[&str], &[u8])] = &[
        (&[], USAGE),
        (&["lk"], USAGE),
        (&["-n", "lk"], USAGE),
        (&["--", "lk"], USAGE),
        (&["-nx"], USAGE),
        (&["-z", "lk", "true"], &illegal),
        (&["-nz", "lk", "true"], &illegal),
    ];
    for (args, stderr) in cases {
        assert_output(&sb.run("setlock", args), 100, b"", stderr);
        same_as_reference(&sb, "setlock", args);
    }
    assert!(
        !sb.join("lk").exists(),
        "a usage error must not create the file"
    );
}

#[test]
fn program_inherits_the_locked_descriptor() {
    let sb = Sandbox::new();
    for setlock in both(&sb) {
        let out = sb.run(&setlock, &["lk", "cat", "/proc/self/fdinfo/3"]);
        let text = show(&out.stdout);
        assert_eq!(
            (out.status.code(), show(&out.stderr)),
            (Some(0), String::new()),
            "{setlock}"
        );
        // O_WRONLY|O_APPEND|O_NONBLOCK|O_LARGEFILE, no close-on-exec, an flock write lock.
        assert!(text.contains("flags:\t0106001\n"), "{setlock}: {text}");
        assert!(
            text.contains(" FLOCK  ADVISORY  WRITE "),
            "{setlock}: {text}"
        );
        let out = sb.run(&setlock, &["lk", "readlink", "/proc/self/fd/3"]);
        let target = format!("{}\n", sb.join("lk").display());
        assert_output(&out, 0, target.as_bytes(), b"");
    }
}

#[test]
fn file_is_created_0600_and_never_truncated() {
    let sb = Sandbox::new();
    let out = sb.run("setlock", &["lk", "true"]);
    assert_output(&out, 0, b"", b"");
    let len = std::fs::metadata(sb.join("lk")).unwrap().len();
    assert_eq!((len, mode_of(sb.join("lk"))), (0, 0o600));
    sb.write("kept", "keep\n");
    std::fs::set_permissions(sb.join("kept"), std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = sb.run("setlock", &["kept", "sh", "-c", "echo more >&3"]);
    assert_output(&out, 0, b"", b"");
    assert_eq!(std::fs::read(sb.join("kept")).unwrap(), b"keep\nmore\n");
    assert_eq!(mode_of(sb.join("kept")), 0o644);
}

#[test]
fn nonblocking_lock_fails_while_held() {
    let sb = Sandbox::new();
    for outer in both(&sb) {
        for inner in both(&sb) {
            let out = sb.run(&outer, &["lk", &inner, "-n", "lk", "echo", "inner"]);
            assert_output(&out, 111, b"", HELD);
            let out = sb.run(&outer, &["lk", &inner, "-nx", "lk", "echo", "inner"]);
            assert_output(&out, 0, b"", b"");
            // Last of each pair wins.
            let out = sb.run(
                &outer,
                &["lk", &inner, "-Nnxn", "-X", "lk", "echo", "inner"],
            );
            assert_output(&out, 111, b"", HELD);
        }
    }
    // Free again once the holder has gone.
    assert_output(
        &sb.run("setlock", &["-n", "lk", "echo", "free"]),
        0,
        b"free\n",
        b"",
    );
}

#[test]
fn blocking_lock_waits_for_the_holder() {
    let sb = Sandbox::new();
    for (holder, waiter) in [(0, 0), (0, 1), (1, 0)] {
        let programs = both(&sb);
        let marker = sb.join("held");
        let _ = std::fs::remove_file(&marker);
        let hold = ProcessGuard::spawn(sb.command(&programs[holder]).args([
            "lk",
            "sh",
            "-c",
            ": > held; exec sleep 30",
        ]));
        wait_for(Duration::from_secs(20), "holder has the lock", || {
            marker.exists()
        });
        let mut wait = ProcessGuard::spawn(
            sb.command(&programs[waiter])
                .args(["lk", "echo", "got"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        );
        // Once the waiter has the lock file open, it is still waiting a moment later (a
        // non-blocking attempt would have failed at once).
        let fds = format!("/proc/{}/fd", wait.pid());
        wait_for(
            Duration::from_secs(20),
            "waiter opened the lock file",
            || {
                std::fs::read_dir(&fds).is_ok_and(|d| {
                    d.flatten()
                        .any(|e| std::fs::read_link(e.path()).is_ok_and(|t| t.ends_with("lk")))
                })
            },
        );
        std::thread::sleep(Duration::from_millis(150));
        assert!(
            wait.child.try_wait().unwrap().is_none(),
            "the waiter did not wait"
        );
        hold.signal("KILL");
        let status = wait.wait_exit(Duration::from_secs(20));
        assert_eq!(status.code(), Some(0));
        let mut got = String::new();
        std::io::Read::read_to_string(wait.child.stdout.as_mut().unwrap(), &mut got).unwrap();
        assert_eq!(got, "got\n");
    }
}

#[test]
fn open_failures() {
    let sb = Sandbox::new();
    sb.mkdir("dir");
    let cases: &[(&str, &[u8])] = &[
        (
            "nodir/lk",
            b"setlock: fatal: unable to open nodir/lk: file does not exist\n",
        ),
        (
            "dir",
            b"setlock: fatal: unable to open dir: is a directory\n",
        ),
        (
            "",
            b"setlock: fatal: unable to open : file does not exist\n",
        ),
    ];
    for (file, stderr) in cases {
        for flags in ["-X", "-xX", "-nX"] {
            assert_output(&sb.run("setlock", &[flags, file, "true"]), 111, b"", stderr);
            same_as_reference(&sb, "setlock", &[flags, file, "true"]);
        }
        assert_output(&sb.run("setlock", &[file, "true"]), 111, b"", stderr);
        for flags in ["-x", "-Xx", "-nx"] {
            assert_output(
                &sb.run("setlock", &[flags, file, "echo", "no"]),
                0,
                b"",
                b"",
            );
            same_as_reference(&sb, "setlock", &[flags, file, "echo", "no"]);
        }
    }
}

#[test]
fn program_that_cannot_be_run() {
    let sb = Sandbox::new();
    // -x only covers the open and the lock, not the exec.
    for flags in ["-N", "-x"] {
        check_unrunnable(&sb, "setlock", &[flags, "lk"]);
    }
}

#[test]
fn a_word_starting_with_two_dashes_ends_the_options() {
    let sb = Sandbox::new();
    let out = same_as_reference(&sb, "setlock", &["-n", "--lock", "lockfile", "echo", "hi"]);
    assert_output(&out, 0, b"hi\n", b"");
    let out = same_as_reference(&sb, "setlock", &["-n--x", "lockfile", "true"]);
    assert_output(
        &out,
        100,
        b"",
        b"setlock: illegal option -- -\nsetlock: usage: setlock [ -nNxX ] file program [ arg ... ]\n",
    );
}
