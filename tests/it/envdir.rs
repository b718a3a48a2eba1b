//! Integration tests for envdir: value rules, edit order, the ENOENT quirk, every failure
//! message, and the same command lines through the reference envdir.

use crate::common::*;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::process::Output;

const USAGE: &[u8] = b"envdir: usage: envdir dir child\n";

/// The child's environment as printed by `env -0`, sorted (readdir order varies).
fn env_entries(out: &Output) -> Vec<String> {
    let mut entries: Vec<String> = out
        .stdout
        .split(|&b| b == 0)
        .filter(|e| !e.is_empty())
        .map(show)
        .collect();
    entries.sort();
    entries
}

/// Runs envdir through daemonbox and through the reference in the same sandbox and
/// checks that both give the same bytes and exit code; returns ours.
#[test]
fn usage_exits_111() {
    let sb = Sandbox::new();
    sb.mkdir("d");
    for args in [&[][..], &["d"][..]] {
        assert_output(&sb.run("envdir", args), 111, b"", USAGE);
        same_as_reference(&sb, "envdir", args);
    }
}

#[test]
fn values_follow_the_file_rules() {
    let sb = Sandbox::new();
    sb.write("E/A", "hello world  \t \nsecond line\n");
    sb.write("E/B", "no newline");
    sb.write("E/C", "");
    sb.write("E/D", b"a\0b\0c \n");
    sb.write("E/E", "\n");
    sb.write("E/F", "   \n");
    sb.write("E/I", "tab\t");
    sb.write("E/J", " lead");
    sb.write("E/K", "cr\r\n");
    let out = sb
        .command("envdir")
        .args(["E", "env", "-0"])
        .env_clear()
        .env("C", "keep")
        .env("Z", "untouched")
        .output()
        .unwrap();
    assert_output(&out, 0, &out.stdout, b"");
    assert_eq!(
        env_entries(&out),
        [
            "A=hello world",
            "B=no newline",
            "D=a\nb\nc",
            "E=",
            "F=",
            "I=tab",
            "J= lead",
            "K=cr\r",
            "Z=untouched"
        ]
    );
    same_as_reference(&sb, "envdir", &["E", "env", "-0"]);
}

#[test]
fn edit_order_moves_the_last_variable() {
    let sb = Sandbox::new();
    sb.write("D1/B", "x");
    for program in [sb.bin("envdir"), reference("envdir")] {
        let out = sb
            .command(&program)
            .args(["D1", "env"])
            .env_clear()
            .envs([("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")])
            .output()
            .unwrap();
        assert_output(&out, 0, b"A=1\nD=4\nC=3\nB=x\n", b"");
    }
}

#[test]
fn dot_files_are_skipped_and_names_split_at_equals() {
    let sb = Sandbox::new();
    sb.write("E/.hidden", "no");
    sb.write("E/..x", "no");
    sb.write("E/G=H", "eq");
    sb.write("F/G=H", "");
    let run = |dir: &str| {
        sb.command("envdir")
            .args([dir, "env", "-0"])
            .env_clear()
            .env("G", "old")
            .env(".hidden", "stays")
            .output()
            .unwrap()
    };
    assert_eq!(env_entries(&run("E")), [".hidden=stays", "G=H=eq"]);
    // An empty file named G=H still sets G (to H): the edit is split at its first '='.
    assert_eq!(env_entries(&run("F")), [".hidden=stays", "G=H"]);
    same_as_reference(&sb, "envdir", &["E", "env", "-0"]);
    same_as_reference(&sb, "envdir", &["F", "env", "-0"]);
}

#[test]
fn missing_entry_reuses_the_previous_buffer() {
    let sb = Sandbox::new();
    sb.write("Q/u", "val_u\n");
    symlink("nowhere", sb.join("Q/r")).unwrap();
    sb.write("N/d", b"a\0b\0c \n");
    symlink("nowhere", sb.join("N/r")).unwrap();
    sb.mkdir("S");
    symlink("nowhere", sb.join("S/r")).unwrap();
    let readdir_first = |dir: &str| {
        std::fs::read_dir(sb.join(dir))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .file_name()
    };
    let run = |dir: &str| {
        let out = sb
            .command("envdir")
            .args([dir, "env", "-0"])
            .env_clear()
            .env("r", "old")
            .output()
            .unwrap();
        assert_output(&out, 0, &out.stdout, b"");
        env_entries(&out)
    };
    // Which entry comes first is up to the file system; both outcomes are 0.76's.
    let expected: &[&str] = if readdir_first("Q") == "u" {
        &["r=val_u\n", "u=val_u"]
    } else {
        &["u=val_u"]
    };
    assert_eq!(run("Q"), expected);
    // The stale buffer holds "a\nb\nc\0": the second pass stops at the first newline.
    let expected: &[&str] = if readdir_first("N") == "d" {
        &["d=a\nb\nc", "r=a"]
    } else {
        &["d=a\nb\nc"]
    };
    assert_eq!(run("N"), expected);
    // Nothing read before: the variable is removed.
    assert_eq!(run("S"), Vec::<String>::new());
    for dir in ["Q", "N", "S"] {
        same_as_reference(&sb, "envdir", &[dir, "env", "-0"]);
    }
}

#[test]
fn symlinks_are_followed_and_fifos_read_as_empty() {
    let sb = Sandbox::new();
    sb.write("target", "linked\n");
    sb.mkdir("E");
    symlink("../target", sb.join("E/L")).unwrap();
    let fifo = sb.run("mkfifo", &["E/FIFO"]);
    assert_eq!(fifo.status.code(), Some(0));
    let out = sb
        .command("envdir")
        .args(["E", "env", "-0"])
        .env_clear()
        .env("FIFO", "was set")
        .output()
        .unwrap();
    assert_output(&out, 0, &out.stdout, b"");
    assert_eq!(env_entries(&out), ["L=linked"]);
    same_as_reference(&sb, "envdir", &["E", "env", "-0"]);
}

#[test]
fn program_is_found_in_the_original_path() {
    let sb = Sandbox::new();
    sb.write("E/PATH", "/nonexistent");
    let out = sb.run("envdir", &["E", "env"]);
    assert_output(&out, 0, b"TZ=UTC\nPATH=/nonexistent\n", b"");
    same_as_reference(&sb, "envdir", &["E", "env"]);
}

#[test]
fn starting_directory_is_restored() {
    let sb = Sandbox::new();
    sb.write("E/X", "1");
    let out = sb.run("envdir", &["E", "pwd", "-P"]);
    let cwd = sb.path().canonicalize().unwrap();
    assert_output(&out, 0, format!("{}\n", cwd.display()).as_bytes(), b"");
}

#[test]
fn large_value_has_no_size_limit() {
    let sb = Sandbox::new();
    // Below the kernel's 128 KiB limit for one environment string.
    let big = "v".repeat(100_000);
    sb.write("E/BIG", format!("{big}  \nrest"));
    let out = sb.run("envdir", &["E", "printenv", "BIG"]);
    assert_eq!(
        (out.status.code(), show(&out.stderr)),
        (Some(0), String::new())
    );
    assert!(out.stdout == format!("{big}\n").as_bytes(), "value differs");
}

#[test]
fn directory_failures() {
    let sb = Sandbox::new();
    sb.write("file", "x");
    symlink("loop", sb.join("loop")).unwrap();
    let cases: &[(&str, &[u8])] = &[
        (
            "nodir",
            b"envdir: fatal: unable to switch to directory nodir: file does not exist\n",
        ),
        (
            "file",
            b"envdir: fatal: unable to switch to directory file: not a directory\n",
        ),
        (
            "loop",
            b"envdir: fatal: unable to switch to directory loop: symbolic link loop\n",
        ),
        (
            "-x",
            b"envdir: fatal: unable to switch to directory -x: file does not exist\n",
        ),
    ];
    for (dir, stderr) in cases {
        assert_output(&sb.run("envdir", &[dir, "true"]), 111, b"", stderr);
        same_as_reference(&sb, "envdir", &[dir, "true"]);
    }
}

#[test]
fn unreadable_entries() {
    let sb = Sandbox::new();
    sb.mkdir("S/sub");
    sb.mkdir("L");
    symlink("self", sb.join("L/self")).unwrap();
    let secret = sb.write("P/secret", "s");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let cases: &[(&str, &[u8])] = &[
        (
            "S",
            b"envdir: fatal: unable to read S/sub: is a directory\n",
        ),
        (
            "S/",
            b"envdir: fatal: unable to read S//sub: is a directory\n",
        ),
        (
            "L",
            b"envdir: fatal: unable to read L/self: symbolic link loop\n",
        ),
    ];
    for (dir, stderr) in cases {
        assert_output(&sb.run("envdir", &[dir, "true"]), 111, b"", stderr);
        same_as_reference(&sb, "envdir", &[dir, "true"]);
    }
    // Root reads a mode-000 file anyway.
    let out = sb.run("envdir", &["P", "printenv", "secret"]);
    if is_root() {
        assert_output(&out, 0, b"s\n", b"");
    } else {
        assert_output(
            &out,
            111,
            b"",
            b"envdir: fatal: unable to read P/secret: access denied\n",
        );
    }
}

#[test]
fn permission_failures_as_another_user() {
    let sb = Sandbox::new();
    sb.write("E/X", "1");
    // nobody may enter D but not list it, and may not enter private at all.
    let listable_no = sb.write("D/X", "1").parent().unwrap().to_path_buf();
    std::fs::set_permissions(&listable_no, std::fs::Permissions::from_mode(0o711)).unwrap();
    let private = sb.mkdir("private");
    std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
    let secret = sb.write("P/secret", "s");
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();
    let cases: &[(&str, &[u8])] = &[
        (
            "exec ENVDIR D true",
            b"envdir: fatal: unable to read directory D: access denied\n",
        ),
        (
            "exec ENVDIR P true",
            b"envdir: fatal: unable to read P/secret: access denied\n",
        ),
        (
            "exec ENVDIR private true",
            b"envdir: fatal: unable to switch to directory private: access denied\n",
        ),
        (
            "cd D && exec ENVDIR ../E true",
            b"envdir: fatal: unable to switch to current directory: access denied\n",
        ),
    ];
    let theirs = reference("envdir");
    for envdir in ["envdir", theirs.to_str().unwrap()] {
        for (script, message) in cases {
            let script = script.replace("ENVDIR", envdir);
            let out = sb.run("setuidgid", &["nobody", "sh", "-c", &script]);
            // Only root can switch to nobody; anyone else is stopped by setuidgid itself.
            let expected: &[u8] = if is_root() {
                message
            } else {
                b"setuidgid: fatal: unable to setgid: permission denied\n"
            };
            assert_output(&out, 111, b"", expected);
        }
    }
}

#[test]
fn program_that_cannot_be_run() {
    let sb = Sandbox::new();
    sb.write("E/X", "1");
    check_unrunnable(&sb, "envdir", &["E"]);
    // The directory itself is not in PATH, and is no program either.
    for (prog, error) in [("E", "file does not exist"), ("./E", "access denied")] {
        let stderr = format!("envdir: fatal: unable to run {prog}: {error}\n");
        assert_output(&sb.run("envdir", &["E", prog]), 111, b"", stderr.as_bytes());
        same_as_reference(&sb, "envdir", &["E", prog]);
    }
}

/// The programs every chain-loading applet must fail to run, each with its error text:
/// missing with a slash, missing in PATH, not executable, no `#!` line, a directory, and a
/// name that looks like an option (no applet but the getopt ones reads options).
const UNRUNNABLE: &[(&str, &str)] = &[
    ("./nonexistent", "file does not exist"),
    ("nonexistent-prog", "file does not exist"),
    ("./notexec", "access denied"),
    ("./noshebang", "exec format error"),
    ("/", "access denied"),
    ("-x", "file does not exist"),
];

/// Runs `applet BEFORE... PROG` for every program of [`UNRUNNABLE`] (files created in `sb`),
/// through daemonbox and the reference: `APPLET: fatal: unable to run PROG: E`, exit 111.
pub fn check_unrunnable(sb: &Sandbox, applet: &str, before: &[&str]) {
    sb.write("notexec", "#!/bin/sh\n");
    sb.script("noshebang", "true\n");
    for (prog, error) in UNRUNNABLE {
        let args = [before, &[prog]].concat();
        let stderr = format!("{applet}: fatal: unable to run {prog}: {error}\n");
        assert_output(&sb.run(applet, &args), 111, b"", stderr.as_bytes());
        same_as_reference(sb, applet, &args);
    }
}
