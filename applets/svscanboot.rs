//! svscanboot: boots svscan with its errors shown in readproctitle's process title.
//!
//! `svscanboot [dir]` (default `/service`, as upstream 0.76; Debian's script uses
//! `/etc/service`, so a Debian-style tree is booted with `svscanboot /etc/service`). No shell
//! is needed; the effects are those of the 0.76 script (spec svscan.md §3):
//! 1. fds 0, 1 and 2 are `/dev/null`;
//! 2. `svc -dx DIR/* DIR/*/log` stops leftovers of a previous run (the patterns expanded as
//!    the shell would: sorted, dot names skipped, a pattern matching nothing passed as is);
//! 3. `svscan DIR` with stderr piped into `readproctitle service errors: ` + 400 dots, both
//!    with an environment holding only PATH.
//!
//! Unlike 0.76, that PATH (also the one `svc` gets) starts with svscanboot's own directory
//! (where argv[0] was found) before 0.76's fixed list, so with the links installed anywhere
//! the whole tree runs daemonbox's supervise and multilog rather than another suite's.
//!
//! The three programs are daemonbox's own applets, run from this executable
//! (`/proc/self/exe`), so a minimal image needs neither links nor PATH for them; without
//! `/proc` they are searched in PATH. svscanboot waits for both and exits with
//! readproctitle's status (128 + signal if it was killed), as the script's pipeline does.

use crate::exit;
use crate::path;
use crate::svdir;
use crate::sys::spawn::{Program, Source, Spawn};
use crate::sys::{self, AsFd, OwnedFd, proc};
use std::ffi::{CStr, CString};

const DEFAULT_DIR: &[u8] = b"/service";
/// 0.76's PATH, after svscanboot's own directory the only variable svscan and
/// readproctitle get.
const PATH_076: &[u8] =
    b"/command:/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/X11R6/bin";
const DEV_NULL: &[u8] = b"/dev/null";
const SELF_EXE: &[u8] = b"/proc/self/exe";
/// Length of readproctitle's title area.
const DOTS: usize = 400;
/// Exit status base for a child killed by a signal, as a shell reports it.
const SIGNAL_BASE: u8 = 128;

/// The shell's expansion of `DIR/*` and `DIR/*/log`, given the names in DIR (any order) and
/// which of them have a `log`: sorted, dot names skipped, an empty match kept literally.
fn svc_targets(dir: &[u8], names: &[Vec<u8>], has_log: impl Fn(&[u8]) -> bool) -> Vec<Vec<u8>> {
    let mut visible: Vec<&Vec<u8>> = names.iter().filter(|n| svdir::is_service_name(n)).collect();
    visible.sort_unstable();
    let path = |name: &[u8], tail: &[u8]| [dir, b"/", name, tail].concat();
    let log = [b"/", svdir::LOG].concat();
    let mut all: Vec<Vec<u8>> = visible.iter().map(|n| path(n, b"")).collect();
    if all.is_empty() {
        all.push(path(b"*", b""));
    }
    let mut logs: Vec<Vec<u8>> = visible
        .iter()
        .filter(|n| has_log(n))
        .map(|n| path(n, &log))
        .collect();
    if logs.is_empty() {
        logs.push(path(b"*", &log));
    }
    all.extend(logs);
    all
}

/// Starts the applet `argv[0]` (this executable if known, else found in PATH) with exactly
/// `env`, and `fd` on descriptor `target` if given; `None` if the fork failed. A child that
/// cannot run it exits 111 silently, as the script's commands would have failed.
fn spawn(
    exe: Option<&CStr>,
    argv: &[&CStr],
    env: &[Vec<u8>],
    fd: Option<(&OwnedFd, i32)>,
) -> Option<proc::Pid> {
    let program = exe.map_or(Program::Search, Program::FileThenSearch);
    let mut child = Spawn::new(program, argv).env(env);
    if let Some((fd, target)) = fd {
        child = child.fd(Source::Dup(fd.as_fd()), target);
    }
    child.start(|_| exit::TEMP).ok()
}

fn status_code(status: proc::WaitStatus) -> u8 {
    match (status.exit_code(), status.signal()) {
        (Some(code), _) => code,
        (None, Some(sig)) => SIGNAL_BASE.wrapping_add(sig as u8),
        (None, None) => exit::TEMP,
    }
}

/// `PATH=` svscanboot's own directory (where argv[0] was found, made absolute because svscan
/// changes directory), then 0.76's list; 0.76's list alone if argv[0] cannot be found.
fn path_env(argv0: &[u8]) -> Vec<u8> {
    let own = sys::exec::locate(argv0).and_then(|exe| {
        let cwd = sys::dir::getcwd().ok()?;
        Some([&path::absolute(&cwd, path::dirname(&exe))[..], b":"].concat())
    });
    [b"PATH=", &own.unwrap_or_default()[..], PATH_076].concat()
}

/// Points fds 0, 1 and 2 at /dev/null (failures leave them as they were, like the shell).
fn null_stdio() {
    if let Ok(null) = sys::fd::open_read(DEV_NULL) {
        let _ = sys::fd::dup_to(&null, 0);
    }
    if let Ok(null) = sys::fd::open_write(DEV_NULL) {
        let _ = sys::fd::dup_to(&null, 1);
        let _ = sys::fd::dup_to(&null, 2);
    }
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let dir = args.get(1).map_or(DEFAULT_DIR, |d| d.to_bytes());
    let dir_c = CString::new(dir).unwrap_or_default();
    null_stdio();
    let exe = sys::dir::readlink(SELF_EXE)
        .ok()
        .and_then(|p| CString::new(p).ok());
    let exe = exe.as_deref();
    let path_var = path_env(args.first().map_or(&b""[..], |a| a.to_bytes()));
    let env = vec![path_var.clone()];

    let names = sys::dir::names(dir).unwrap_or_default();
    let targets = svc_targets(dir, &names, |name| {
        sys::dir::lstat(&[dir, b"/", name, b"/", svdir::LOG].concat()).is_ok()
    });
    let targets: Vec<CString> = targets
        .into_iter()
        .filter_map(|t| CString::new(t).ok())
        .collect();
    let mut svc_argv: Vec<&CStr> = vec![c"svc", c"-dx"];
    svc_argv.extend(targets.iter().map(CString::as_c_str));
    // svc runs with svscanboot's own environment, PATH set as the script sets it.
    let own_env: Vec<Vec<u8>> = sys::env::current()
        .into_iter()
        .map(|e| {
            if e.starts_with(b"PATH=") {
                path_var.clone()
            } else {
                e
            }
        })
        .collect();
    if let Some(pid) = spawn(exe, &svc_argv, &own_env, None) {
        let _ = proc::wait_pid(pid);
    }

    let Ok((read, write)) = sys::fd::pipe() else {
        return exit::TEMP;
    };
    let dots = CString::new(vec![b'.'; DOTS]).unwrap_or_default();
    let svscan = spawn(exe, &[c"svscan", &dir_c], &env, Some((&write, 2)));
    let title = spawn(
        exe,
        &[c"readproctitle", c"service", c"errors:", &dots],
        &env,
        Some((&read, 0)),
    );
    drop((read, write));
    let code = title.map_or(exit::TEMP, |pid| {
        proc::wait_pid(pid).map_or(exit::TEMP, status_code)
    });
    if let Some(pid) = svscan {
        let _ = proc::wait_pid(pid);
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|n| n.as_bytes().to_vec()).collect()
    }

    fn show(v: Vec<Vec<u8>>) -> Vec<String> {
        v.into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect()
    }

    #[test]
    fn sorted_dot_names_skipped_logs_after() {
        let got = svc_targets(
            b"/service",
            &names(&["b", ".hidden", "a", "..", "c"]),
            |n| n == b"c" || n == b"a",
        );
        assert_eq!(
            show(got),
            [
                "/service/a",
                "/service/b",
                "/service/c",
                "/service/a/log",
                "/service/c/log"
            ]
        );
    }

    #[test]
    fn empty_matches_stay_literal() {
        assert_eq!(
            show(svc_targets(b"/s", &names(&[".", "..", ".x"]), |_| true)),
            ["/s/*", "/s/*/log"]
        );
        assert_eq!(
            show(svc_targets(b"/s", &names(&["a"]), |_| false)),
            ["/s/a", "/s/*/log"]
        );
    }

    #[test]
    fn bytewise_order() {
        let got = svc_targets(b"d", &names(&["b", "B", "a1", "a"]), |_| false);
        assert_eq!(show(got), ["d/B", "d/a", "d/a1", "d/b", "d/*/log"]);
    }
}
