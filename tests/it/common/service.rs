//! Supervision helpers shared by the tests of supervise, svc, svok, svstat, svwait, the
//! lifecycle and interop: service directories, a guarded supervise, and reading records.

use super::*;
use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

/// Generous bound for things that happen "at once" (a loaded 2-core CI machine); polls
/// return as soon as the condition holds, so only a failing test waits this long.
pub const SOON: Duration = Duration::from_secs(20);
/// A run script that stays up until TERM.
pub const RUN_SLEEP: &str = "#!/bin/sh\nexec sleep 100\n";

/// Creates service directory `name` with the given run script.
pub fn service(sb: &Sandbox, name: &str, run: &str) -> PathBuf {
    sb.script(format!("{name}/run"), run);
    sb.join(name)
}

/// Starts `program name` (our supervise or the reference) in its own process group, with
/// stderr in `name.err`; the guard sends `svc -dx` and kills the group on drop.
pub fn spawn_supervise(sb: &Sandbox, program: impl AsRef<OsStr>, name: &str) -> ProcessGuard {
    let err = File::create(sb.join(format!("{name}.err"))).unwrap();
    let mut cmd = sb.command(program);
    cmd.arg(name).stdout(Stdio::null()).stderr(err);
    ProcessGuard::spawn(&mut cmd).with_services(sb.bin("svc"), &[sb.join(name)])
}

/// What supervise printed so far.
pub fn stderr_of(sb: &Sandbox, name: &str) -> String {
    fs::read_to_string(sb.join(format!("{name}.err"))).unwrap_or_default()
}

/// Can `name/supervise/ok` be opened for writing without blocking (supervise runs)?
pub fn ok_open(sb: &Sandbox, name: &str) -> bool {
    OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(sb.join(name).join("supervise/ok"))
        .is_ok()
}

/// The status record, if the file exists.
pub fn status(sb: &Sandbox, name: &str) -> Option<Vec<u8>> {
    fs::read(sb.join(name).join("supervise/status")).ok()
}

/// The pid field of a record.
pub fn pid_of(record: &[u8]) -> u32 {
    u32::from_le_bytes(record[12..16].try_into().unwrap())
}

/// The stamp of a record in Unix seconds.
pub fn stamp_of(record: &[u8]) -> f64 {
    let secs = u64::from_be_bytes(record[..8].try_into().unwrap()) - (1 << 62) - 10;
    let nanos = u32::from_be_bytes(record[8..12].try_into().unwrap());
    secs as f64 + f64::from(nanos) / 1e9
}

/// Waits until supervise runs and its status satisfies `pred`; returns the record.
pub fn wait_status(sb: &Sandbox, name: &str, what: &str, pred: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    poll_until(SOON, what, || {
        status(sb, name).filter(|r| r.len() >= 18 && pred(r))
    })
}

/// Waits until the service is up and its process no longer runs supervise's executable
/// (it has exec'd `./run`, or already ended); returns its pid.
pub fn wait_up(sb: &Sandbox, name: &str) -> u32 {
    let record = wait_status(sb, name, "service up", |r| {
        pid_of(r) != 0 && ok_open(sb, name)
    });
    let pid = pid_of(&record);
    wait_for(SOON, "./run executed", || match proc_state(pid) {
        None | Some('Z') => true,
        _ => {
            let exe = |p: &str| fs::read_link(format!("/proc/{p}/exe")).ok();
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let parent = stat
                .rsplit_once(") ")
                .and_then(|(_, r)| r.split(' ').nth(1));
            let child = exe(&pid.to_string());
            child.is_some() && parent.is_some_and(|ppid| exe(ppid) != child)
        }
    });
    pid
}

/// Is `pid` running `sleep` (the end of every `exec sleep` run script here)?
pub fn runs_sleep(pid: u32) -> bool {
    fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c.starts_with(b"sleep"))
}

/// Waits until the service is up and has reached its final `exec sleep`; returns its pid.
pub fn wait_sleeping(sb: &Sandbox, name: &str) -> u32 {
    let pid = wait_up(sb, name);
    wait_for(SOON, "run script reached sleep", || runs_sleep(pid));
    pid
}

/// Waits until supervise runs with the service down.
pub fn wait_down(sb: &Sandbox, name: &str) -> Vec<u8> {
    wait_status(sb, name, "service down", |r| {
        pid_of(r) == 0 && ok_open(sb, name)
    })
}

/// The one-letter state in /proc/PID/stat ('Z' for a zombie, None when gone).
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")
        .and_then(|(_, rest)| rest.chars().next())
}

/// Is `pid` a live (not zombie) process?
pub fn alive(pid: u32) -> bool {
    matches!(proc_state(pid), Some(c) if c != 'Z' && c != 'X')
}

/// The open descriptors of `pid` with their targets.
pub fn fds_of(pid: u32) -> Vec<(String, String)> {
    let dir = format!("/proc/{pid}/fd");
    fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let target = fs::read_link(e.path()).map(|t| t.display().to_string());
            (
                e.file_name().into_string().unwrap(),
                target.unwrap_or_default(),
            )
        })
        .collect()
}

/// A world-executable copy of daemonbox named `name` in the sandbox (made traversable), for
/// commands run as `nobody`, who may not reach the build directory.
pub fn public_copy(sb: &Sandbox, name: &str) -> PathBuf {
    fs::set_permissions(sb.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let dir = sb.mkdir("public");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.join(name);
    // A hard link when possible: a freshly written copy can briefly be "text busy".
    if fs::hard_link(daemonbox(), &path).is_err() {
        fs::copy(daemonbox(), &path).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

/// Runs one of our applets (or a reference path) with `args`.
pub fn run(sb: &Sandbox, program: impl AsRef<OsStr>, args: &[&str]) -> std::process::Output {
    sb.run(program, args)
}

/// Replaces the number before " seconds" with N, in every line.
pub fn normalise_seconds(text: &[u8]) -> String {
    let text = show(text);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        match line.find(" seconds") {
            Some(end) => {
                let start = line[..end].rfind(' ').map_or(0, |i| i + 1);
                out.push_str(&line[..start]);
                out.push('N');
                out.push_str(&line[end..]);
            }
            None => out.push_str(line),
        }
    }
    out
}
