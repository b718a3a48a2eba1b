//! Integration tests for svscanboot: the pipeline it builds (svscan's arguments,
//! environment and descriptors, readproctitle's title) and the `svc -dx` of leftovers.

use crate::common::*;
use crate::svscan::{children, cmdline, service, wait_child};
use std::process::Stdio;

const PATH_ENV: &str =
    "PATH=/command:/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/X11R6/bin";

fn fd_target(pid: i32, fd: i32) -> String {
    std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

fn boot(sb: &Sandbox, dir: &str) -> ProcessGuard {
    let mut cmd = sb.command("svscanboot");
    cmd.arg(sb.join(dir))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    ProcessGuard::spawn(&mut cmd)
}

#[test]
fn svscan_gets_only_path_and_null_stdio_and_a_pipe_for_errors() {
    let sb = Sandbox::new();
    service(&sb, "service/a", "exec sleep 1000");
    let guard = boot(&sb, "service");
    let dir = sb.join("service").display().to_string();
    let scan = wait_child(guard.pid(), &format!("svscan {dir}"));
    let environ = std::fs::read(format!("/proc/{scan}/environ")).unwrap();
    assert_eq!(show(&environ), format!("{PATH_ENV}\0"));
    assert_eq!(fd_target(scan, 0), "/dev/null");
    assert_eq!(fd_target(scan, 1), "/dev/null");
    assert!(
        fd_target(scan, 2).starts_with("pipe:"),
        "{}",
        fd_target(scan, 2)
    );
    // svscan runs in DIR and starts its services.
    assert_eq!(
        std::fs::read_link(format!("/proc/{scan}/cwd")).unwrap(),
        sb.join("service")
    );
    wait_child(scan, "supervise a");
    assert_eq!(
        children(guard.pid())
            .iter()
            .filter(|&&c| cmdline(c).starts_with("svscan"))
            .count(),
        1
    );
}

#[test]
fn missing_directory_is_reported_through_the_pipe_only() {
    let sb = Sandbox::new();
    let mut cmd = sb.command("svscanboot");
    cmd.arg(sb.join("nonexistent"));
    let out = cmd.output().unwrap();
    // svscan's fatal message goes into the pipe, never to svscanboot's own stderr (which
    // svscanboot pointed at /dev/null); the exit status is readproctitle's.
    assert_eq!(
        (show(&out.stdout), show(&out.stderr)),
        (String::new(), String::new())
    );
}
