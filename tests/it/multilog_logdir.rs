//! multilog's log directory: rotation and trimming, the processor, locking, crash recovery,
//! and directories shared with /usr/bin/multilog in both directions.

use super::{PATIENCE, assert_same, both, entries, logged, noise, run_in, shape, start, wait_file};
use crate::common::*;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

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
    // Started through bash closing every descriptor above 2 that the test harness leaks.
    let close_extra = "for f in /proc/$$/fd/*; do n=${f##*/}; [ \"$n\" -gt 2 ] && \
        eval \"exec $n>&-\"; done; exec \"$0\" \"$@\"";
    let mut outs = Vec::new();
    for (side, program) in [("ours", sb.bin("multilog")), ("ref", reference("multilog"))] {
        let program = program.to_str().unwrap();
        let args = ["-c", close_extra, program, processor, "s4096", "./d"];
        outs.push(run_in(&sb, side, "/bin/bash", &args, &input));
    }
    let outs = (outs.remove(0), outs.remove(0));
    assert_same(&sb, &outs, &["d"], &[]);
    // `ls` itself opens its directory as descriptor 3.
    assert_output(
        &outs.0,
        0,
        b"",
        b"previous\nprocessed\nstate\nnewstate\n0\n1\n2\n3\n4\n5\n",
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
        // One 5-second pause, not two.
        took >= Duration::from_secs(5) && took < Duration::from_secs(10),
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
        assert_eq!(mode_of(sb.join("d/current")), 0o644);
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

#[test]
fn crashed_processor_is_reported_and_term_shortens_the_pauses() {
    let sb = Sandbox::new();
    let processor = "!if [ -e ../crashed ]; then cat; else : > ../crashed; kill -9 $$; fi";
    let mut cmd = sb.command("multilog");
    cmd.args([processor, "s4096", "./d"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut guard = ProcessGuard::spawn(&mut cmd);
    let mut stdin = guard.child.stdin.take().unwrap();
    stdin
        .write_all(&[vec![b'y'; 5000], b"\n".to_vec()].concat())
        .unwrap();
    wait_for(PATIENCE, "the processor to crash", || {
        sb.join("crashed").exists()
    });
    std::thread::sleep(Duration::from_millis(100));
    let started = std::time::Instant::now();
    guard.signal("TERM");
    assert_eq!(guard.wait_exit(PATIENCE).code(), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    drop(stdin);
    let mut err = String::new();
    std::io::Read::read_to_string(&mut guard.child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(
        err,
        "multilog: warning: processor crashed in ./d, pausing: interrupted system call\n\
         multilog: warning: processor failed in ./d, pausing\n"
    );
    let list = entries(&sb.join("d"));
    assert_eq!(
        (list[0].name.as_str(), list[0].data.len()),
        ("@TAI.s", 4096)
    );
    assert_eq!(
        (list[1].name.as_str(), list[1].mode, list[1].data.len()),
        ("current", 0o744, 905)
    );
}
