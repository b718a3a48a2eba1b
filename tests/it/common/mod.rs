//! Test support: a sandbox directory with applet symlinks, polling, process guards and
//! output normalisation. Every integration test reaches daemonbox through an applet name.

#![allow(dead_code)]

pub mod net;
mod root;
mod service;
pub use root::{chroot, minimal_root};
pub use service::*;

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The applet names.
pub const APPLETS: &[&str] = &[
    "envdir",
    "envuidgid",
    "fghack",
    "multilog",
    "pgrphack",
    "rblsmtpd",
    "readproctitle",
    "recordio",
    "runline",
    "setlock",
    "setuidgid",
    "softlimit",
    "supervise",
    "svc",
    "svok",
    "svreload",
    "svscan",
    "svscanboot",
    "svstat",
    "svwait",
    "tai64n",
    "tai64nlocal",
    "tcpclient",
    "tcprules",
    "tcprulescheck",
    "tcpserver",
];

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The daemonbox executable under test.
pub fn daemonbox() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_daemonbox"))
}

/// Puts a copy of the executable `src` at `dst`: a hard link where possible, else a copy
/// written by `cp`. Never a copy written from this process: another test thread forking
/// meanwhile would hold the file open for writing, and running it would fail with ETXTBSY.
pub fn copy_executable(src: impl AsRef<Path>, dst: impl AsRef<Path>) {
    // The file itself, not a symbolic link to it (a loader's usual path is one).
    let src = std::fs::canonicalize(src).unwrap();
    let dst = dst.as_ref();
    if std::fs::hard_link(&src, dst).is_err() {
        let status = Command::new("cp").arg(&src).arg(dst).status().unwrap();
        assert!(status.success(), "cp {} {}", src.display(), dst.display());
    }
}

/// A reference daemontools binary (`/usr/bin/NAME`); fails the test if it is missing.
pub fn reference(name: &str) -> PathBuf {
    let path = Path::new("/usr/bin").join(name);
    assert!(
        path.exists(),
        "reference binary {} is missing: install Debian's daemontools package (.ci/run does)",
        path.display()
    );
    path
}

/// A unique temporary directory holding `bin/` with one symlink per applet; removed on drop.
pub struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let root = std::env::temp_dir().join(format!("daemonbox-it-{}-{}", std::process::id(), n));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("bin")).unwrap();
        for name in APPLETS.iter().chain(&["daemonbox"]) {
            symlink(daemonbox(), root.join("bin").join(name)).unwrap();
        }
        Sandbox { root }
    }

    /// The sandbox directory (also the default cwd of commands).
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// A path inside the sandbox.
    pub fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.root.join(rel)
    }

    /// The applet symlink for `name`.
    pub fn bin(&self, name: &str) -> PathBuf {
        self.root.join("bin").join(name)
    }

    /// The PATH commands get: the sandbox's bin first.
    pub fn path_var(&self) -> String {
        format!("{}:/usr/bin:/bin", self.root.join("bin").display())
    }

    /// A command for `program` (an applet name or any path) with a cleared environment:
    /// PATH (sandbox bin first), TZ=UTC, cwd = the sandbox.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let program = program.as_ref();
        let exe = if APPLETS.iter().any(|a| OsStr::new(a) == program) {
            self.bin(program.to_str().unwrap())
        } else {
            PathBuf::from(program)
        };
        let mut cmd = Command::new(exe);
        cmd.env_clear()
            .env("PATH", self.path_var())
            .env("TZ", "UTC")
            .current_dir(&self.root)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs `program args...` to completion with empty stdin.
    pub fn run(&self, program: impl AsRef<OsStr>, args: &[&str]) -> Output {
        self.command(program).args(args).output().unwrap()
    }

    /// Runs `program args...` to completion feeding `input` on stdin.
    pub fn run_input(&self, program: impl AsRef<OsStr>, args: &[&str], input: &[u8]) -> Output {
        run_with_input(self.command(program).args(args), input)
    }

    /// Writes a file (creating parent directories).
    pub fn write(&self, rel: impl AsRef<Path>, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, content).unwrap();
        path
    }

    /// Writes an executable script (mode 0755).
    pub fn script(&self, rel: impl AsRef<Path>, body: &str) -> PathBuf {
        let path = self.write(rel, body);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// Creates a directory (and parents).
    pub fn mkdir(&self, rel: impl AsRef<Path>) -> PathBuf {
        let path = self.join(rel);
        std::fs::create_dir_all(&path).unwrap();
        path
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        // Files may have been made unreadable by a test; give them back before removing.
        let _ = Command::new("chmod")
            .arg("-R")
            .arg("u+rwx")
            .arg(&self.root)
            .status();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// Runs a prepared command feeding `input` on stdin and collects its output.
pub fn run_with_input(cmd: &mut Command, input: &[u8]) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Polls `probe` every few milliseconds until it returns `Some` or `timeout` passes; on
/// timeout the test fails with `what` and the last thing `describe` reported.
pub fn poll_until<T>(timeout: Duration, what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        if Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Like [`poll_until`] for a boolean condition.
pub fn wait_for(timeout: Duration, what: &str, mut cond: impl FnMut() -> bool) {
    poll_until(timeout, what, || cond().then_some(()))
}

/// Owns a long-running process (supervise, svscan, multilog, ...) started in its own
/// process group. On drop, even after a failed assertion: `svc -dx` on the given service
/// directories, then TERM, CONT and finally KILL to the whole process group, and a wait.
pub struct ProcessGuard {
    pub child: Child,
    svc: Option<PathBuf>,
    services: Vec<PathBuf>,
}

impl ProcessGuard {
    /// Spawns `cmd` as the leader of a new process group.
    pub fn spawn(cmd: &mut Command) -> ProcessGuard {
        let child = cmd.process_group(0).spawn().unwrap();
        ProcessGuard {
            child,
            svc: None,
            services: Vec::new(),
        }
    }

    /// On drop, send `svc -dx DIR` with `svc` first (for supervise/svscan guards).
    pub fn with_services(mut self, svc: impl Into<PathBuf>, dirs: &[PathBuf]) -> ProcessGuard {
        self.svc = Some(svc.into());
        self.services = dirs.to_vec();
        self
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Sends a signal to the process itself.
    pub fn signal(&self, sig: &str) {
        let _ = Command::new("kill")
            .arg(format!("-{sig}"))
            .arg(self.pid().to_string())
            .status();
    }

    /// Waits up to `timeout` for the process to exit and returns its status.
    pub fn wait_exit(&mut self, timeout: Duration) -> std::process::ExitStatus {
        poll_until(timeout, "process exit", || self.child.try_wait().unwrap())
    }
}

impl Drop for ProcessGuard {
    fn drop(&mut self) {
        if let Some(svc) = &self.svc {
            for dir in &self.services {
                let _ = Command::new(svc)
                    .arg("-dx")
                    .arg(dir)
                    .stderr(Stdio::null())
                    .status();
            }
        }
        let group = format!("-{}", self.pid());
        for sig in ["-TERM", "-CONT"] {
            let _ = Command::new("kill")
                .args([sig, "--", &group])
                .stderr(Stdio::null())
                .status();
        }
        let deadline = Instant::now() + Duration::from_millis(500);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Replaces every TAI64N label (`@` + 24 lowercase hex) with `@TAI`.
pub fn normalise_labels(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'@'
            && text.len() >= i + 25
            && text[i + 1..i + 25]
                .iter()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
        {
            out.extend_from_slice(b"@TAI");
            i += 25;
        } else {
            out.push(text[i]);
            i += 1;
        }
    }
    out
}

/// Runs `applet args...` through daemonbox and through daemontools' binary in the same
/// sandbox, asserts identical exit code, stdout and stderr, and returns daemonbox's output.
#[track_caller]
pub fn same_as_reference(sb: &Sandbox, applet: &str, args: &[&str]) -> Output {
    same_as(sb, applet, reference(applet), args)
}

/// Runs `applet args...` through daemonbox and through `reference`; as `same_as_reference`.
#[track_caller]
pub fn same_as(sb: &Sandbox, applet: &str, reference: PathBuf, args: &[&str]) -> Output {
    let ours = sb.run(applet, args);
    let theirs = sb.run(reference, args);
    assert_output(
        &ours,
        theirs.status.code().unwrap(),
        &theirs.stdout,
        &theirs.stderr,
    );
    ours
}

/// The permission bits (including setuid/setgid/sticky) of `path`, following symlinks.
#[track_caller]
pub fn mode_of(path: impl AsRef<Path>) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

/// Shows bytes readably in assertion messages.
pub fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts exit code, stdout and stderr of an output at once, printing all on failure.
#[track_caller]
pub fn assert_output(out: &Output, code: i32, stdout: &[u8], stderr: &[u8]) {
    assert_eq!(
        (out.status.code(), show(&out.stdout), show(&out.stderr)),
        (Some(code), show(stdout), show(stderr)),
    );
}

/// Is the test running as root (for root-only cases, which CI runs)?
pub fn is_root() -> bool {
    // The effective uid is the third field of the Uid: line.
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

/// The names in `dir`, sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
