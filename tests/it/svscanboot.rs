//! Integration tests for svscanboot: the pipeline it builds (svscan's arguments,
//! environment and descriptors, readproctitle's title), the `svc -dx` of leftovers, and its
//! own directory first on the PATH it passes down.

use crate::common::*;
use crate::svscan::{alive, children, cmdline, fd_target, service, wait_child};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

const PATH_076: &str =
    "/command:/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/X11R6/bin";

/// The environment svscan and readproctitle get: PATH, svscanboot's directory first.
fn environ(sb: &Sandbox) -> String {
    format!("PATH={}:{PATH_076}\0", sb.join("bin").display())
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
    assert_eq!(show(&environ), self::environ(&sb));
    assert_eq!(fd_target(scan, 0), "/dev/null");
    assert_eq!(fd_target(scan, 1), "/dev/null");
    assert!(
        fd_target(scan, 2).starts_with("pipe:"),
        "{}",
        fd_target(scan, 2)
    );
    // svscan moves into DIR (just after exec, so poll) and starts its services.
    wait_for(Duration::from_secs(20), "svscan in DIR", || {
        std::fs::read_link(format!("/proc/{scan}/cwd")).is_ok_and(|cwd| cwd == sb.join("service"))
    });
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
fn errors_scroll_through_readproctitle_title() {
    let sb = Sandbox::new();
    service(&sb, "service/b", "echo oops from b >&2; exec sleep 1000");
    let guard = boot(&sb, "service");
    // The title changes as soon as input arrives: find readproctitle by its first words.
    let title = poll_until(Duration::from_secs(5), "readproctitle", || {
        children(guard.pid())
            .into_iter()
            .find(|&c| cmdline(c).starts_with("readproctitle service errors: ..."))
    });
    let want_end = b"oops from b\n";
    let args = poll_until(Duration::from_secs(5), "the message in the title", || {
        let raw = std::fs::read(format!("/proc/{title}/cmdline")).unwrap_or_default();
        let args: Vec<Vec<u8>> = raw.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
        args.get(3)
            .is_some_and(|a| a.ends_with(want_end))
            .then_some(args)
    });
    assert_eq!(&args[..3], [&b"readproctitle"[..], b"service", b"errors:"]);
    let area = &args[3];
    assert_eq!(area.len(), 400);
    let dots = 400 - want_end.len();
    assert!(area[..dots].iter().all(|&b| b == b'.'), "{}", show(area));
    let environ = std::fs::read(format!("/proc/{title}/environ")).unwrap();
    assert_eq!(show(&environ), self::environ(&sb));
    assert_eq!(fd_target(title, 1), "/dev/null");
}

#[test]
fn exit_status_is_readproctitle_s() {
    let sb = Sandbox::new();
    // svscan fails at once (no such directory): readproctitle reads its message, then end
    // of file, and exits 0; so does svscanboot.
    let out = sb.run("svscanboot", &[sb.join("nonexistent").to_str().unwrap()]);
    assert_output(&out, 0, b"", b"");
}

#[test]
fn leftover_supervise_gets_svc_dx_first() {
    let sb = Sandbox::new();
    service(&sb, "service/a", "exec sleep 1000");
    service(&sb, "service/a/log", "exec cat > /dev/null");
    // Supervise processes left over from a previous boot (the reference ones, so that
    // whatever runs them below is not the code under test).
    let mut olds = Vec::new();
    for (dir, name) in [("service", "a"), ("service/a", "log")] {
        let mut cmd = sb.command(reference("supervise"));
        cmd.arg(name)
            .current_dir(sb.join(dir))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        olds.push(ProcessGuard::spawn(&mut cmd));
    }
    for dir in ["service/a", "service/a/log"] {
        wait_for(Duration::from_secs(5), "old supervise ready", || {
            sb.run(reference("svok"), &[sb.join(dir).to_str().unwrap()])
                .status
                .success()
        });
    }
    let services: Vec<i32> = olds
        .iter()
        .map(|g| {
            poll_until(Duration::from_secs(5), "old service", || {
                children(g.pid()).first().copied()
            })
        })
        .collect();
    // 0.76's supervise reads control bytes only after its first second.
    std::thread::sleep(Duration::from_millis(1100));
    let _guard = boot(&sb, "service");
    for old in &mut olds {
        assert_eq!(old.wait_exit(Duration::from_secs(5)).code(), Some(0));
    }
    for pid in services {
        wait_for(Duration::from_secs(5), "old service stopped", || {
            !alive(pid)
        });
    }
}

/// The executable behind `pid`.
fn exe(pid: i32) -> PathBuf {
    std::fs::read_link(format!("/proc/{pid}/exe")).unwrap()
}

#[test]
fn the_tree_runs_svscanboot_s_own_supervise_and_multilog() {
    // Run as a shell would, by bare name through PATH and by a relative path: either way
    // the links' directory (outside 0.76's PATH, which has Debian's supervise and multilog
    // in /usr/bin) comes first.
    for program in ["svscanboot", "bin/svscanboot"] {
        let sb = Sandbox::new();
        service(&sb, "service/a", "exec sleep 1000");
        service(&sb, "service/a/log", "exec multilog ./main");
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("PATH", sb.path_var())
            .current_dir(sb.path())
            .arg(sb.join("service"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let guard = ProcessGuard::spawn(&mut cmd);
        // The command line appears once the exec is complete (spawn returns a little sooner).
        let argv = poll_until(Duration::from_secs(5), "svscanboot's exec", || {
            Some(cmdline(guard.pid())).filter(|a| !a.is_empty())
        });
        assert!(argv.starts_with(&format!("{program} ")), "{argv}");
        let dir = sb.join("service").display().to_string();
        let scan = wait_child(guard.pid(), &format!("svscan {dir}"));
        let environ = std::fs::read(format!("/proc/{scan}/environ")).unwrap();
        assert_eq!(show(&environ), self::environ(&sb), "{program}");
        let supervise = wait_child(scan, "supervise a");
        let logger = wait_child(scan, "supervise log");
        let multilog = wait_child(logger, "multilog ./main");
        let ours = std::fs::canonicalize(daemonbox()).unwrap();
        for pid in [scan, supervise, logger, multilog] {
            assert_eq!(exe(pid), ours, "{program}: {}", cmdline(pid));
        }
    }
}
