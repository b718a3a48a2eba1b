//! Integration tests for svscan in container mode: as PID 1 of a new pid namespace
//! (`unshare --pid --fork --mount-proc`, root) and with `-1` outside one. Ordered shutdown
//! with loggers draining their pipes, the grace period and KILL, orphan reaping.

use crate::common::*;
use crate::svscan::{
    alive, children, cmdline, lines_sorted, service, state, supervise_dir, supervise_exe,
    svscan_cmd, wait_child,
};
use std::path::Path;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(8);

/// Starts `svscan ARGS` as PID 1 of a new pid namespace; returns the guard (on unshare) and
/// svscan's pid as seen from here.
pub fn start_pid1(sb: &Sandbox, args: &[&str]) -> (ProcessGuard, i32) {
    assert!(is_root(), "PID-1 tests need root (CI runs them as root)");
    let sup = supervise_dir(sb, &supervise_exe());
    let mut cmd = svscan_cmd(sb, Path::new("/usr/bin/unshare"), &sup, &[], "err");
    cmd.args(["--pid", "--fork", "--mount-proc"])
        .arg(sb.bin("svscan"))
        .args(args);
    let guard = ProcessGuard::spawn(&mut cmd);
    let pid = poll_until(WAIT, "svscan in the namespace", || {
        children(guard.pid())
            .first()
            .copied()
            .filter(|&p| cmdline(p).contains("svscan"))
    });
    (guard, pid)
}

/// Asserts that `text` is exactly the lines 1..=COUNT, reporting the first one missing.
#[track_caller]
fn assert_complete(text: &str, what: &str) {
    let got: Vec<u32> = text.lines().map(|l| l.parse().unwrap_or(0)).collect();
    let first_bad = (1..=COUNT).zip(&got).find(|(want, got)| want != *got);
    assert!(
        got.len() == COUNT as usize && first_bad.is_none(),
        "{what}: {} lines logged, first wrong line {first_bad:?}",
        got.len()
    );
}

/// A service that writes 1..=COUNT at once, and a logger that logs the first line, then
/// reads nothing more until the sandbox file `go` exists (created once the shutdown has
/// started), so the pipe still holds almost every line when the signal arrives.
const COUNT: u32 = 2000;

fn burst_service(sb: &Sandbox, name: &str) {
    service(
        sb,
        &format!("sv/{name}"),
        &format!("seq 1 {COUNT}; exec sleep 1000"),
    );
    let go = sb.join("go");
    service(
        sb,
        &format!("sv/{name}/log"),
        &format!(
            "read -r line; echo \"$line\" >> out\n\
             while [ ! -e {} ]; do sleep 0.05; done\n\
             while read -r line; do echo \"$line\" >> out; done",
            go.display()
        ),
    );
}

#[test]
fn term_as_pid1_stops_services_in_order_and_loses_no_line() {
    let sb = Sandbox::new();
    for name in ["a", "b", "c"] {
        burst_service(&sb, name);
    }
    let (mut guard, scan) = start_pid1(&sb, &["sv"]);
    for name in ["a", "b", "c"] {
        wait_child(scan, &format!("supervise {name}"));
        let out = format!("sv/{name}/log/out");
        wait_for(WAIT, "first logged line", || {
            !std::fs::read_to_string(sb.join(&out))
                .unwrap_or_default()
                .is_empty()
        });
    }
    let t0 = Instant::now();
    crate::svscan::signal(scan, "TERM");
    std::thread::sleep(Duration::from_millis(100));
    sb.write("go", "");
    let status = guard.wait_exit(WAIT);
    assert_eq!(
        status.code(),
        Some(0),
        "stderr: {}",
        show(&std::fs::read(sb.join("err")).unwrap())
    );
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "took {:?}",
        t0.elapsed()
    );
    for name in ["a", "b", "c"] {
        let text = std::fs::read_to_string(sb.join(format!("sv/{name}/log/out"))).unwrap();
        assert_complete(&text, name);
    }
}

#[test]
fn service_ignoring_term_is_killed_after_the_grace_period() {
    let sb = Sandbox::new();
    service(&sb, "sv/stubborn", "trap '' TERM; exec sleep 1000");
    service(&sb, "sv/polite", "exec sleep 1000");
    let (mut guard, scan) = start_pid1(&sb, &["-g", "1", "sv"]);
    let sup = wait_child(scan, "supervise stubborn");
    let stubborn = poll_until(WAIT, "stubborn service", || children(sup).first().copied());
    wait_child(scan, "supervise polite");
    let t0 = Instant::now();
    crate::svscan::signal(scan, "TERM");
    let status = guard.wait_exit(WAIT);
    let took = t0.elapsed();
    assert_eq!(status.code(), Some(111));
    assert!(
        // At least the 1-second grace given with -g, and before the default 7 seconds.
        took >= Duration::from_millis(1000) && took < Duration::from_secs(6),
        "took {took:?}"
    );
    assert_eq!(state(stubborn), None, "the stubborn service survived");
}

#[test]
fn a_thousand_orphans_leave_no_zombie() {
    let sb = Sandbox::new();
    // Long sleepers, so all of them exist at once however slowly they start; the test
    // then kills them, and svscan must reap every one.
    service(
        &sb,
        "sv/spawner",
        "(for i in $(seq 1000); do sleep 600 & done); exec sleep 1000",
    );
    let (_guard, scan) = start_pid1(&sb, &["sv"]);
    wait_for(
        Duration::from_secs(60),
        "1000 orphans reparented to svscan",
        || children(scan).len() > 1000,
    );
    for orphan in children(scan) {
        if cmdline(orphan) == "sleep 600" {
            crate::svscan::signal(orphan, "KILL");
        }
    }
    wait_for(Duration::from_secs(20), "orphans reaped", || {
        let kids = children(scan);
        kids.len() == 1 && kids.iter().all(|&k| state(k) != Some('Z'))
    });
    assert_eq!(cmdline(children(scan)[0]), "supervise spawner");
    assert_eq!(std::fs::read_to_string(sb.join("err")).unwrap(), "");
}

#[test]
fn option_1_outside_pid1_reaps_orphans_and_stops_on_int() {
    let sb = Sandbox::new();
    burst_service(&sb, "a");
    service(&sb, "sv/orphaner", "(exec sleep 1000 &) ; exec sleep 1000");
    let sup = supervise_dir(&sb, &supervise_exe());
    let mut guard = ProcessGuard::spawn(&mut svscan_cmd(
        &sb,
        &sb.bin("svscan"),
        &sup,
        &["-1", "sv"],
        "err",
    ));
    let scan = guard.pid();
    wait_child(scan, "supervise a");
    wait_child(scan, "supervise orphaner");
    // The orphan of a service comes to svscan, the subreaper.
    wait_child(scan, "sleep 1000");
    wait_for(WAIT, "first logged line", || {
        !std::fs::read_to_string(sb.join("sv/a/log/out"))
            .unwrap_or_default()
            .is_empty()
    });
    guard.signal("INT");
    std::thread::sleep(Duration::from_millis(100));
    sb.write("go", "");
    let status = guard.wait_exit(WAIT);
    assert_eq!(
        status.code(),
        Some(0),
        "stderr: {:?}",
        lines_sorted(&sb, "err", 0)
    );
    let text = std::fs::read_to_string(sb.join("sv/a/log/out")).unwrap();
    assert_complete(&text, "a");
}

#[test]
fn option_1_kills_a_stubborn_service_through_its_supervise_after_the_grace_period() {
    let sb = Sandbox::new();
    service(&sb, "sv/stubborn", "trap '' TERM; exec sleep 1000");
    let sup = supervise_dir(&sb, &supervise_exe());
    let mut guard = ProcessGuard::spawn(&mut svscan_cmd(
        &sb,
        &sb.bin("svscan"),
        &sup,
        &["-1", "-g", "1", "sv"],
        "err",
    ));
    let scan = guard.pid();
    let supervise = wait_child(scan, "supervise stubborn");
    let stubborn = poll_until(WAIT, "stubborn service", || {
        children(supervise).first().copied()
    });
    // HUP is a rescan, never a stop, in container mode too.
    guard.signal("HUP");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(guard.child.try_wait().unwrap(), None);
    let t0 = Instant::now();
    guard.signal("TERM");
    let status = guard.wait_exit(WAIT);
    assert_eq!(status.code(), Some(111));
    assert!(
        t0.elapsed() >= Duration::from_secs(1),
        "took {:?}",
        t0.elapsed()
    );
    wait_for(WAIT, "the stubborn service killed", || !alive(stubborn));
}

#[test]
fn processes_that_escaped_supervision_get_term_once_the_services_are_down() {
    let sb = Sandbox::new();
    service(&sb, "sv/escaper", "(exec sleep 1001 &) ; exec sleep 1000");
    let (mut guard, scan) = start_pid1(&sb, &["sv"]);
    wait_child(scan, "supervise escaper");
    let orphan = wait_child(scan, "sleep 1001");
    let t0 = Instant::now();
    crate::svscan::signal(scan, "TERM");
    let status = guard.wait_exit(WAIT);
    assert_eq!(
        status.code(),
        Some(0),
        "stderr: {:?}",
        lines_sorted(&sb, "err", 0)
    );
    // Within the 7-second grace period: the orphan was asked to stop, not killed.
    assert!(
        t0.elapsed() < Duration::from_secs(6),
        "took {:?}",
        t0.elapsed()
    );
    assert_eq!(state(orphan), None);
}

#[test]
fn multilog_under_pid1_files_every_line_and_closes_current_cleanly() {
    let sb = Sandbox::new();
    service(&sb, "sv/m", "seq 1 50000; exec sleep 1000");
    service(&sb, "sv/m/log", "exec multilog s16777215 ./main");
    let (mut guard, scan) = start_pid1(&sb, &["sv"]);
    wait_child(scan, "supervise m");
    let current = sb.join("sv/m/log/main/current");
    wait_for(WAIT, "first lines filed", || {
        std::fs::metadata(&current).is_ok_and(|m| m.len() > 0)
    });
    crate::svscan::signal(scan, "TERM");
    assert_eq!(guard.wait_exit(WAIT).code(), Some(0));
    let text = std::fs::read_to_string(&current).unwrap();
    let expected: String = (1..=50000).map(|i| format!("{i}\n")).collect();
    assert!(text == expected, "{} lines filed", text.lines().count());
    // 0744: multilog finished `current` itself (end of input), it was not killed.
    let mode = mode_of(&current);
    assert_eq!(mode, 0o744);
}
