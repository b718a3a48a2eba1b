//! Integration tests for multilog: the script language, the log directory, rotation, the
//! processor, signals, start-up failures, and differential runs against /usr/bin/multilog.
//! Fault tests (SIGKILL storms, a full file system) are in `multilog_faults.rs`.

use crate::common::*;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

#[path = "multilog_faults.rs"]
mod faults;

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
        let ma = std::fs::metadata(sb.join("ours").join(f))
            .unwrap()
            .permissions()
            .mode();
        let mb = std::fs::metadata(sb.join("ref").join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(ma, mb, "mode of {f}");
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
    assert_eq!(
        std::fs::metadata(sb.join("ours/d"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o700
    );
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

// ---------------------------------------------------------------- rotation and trimming

#[test]
fn hundred_byte_lines_rotate_at_2100_and_keep_num_minus_one() {
    let sb = Sandbox::new();
    let input: Vec<u8> = (0..50)
        .flat_map(|i| format!("{i:099}\n").into_bytes())
        .collect();
    let out = run_in(&sb, "ours", "multilog", &["s4096", "n3", "./d"], &input);
    assert_output(&out, 0, b"", b"");
    assert_eq!(
        shape(&sb.join("ours/d")),
        [
            ("@TAI.s".into(), 0o744, 2100),
            ("@TAI.s".into(), 0o744, 2100),
            ("current".into(), 0o744, 800),
            ("lock".into(), 0o600, 0),
            ("state".into(), 0o644, 0)
        ]
    );
    assert_eq!(show(&logged(&sb.join("ours/d"))), show(&input));
    let names: Vec<String> = std::fs::read_dir(sb.join("ours/d"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('@'))
        .collect();
    for n in names {
        assert_eq!(n.len(), 27, "{n}");
        assert!(
            n[1..25]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
            "{n}"
        );
        assert!(n.starts_with("@4000000") && n.ends_with(".s"), "{n}");
    }
}

#[test]
fn an_overlong_line_is_cut_at_exactly_the_size() {
    let sb = Sandbox::new();
    let input = [vec![b'y'; 5000], b"\n".to_vec()].concat();
    let outs = both(&sb, &["s4096", "./d"], &input);
    assert_same(&sb, &outs, &["d"], &[]);
    let list = entries(&sb.join("ours/d"));
    assert_eq!(
        (list[0].data.len(), list[0].data.last()),
        (4096, Some(&b'y'))
    );
    assert_eq!(list[1].name, "current");
    assert_eq!(list[1].data.len(), 905);
}

#[test]
fn bulk_input_rotates_within_the_rules_and_loses_nothing() {
    let sb = Sandbox::new();
    let mut input = Vec::new();
    for (i, b) in noise(3000, 11).iter().enumerate() {
        let len = usize::from(*b) * 20 % 6000;
        input.extend(std::iter::repeat_n(b'a' + (i % 26) as u8, len));
        input.push(b'\n');
    }
    let outs = both(&sb, &["s4096", "n100000", "./d"], &input);
    assert_output(&outs.0, 0, b"", b"");
    assert!(
        logged(&sb.join("ours/d")) == input,
        "our log differs from the input"
    );
    assert!(
        logged(&sb.join("ref/d")) == input,
        "the reference log differs from the input"
    );
    for e in entries(&sb.join("ours/d"))
        .iter()
        .filter(|e| e.name.starts_with('@'))
    {
        let n = e.data.len();
        assert!(n <= 4096, "{n}");
        assert!(
            n == 4096 || (n >= 2096 && e.data.ends_with(b"\n")),
            "file of {n} bytes"
        );
    }
}

#[test]
fn trimming_counts_foreign_at_names_and_removes_the_oldest_first() {
    let sb = Sandbox::new();
    for side in ["ours", "ref"] {
        sb.write(format!("{side}/d/@0000000000000000000000001-x"), "foreign");
        sb.write(format!("{side}/d/@short"), "short");
        sb.write(format!("{side}/d/@400000000000000000000002.s"), "old");
    }
    let input = [vec![b'y'; 4095], b"\n".to_vec()].concat().repeat(3);
    let outs = both(&sb, &["s4096", "n3", "./d"], &input);
    assert_same(&sb, &outs, &["d"], &[]);
    let names: Vec<String> = entries(&sb.join("ours/d"))
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(
        names,
        ["@TAI.s", "@TAI.s", "@short", "current", "lock", "state"]
    );
}

#[test]
fn alarm_rotates_a_non_empty_current_only() {
    let sb = Sandbox::new();
    let (mut guard, mut stdin) = start(&sb, "multilog", &["./d"]);
    wait_file(&sb.join("d/current"), b"");
    guard.signal("ALRM");
    std::thread::sleep(Duration::from_millis(20));
    let st = std::fs::read_to_string(format!("/proc/{}/status", guard.pid())).unwrap_or_default();
    assert!(guard.child.try_wait().unwrap().is_none(), "died: {st}");
    stdin.write_all(b"one\n").unwrap();
    wait_file(&sb.join("d/current"), b"one\n");
    assert!(guard.child.try_wait().unwrap().is_none(), "still running");
    guard.signal("ALRM");
    wait_file(&sb.join("d/current"), b"");
    drop(stdin);
    assert!(guard.wait_exit(PATIENCE).success());
    assert_eq!(
        shape(&sb.join("d")),
        [
            ("@TAI.s".into(), 0o744, 4),
            ("current".into(), 0o744, 0),
            ("lock".into(), 0o600, 0),
            ("state".into(), 0o644, 0)
        ]
    );
}

// ---------------------------------------------------------------- processor

#[test]
fn processor_gets_previous_state_and_exactly_fds_0_1_2_4_5() {
    let sb = Sandbox::new();
    let processor = "!tr a-z A-Z; cat <&4 >&5; echo next >&5; \
        for n in 0 1 4 5; do basename $(readlink /proc/$$/fd/$n) >&2; done; ls /proc/self/fd >&2";
    let input = [vec![b'a'; 5000], b"\n".to_vec()].concat();
    let outs = both(&sb, &[processor, "s4096", "./d"], &input);
    assert_same(&sb, &outs, &["d"], &[]);
    // Descriptors the test harness leaks to every child show up in both listings alike.
    let err = show(&outs.0.stderr);
    assert!(
        err.starts_with("previous\nprocessed\nstate\nnewstate\n0\n1\n"),
        "{err}"
    );
    assert!(
        err.contains("\n2\n") && err.contains("\n3\n4\n5\n"),
        "{err}"
    );
    let list = entries(&sb.join("ours/d"));
    assert_eq!(list[0].name, "@TAI.s");
    assert_eq!(list[0].data, vec![b'A'; 4096]);
    assert_eq!(std::fs::read(sb.join("ours/d/state")).unwrap(), b"next\n");
    // A second run reads that state on descriptor 4.
    let out = run_in(
        &sb,
        "ours",
        "multilog",
        &[processor, "s4096", "./d"],
        &input,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read(sb.join("ours/d/state")).unwrap(),
        b"next\nnext\n"
    );
    let names: Vec<String> = entries(&sb.join("ours/d"))
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(names, ["@TAI.s", "@TAI.s", "current", "lock", "state"]);
}

#[test]
fn empty_processor_files_empty_logs_as_reference_does() {
    let sb = Sandbox::new();
    let input = [vec![b'a'; 5000], b"\n".to_vec()].concat();
    let outs = both(&sb, &["!", "s4096", "./d"], &input);
    assert_same(&sb, &outs, &["d"], &[]);
    assert_eq!(entries(&sb.join("ours/d"))[0].data, b"");
}

#[test]
fn failing_processor_is_retried_after_a_pause() {
    let sb = Sandbox::new();
    let processor = "!if [ -e ../failed ]; then cat; else : > ../failed; echo partial; exit 3; fi";
    let input = [vec![b'a'; 5000], b"\n".to_vec()].concat();
    let started = std::time::Instant::now();
    let out = sb.run_input("multilog", &[processor, "s4096", "./d"], &input);
    let took = started.elapsed();
    assert_output(
        &out,
        0,
        b"",
        b"multilog: warning: processor failed in ./d, pausing\n",
    );
    assert!(
        took >= Duration::from_secs(5) && took < Duration::from_secs(8),
        "{took:?}"
    );
    let list = entries(&sb.join("d"));
    assert_eq!(
        (list[0].name.as_str(), list[0].data.len()),
        ("@TAI.s", 4096)
    );
    assert!(!sb.join("d/previous").exists() && !sb.join("d/processed").exists());
}

// ---------------------------------------------------------------- locking and recovery

#[test]
fn a_locked_directory_is_refused_both_ways() {
    let sb = Sandbox::new();
    let sides = [
        ("./d1", reference("multilog"), sb.bin("multilog")),
        ("./d2", sb.bin("multilog"), reference("multilog")),
    ];
    for (dir, holder, other) in sides {
        let (guard, stdin) = start(&sb, &holder, &[dir]);
        wait_file(&sb.join(dir).join("state"), b"");
        let out = sb.run_input(&other, &[dir], b"x\n");
        let want = format!("multilog: fatal: unable to lock directory {dir}: temporary failure\n");
        assert_output(&out, 111, b"", want.as_bytes());
        drop(stdin);
        drop(guard);
    }
    let out = sb.run_input("multilog", &["./e", "./e"], b"x\n");
    assert_output(
        &out,
        111,
        b"",
        b"multilog: fatal: unable to lock directory ./e: temporary failure\n",
    );
}

/// Lays out the same unclean directory on both sides and lets each side start on it.
fn recover_both(sb: &Sandbox, files: &[(&str, &[u8], u32)]) -> (Output, Output) {
    for side in ["ours", "ref"] {
        for (name, data, mode) in files {
            let path = sb.write(format!("{side}/d/{name}"), data);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(*mode)).unwrap();
        }
    }
    both(sb, &["./d"], b"new\n")
}

#[test]
fn unclean_current_is_filed_as_u_like_reference() {
    let sb = Sandbox::new();
    let outs = recover_both(
        &sb,
        &[
            ("current", b"old\n", 0o644),
            ("state", b"s", 0o644),
            ("newstate", b"n", 0o644),
        ],
    );
    assert_same(&sb, &outs, &["d"], &[]);
    assert_eq!(
        shape(&sb.join("ours/d")),
        [
            ("@TAI.u".into(), 0o644, 4),
            ("current".into(), 0o744, 4),
            ("lock".into(), 0o600, 0),
            ("state".into(), 0o644, 0)
        ]
    );
    let sb = Sandbox::new();
    let outs = recover_both(&sb, &[("current", b"", 0o644)]);
    assert_same(&sb, &outs, &["d"], &[]);
    assert_eq!(entries(&sb.join("ours/d"))[0].name, "@TAI.u");
}

#[test]
fn interrupted_processing_is_recovered_like_reference() {
    let sb = Sandbox::new();
    let outs = recover_both(
        &sb,
        &[
            ("previous", b"prev\n", 0o744),
            ("processed", b"half", 0o644),
            ("current", b"cur\n", 0o644),
        ],
    );
    assert_same(&sb, &outs, &["d"], &[]);
    let list = entries(&sb.join("ours/d"));
    assert_eq!(
        (list[0].name.as_str(), list[0].data.as_slice()),
        ("@TAI.u", &b"prev\n"[..])
    );
    assert_eq!(
        (list[1].name.as_str(), list[1].data.as_slice()),
        ("@TAI.u", &b"cur\n"[..])
    );
    assert!(!sb.join("ours/d/processed").exists());
    let sb = Sandbox::new();
    let outs = recover_both(
        &sb,
        &[
            ("previous", b"prev\n", 0o744),
            ("processed", b"PREV\n", 0o744),
        ],
    );
    assert_same(&sb, &outs, &["d"], &[]);
    let list = entries(&sb.join("ours/d"));
    assert_eq!(
        (list[0].name.as_str(), list[0].data.as_slice()),
        ("@TAI.s", &b"PREV\n"[..])
    );
    assert!(!sb.join("ours/d/previous").exists());
}

#[test]
fn a_clean_log_is_continued_by_either_implementation() {
    let sb = Sandbox::new();
    let ours = sb.bin("multilog");
    let theirs = reference("multilog");
    let steps: [(&Path, &[u8]); 4] = [
        (&theirs, b"1\n"),
        (&ours, b"2\n"),
        (&theirs, b"3\n"),
        (&ours, b"4"),
    ];
    for (program, input) in steps {
        let out = sb.run_input(program, &["t", "./d"], input);
        assert_eq!(out.status.code(), Some(0));
    }
    let text = std::fs::read(sb.join("d/current")).unwrap();
    assert_eq!(
        show(&normalise_labels(&text)),
        "@TAI 1\n@TAI 2\n@TAI 3\n@TAI 4\n"
    );
    assert_eq!(shape(&sb.join("d")).len(), 3);
}

#[test]
fn a_log_killed_mid_run_is_recovered_by_either_implementation() {
    for (first, second) in [(true, false), (false, true)] {
        let sb = Sandbox::new();
        let pick = |ours: bool| {
            if ours {
                sb.bin("multilog")
            } else {
                reference("multilog")
            }
        };
        let (mut guard, mut stdin) = start(&sb, pick(first), &["./d"]);
        stdin.write_all(b"before kill\n").unwrap();
        wait_file(&sb.join("d/current"), b"before kill\n");
        guard.signal("KILL");
        guard.wait_exit(PATIENCE);
        drop(stdin);
        assert_eq!(
            std::fs::metadata(sb.join("d/current"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o644
        );
        let out = sb.run_input(pick(second), &["./d"], b"after\n");
        assert_output(&out, 0, b"", b"");
        assert_eq!(
            shape(&sb.join("d")),
            [
                ("@TAI.u".into(), 0o644, 12),
                ("current".into(), 0o744, 6),
                ("lock".into(), 0o600, 0),
                ("state".into(), 0o644, 0)
            ]
        );
    }
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
    std::thread::sleep(Duration::from_millis(50));
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
    assert_eq!(
        std::fs::metadata(sb.join("d/current"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o744
    );
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
    assert_eq!(
        std::fs::metadata(sb.join("d/current"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o744
    );
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
    assert_eq!(
        std::fs::metadata(sb.join("d/current"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o744
    );
}
