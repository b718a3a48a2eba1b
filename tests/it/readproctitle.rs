//! Integration tests for readproctitle: the command line seen in /proc/PID/cmdline while it
//! runs (polled until it changes), the silent exits, and the reference side by side.

use crate::common::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::{ChildStdin, Output, Stdio};
use std::time::Duration;

/// Both implementations.
fn both(sb: &Sandbox) -> [PathBuf; 2] {
    [sb.bin("readproctitle"), reference("readproctitle")]
}

fn same_as_reference(sb: &Sandbox, args: &[&str], input: &[u8]) -> Output {
    let ours = sb.run_input("readproctitle", args, input);
    let theirs = sb.run_input(reference("readproctitle"), args, input);
    assert_output(
        &ours,
        theirs.status.code().unwrap(),
        &theirs.stdout,
        &theirs.stderr,
    );
    ours
}

/// A running readproctitle fed through a pipe.
struct Running {
    guard: ProcessGuard,
    stdin: Option<ChildStdin>,
    prefix: Vec<u8>,
}

impl Running {
    /// Starts `program args... area`; the command line is expected to be `program`, the
    /// args and then the area.
    fn start(sb: &Sandbox, program: &PathBuf, args: &[&str], area: &str) -> Running {
        let mut guard = ProcessGuard::spawn(
            sb.command(program)
                .args(args)
                .arg(area)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        );
        let stdin = guard.child.stdin.take();
        let mut prefix = program.to_str().unwrap().as_bytes().to_vec();
        for arg in args {
            prefix.push(0);
            prefix.extend_from_slice(arg.as_bytes());
        }
        prefix.push(0);
        Running {
            guard,
            stdin,
            prefix,
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        self.stdin.as_mut().unwrap().write_all(bytes).unwrap();
    }

    /// Waits until the last argument reads `title`.
    fn expect_title(&self, title: &[u8]) {
        let path = format!("/proc/{}/cmdline", self.guard.pid());
        let wanted = [&self.prefix[..], title, b"\0"].concat();
        let what = format!("the command line to end in {:?}", show(title));
        wait_for(Duration::from_secs(20), &what, || {
            std::fs::read(&path).is_ok_and(|seen| seen == wanted)
        });
    }

    /// Closes stdin and checks the silent exit 0.
    fn finish(mut self) {
        drop(self.stdin.take());
        let status = self.guard.wait_exit(Duration::from_secs(20));
        assert_eq!(status.code(), Some(0));
        let mut rest = Vec::new();
        std::io::Read::read_to_end(self.guard.child.stdout.as_mut().unwrap(), &mut rest).unwrap();
        std::io::Read::read_to_end(self.guard.child.stderr.as_mut().unwrap(), &mut rest).unwrap();
        assert_eq!(show(&rest), "");
    }
}

#[test]
fn window_follows_the_input() {
    let sb = Sandbox::new();
    for program in both(&sb) {
        let mut run = Running::start(
            &sb,
            &program,
            &["service", "errors:"],
            "abcdefghijklmnopqrst",
        );
        run.expect_title(b"....................");
        run.feed(b"hello\n");
        run.expect_title(b"..............hello\n");
        run.feed(b"abcdefghijklmnopqrstuvwxyz0123");
        run.expect_title(b"...nopqrstuvwxyz0123");
        run.feed(b"\0\0Z");
        run.expect_title(b"...opqrstuvwxyz0123Z");
        run.finish();
    }
}

#[test]
fn large_input_in_one_write_keeps_the_last_bytes() {
    let sb = Sandbox::new();
    let input: Vec<u8> = (0..5000u32).map(|i| b'a' + (i % 26) as u8).collect();
    for program in both(&sb) {
        let mut run = Running::start(&sb, &program, &[], &".".repeat(40));
        run.expect_title(&[b'.'; 40]);
        run.feed(&input);
        run.expect_title(&[b"...", &input[input.len() - 37..]].concat());
        run.finish();
    }
}

#[test]
fn smallest_area() {
    let sb = Sandbox::new();
    for program in both(&sb) {
        let mut run = Running::start(&sb, &program, &["x"], "12345");
        run.expect_title(b".....");
        run.feed(b"xyz");
        run.expect_title(b"...yz");
        run.finish();
    }
}

#[test]
fn silent_exits() {
    let sb = Sandbox::new();
    let cases: &[(&[&str], &[u8], i32)] = &[
        (&[], b"input", 100),
        (&["abcd"], b"input", 100),
        (&["x", "abcd"], b"input", 100),
        (&["x", ""], b"input", 100),
        (&["abcde"], b"input", 0),
        (&["x", "....................."], b"", 0),
        (&["....."], b"\0\0\0", 0),
    ];
    for (args, input, code) in cases {
        assert_output(&sb.run_input("readproctitle", args, input), *code, b"", b"");
        same_as_reference(&sb, args, input);
    }
}

#[test]
fn read_error_exits_111() {
    let sb = Sandbox::new();
    for program in both(&sb) {
        let dir = std::fs::File::open(sb.path()).unwrap();
        let out = sb
            .command(&program)
            .args(["x", "..........."])
            .stdin(dir)
            .output()
            .unwrap();
        assert_output(&out, 111, b"", b"");
    }
}
