//! Integration tests for multilog: the script language, the log directory, rotation, the
//! processor, signals, start-up failures, and differential runs against /usr/bin/multilog.
//! The log directory (rotation, trimming, processor, locking, recovery, interop) is tested
//! in `multilog_logdir.rs`, faults (a full file system, signal storms) in
//! `multilog_faults.rs`, SIGKILL storms with line accounting in `multilog_storm.rs`.

use crate::common::*;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

#[path = "multilog_faults.rs"]
mod faults;
#[path = "multilog_logdir.rs"]
mod logdir;
#[path = "multilog_storm.rs"]
mod storm;

/// How long a test waits for something that normally takes milliseconds.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// One entry of a log directory: name with labels normalised, mode, content.
#[derive(Debug, PartialEq, Eq, Clone)]
pub struct Entry {
    pub name: String,
    pub mode: u32,
    pub data: Vec<u8>,
}

/// The entries of `dir` sorted by name (so `@` files come first, oldest first).
pub fn entries(dir: &Path) -> Vec<Entry> {
    let mut list: Vec<(String, Entry)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let raw = e.file_name().to_string_lossy().into_owned();
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            let data = if meta.is_file() {
                std::fs::read(e.path()).unwrap()
            } else {
                Vec::new()
            };
            let name = show(&normalise_labels(raw.as_bytes()));
            (
                raw,
                Entry {
                    name,
                    mode: meta.permissions().mode() & 0o7777,
                    data,
                },
            )
        })
        .collect();
    list.sort_by(|a, b| a.0.cmp(&b.0));
    list.into_iter().map(|(_, e)| e).collect()
}

/// `(name, mode, size)` of every entry, for compact assertions.
pub fn shape(dir: &Path) -> Vec<(String, u32, usize)> {
    entries(dir)
        .into_iter()
        .map(|e| (e.name, e.mode, e.data.len()))
        .collect()
}

/// Everything logged in `dir`, oldest file first, `current` last.
pub fn logged(dir: &Path) -> Vec<u8> {
    let list = entries(dir);
    let mut all: Vec<u8> = list
        .iter()
        .filter(|e| e.name.starts_with('@'))
        .flat_map(|e| e.data.clone())
        .collect();
    if let Some(cur) = list.iter().find(|e| e.name == "current") {
        all.extend_from_slice(&cur.data);
    }
    all
}

/// Runs `program` (an applet name or a path) with `args` in `dir` of the sandbox.
fn run_in(
    sb: &Sandbox,
    dir: &str,
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
    input: &[u8],
) -> Output {
    let cwd = sb.mkdir(dir);
    run_with_input(sb.command(program).args(args).current_dir(cwd), input)
}

/// Runs ours in `ours/` and the reference in `ref/` with the same script and input; returns
/// both outputs.
fn both(sb: &Sandbox, args: &[&str], input: &[u8]) -> (Output, Output) {
    (
        run_in(sb, "ours", "multilog", args, input),
        run_in(sb, "ref", reference("multilog"), args, input),
    )
}

/// Asserts that the two sides produced the same exit code, stderr, and the same entries in
/// each of `dirs` (and the same bytes in each of `files`), labels normalised.
#[track_caller]
fn assert_same(sb: &Sandbox, outs: &(Output, Output), dirs: &[&str], files: &[&str]) {
    let (ours, theirs) = outs;
    assert_eq!(ours.status.code(), theirs.status.code(), "exit codes");
    assert_eq!(
        show(&normalise_labels(&ours.stderr)),
        show(&normalise_labels(&theirs.stderr)),
        "stderr"
    );
    for d in dirs {
        let a = entries(&sb.join("ours").join(d));
        let b = entries(&sb.join("ref").join(d));
        assert_eq!(normalised(&a), normalised(&b), "directory {d}");
    }
    for f in files {
        let a = std::fs::read(sb.join("ours").join(f)).unwrap();
        let b = std::fs::read(sb.join("ref").join(f)).unwrap();
        assert_eq!(show(&a), show(&b), "file {f}");
        let (ours, theirs) = (sb.join("ours").join(f), sb.join("ref").join(f));
        assert_eq!(mode_of(ours), mode_of(theirs), "mode of {f}");
    }
}

fn normalised(list: &[Entry]) -> Vec<(String, u32, String)> {
    list.iter()
        .map(|e| (e.name.clone(), e.mode, show(&normalise_labels(&e.data))))
        .collect()
}

/// A deterministic pseudo-random byte generator (xorshift).
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Starts multilog (`program`) with a pipe on stdin that the test keeps; stderr captured.
pub fn start(
    sb: &Sandbox,
    program: impl AsRef<std::ffi::OsStr>,
    args: &[&str],
) -> (ProcessGuard, std::process::ChildStdin) {
    let mut guard = ProcessGuard::spawn(
        sb.command(program)
            .args(args)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped()),
    );
    let stdin = guard.child.stdin.take().unwrap();
    (guard, stdin)
}

fn wait_file(path: &Path, want: &[u8]) {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let got = std::fs::read(path).ok();
        if got.as_deref() == Some(want) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "waiting for {} to hold {:?}: it holds {:?}",
            path.display(),
            show(want),
            got.map(|g| show(&g))
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn stderr_of(guard: &mut ProcessGuard) -> String {
    let mut err = String::new();
    guard
        .child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    err
}

// ---------------------------------------------------------------- script and selection

#[test]
fn selection_example_matches_reference() {
    let sb = Sandbox::new();
    let args = [
        "-*", "+a*", "./A", "-*", "+b*", "./B", "+*", "e", "./C", "=st",
    ];
    let outs = both(&sb, &args, b"apple\nbanana\navocado\ncherry\n");
    assert_output(&outs.0, 0, b"", b"apple\nbanana\navocado\ncherry\n");
    assert_same(&sb, &outs, &["A", "B", "C"], &["st"]);
    assert_eq!(
        shape(&sb.join("ours/A")),
        [
            ("current".into(), 0o744, 14),
            ("lock".into(), 0o600, 0),
            ("state".into(), 0o644, 0)
        ]
    );
    assert_eq!(
        std::fs::read(sb.join("ours/B/current")).unwrap(),
        b"banana\n"
    );
    let st = std::fs::read(sb.join("ours/st")).unwrap();
    assert_eq!(st, [&b"cherry"[..], &[b'\n'; 995]].concat());
}

#[test]
fn status_file_keeps_the_last_selected_line_and_its_old_tail() {
    let sb = Sandbox::new();
    for side in ["ours", "ref"] {
        sb.write(format!("{side}/st"), vec![b'z'; 5000]);
    }
    let outs = both(
        &sb,
        &["-*", "+STAT*", "=st"],
        b"STAT one\nnoise\nSTAT two\nnoise\n",
    );
    assert_output(&outs.0, 0, b"", b"");
    assert_same(&sb, &outs, &[], &["st"]);
    let st = std::fs::read(sb.join("ours/st")).unwrap();
    assert_eq!(st.len(), 5000);
    assert_eq!(&st[..1001], [&b"STAT two"[..], &[b'\n'; 993]].concat());
    assert!(st[1001..].iter().all(|&b| b == b'z'));
}

#[test]
fn timestamps_and_partial_last_line_match_reference() {
    let sb = Sandbox::new();
    let outs = both(&sb, &["t", "e", "./d"], b"one\n\ntwo\r\nlast");
    assert_same(&sb, &outs, &["d"], &[]);
    let text = std::fs::read(sb.join("ours/d/current")).unwrap();
    assert_eq!(
        show(&normalise_labels(&text)),
        "@TAI one\n@TAI \n@TAI two\r\n@TAI last\n"
    );
    assert_eq!(text[0], b'@');
    assert_eq!(text[25], b' ');
    assert_eq!(
        show(&normalise_labels(&outs.0.stderr)),
        "@TAI one\n@TAI \n@TAI two\r\n@TAI last\n"
    );
}

#[test]
fn t_only_counts_as_the_first_argument() {
    let sb = Sandbox::new();
    let outs = both(&sb, &["e", "t", "e", "./d"], b"x\n");
    assert_output(&outs.0, 0, b"", b"x\nx\n");
    assert_same(&sb, &outs, &["d"], &[]);
    let outs = both(&sb, &["tfoo", "./t"], b"x\n");
    assert_same(&sb, &outs, &["t"], &[]);
    assert_eq!(std::fs::read(sb.join("ours/t/current")).unwrap().len(), 28);
}

#[test]
fn binary_garbage_nul_and_cr_pass_through_unchanged() {
    let sb = Sandbox::new();
    let mut input = noise(300_000, 7);
    input.extend_from_slice(b"\0\r\0\n\r\r\n");
    let outs = both(&sb, &["s16777215", "./d", "-\r*", "./e"], &input);
    assert_output(&outs.0, 0, b"", b"");
    assert_same(&sb, &outs, &["d", "e"], &[]);
    assert_eq!(std::fs::read(sb.join("ours/d/current")).unwrap(), input);
}

#[test]
fn a_directory_on_stdin_reads_as_end_of_input_like_reference() {
    let sb = Sandbox::new();
    let stdin_dir = sb.mkdir("indir");
    let mut outs = Vec::new();
    for (side, program) in [("ours", sb.bin("multilog")), ("ref", reference("multilog"))] {
        let cwd = sb.mkdir(side);
        let input = std::fs::File::open(&stdin_dir).unwrap();
        outs.push(
            sb.command(program)
                .args(["t", "./d"])
                .current_dir(cwd)
                .stdin(input)
                .output()
                .unwrap(),
        );
    }
    let theirs = outs.pop().unwrap();
    let ours = outs.pop().unwrap();
    assert_output(&ours, 0, b"", b"");
    assert_same(&sb, &(ours, theirs), &["d"], &[]);
    assert_eq!(std::fs::read(sb.join("ours/d/current")).unwrap(), b"");
}

#[test]
fn empty_input_leaves_an_empty_clean_log() {
    let sb = Sandbox::new();
    let outs = both(&sb, &["t", "e", "=st", "./d"], b"");
    assert_output(&outs.0, 0, b"", b"");
    assert_same(&sb, &outs, &["d"], &["st"]);
    assert_eq!(
        shape(&sb.join("ours/d")),
        [
            ("current".into(), 0o744, 0),
            ("lock".into(), 0o600, 0),
            ("state".into(), 0o644, 0)
        ]
    );
    assert_eq!(std::fs::read(sb.join("ours/st")).unwrap(), b"");
    assert_eq!(mode_of(sb.join("ours/d")), 0o700);
}

#[test]
fn long_lines_are_matched_printed_and_recorded_as_reference_does() {
    let sb = Sandbox::new();
    let mut long: Vec<u8> = b"keep ".to_vec();
    long.extend(
        noise(200_000, 3)
            .iter()
            .map(|b| if *b == b'\n' { b'.' } else { *b }),
    );
    let mut input = long.clone();
    input.extend_from_slice(b"\ndrop this\n");
    let mut line201 = vec![b'k'; 201];
    line201.push(b'\n');
    input.extend_from_slice(&line201);
    let outs = both(&sb, &["-*", "+k*", "e", "=st", "s16777215", "./d"], &input);
    assert_same(&sb, &outs, &["d"], &["st"]);
    let mut err = [&long[..200], b"...\n"].concat();
    err.extend_from_slice(&[&line201[..200], b"...\n"].concat());
    assert_output(&outs.0, 0, b"", &err);
    let want = [&long[..], b"\n", &line201].concat();
    assert_eq!(std::fs::read(sb.join("ours/d/current")).unwrap(), want);
    let st = std::fs::read(sb.join("ours/st")).unwrap();
    assert_eq!(st, [&line201[..], &[b'\n'; 799]].concat());
}

#[test]
fn unknown_actions_are_ignored_and_sizes_clamped_like_reference() {
    let sb = Sandbox::new();
    let line = [vec![b'y'; 5000], b"\n".to_vec()].concat();
    let input = line.repeat(3);
    let args = [
        "main",
        "",
        "x",
        "?",
        "s1k",
        "n0",
        "./d",
        "s99999999999",
        "n18446744073709551618",
        "./e",
    ];
    let outs = both(&sb, &args, &input);
    assert_output(&outs.0, 0, b"", b"");
    assert_same(&sb, &outs, &["d", "e"], &[]);
    assert!(!sb.join("ours/main").exists());
    // s1k is 4096: 4096 | 905+3191 | 1810+2286 | 2715 (closed at its line end); n0 keeps 1.
    assert_eq!(
        shape(&sb.join("ours/d")),
        [
            ("@TAI.s".into(), 0o744, 2715),
            ("current".into(), 0o744, 0),
            ("lock".into(), 0o600, 0),
            ("state".into(), 0o644, 0)
        ]
    );
    assert_eq!(std::fs::read(sb.join("ours/e/current")).unwrap(), input);
}

// ---------------------------------------------------------------- start-up failures

#[test]
fn startup_failures_match_reference() {
    let sb = Sandbox::new();
    for side in ["ours", "ref"] {
        sb.write(format!("{side}/file"), "x");
        sb.mkdir(format!("{side}/sub"));
        std::process::Command::new("mkfifo")
            .arg(sb.join(format!("{side}/fifo")))
            .status()
            .unwrap();
    }
    let cases: [&[&str]; 6] = [
        &["./nodir/sub", "./ok"],
        &["=nodir/st", "./ok"],
        &["=.", "./ok"],
        &["./file"],
        &["=fifo"],
        &["=sub"],
    ];
    let expected: [&[u8]; 6] = [
        b"multilog: fatal: unable to open directory ./nodir/sub: file does not exist\n",
        b"multilog: fatal: unable to create nodir/st: file does not exist\n",
        b"multilog: fatal: unable to create .: is a directory\n",
        b"multilog: fatal: unable to open directory ./file: not a directory\n",
        b"multilog: fatal: unable to create fifo: device not configured\n",
        b"multilog: fatal: unable to create sub: is a directory\n",
    ];
    for (args, want) in cases.iter().zip(expected) {
        let outs = both(&sb, args, b"unread\n");
        assert_output(&outs.0, 111, b"", want);
        assert_same(&sb, &outs, &[], &[]);
    }
    assert!(
        !sb.join("ours/ok").exists(),
        "nothing is started after a failure"
    );
}

#[test]
fn an_unwritable_directory_is_refused_for_non_root_and_used_by_root() {
    let sb = Sandbox::new();
    let dir = sb.mkdir("ro");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    let outs = both(&sb, &["../ro"], b"x\n");
    if is_root() {
        assert_output(&outs.0, 0, b"", b"");
    } else {
        assert_output(
            &outs.0,
            111,
            b"",
            b"multilog: fatal: unable to lock directory ../ro: access denied\n",
        );
    }
    assert_eq!(outs.0.status.code(), outs.1.status.code());
}

// ---------------------------------------------------------------- signals

#[test]
fn term_finishes_the_line_in_hand_and_leaves_the_rest_in_the_pipe() {
    let sb = Sandbox::new();
    let (reader, mut writer) = std::io::pipe().unwrap();
    let mut spare = reader.try_clone().unwrap();
    let mut guard = ProcessGuard::spawn(sb.command("multilog").arg("./d").stdin(reader));
    writer.write_all(b"first\nabc").unwrap();
    wait_file(&sb.join("d/current"), b"first\nabc");
    guard.signal("TERM");
    // After TERM multilog waits on stdin alone: ppoll (271 on x86-64) with one descriptor.
    let syscall = format!("/proc/{}/syscall", guard.pid());
    wait_for(
        PATIENCE,
        "multilog to wait for the rest of the line",
        || {
            let now = std::fs::read_to_string(&syscall).unwrap_or_default();
            let fields: Vec<&str> = now.split_whitespace().collect();
            fields.first() == Some(&"271") && fields.get(2) == Some(&"0x1")
        },
    );
    assert!(
        guard.child.try_wait().unwrap().is_none(),
        "waits for the end of the line"
    );
    writer.write_all(b"def\nghi\n").unwrap();
    let status = guard.wait_exit(PATIENCE);
    assert_eq!(status.code(), Some(0));
    assert_eq!(
        std::fs::read(sb.join("d/current")).unwrap(),
        b"first\nabcdef\n"
    );
    assert_eq!(mode_of(sb.join("d/current")), 0o744);
    drop(writer);
    let mut rest = Vec::new();
    spare.read_to_end(&mut rest).unwrap();
    assert_eq!(rest, b"ghi\n");
}

#[test]
fn term_between_lines_exits_at_once() {
    let sb = Sandbox::new();
    let (mut guard, mut stdin) = start(&sb, "multilog", &["-x*", "./d"]);
    stdin.write_all(b"a\n").unwrap();
    wait_file(&sb.join("d/current"), b"a\n");
    guard.signal("TERM");
    assert_eq!(guard.wait_exit(PATIENCE).code(), Some(0));
    assert_eq!(stderr_of(&mut guard), "");
    assert_eq!(mode_of(sb.join("d/current")), 0o744);
}

#[test]
fn term_while_a_status_fifo_cannot_be_rewound_gives_up_with_the_byte_count() {
    let sb = Sandbox::new();
    Command::new("mkfifo")
        .arg(sb.join("fifo"))
        .status()
        .unwrap();
    // O_NONBLOCK (Linux x86-64), so that opening the reading end does not wait for a writer.
    let _reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(0o4000)
        .open(sb.join("fifo"))
        .unwrap();
    let (mut guard, mut stdin) = start(&sb, "multilog", &["./d", "=fifo"]);
    stdin.write_all(b"line\n").unwrap();
    wait_file(&sb.join("d/current"), b"line\n");
    guard.signal("TERM");
    let status = guard.wait_exit(PATIENCE);
    assert_eq!(status.code(), Some(111));
    let err = stderr_of(&mut guard);
    let pausing =
        "multilog: warning: unable to move to beginning of fifo, pausing: unseekable descriptor\n";
    let last = "multilog: warning: TERM received while pausing: 1001 bytes could not be written\n";
    assert!(err.starts_with(pausing) && err.ends_with(last), "{err}");
    let pauses = err.matches(pausing).count();
    assert!((2..=8).contains(&pauses), "{pauses} retries: {err}");
    // The directory lost nothing, so it was closed cleanly.
    assert_eq!(mode_of(sb.join("d/current")), 0o744);
}
