//! The README's qmail-style logged service (migration notes), as root: the README's own
//! block builds the tree, svscan runs it, and the logger under `setuidgid qmaill` keeps
//! every line in `main/` and the last status line in `status`. Without the block's
//! `touch`/`chown` step the logger fails exactly as the reference multilog does.
//!
//! The account `qmaill` exists only inside private mount namespaces in which a copy of
//! /etc/passwd with it is bind-mounted; the host's file is never touched.

use crate::common::*;
use crate::svscan::{children, cmdline};
use std::os::unix::fs::MetadataExt;
use std::process::{Command, Stdio};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);
const MARKER: &str = "<!-- tests/it/qmail.rs runs this block";
const QMAILL: &str = "qmaill:x:64011:64010::/nonexistent:/usr/sbin/nologin\n";
const QMAILL_UID: u32 = 64011;
/// What the stand-in for qmail-start writes: qmail-send's kind of log.
const QMAIL_LOG: &str = "status: local 0/10 remote 0/20\n\
                         new msg 42\n\
                         info msg 42: bytes 310 from <a@example.org> qp 7 uid 0\n\
                         starting delivery 1: msg 42 to local b@example.org\n\
                         status: local 1/10 remote 0/20\n";

/// The README's block, with its absolute paths moved into the sandbox.
fn readme_block(sb: &Sandbox) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let (_, after) = readme
        .split_once(MARKER)
        .expect("the README's qmail example");
    let (_, body) = after.split_once("```sh\n").unwrap();
    let (block, _) = body.split_once("\n```").unwrap();
    let root = sb.path().display().to_string();
    block
        .replace("/var/qmail", &format!("{root}/var/qmail"))
        .replace("/service", &format!("{root}/service"))
}

/// `unshare --mount` running `args` with /etc/passwd replaced by the host's plus qmaill.
fn with_qmaill(sb: &Sandbox, args: &[&str]) -> Command {
    assert!(
        is_root(),
        "the qmail example needs root (CI runs it as root)"
    );
    let host = std::fs::read_to_string("/etc/passwd").unwrap();
    let passwd = sb.write("passwd", format!("{host}{QMAILL}"));
    let mut cmd = sb.command("/usr/bin/unshare");
    cmd.args([
        "--mount",
        "sh",
        "-c",
        "mount --bind \"$0\" /etc/passwd && exec \"$@\"",
    ])
    .arg(passwd)
    .args(args);
    cmd
}

#[test]
fn readme_qmail_tree_keeps_every_line_and_the_last_status() {
    let sb = Sandbox::new();
    sb.mkdir("service");
    sb.script(
        "fake/qmail-start",
        &format!("#!/bin/sh\nprintf '%s' '{QMAIL_LOG}'\nexec sleep 1000\n"),
    );
    // svscan first, as on a running system; the stand-in comes first in PATH.
    let svscan = sb.bin("svscan").display().to_string();
    let mut cmd = with_qmaill(&sb, &[&svscan, "service"]);
    let err = std::fs::File::create(sb.join("err")).unwrap();
    cmd.env(
        "PATH",
        format!("{}:{}", sb.join("fake").display(), sb.path_var()),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::from(err));
    let service = sb.join("service/qmail-send");
    let guard = ProcessGuard::spawn(&mut cmd)
        .with_services(sb.bin("svc"), &[service.clone(), service.join("log")]);
    let out = with_qmaill(&sb, &["sh", "-ec", &readme_block(&sb)])
        .output()
        .unwrap();
    assert_output(&out, 0, b"", b"");

    let log = sb.join("var/qmail/supervise/qmail-send/log");
    let want: String = QMAIL_LOG.lines().map(|l| format!("@TAI {l}\n")).collect();
    let current = log.join("main/current");
    poll_until(WAIT, "every line in main/current", || {
        let text = normalise_labels(&std::fs::read(&current).unwrap_or_default());
        (show(&text) == want).then_some(())
    });
    let status = std::fs::read(log.join("status")).unwrap();
    assert_eq!(status.len(), 1001);
    let first = status.split(|&b| b == b'\n').next().unwrap();
    assert_eq!(
        show(&normalise_labels(first)),
        "@TAI status: local 1/10 remote 0/20"
    );
    // The logger runs as qmaill and owns what it writes.
    assert_eq!(std::fs::metadata(&current).unwrap().uid(), QMAILL_UID);
    let logger = poll_until(WAIT, "supervise log", || {
        children(guard.pid())
            .into_iter()
            .find(|&p| cmdline(p) == "supervise log")
    });
    let multilog = children(logger)[0];
    assert!(cmdline(multilog).starts_with("multilog t ./main"));
    let proc_status = std::fs::read_to_string(format!("/proc/{multilog}/status")).unwrap();
    assert!(
        proc_status.contains(&format!("\nUid:\t{QMAILL_UID}\t")),
        "{proc_status}"
    );
    assert_eq!(show(&std::fs::read(sb.join("err")).unwrap()), "");
}

#[test]
fn without_the_ownership_step_the_logger_fails_as_under_0_76() {
    let sb = Sandbox::new();
    sb.mkdir("service");
    let block: String = readme_block(&sb)
        .lines()
        .filter(|l| !l.starts_with("touch ") && !l.starts_with("chown "))
        .map(|l| format!("{l}\n"))
        .collect();
    let out = with_qmaill(&sb, &["sh", "-ec", &block]).output().unwrap();
    assert_output(&out, 0, b"", b"");
    let log = sb.join("var/qmail/supervise/qmail-send/log");
    // log/run as supervise would run it, with daemonbox's programs or the reference's first.
    let run = |path_first: &str| {
        let mut cmd = with_qmaill(&sb, &["./run"]);
        cmd.current_dir(&log)
            .env("PATH", format!("{path_first}:{}", sb.path_var()));
        cmd.output().unwrap()
    };
    let ours = run(&sb.join("bin").display().to_string());
    let theirs = run("/usr/bin");
    let want = b"multilog: fatal: unable to create status: access denied\n";
    assert_output(&theirs, 111, b"", want);
    assert_output(&ours, 111, b"", want);
    assert!(!log.join("status").exists());
}
