//! Integration tests for the complete container PID 1: the main program (`svscan DIR --
//! PROG`) with its exit code, signals, readiness and failures; a read-only service tree with
//! its state elsewhere; no root at all; orphans by the ten thousand. svscan runs as PID 1
//! of a new pid namespace (`unshare --pid --fork --mount-proc`, root), and as an
//! unprivileged user in a user namespace.

use crate::common::*;
use crate::pid1::start_pid1;
use crate::svscan::{children, cmdline, read, service};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(30);

/// svscan (our applet) as PID 1 of a new pid namespace with `args`, run to its end;
/// returns its exit code and what it wrote on stderr.
fn pid1(sb: &Sandbox, args: &[&str]) -> (Option<i32>, String) {
    let (mut guard, _) = start_pid1(sb, args);
    let status = guard.wait_exit(WAIT);
    (status.code(), read(sb, "err"))
}

/// A service that notes its stop in `stopped-NAME` (in the sandbox), and creates
/// `trapped-NAME` once it will.
fn stoppable(sb: &Sandbox, name: &str) {
    service(
        sb,
        &format!("sv/{name}"),
        &format!(
            "trap 'echo TERM >> ../../stopped-{name}; exit 0' TERM\n: > ../../trapped-{name}\n\
             while :; do sleep 1 & wait $!; done"
        ),
    );
}

#[test]
fn the_main_programs_exit_code_is_the_containers_and_services_stop() {
    let sb = Sandbox::new();
    stoppable(&sb, "web");
    // The program ends once the service would note its stop (not while it starts).
    let prog = "until [ -e trapped-web ]; do sleep 0.01; done; pwd > cwd; exit 7";
    let (code, err) = pid1(&sb, &["sv", "--", "sh", "-c", prog]);
    assert_eq!((code, err.as_str()), (Some(7), ""));
    assert_eq!(read(&sb, "stopped-web"), "TERM\n");
    let here = sb.path().canonicalize().unwrap();
    assert_eq!(
        read(&sb, "cwd").trim_end(),
        here.to_str().unwrap(),
        "the start directory"
    );
}

#[test]
fn a_program_killed_by_a_signal_reports_128_plus_its_number() {
    let sb = Sandbox::new();
    sb.mkdir("sv");
    assert_eq!(
        pid1(&sb, &["sv", "--", "sh", "-c", "kill -9 $$"]).0,
        Some(137)
    );
}

#[test]
fn a_program_that_cannot_run_exits_like_a_shell() {
    let sb = Sandbox::new();
    stoppable(&sb, "web");
    sb.write("notexec", "#!/bin/sh\n");
    let (code, err) = pid1(&sb, &["sv", "--", "./nosuch"]);
    assert_eq!(
        (code, err.as_str()),
        (
            Some(127),
            "svscan: fatal: unable to run ./nosuch: file does not exist\n"
        )
    );
    let (code, err) = pid1(&sb, &["sv", "--", "./notexec"]);
    assert_eq!(
        (code, err.as_str()),
        (
            Some(126),
            "svscan: fatal: unable to run ./notexec: access denied\n"
        )
    );
}

#[test]
fn term_reaches_the_program_and_its_exit_code_wins() {
    let sb = Sandbox::new();
    stoppable(&sb, "web");
    let prog = "trap 'echo got TERM > prog-term; exit 42' TERM\n: > prog-ready\nwhile :; do sleep 1 & wait $!; done";
    let (mut guard, scan) = start_pid1(&sb, &["sv", "--", "sh", "-c", prog]);
    wait_for(WAIT, "program and service running", || {
        sb.join("prog-ready").exists() && sb.join("trapped-web").exists()
    });
    crate::svscan::signal(scan, "TERM");
    assert_eq!(guard.wait_exit(WAIT).code(), Some(42));
    assert_eq!(read(&sb, "prog-term"), "got TERM\n");
    assert_eq!(read(&sb, "stopped-web"), "TERM\n");
}

#[test]
fn a_program_ignoring_term_is_killed_after_the_grace_period() {
    let sb = Sandbox::new();
    stoppable(&sb, "web");
    let prog = "trap '' TERM; : > prog-ready; exec sleep 1000";
    let (mut guard, scan) = start_pid1(&sb, &["-g", "1", "sv", "--", "sh", "-c", prog]);
    wait_for(WAIT, "program running", || sb.join("prog-ready").exists());
    let t0 = Instant::now();
    crate::svscan::signal(scan, "TERM");
    assert_eq!(guard.wait_exit(WAIT).code(), Some(137));
    assert!(t0.elapsed() >= Duration::from_secs(1), "{:?}", t0.elapsed());
}

#[test]
fn the_program_waits_for_the_services_it_needs() {
    let sb = Sandbox::new();
    service(
        &sb,
        "sv/db",
        "sleep 0.3; : > ../../db-ready; echo >&3; exec sleep 1000",
    );
    sb.write("sv/db/notification-fd", "3\n");
    stoppable(&sb, "web");
    let prog = "test -e db-ready && test -e sv/web/supervise/ok && exit 5";
    let (code, err) = pid1(
        &sb,
        &["-r", "db,web", "-t", "20000", "sv", "--", "sh", "-c", prog],
    );
    assert_eq!((code, err.as_str()), (Some(5), ""));
}

#[test]
fn a_service_not_ready_in_time_is_named_and_the_program_never_runs() {
    let sb = Sandbox::new();
    service(&sb, "sv/db", "exec sleep 1000");
    sb.write("sv/db/notification-fd", "3\n");
    stoppable(&sb, "web");
    let (code, err) = pid1(
        &sb,
        &[
            "-r", "web", "-r", "db", "-t", "300", "sv", "--", "touch", "ran",
        ],
    );
    assert_eq!(
        (code, err.as_str()),
        (
            Some(111),
            "svscan: warning: not ready in time: db: stopping\n"
        )
    );
    assert!(!sb.join("ran").exists());
}

#[test]
fn a_boot_hook_that_hangs_stops_the_container_before_any_service() {
    let sb = Sandbox::new();
    stoppable(&sb, "web");
    sb.script("sv/.svscan/hooks/pre/hang", "#!/bin/sh\nexec sleep 1000\n");
    sb.write("sv/.svscan/hooks/pre/timeout", "300\n");
    let (code, err) = pid1(&sb, &["sv", "--", "touch", "ran"]);
    assert_eq!(
        (code, err.as_str()),
        (
            Some(143),
            "svscan: warning: hook .svscan/hooks/pre/hang timed out\n\
             svscan: fatal: a boot pre hook failed: no service started\n"
        )
    );
    assert!(!sb.join("ran").exists() && !sb.join("stopped-web").exists());
}

#[test]
fn ten_thousand_orphans_are_reaped() {
    let sb = Sandbox::new();
    // A sleep of a length no other test uses, so pkill finds exactly these.
    service(
        &sb,
        "sv/spawner",
        "(i=0; while [ $i -lt 10000 ]; do sleep 777.25 & i=$((i+1)); done); exec sleep 1000",
    );
    let (_guard, scan) = start_pid1(&sb, &["sv"]);
    wait_for(Duration::from_secs(120), "10000 orphans", || {
        children(scan).len() > 10_000
    });
    let killed = std::process::Command::new("pkill")
        .args(["-KILL", "-f", "^sleep 777.25$"])
        .status()
        .unwrap();
    assert!(killed.success());
    wait_for(Duration::from_secs(60), "orphans reaped", || {
        children(scan).len() == 1
    });
    assert_eq!(cmdline(children(scan)[0]), "supervise spawner");
}

/// Makes the sandbox usable by another user (uid 12345): everything in it theirs.
fn give_to_user(sb: &Sandbox) {
    let status = std::process::Command::new("chown")
        .args(["-R", "12345:12345"])
        .arg(sb.path())
        .status()
        .unwrap();
    assert!(status.success());
    fs::set_permissions(sb.path(), fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs `svscan ARGS` as uid 12345 with no new privileges (and, with `userns`, as root of
/// its own user namespace and PID 1 of its own pid namespace); returns code and stderr.
fn as_user(sb: &Sandbox, userns: bool, args: &[&str]) -> (Option<i32>, String) {
    assert!(is_root(), "these tests switch users (CI runs them as root)");
    let exe = public_copy(sb, "daemonbox");
    for name in ["svscan", "supervise", "multilog", "setuidgid"] {
        let _ = fs::remove_file(sb.join(format!("public/{name}")));
        std::os::unix::fs::symlink(&exe, sb.join(format!("public/{name}"))).unwrap();
    }
    give_to_user(sb);
    let mut cmd = sb.command("setpriv");
    cmd.args([
        "--reuid=12345",
        "--regid=12345",
        "--clear-groups",
        "--no-new-privs",
    ]);
    if userns {
        cmd.args([
            "unshare",
            "--user",
            "--map-root-user",
            "--pid",
            "--fork",
            "--mount-proc",
        ]);
    }
    cmd.arg(sb.join("public/svscan"))
        .args(args)
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", sb.join("public").display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let out = cmd.output().unwrap();
    (out.status.code(), show(&out.stderr))
}

/// A service with a multilog logger, and one that needs root.
fn logged_tree(sb: &Sandbox) {
    service(sb, "sv/web", "echo hello from $(id -u); exec sleep 1000");
    service(sb, "sv/web/log", "exec multilog ./main");
    service(sb, "sv/root", "exec setuidgid root sleep 1000");
}

#[test]
fn no_root_needed_with_no_new_privileges() {
    let sb = Sandbox::new();
    logged_tree(&sb);
    let prog = "until [ -s sv/web/log/main/current ]; do sleep 0.05; done; exit 3";
    let (code, err) = as_user(&sb, false, &["-1", "sv", "--", "sh", "-c", prog]);
    assert_eq!(code, Some(3), "{err}");
    assert!(read(&sb, "sv/web/log/main/current").ends_with("hello from 12345\n"));
    assert!(
        err.lines()
            .all(|l| l == "setuidgid: fatal: unable to setgid: permission denied"),
        "a service that needs root says so: {err}"
    );
    assert!(err.contains("setuidgid: fatal: unable to setgid: permission denied"));
}

#[test]
fn pid1_of_a_user_namespace_as_an_unprivileged_user() {
    let sb = Sandbox::new();
    logged_tree(&sb);
    let prog = "until [ -s sv/web/log/main/current ]; do sleep 0.05; done; exit 4";
    let (code, err) = as_user(&sb, true, &["sv", "--", "sh", "-c", prog]);
    assert_eq!(code, Some(4), "{err}");
    // Root of its own namespace: uid 0 there, 12345 outside.
    assert!(read(&sb, "sv/web/log/main/current").ends_with("hello from 0\n"));
}

#[test]
fn a_read_only_tree_keeps_its_state_under_daemonbox_state() {
    let sb = Sandbox::new();
    stoppable(&sb, "web");
    service(&sb, "sv/linked", "exec sleep 1000");
    let state = sb.mkdir("run");
    // The image may ship links, for the tools of other suites: the target is made.
    std::os::unix::fs::symlink(state.join("linked"), sb.join("sv/linked/supervise")).unwrap();
    let tree = sb.join("sv");
    let prog = "svstat sv/web sv/linked > status; /usr/bin/svstat sv/linked > debian; \
         touch sv/web/written 2>/dev/null && exit 9; exit 0";
    let out = read_only_tree(&sb, &format!("svscan -r web,linked sv -- sh -c '{prog}'"))
        .env("DAEMONBOX_STATE", state.join("tree"))
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out.stderr));
    let status = normalise_seconds(read(&sb, "status").as_bytes());
    assert!(
        status.starts_with("sv/web: up (pid ") && status.contains("\nsv/linked: up (pid "),
        "{status}"
    );
    assert!(read(&sb, "debian").starts_with("sv/linked: up (pid "));
    let mirrored = state
        .join("tree")
        .join(tree.canonicalize().unwrap().strip_prefix("/").unwrap());
    assert!(
        mirrored.join("web/status").exists(),
        "state mirrored under the root"
    );
    assert!(
        !sb.join("sv/web/supervise").exists(),
        "nothing written into the tree"
    );
}

/// `exec COMMAND` as PID 1 of new pid and mount namespaces in which the sandbox's `sv`
/// tree is mounted read-only.
fn read_only_tree(sb: &Sandbox, command: &str) -> std::process::Command {
    let script = format!(
        "mount --bind {t} {t} && mount -o remount,bind,ro {t} && exec {command}",
        t = sb.join("sv").display()
    );
    let mut cmd = sb.command("unshare");
    cmd.args(["--mount", "--pid", "--fork", "--mount-proc", "sh", "-c"])
        .arg(script);
    cmd
}

#[test]
fn a_read_only_tree_without_a_state_root_says_why() {
    let sb = Sandbox::new();
    service(&sb, "sv/web", "exec sleep 1000");
    let out = read_only_tree(&sb, "svscan sv -- sleep 1")
        .stdout(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = show(&out.stderr);
    assert!(
        err.contains(
            "supervise: warning: unable to create web/supervise: read-only file system\n\
             supervise: fatal: unable to acquire web/supervise/lock: file does not exist\n"
        ),
        "{err}"
    );
}

#[test]
fn a_logged_services_lines_reach_the_containers_output_with_its_name() {
    let sb = Sandbox::new();
    service(&sb, "sv/web", "echo hello; echo world; exec sleep 1000");
    service(&sb, "sv/web/log", "exec multilog ./main 1web:\\ ");
    service(&sb, "sv/plain", "echo unlogged; exec sleep 1000");
    let prog = "until grep -q world sv/web/log/main/current 2>/dev/null; do sleep 0.05; done";
    let stdout = fs::File::create(sb.join("stdout")).unwrap();
    let out = sb
        .command("unshare")
        .args(["--pid", "--fork", "--mount-proc"])
        .arg(sb.bin("svscan"))
        .args(["sv", "--", "sh", "-c", prog])
        .stdout(stdout)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out.stderr));
    let mut lines: Vec<String> = read(&sb, "stdout").lines().map(str::to_owned).collect();
    lines.sort();
    assert_eq!(lines, ["unlogged", "web: hello", "web: world"]);
    assert_eq!(read(&sb, "sv/web/log/main/current"), "hello\nworld\n");
}
