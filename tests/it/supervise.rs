//! Integration tests for supervise: the `supervise/` directory, startup failures (against
//! the reference), the restart policy, control bytes, never-deaf timing and take-over.

use crate::common::*;

#[path = "supervise_takeover.rs"]
mod takeover;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::process::Command;
use std::time::Duration;

/// Runs our supervise and the reference on copies of the same situation and compares.
fn same_as_reference(setup: impl Fn(&Sandbox, &str), args: &[&str]) {
    let sb = Sandbox::new();
    setup(&sb, "s");
    let theirs = sb
        .command("timeout")
        .args(["-s", "KILL", "3", reference("supervise").to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    let ours = sb
        .command("timeout")
        .args(["-s", "KILL", "3", sb.bin("supervise").to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    assert_output(
        &ours,
        theirs.status.code().unwrap(),
        &theirs.stdout,
        &theirs.stderr,
    );
}

#[test]
fn usage() {
    let sb = Sandbox::new();
    for args in [&[][..], &["a", "b"][..]] {
        let out = run(&sb, "supervise", args);
        assert_output(&out, 100, b"", b"supervise: usage: supervise dir\n");
    }
    same_as_reference(|_, _| {}, &[]);
}

#[test]
fn startup_failures_match_reference() {
    let nothing = |_: &Sandbox, _: &str| {};
    same_as_reference(nothing, &["nonexistent"]);
    same_as_reference(|sb, _| drop(sb.write("file", "")), &["file"]);
    same_as_reference(|sb, n| drop(sb.write(format!("{n}/supervise"), "")), &["s"]);
    same_as_reference(
        |sb, n| {
            sb.mkdir(n);
            std::os::unix::fs::symlink("/nonexistent/a", sb.join(n).join("supervise")).unwrap();
        },
        &["s"],
    );
    same_as_reference(
        |sb, n| {
            sb.mkdir(n);
            std::os::unix::fs::symlink("down", sb.join(n).join("down")).unwrap();
        },
        &["s/"],
    );
    same_as_reference(
        |sb, n| drop(sb.mkdir(format!("{n}/supervise/control"))),
        &["s"],
    );
    let long = "x".repeat(300);
    same_as_reference(
        |sb, n| {
            sb.mkdir(n);
            std::os::unix::fs::symlink(&long, sb.join(n).join("supervise")).unwrap();
        },
        &["s"],
    );
}

#[test]
fn supervise_directory_layout() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let mut guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_up(&sb, "s");
    let dir = sb.join("s/supervise");
    let meta = |n: &str| fs::symlink_metadata(dir.join(n)).unwrap();
    assert_eq!(
        fs::metadata(&dir).unwrap().permissions().mode() & 0o7777,
        0o700
    );
    assert!(meta("lock").file_type().is_file());
    assert_eq!(meta("lock").len(), 0);
    assert_eq!(meta("lock").permissions().mode() & 0o7777, 0o600);
    for fifo in ["control", "ok"] {
        assert!(meta(fifo).file_type().is_fifo(), "{fifo}");
        assert_eq!(meta(fifo).permissions().mode() & 0o7777, 0o600, "{fifo}");
    }
    assert_eq!(meta("status").len(), 20, "runit's record");
    assert_eq!(meta("status").permissions().mode() & 0o7777, 0o644);
    let record = status(&sb, "s").unwrap();
    assert_eq!(&record[16..], &[0, b'u', 0, 1]);
    // The service gets descriptors 0-2 only, and no blocked signals.
    // supervise holds what it inherited plus the self-pipe (2), lock, control (2) and ok;
    // the service gets only what supervise inherited, no blocked signals.
    // (The service's own program may briefly hold a descriptor while it loads: wait until
    // it holds nothing supervise does not.)
    // Likewise supervise may still be writing its status: wait until it is idle.
    let (ours, theirs) = poll_until(SOON, "both settled", || {
        let (ours, theirs) = (fds_of(guard.pid() as u32), fds_of(pid));
        let idle = !ours.iter().any(|(_, t)| t.ends_with("status.new"));
        (idle && theirs.iter().all(|fd| ours.contains(fd))).then_some((ours, theirs))
    });
    for n in ["0", "1", "2"] {
        assert!(theirs.iter().any(|(fd, _)| fd == n), "{theirs:?}");
    }
    let private: Vec<_> = ours.iter().filter(|fd| !theirs.contains(fd)).collect();
    assert_eq!(private.len(), 6, "{ours:?} vs {theirs:?}");
    let sup_files = private
        .iter()
        .filter(|(_, t)| t.contains("/s/supervise/"))
        .count();
    assert_eq!(sup_files, 4, "{private:?}");
    let st = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    assert!(st.lines().any(|l| l == "SigBlk:\t0000000000000000"), "{st}");
    run(&sb, "svc", &["-dx", "s"]);
    assert_eq!(guard.wait_exit(SOON).code(), Some(0));
    assert_eq!(stderr_of(&sb, "s"), "");
    assert!(!ok_open(&sb, "s"));
    let last = status(&sb, "s").unwrap();
    assert_eq!(&last[12..], &[0, 0, 0, 0, 0, b'd', 0, 0]);
}

#[test]
fn umask_decides_the_status_mode() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let err = File::create(sb.join("s.err")).unwrap();
    let mut cmd = sb.command("sh");
    cmd.args(["-c", "umask 077; exec supervise s"]).stderr(err);
    let _guard = ProcessGuard::spawn(&mut cmd).with_services(sb.bin("svc"), &[sb.join("s")]);
    wait_up(&sb, "s");
    let mode = fs::metadata(sb.join("s/supervise/status"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o600);
}

#[test]
fn down_file_keeps_the_service_down_until_svc_u() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    sb.write("s/down", "");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let record = wait_down(&sb, "s");
    assert_eq!(&record[12..], &[0, 0, 0, 0, 0, b'd', 0, 0]);
    let out = run(&sb, "svstat", &["s"]);
    assert_eq!(normalise_seconds(&out.stdout), "s: down N seconds\n");
    run(&sb, "svc", &["-u", "s"]);
    let pid = wait_up(&sb, "s");
    assert!(alive(pid));
    assert_eq!(&status(&sb, "s").unwrap()[16..], &[0, b'u', 0, 1]);
}

#[test]
fn debian_readlink_patch_creates_the_target() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    std::os::unix::fs::symlink("../state", sb.join("s/supervise")).unwrap();
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_up(&sb, "s");
    assert!(sb.join("state/status").exists());
    assert!(sb.join("state").is_dir());
}

#[test]
fn missing_or_bad_run_is_retried_not_fatal() {
    let sb = Sandbox::new();
    sb.mkdir("s");
    let guard = spawn_supervise(&sb, "supervise", "s");
    let msg = "supervise: fatal: unable to start s/run: file does not exist\n";
    wait_for(SOON, "two start failures", || {
        stderr_of(&sb, "s") == msg.repeat(2)
    });
    assert!(guard.child.id() > 0 && ok_open(&sb, "s"));
    // Not executable, then no #! line: each error in turn, then a good run starts.
    sb.write("s/run", "#!/bin/sh\nexec sleep 100\n");
    wait_for(SOON, "access denied", || {
        stderr_of(&sb, "s").ends_with("unable to start s/run: access denied\n")
    });
    sb.write("s/run.new", "exec sleep 100\n");
    fs::set_permissions(sb.join("s/run.new"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::rename(sb.join("s/run.new"), sb.join("s/run")).unwrap();
    wait_for(SOON, "exec format error", || {
        stderr_of(&sb, "s").ends_with("unable to start s/run: exec format error\n")
    });
    // Written in place of the bad one, so a start may catch it half-written: wait for a
    // start that runs the whole script.
    service(&sb, "s", RUN_SLEEP);
    wait_status(&sb, "s", "sleep running", |r| runs_sleep(pid_of(r)));
    let lines = stderr_of(&sb, "s");
    assert!(
        lines
            .lines()
            .all(|l| l.starts_with("supervise: fatal: unable to start s/run: ")),
        "{lines}"
    );
}

#[test]
fn run_exiting_at_once_keeps_being_restarted() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\necho start >> ../starts\nexit 1\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    // The pace (never two starts within a second) is checked on supervise's own stamps in
    // `start_stamps_are_at_least_a_second_apart`: times taken inside the script include
    // scheduling delays of a loaded machine, in either direction.
    wait_for(SOON, "three starts", || {
        fs::read_to_string(sb.join("starts")).is_ok_and(|t| t.lines().count() >= 3)
    });
    // Meanwhile the service is reaped at once: down with "want up" between starts.
    let record = wait_down(&sb, "s");
    assert_eq!(&record[16..], &[0, b'u', 0, 0]);
}

#[test]
fn start_stamps_are_at_least_a_second_apart() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\nexec sleep 0.3\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let mut seen: Vec<(u32, f64)> = Vec::new();
    poll_until(SOON, "three start stamps", || {
        if let Some(r) = status(&sb, "s").filter(|r| r.len() == 20 && pid_of(r) != 0)
            && seen.last().map(|&(p, _)| p) != Some(pid_of(&r))
        {
            seen.push((pid_of(&r), stamp_of(&r)));
        }
        (seen.len() >= 3).then_some(())
    });
    // A guarantee, so only a lower bound: a loaded machine may make gaps longer.
    for pair in seen.windows(2) {
        let gap = pair[1].1 - pair[0].1;
        assert!(gap >= 0.999, "start gap {gap:.4} s in {seen:?}");
    }
}

#[test]
fn control_in_the_first_second_is_not_deaf() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    sb.write("s/down", "");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_down(&sb, "s");
    // 0.76 acts on the `d` only after its 1-second pause, every time. A loaded machine can
    // delay one round past a second too, so a few rounds are allowed: one prompt stop proves
    // the pause does not make supervise deaf.
    const ROUNDS: usize = 5;
    let mut gaps = Vec::new();
    for _ in 0..ROUNDS {
        assert_output(&run(&sb, "svc", &["-u", "s"]), 0, b"", b"");
        wait_up(&sb, "s");
        let started = status(&sb, "s").unwrap();
        assert_output(&run(&sb, "svc", &["-d", "s"]), 0, b"", b"");
        let stopped = wait_down(&sb, "s");
        assert_eq!(stopped[17], b'd');
        gaps.push(stamp_of(&stopped) - stamp_of(&started));
        if gaps.last().is_some_and(|&gap| gap < 1.0) {
            return;
        }
    }
    panic!("svc -d took effect only after the 1-second pause: gaps {gaps:?} s");
}

#[test]
fn garbage_control_bytes_are_ignored() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_up(&sb, "s");
    let before = status(&sb, "s").unwrap();
    let mut fifo = OpenOptions::new()
        .write(true)
        .open(sb.join("s/supervise/control"))
        .unwrap();
    // More than one read's worth, so the burst takes several reads.
    let junk = b"zZ\n?\0\xffUDX".repeat(40);
    std::io::Write::write_all(&mut fifo, &junk).unwrap();
    drop(fifo);
    // A known command afterwards proves the junk was consumed (in order), not stuck, and
    // changed nothing: only the paused byte differs, the stamp is kept.
    run(&sb, "svc", &["-p", "s"]);
    let after = wait_status(&sb, "s", "paused", |r| r[16] == 1);
    assert_eq!(after, [&before[..16], &[1, b'u', 0, 1]].concat());
    assert!(alive(pid), "junk must not touch the service");
    assert_eq!(stderr_of(&sb, "s"), "");
}

#[test]
fn signals_reach_the_service() {
    let sb = Sandbox::new();
    let run_script = "#!/bin/sh\nfor s in HUP ALRM INT TERM; do trap \"echo $s >> ../sig\" $s; done\n\
        : > ../ready\nwhile :; do sleep 1 & wait $!; done\n";
    service(&sb, "s", run_script);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_up(&sb, "s");
    wait_for(SOON, "traps set", || sb.join("ready").exists());
    let sig = || fs::read_to_string(sb.join("sig")).unwrap_or_default();
    let mut expected = String::new();
    for (opt, name) in [("-h", "HUP"), ("-a", "ALRM"), ("-i", "INT"), ("-t", "TERM")] {
        run(&sb, "svc", &[opt, "s"]);
        expected.push_str(name);
        expected.push('\n');
        wait_for(SOON, name, || sig() == expected);
    }
    run(&sb, "svc", &["-p", "s"]);
    wait_for(SOON, "stopped", || proc_state(pid) == Some('T'));
    assert_eq!(
        &status(&sb, "s").unwrap()[12..],
        // runit's got-TERM flag stays set: the service caught the -t and lives on.
        &[&pid.to_le_bytes()[..], &[1, b'u', 1, 1]].concat()
    );
    run(&sb, "svc", &["-c", "s"]);
    wait_for(SOON, "continued", || proc_state(pid) != Some('T'));
    assert_eq!(status(&sb, "s").unwrap()[16], 0);
    run(&sb, "svc", &["-k", "s"]);
    let next = wait_status(&sb, "s", "restart after -k", |r| {
        pid_of(r) != 0 && pid_of(r) != pid
    });
    assert!(alive(pid_of(&next)));
}

#[test]
fn term_ignoring_service_needs_svc_k() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\ntrap '' TERM\nexec sleep 100\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_sleeping(&sb, "s");
    run(&sb, "svc", &["-d", "s"]);
    wait_status(&sb, "s", "want down", |r| r[17] == b'd');
    std::thread::sleep(Duration::from_millis(100));
    assert!(alive(pid));
    let out = run(&sb, "svstat", &["s"]);
    assert_eq!(
        normalise_seconds(&out.stdout),
        format!("s: up (pid {pid}) N seconds, want down\n")
    );
    run(&sb, "svc", &["-k", "s"]);
    wait_down(&sb, "s");
    assert!(!alive(pid));
}

#[test]
fn once_and_exit() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    sb.write("s/down", "");
    let mut guard = spawn_supervise(&sb, "supervise", "s");
    wait_down(&sb, "s");
    run(&sb, "svc", &["-o", "s"]);
    let pid = wait_up(&sb, "s");
    assert_eq!(status(&sb, "s").unwrap()[17], 0);
    run(&sb, "svc", &["-x", "s"]);
    std::thread::sleep(Duration::from_millis(100));
    assert!(ok_open(&sb, "s"), "x must wait for the service to end");
    assert!(guard.child.try_wait().unwrap().is_none());
    run(&sb, "svc", &["-t", "s"]);
    assert_eq!(guard.wait_exit(SOON).code(), Some(0));
    assert!(!alive(pid));
    assert_eq!(&status(&sb, "s").unwrap()[12..], &[0, 0, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn second_supervise_is_refused() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_up(&sb, "s");
    let out = run(&sb, "supervise", &["s"]);
    assert_output(
        &out,
        111,
        b"",
        b"supervise: fatal: unable to acquire s/supervise/lock: temporary failure\n",
    );
}

#[test]
fn killed_supervise_is_replaced_by_one_that_adopts_the_service() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let mut first = spawn_supervise(&sb, "supervise", "s");
    let old = wait_up(&sb, "s");
    let before = status(&sb, "s").unwrap();
    first.signal("KILL");
    first.wait_exit(SOON);
    assert!(alive(old));
    let _second = spawn_supervise(&sb, "supervise", "s");
    wait_for(SOON, "second supervise", || ok_open(&sb, "s"));
    // The same process, with its original stamp: no second copy.
    assert_eq!(status(&sb, "s").unwrap(), before);
    let out = run(&sb, "svstat", &["s"]);
    assert_eq!(
        normalise_seconds(&out.stdout),
        format!("s: up (pid {old}) N seconds\n")
    );
    run(&sb, "svc", &["-p", "s"]);
    wait_for(SOON, "adopted service stopped", || {
        proc_state(old) == Some('T')
    });
    run(&sb, "svc", &["-c", "s"]);
    wait_for(SOON, "adopted service continued", || {
        proc_state(old) != Some('T')
    });
    // Its exit is noticed although it is not our child, and it is restarted.
    assert_eq!(
        Command::new("kill")
            .arg(old.to_string())
            .status()
            .unwrap()
            .code(),
        Some(0)
    );
    let new = wait_status(&sb, "s", "restart", |r| pid_of(r) != 0 && pid_of(r) != old);
    assert!(alive(pid_of(&new)));
    run(&sb, "svc", &["-d", "s"]);
    wait_down(&sb, "s");
    assert_eq!(stderr_of(&sb, "s"), "");
}

#[test]
fn unrelated_pid_in_old_status_is_never_adopted_or_signalled() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    // A live process that did not start when the record says: a reused pid.
    let mut other = ProcessGuard::spawn(sb.command("sleep").arg("100"));
    let pid = other.pid() as u32;
    let hour_ago = (1u64 << 62)
        + 10
        + std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
        - 3600;
    let record = [
        &hour_ago.to_be_bytes()[..],
        &[0, 0, 1, 0xf4],
        &pid.to_le_bytes(),
        &[0, b'u'],
    ]
    .concat();
    sb.write("s/supervise/status", &record);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let started = wait_status(&sb, "s", "a new copy", |r| {
        pid_of(r) != 0 && pid_of(r) != pid
    });
    assert!(alive(pid_of(&started)));
    run(&sb, "svc", &["-dk", "s"]);
    wait_down(&sb, "s");
    assert!(
        other.child.try_wait().unwrap().is_none(),
        "the unrelated process was signalled"
    );
}

#[test]
fn term_kills_supervise_but_not_the_service() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let mut guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_up(&sb, "s");
    guard.signal("TERM");
    let st = guard.wait_exit(SOON);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&st),
        Some(libc::SIGTERM)
    );
    assert!(alive(pid));
    assert!(!ok_open(&sb, "s"));
}

#[test]
fn idle_supervise_never_wakes_up() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let guard = spawn_supervise(&sb, "supervise", "s");
    wait_up(&sb, "s");
    let switches = || {
        fs::read_to_string(format!("/proc/{}/status", guard.pid()))
            .unwrap()
            .lines()
            .find_map(|l| {
                l.strip_prefix("voluntary_ctxt_switches:")
                    .map(|v| v.trim().to_owned())
            })
            .unwrap()
    };
    // Past the 1-second start window nothing is pending, so some window longer than any
    // periodic wake-up of a second must pass with no switch (a loaded machine may delay the
    // end of the start window, hence several tries).
    const WINDOW: Duration = Duration::from_millis(1500);
    const TRIES: usize = 5;
    let mut counts = vec![switches()];
    for _ in 0..TRIES {
        std::thread::sleep(WINDOW);
        counts.push(switches());
        if counts[counts.len() - 2] == counts[counts.len() - 1] {
            return;
        }
    }
    panic!("supervise kept waking up: voluntary switches {counts:?}");
}

#[test]
fn a_change_of_state_swaps_the_records_and_creates_no_file() {
    use std::collections::BTreeSet;
    use std::os::unix::fs::MetadataExt;
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_up(&sb, "s");
    let dir = sb.join("s/supervise");
    // The files that hold the records and their spares, by inode.
    let inodes = || -> Option<BTreeSet<u64>> {
        ["status", "status.new", "lifecycle", "lifecycle.new"]
            .iter()
            .map(|f| fs::metadata(dir.join(f)).ok().map(|m| m.ino()))
            .collect()
    };
    // Once a change has followed the start, every record has its spare.
    run(&sb, "svc", &["-p", "s"]);
    wait_status(&sb, "s", "paused", |r| r[16] == 1);
    let before = poll_until(SOON, "spare records", inodes);
    assert_eq!(before.len(), 4);
    run(&sb, "svc", &["-c", "s"]);
    wait_status(&sb, "s", "continued", |r| r[16] == 0);
    run(&sb, "svc", &["-d", "s"]);
    let down = wait_down(&sb, "s");
    assert_eq!(inodes(), Some(before), "the same four files, swapped");
    let spare = fs::read(dir.join("status.new")).unwrap();
    assert_eq!(spare.len(), 20);
    assert_ne!(spare, down, "the spare holds an earlier record");
}

#[test]
fn status_rename_failure_is_a_warning() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_up(&sb, "s");
    // Once the service is reaped after -d, supervise writes nothing until the next command.
    run(&sb, "svc", &["-d", "s"]);
    wait_down(&sb, "s");
    // The previous record is kept as status.new (the next write reuses it): a directory in
    // its place makes the open fail, and supervise carries on.
    assert_eq!(
        fs::read(sb.join("s/supervise/status.new")).unwrap().len(),
        20
    );
    fs::remove_file(sb.join("s/supervise/status.new")).unwrap();
    sb.mkdir("s/supervise/status.new");
    run(&sb, "svc", &["-p", "s"]);
    let msg = "supervise: warning: unable to open s/supervise/status.new: is a directory\n";
    wait_for(SOON, "warning", || stderr_of(&sb, "s") == msg);
    fs::remove_dir(sb.join("s/supervise/status.new")).unwrap();
    // A directory in place of status: the rename fails, the .new file is left.
    fs::remove_file(sb.join("s/supervise/status")).unwrap();
    sb.mkdir("s/supervise/status");
    run(&sb, "svc", &["-c", "s"]);
    let msg2 = "supervise: warning: unable to rename s/supervise/status.new to status: \
        is a directory\n";
    wait_for(SOON, "rename warning", || {
        stderr_of(&sb, "s") == format!("{msg}{msg2}")
    });
    assert_eq!(
        fs::read(sb.join("s/supervise/status.new")).unwrap().len(),
        20
    );
    fs::remove_dir(sb.join("s/supervise/status")).unwrap();
    run(&sb, "svc", &["-u", "s"]);
    wait_up(&sb, "s");
}

#[test]
fn deleted_service_directory_only_warns() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let mut guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_sleeping(&sb, "s");
    fs::rename(sb.join("s"), sb.join("gone")).unwrap();
    // supervise may still be writing its status: retry until the tree is gone.
    wait_for(SOON, "directory removed", || {
        fs::remove_dir_all(sb.join("gone")).is_ok()
    });
    assert_eq!(
        Command::new("kill")
            .arg(pid.to_string())
            .status()
            .unwrap()
            .code(),
        Some(0)
    );
    // Depending on when the directory vanished, a status update fails at open or rename.
    let open = "supervise: warning: unable to open s/supervise/status.new: file does not exist";
    let rename = "supervise: warning: unable to rename s/supervise/status.new to status: \
        file does not exist";
    let fatal = "supervise: fatal: unable to start s/run: file does not exist";
    wait_for(SOON, "warnings", || stderr_of(&sb, "s").contains(fatal));
    let text = stderr_of(&sb, "s");
    assert!(text.starts_with("supervise: warning: "), "{text}");
    assert!(
        text.lines().all(|l| [open, rename, fatal].contains(&l)),
        "{text}"
    );
    assert!(
        guard.child.try_wait().unwrap().is_none(),
        "supervise must keep running"
    );
}

#[test]
fn fork_failure_warns_and_stays_responsive() {
    // Root-only: supervise runs as nobody with a process limit of 1, so fork fails.
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let chown = sb.run("chown", &["-R", "nobody", "s"]);
    assert!(chown.status.success(), "{}", show(&chown.stderr));
    let err = File::create(sb.join("s.err")).unwrap();
    let mut cmd = sb.command(reference("setuidgid"));
    let supervise = public_copy(&sb, "supervise");
    let script = format!("ulimit -u 1 && exec {} s", supervise.display());
    cmd.args(["nobody", "bash", "-c", &script]).stderr(err);
    let mut guard = ProcessGuard::spawn(&mut cmd).with_services(sb.bin("svc"), &[sb.join("s")]);
    let msg = "supervise: warning: unable to fork for s, sleeping 60 seconds: temporary failure\n";
    wait_for(SOON, "fork warning", || stderr_of(&sb, "s") == msg);
    let out = run(&sb, "svstat", &["s"]);
    assert_eq!(
        normalise_seconds(&out.stdout),
        "s: down N seconds, normally up, want up\n"
    );
    // The 60-second pause does not make supervise deaf.
    run(&sb, "svc", &["-x", "s"]);
    assert_eq!(guard.wait_exit(SOON).code(), Some(0));
    assert_eq!(stderr_of(&sb, "s"), msg);
}

#[test]
fn dangling_down_symlink_counts_as_absent() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    std::os::unix::fs::symlink("nowhere", sb.join("s/down")).unwrap();
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_up(&sb, "s");
    let out = run(&sb, "svstat", &["s"]);
    assert_eq!(
        normalise_seconds(&out.stdout),
        format!("s: up (pid {pid}) N seconds\n")
    );
}

#[test]
fn service_inherits_ignored_signals() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let err = File::create(sb.join("s.err")).unwrap();
    let mut cmd = sb.command("sh");
    cmd.args(["-c", "trap '' PIPE HUP; exec supervise s"])
        .stderr(err);
    let guard = ProcessGuard::spawn(&mut cmd).with_services(sb.bin("svc"), &[sb.join("s")]);
    let pid = wait_up(&sb, "s");
    let field = |pid: u32, name: &str| {
        let st = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = st.lines().find(|l| l.starts_with(name)).unwrap().to_owned();
        u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
    };
    let ignored = field(guard.pid() as u32, "SigIgn:");
    let pipe_and_hup = (1 << (libc::SIGPIPE - 1)) | (1 << (libc::SIGHUP - 1));
    assert_eq!(ignored & pipe_and_hup, pipe_and_hup);
    wait_for(SOON, "sleep running", || runs_sleep(pid));
    assert_eq!(field(pid, "SigIgn:"), ignored);
    assert_eq!(field(pid, "SigBlk:"), 0);
}

#[test]
fn start_asked_within_the_second_waits_for_its_end() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_up(&sb, "s");
    let mut first = status(&sb, "s").unwrap();
    // Never two starts within a second: checked in every round. That the `u` is answered at
    // once (want up, still down) and served when the second is over needs the round to fit
    // in the second, which a loaded machine may prevent, hence several rounds.
    const ROUNDS: usize = 5;
    let mut seen = Vec::new();
    for _ in 0..ROUNDS {
        run(&sb, "svc", &["-d", "s"]);
        wait_down(&sb, "s");
        run(&sb, "svc", &["-u", "s"]);
        let waiting = wait_status(&sb, "s", "want up", |r| r[17] == b'u');
        let second = wait_status(&sb, "s", "restart", |r| pid_of(r) != 0);
        let gap = stamp_of(&second) - stamp_of(&first);
        assert!(gap >= 0.999, "second start {gap:.3} s after the first");
        seen.push((pid_of(&waiting), gap));
        if pid_of(&waiting) == 0 && gap < 1.5 {
            return;
        }
        first = second;
    }
    panic!("no start was held to the end of the second: (pid, gap) {seen:?}");
}
