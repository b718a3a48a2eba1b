//! The classic way to take a tree down (daemontools' documentation): `svc -dx /service/*
//! /service/*/log`, then kill svscan. svscan must leave alone a supervise that exited because
//! it was told to, or the services come back, orphaned once svscan is gone. Tried with the
//! pauses between the two steps that people leave: 0.5, 1.5 and 4 seconds.

use crate::common::*;
use crate::svscan::{cmdline, service, start, wait_ok};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);
/// svscan's hold on a supervise that exited 0 (`EXIT_HOLD` in applets/svscan/table.rs).
const EXIT_HOLD: Duration = Duration::from_secs(5);
const SIGTERM: i32 = 15;

/// Live processes whose working directory is under `dir`, with their command lines.
fn processes_under(dir: &Path) -> Vec<(i32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let inside = std::fs::read_link(entry.path().join("cwd")).is_ok_and(|c| c.starts_with(dir));
        if inside && crate::svscan::alive(pid) {
            found.push((pid, cmdline(pid)));
        }
    }
    found
}

/// Seconds svstat reports for a service that is up, if it is.
fn up_seconds(sb: &Sandbox, dir: &Path) -> Option<u64> {
    let out = sb.run("svstat", &[dir.to_str().unwrap()]);
    let text = show(&out.stdout);
    let (_, rest) = text.split_once(") ")?;
    rest.split_whitespace().next()?.parse().ok()
}

fn classic_stop(pause: Duration) {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "exec sleep 1000");
    service(&sb, "sv/a/log", "exec multilog t ./main");
    service(&sb, "sv/b", "exec sleep 1000");
    let sv = sb.join("sv");
    let dirs: Vec<PathBuf> = ["a", "a/log", "b"].iter().map(|d| sv.join(d)).collect();
    let mut guard = start(&sb, &["sv"]).with_services(sb.bin("svc"), &dirs);
    for dir in &dirs {
        wait_ok(dir);
    }
    // Each supervise must have run a while: one that exits within a second of its start
    // waits for the periodic scan however it ended. svstat counts whole seconds of the
    // clock, so 2 means more than one second.
    wait_for(WAIT, "services up for a second", || {
        dirs.iter()
            .all(|d| up_seconds(&sb, d).is_some_and(|s| s >= 2))
    });
    // Step 1, with the shell's expansion of the two patterns.
    let targets: Vec<String> = ["a", "b", "a/log"]
        .iter()
        .map(|d| sv.join(d).display().to_string())
        .collect();
    let mut args = vec!["-dx"];
    args.extend(targets.iter().map(String::as_str));
    let out = sb.run("svc", &args);
    assert_output(&out, 0, b"", b"");
    let stepped = Instant::now();
    // The pause is part of the procedure under test, not a stand-in for synchronisation.
    std::thread::sleep(pause);
    // Step 2.
    guard.signal("TERM");
    let status = guard.wait_exit(WAIT);
    assert!(
        stepped.elapsed() < EXIT_HOLD,
        "the machine was too slow to test a {pause:?} pause"
    );
    assert_eq!(status.signal(), Some(SIGTERM));
    // Nothing came back: whatever still runs under sv/ is on its way out, and nothing else
    // could start it now.
    let deadline = Instant::now() + WAIT;
    let mut left = processes_under(&sv);
    while !left.is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        left = processes_under(&sv);
    }
    assert_eq!(left, [], "left running after a {pause:?} pause");
    for dir in &dirs {
        let out = sb.run(reference("svok"), &[dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(100), "{}", dir.display());
    }
    // The logger was stopped, not killed: it closed `current` cleanly.
    assert_eq!(mode_of(sv.join("a/log/main/current")), 0o744);
}

#[test]
fn classic_stop_with_half_a_second_between_the_steps() {
    classic_stop(Duration::from_millis(500));
}

#[test]
fn classic_stop_with_one_and_a_half_seconds_between_the_steps() {
    classic_stop(Duration::from_millis(1500));
}

#[test]
fn classic_stop_with_four_seconds_between_the_steps() {
    classic_stop(Duration::from_secs(4));
}
