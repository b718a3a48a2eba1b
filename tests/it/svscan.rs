//! Integration tests for svscan: 0.76's behaviour and messages (differential against
//! /usr/bin/svscan where they can be compared at once), the log pipe, instant pick-up and
//! restarts, and the bad cases (vanishing, renamed, broken and unforkable services).

use crate::common::*;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(5);

/// The supervise svscan runs in these tests: daemonbox's own, reached through a link named
/// `supervise` first in PATH (svscan searches PATH, as 0.76 does).
pub fn supervise_exe() -> PathBuf {
    daemonbox()
}

/// The children of `pid`, from /proc.
pub fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The command line of `pid`, arguments joined by spaces.
pub fn cmdline(pid: i32) -> String {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let text = String::from_utf8_lossy(&raw).replace('\0', " ");
    text.trim_end().to_owned()
}

/// The working directory of `pid`.
pub fn cwd(pid: i32) -> PathBuf {
    std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default()
}

/// The child of `parent` whose command line is exactly `cmd`.
pub fn child_named(parent: i32, cmd: &str) -> Option<i32> {
    children(parent).into_iter().find(|&c| cmdline(c) == cmd)
}

/// Waits for a child of `parent` with command line `cmd`; returns its pid.
pub fn wait_child(parent: i32, cmd: &str) -> i32 {
    poll_until(WAIT, &format!("child `{cmd}` of {parent}"), || {
        child_named(parent, cmd)
    })
}

/// Writes an executable `run` script into `dir`.
pub fn service(sb: &Sandbox, dir: &str, body: &str) -> PathBuf {
    sb.script(format!("{dir}/run"), &format!("#!/bin/sh\n{body}\n"));
    sb.join(dir)
}

/// A directory holding only `supervise` -> `target`, to put first in PATH.
pub fn supervise_dir(sb: &Sandbox, target: &Path) -> PathBuf {
    let dir = sb.mkdir("sup");
    let _ = std::fs::remove_file(dir.join("supervise"));
    symlink(target, dir.join("supervise")).unwrap();
    dir
}

/// `program ARGS` (svscan, ours or the reference) with `path_first` ahead of the sandbox
/// PATH; stderr goes to the file `err_name` in the sandbox.
pub fn svscan_cmd(
    sb: &Sandbox,
    program: &Path,
    path_first: &Path,
    args: &[&str],
    err_name: &str,
) -> Command {
    let mut cmd = sb.command(program);
    let err = std::fs::File::create(sb.join(err_name)).unwrap();
    cmd.env(
        "PATH",
        format!("{}:{}", path_first.display(), sb.path_var()),
    )
    .args(args)
    .stdout(Stdio::null())
    .stderr(Stdio::from(err));
    cmd
}

/// Starts our svscan with the real supervise (stderr in `err`); the guard stops everything.
pub fn start(sb: &Sandbox, args: &[&str]) -> ProcessGuard {
    let sup = supervise_dir(sb, &supervise_exe());
    ProcessGuard::spawn(&mut svscan_cmd(sb, &sb.bin("svscan"), &sup, args, "err"))
}

/// The lines of sandbox file `name` once it has at least `count`, sorted (children write
/// concurrently, so only the set of lines is stable).
pub fn lines_sorted(sb: &Sandbox, name: &str, count: usize) -> Vec<String> {
    poll_until(WAIT, &format!("{count} lines in {name}"), || {
        let text = std::fs::read_to_string(sb.join(name)).unwrap_or_default();
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        (lines.len() >= count).then_some(lines)
    })
}

/// The content of sandbox file `name` (empty if missing).
pub fn read(sb: &Sandbox, name: &str) -> String {
    std::fs::read_to_string(sb.join(name)).unwrap_or_default()
}

/// A directory whose `supervise` is /bin/sleep: `supervise 100001` sleeps for a day, one
/// cheap process per service (services are then named by numbers).
pub fn sleeping_supervise(sb: &Sandbox) -> PathBuf {
    let dir = sb.mkdir("sleeper");
    symlink("/bin/sleep", dir.join("supervise")).unwrap();
    dir
}

/// Waits until the supervise of `dir` has finished starting (svok says it runs).
pub fn wait_ok(dir: &Path) {
    wait_for(WAIT, "supervise ready", || {
        Command::new(reference("svok"))
            .arg(dir)
            .status()
            .unwrap()
            .success()
    });
}

/// Sends signal `sig` (a name such as `TERM`) to `pid`.
pub fn signal(pid: i32, sig: &str) {
    kill(sig, pid);
}

fn kill(sig: &str, pid: i32) {
    Command::new("kill")
        .args([&format!("-{sig}"), &pid.to_string()])
        .status()
        .unwrap();
}

/// The state letter of `pid` (`R`, `S`, `Z`, ...), `None` once it is gone.
pub fn state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.trim_start().chars().next()
}

/// Is `pid` running (present and not a zombie)?
pub fn alive(pid: i32) -> bool {
    state(pid).is_some_and(|s| s != 'Z')
}

/// The pipe inode a descriptor of `pid` points at (`pipe:[N]`).
pub fn fd_target(pid: i32, fd: i32) -> String {
    std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn fds_pointing_at(pid: i32, target: &str) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter(|e| {
            std::fs::read_link(e.as_ref().unwrap().path())
                .is_ok_and(|p| p.display().to_string() == target)
        })
        .count()
}

#[test]
fn chdir_failure_matches_reference() {
    let sb = Sandbox::new();
    sb.write("file", "");
    for prog in [sb.bin("svscan"), reference("svscan")] {
        let out = sb.run(&prog, &["nonexistent"]);
        assert_output(
            &out,
            111,
            b"",
            b"svscan: fatal: unable to chdir to nonexistent: file does not exist\n",
        );
        // Arguments after the directory are ignored, as in 0.76.
        let out = sb.run(&prog, &["nonexistent", "extra", "-x"]);
        assert_output(
            &out,
            111,
            b"",
            b"svscan: fatal: unable to chdir to nonexistent: file does not exist\n",
        );
        let out = sb.run(&prog, &["file"]);
        assert_output(
            &out,
            111,
            b"",
            b"svscan: fatal: unable to chdir to file: not a directory\n",
        );
    }
}

#[test]
fn bad_options_are_usage_errors() {
    let sb = Sandbox::new();
    let usage =
        "svscan: usage: svscan [-1] [-g seconds] [-r service] [-t ms] [dir [-- prog ...]]\n";
    let out = sb.run("svscan", &["-z", "sv"]);
    assert_output(
        &out,
        100,
        b"",
        format!("svscan: illegal option -- z\n{usage}").as_bytes(),
    );
    let out = sb.run("svscan", &["-g"]);
    assert_output(
        &out,
        100,
        b"",
        format!("svscan: option requires an argument -- g\n{usage}").as_bytes(),
    );
    for bad in ["x", "", "-1", "1.5", "9999999999"] {
        let out = sb.run("svscan", &["-g", bad, "sv"]);
        assert_output(&out, 100, b"", usage.as_bytes());
    }
    // `--` ends the options: a directory may start with a dash.
    let out = sb.run("svscan", &["--", "-x"]);
    assert_output(
        &out,
        111,
        b"",
        b"svscan: fatal: unable to chdir to -x: file does not exist\n",
    );
}

#[test]
fn first_scan_messages_match_reference() {
    let sb = Sandbox::new();
    service(&sb, "sv/good", "exec sleep 1000");
    service(&sb, "sv/withlog", "exec sleep 1000");
    service(&sb, "sv/withlog/log", "exec cat");
    sb.mkdir("sv/.hidden");
    sb.mkdir("sv/loopy");
    symlink("log", sb.join("sv/loopy/log")).unwrap();
    sb.write("sv/plain", "");
    symlink("nowhere", sb.join("sv/dangling")).unwrap();
    let empty = sb.mkdir("empty");
    let expected = [
        "svscan: warning: unable to start supervise good: file does not exist",
        "svscan: warning: unable to start supervise withlog/log: file does not exist",
        "svscan: warning: unable to start supervise withlog: file does not exist",
        "svscan: warning: unable to stat dangling: file does not exist",
        "svscan: warning: unable to stat loopy/log: symbolic link loop",
    ];
    for (prog, err) in [(sb.bin("svscan"), "ours"), (reference("svscan"), "theirs")] {
        let mut cmd = svscan_cmd(&sb, &prog, &empty, &["sv"], err);
        cmd.env("PATH", &empty);
        let _guard = ProcessGuard::spawn(&mut cmd);
        assert_eq!(lines_sorted(&sb, err, expected.len()), expected, "{err}");
    }
    // Children that cannot exec are not restarted in a loop: still one round after a second.
    std::thread::sleep(Duration::from_millis(1000));
    assert_eq!(read(&sb, "ours").lines().count(), expected.len());
}

#[test]
fn services_and_loggers_share_a_held_pipe() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo a-out; exec sleep 1000");
    service(&sb, "sv/a/log", "exec cat > out");
    service(&sb, "sv/b", "exec sleep 1000");
    let guard = start(&sb, &["sv"]);
    let scan = guard.pid();
    let main = wait_child(scan, "supervise a");
    wait_child(scan, "supervise b");
    let logger = wait_child(scan, "supervise log");
    wait_for(WAIT, "logger cwd", || cwd(logger) == sb.join("sv/a/log"));
    wait_for(WAIT, "logged line", || {
        read(&sb, "sv/a/log/out") == "a-out\n"
    });
    let pipe = fd_target(main, 1);
    assert!(pipe.starts_with("pipe:"), "supervise a fd 1 is {pipe}");
    assert_eq!(fd_target(logger, 0), pipe);
    // svscan holds the pipe (one descriptor for both ends), close-on-exec.
    assert_eq!(fds_pointing_at(scan, &pipe), 1);
    // Everything else is inherited from svscan.
    assert_eq!(fd_target(main, 0), fd_target(scan, 0));
    assert_eq!(fd_target(main, 2), fd_target(scan, 2));
    assert_eq!(fd_target(logger, 1), fd_target(scan, 1));
    assert_eq!(read(&sb, "err"), "");
}

#[test]
fn new_directories_and_symlinks_are_started_at_once() {
    let sb = Sandbox::new();
    service(&sb, "sv/b", "exec sleep 1000");
    let guard = start(&sb, &["sv"]);
    wait_child(guard.pid(), "supervise b");
    // Built aside, then renamed in, the usual idiom.
    service(&sb, "stage/c", "exec sleep 1000");
    let t0 = Instant::now();
    std::fs::rename(sb.join("stage/c"), sb.join("sv/c")).unwrap();
    wait_child(guard.pid(), "supervise c");
    assert!(
        // Sooner than the 5-second rescan: the event, not the fallback, started it.
        t0.elapsed() < Duration::from_secs(4),
        "took {:?}",
        t0.elapsed()
    );
    service(&sb, "elsewhere/d", "exec sleep 1000");
    let t0 = Instant::now();
    symlink("../elsewhere/d", sb.join("sv/d")).unwrap();
    wait_child(guard.pid(), "supervise d");
    assert!(
        // Sooner than the 5-second rescan: the event, not the fallback, started it.
        t0.elapsed() < Duration::from_secs(4),
        "took {:?}",
        t0.elapsed()
    );
}

#[test]
fn exited_supervise_is_restarted_at_once() {
    let sb = Sandbox::new();
    service(&sb, "sv/b", "exec sleep 1000");
    let guard = start(&sb, &["sv"]);
    let first = wait_child(guard.pid(), "supervise b");
    // A supervise that ran for a while (table::MIN_RUN) comes back without waiting 5 s.
    std::thread::sleep(Duration::from_millis(1100));
    kill("KILL", first);
    let t0 = Instant::now();
    let second = poll_until(WAIT, "a new supervise b", || {
        child_named(guard.pid(), "supervise b").filter(|&p| p != first)
    });
    assert!(
        // Sooner than the 5-second rescan: the event, not the fallback, started it.
        t0.elapsed() < Duration::from_secs(4),
        "took {:?}",
        t0.elapsed()
    );
    assert_ne!(first, second);
}

#[test]
fn restarted_logger_reads_the_same_pipe_without_loss() {
    let sb = Sandbox::new();
    service(
        &sb,
        "sv/n",
        "i=0; while :; do i=$((i+1)); echo $i; sleep 0.01; done",
    );
    service(&sb, "sv/n/log", "exec cat >> out");
    let guard = start(&sb, &["sv"]);
    let logger = wait_child(guard.pid(), "supervise log");
    let lines = |sb: &Sandbox| read(sb, "sv/n/log/out").lines().count();
    wait_for(WAIT, "20 lines", || lines(&sb) >= 20);
    let cat = wait_child(logger, "cat");
    let pipe = fd_target(cat, 0);
    kill("KILL", cat);
    let seen = lines(&sb);
    let new_cat = poll_until(WAIT, "a new cat", || {
        child_named(logger, "cat").filter(|&c| c != cat)
    });
    assert_eq!(fd_target(new_cat, 0), pipe);
    wait_for(WAIT, "more lines", || lines(&sb) >= seen + 50);
    let text = read(&sb, "sv/n/log/out");
    let complete: Vec<&str> = text.lines().collect();
    let complete = &complete[..complete.len() - 1];
    for (i, line) in complete.iter().enumerate() {
        assert_eq!(*line, (i + 1).to_string(), "a line was lost around {i}");
    }
}

#[test]
fn log_added_later_is_picked_up_by_a_rescan() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "exec sleep 1000");
    let guard = start(&sb, &["sv"]);
    wait_child(guard.pid(), "supervise a");
    service(&sb, "sv/a/log", "exec cat > out");
    guard.signal("HUP");
    let logger = wait_child(guard.pid(), "supervise log");
    wait_for(WAIT, "logger cwd", || cwd(logger) == sb.join("sv/a/log"));
    assert!(alive(guard.pid()));
}

#[test]
fn vanished_directory_is_dropped_once_its_supervise_exits() {
    let sb = Sandbox::new();
    service(&sb, "sv/v", "exec sleep 1000");
    let guard = start(&sb, &["sv"]);
    let sup = wait_child(guard.pid(), "supervise v");
    wait_ok(&sb.join("sv/v"));
    // supervise may be writing its status at that moment: retry until the tree is gone.
    wait_for(WAIT, "directory removed", || {
        std::fs::remove_dir_all(sb.join("sv/v")).is_ok()
    });
    std::thread::sleep(Duration::from_millis(100));
    // 0.76: the supervise of a removed directory keeps running.
    assert!(alive(sup));
    kill("KILL", sup);
    guard.signal("HUP");
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(child_named(guard.pid(), "supervise v"), None);
    // Re-created under the same name: a new directory, started at once.
    service(&sb, "stage/v", "exec sleep 1000");
    std::fs::rename(sb.join("stage/v"), sb.join("sv/v")).unwrap();
    wait_child(guard.pid(), "supervise v");
    assert!(
        !read(&sb, "err").contains("svscan:"),
        "{}",
        read(&sb, "err")
    );
}

#[test]
fn directory_renamed_to_a_dot_name_is_not_restarted() {
    let sb = Sandbox::new();
    service(&sb, "sv/r", "exec sleep 1000");
    let guard = start(&sb, &["sv"]);
    let sup = wait_child(guard.pid(), "supervise r");
    std::fs::rename(sb.join("sv/r"), sb.join("sv/.r")).unwrap();
    kill("KILL", sup);
    guard.signal("HUP");
    std::thread::sleep(Duration::from_millis(300));
    let left: Vec<String> = children(guard.pid()).into_iter().map(cmdline).collect();
    assert!(left.iter().all(|c| !c.starts_with("supervise")), "{left:?}");
    assert!(alive(guard.pid()));
}

#[test]
fn broken_services_do_not_disturb_svscan() {
    let sb = Sandbox::new();
    sb.mkdir("sv/norun");
    sb.write("sv/file", "");
    service(&sb, "sv/l", "exec sleep 1000");
    sb.mkdir("sv/l/log");
    let guard = start(&sb, &["sv"]);
    wait_child(guard.pid(), "supervise norun");
    wait_child(guard.pid(), "supervise l");
    let logger = wait_child(guard.pid(), "supervise log");
    wait_for(WAIT, "logger cwd", || cwd(logger) == sb.join("sv/l/log"));
    assert_eq!(children(guard.pid()).len(), 3);
    assert!(
        !read(&sb, "err").contains("svscan:"),
        "{}",
        read(&sb, "err")
    );
}

#[test]
fn dangling_symlink_warns_on_every_scan_and_aliases_share_one_supervise() {
    let sb = Sandbox::new();
    service(&sb, "sv/b", "exec sleep 1000");
    symlink("b", sb.join("sv/alias")).unwrap();
    symlink("nowhere", sb.join("sv/dangling")).unwrap();
    let guard = start(&sb, &["sv"]);
    let warning = "svscan: warning: unable to stat dangling: file does not exist";
    assert_eq!(lines_sorted(&sb, "err", 1), [warning]);
    guard.signal("HUP");
    assert_eq!(lines_sorted(&sb, "err", 2), [warning, warning]);
    guard.signal("ALRM");
    assert_eq!(lines_sorted(&sb, "err", 3), [warning, warning, warning]);
    // One entry for the two names (a fork in progress may show up for an instant).
    let sups = poll_until(WAIT, "exactly one supervise", || {
        let sups: Vec<String> = children(guard.pid()).into_iter().map(cmdline).collect();
        (sups.len() == 1).then_some(sups)
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(children(guard.pid()).len(), 1);
    assert!(
        sups[0] == "supervise b" || sups[0] == "supervise alias",
        "{sups:?}"
    );
}

#[test]
fn term_kills_svscan_and_leaves_services_running_outside_container_mode() {
    let sb = Sandbox::new();
    service(&sb, "sv/b", "exec sleep 1000");
    let mut guard = start(&sb, &["sv"]);
    let sup = wait_child(guard.pid(), "supervise b");
    guard.signal("TERM");
    let status = guard.wait_exit(WAIT);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(15));
    assert!(alive(sup));
}

#[test]
fn more_than_a_thousand_services() {
    const COUNT: usize = 1100;
    let sb = Sandbox::new();
    for i in 0..COUNT / 2 {
        sb.mkdir(format!("sv/{}", 100_000 + i));
    }
    let sleeper = sleeping_supervise(&sb);
    let guard = ProcessGuard::spawn(&mut svscan_cmd(
        &sb,
        &sb.bin("svscan"),
        &sleeper,
        &["sv"],
        "err",
    ));
    wait_for(WAIT, "first half", || {
        children(guard.pid()).len() == COUNT / 2
    });
    for i in COUNT / 2..COUNT {
        sb.mkdir(format!("stage/{}", 100_000 + i));
        std::fs::rename(
            sb.join(format!("stage/{}", 100_000 + i)),
            sb.join(format!("sv/{}", 100_000 + i)),
        )
        .unwrap();
    }
    wait_for(Duration::from_secs(10), "all services", || {
        children(guard.pid()).len() == COUNT
    });
    assert_eq!(read(&sb, "err"), "");
}

#[test]
fn fork_failure_warns_and_is_retried() {
    let sb = Sandbox::new();
    for name in ["100001", "100002", "100003"] {
        sb.mkdir(format!("sv/{name}"));
    }
    let sleeper = sleeping_supervise(&sb);
    // A user of its own (no other test runs processes under it, whatever runs in
    // parallel), allowed 4 processes: a blocker, svscan and two children.
    let as_user = ["--reuid=64123", "--regid=64123", "--clear-groups"];
    let blocker = ProcessGuard::spawn(
        Command::new("setpriv")
            .args(as_user)
            .args(["sleep", "1000"])
            .stdin(Stdio::null()),
    );
    wait_for(WAIT, "blocker", || cmdline(blocker.pid()) == "sleep 1000");
    let mut cmd = svscan_cmd(
        &sb,
        Path::new("/usr/bin/softlimit"),
        &sleeper,
        &["-p", "4"],
        "err",
    );
    cmd.arg("setpriv")
        .args(as_user)
        .args([&sb.bin("svscan").display().to_string(), "sv"]);
    let guard = ProcessGuard::spawn(&mut cmd);
    let lines = lines_sorted(&sb, "err", 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let failed = lines[0]
        .strip_prefix("svscan: warning: unable to fork for ")
        .and_then(|rest| rest.strip_suffix(": temporary failure"))
        .unwrap_or_else(|| panic!("unexpected message {lines:?}"));
    assert!(["100001", "100002", "100003"].contains(&failed));
    assert_eq!(children(guard.pid()).len(), 2);
    drop(blocker);
    guard.signal("HUP");
    wait_for(WAIT, "the third service", || {
        children(guard.pid()).len() == 3
    });
    assert!(alive(guard.pid()));
    assert_eq!(lines_sorted(&sb, "err", 1), lines);
}

#[test]
fn descriptor_limit_is_raised_for_svscan_only() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "ulimit -n > nofile; exec sleep 1000");
    let sup = supervise_dir(&sb, &supervise_exe());
    let mut cmd = svscan_cmd(
        &sb,
        Path::new("/usr/bin/softlimit"),
        &sup,
        &["-o", "100"],
        "err",
    );
    cmd.arg(sb.bin("svscan")).arg("sv");
    let guard = ProcessGuard::spawn(&mut cmd);
    wait_for(WAIT, "the service's limit", || {
        read(&sb, "sv/a/nofile") == "100\n"
    });
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", guard.pid())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        fields[3], fields[4],
        "svscan's soft limit is its hard limit: {line}"
    );
}

#[test]
fn reference_supervise_works_under_our_svscan() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo a-out; exec sleep 1000");
    service(&sb, "sv/a/log", "exec cat > out");
    let sup = supervise_dir(&sb, &reference("supervise"));
    let guard = ProcessGuard::spawn(&mut svscan_cmd(
        &sb,
        &sb.bin("svscan"),
        &sup,
        &["sv"],
        "err",
    ));
    let main = wait_child(guard.pid(), "supervise a");
    let logger = wait_child(guard.pid(), "supervise log");
    assert_eq!(
        std::fs::read_link(format!("/proc/{main}/exe")).unwrap(),
        reference("supervise")
    );
    wait_for(WAIT, "logger cwd", || cwd(logger) == sb.join("sv/a/log"));
    wait_for(WAIT, "logged line", || {
        read(&sb, "sv/a/log/out") == "a-out\n"
    });
    assert_eq!(read(&sb, "err"), "");
}

#[test]
fn without_argument_the_current_directory_is_scanned() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "exec sleep 1000");
    let sup = supervise_dir(&sb, &supervise_exe());
    let mut cmd = svscan_cmd(&sb, &sb.bin("svscan"), &sup, &[], "err");
    cmd.current_dir(sb.join("sv"));
    let guard = ProcessGuard::spawn(&mut cmd);
    let main = wait_child(guard.pid(), "supervise a");
    assert_eq!(cwd(guard.pid()), sb.join("sv"));
    wait_for(WAIT, "supervise in a", || cwd(main) == sb.join("sv/a"));
}

#[test]
fn unreadable_directory_warns_and_keeps_every_service() {
    let sb = Sandbox::new();
    for name in ["100001", "100002"] {
        sb.mkdir(format!("sv/{name}"));
    }
    let sleeper = sleeping_supervise(&sb);
    Command::new("chown")
        .args(["-R", "nobody", &sb.join("sv").display().to_string()])
        .status()
        .unwrap();
    let mut cmd = svscan_cmd(&sb, &reference("setuidgid"), &sleeper, &["nobody"], "err");
    cmd.arg(sb.bin("svscan")).arg("sv");
    let guard = ProcessGuard::spawn(&mut cmd);
    wait_for(WAIT, "both services", || children(guard.pid()).len() == 2);
    std::fs::set_permissions(
        sb.join("sv"),
        std::os::unix::fs::PermissionsExt::from_mode(0o000),
    )
    .unwrap();
    guard.signal("HUP");
    assert_eq!(
        lines_sorted(&sb, "err", 1),
        ["svscan: warning: unable to read directory: access denied"]
    );
    // Nothing was dropped or restarted, and svscan goes on.
    assert_eq!(children(guard.pid()).len(), 2);
    std::fs::set_permissions(
        sb.join("sv"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    sb.mkdir("stage/100003");
    Command::new("chown")
        .args(["nobody", &sb.join("stage/100003").display().to_string()])
        .status()
        .unwrap();
    std::fs::rename(sb.join("stage/100003"), sb.join("sv/100003")).unwrap();
    wait_for(WAIT, "a third service", || children(guard.pid()).len() == 3);
}

#[test]
fn restarted_main_supervise_writes_into_the_same_pipe_and_the_logger_sees_no_eof() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo started; exec sleep 1000");
    service(&sb, "sv/a/log", "exec cat > out");
    let guard = start(&sb, &["sv"]);
    let first = wait_child(guard.pid(), "supervise a");
    let logger = wait_child(guard.pid(), "supervise log");
    let cat = wait_child(logger, "cat");
    let pipe = fd_target(first, 1);
    wait_for(WAIT, "first line", || {
        read(&sb, "sv/a/log/out") == "started\n"
    });
    std::thread::sleep(Duration::from_millis(1100));
    // Kill the supervise and its service: the new ones write into the same pipe.
    let service_pid = wait_child(first, "sleep 1000");
    kill("KILL", first);
    kill("KILL", service_pid);
    let second = poll_until(WAIT, "a new supervise a", || {
        child_named(guard.pid(), "supervise a").filter(|&p| p != first)
    });
    assert_eq!(fd_target(second, 1), pipe);
    wait_for(WAIT, "second line", || {
        read(&sb, "sv/a/log/out") == "started\nstarted\n"
    });
    // The logger never saw end of file: the same cat is still running.
    assert_eq!(child_named(logger, "cat"), Some(cat));
}

#[test]
fn supervise_that_cannot_start_is_retried_by_periodic_scans_only() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "exec sleep 1000");
    let bin = sb.mkdir("later");
    let mut cmd = svscan_cmd(&sb, &sb.bin("svscan"), &bin, &["sv"], "err");
    cmd.env("PATH", &bin);
    let guard = ProcessGuard::spawn(&mut cmd);
    let warning = "svscan: warning: unable to start supervise a: file does not exist";
    assert_eq!(lines_sorted(&sb, "err", 1), [warning]);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(read(&sb, "err").lines().count(), 1, "retried in a loop");
    guard.signal("ALRM");
    assert_eq!(lines_sorted(&sb, "err", 2), [warning, warning]);
    symlink(supervise_exe(), bin.join("supervise")).unwrap();
    guard.signal("HUP");
    wait_child(guard.pid(), "supervise a");
}

#[test]
fn services_inherit_ignored_signals_as_under_the_reference() {
    let sb = Sandbox::new();
    let sup = supervise_dir(&sb, &supervise_exe());
    let mut seen = Vec::new();
    for (prog, dir) in [(sb.bin("svscan"), "ours"), (reference("svscan"), "theirs")] {
        service(
            &sb,
            &format!("{dir}/a"),
            "grep -E '^Sig(Ign|Blk)' /proc/self/status > sig; exec sleep 1000",
        );
        // nohup starts svscan with SIGHUP ignored, which svscan itself catches (rescan).
        let err = format!("err-{dir}");
        let mut cmd = svscan_cmd(&sb, Path::new("/usr/bin/nohup"), &sup, &[], &err);
        cmd.arg(&prog).arg(dir);
        let _guard = ProcessGuard::spawn(&mut cmd);
        let path = format!("{dir}/a/sig");
        wait_for(WAIT, "the service's signal state", || {
            read(&sb, &path).lines().count() == 2
        });
        seen.push(read(&sb, &path));
    }
    assert_eq!(seen[0], seen[1]);
    let ignored = seen[0]
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:\t"))
        .unwrap();
    assert_eq!(
        u64::from_str_radix(ignored, 16).unwrap() & 1,
        1,
        "SIGHUP not ignored: {ignored}"
    );
}
