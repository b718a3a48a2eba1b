//! Integration tests for svc: the bytes it sends (against the reference), its warnings for
//! every kind of bad directory, several directories in one call, and refusal for non-owners.

use crate::common::*;
use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// Creates `DIR/supervise/control` as a FIFO.
pub fn mkfifo(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let c = CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid C string; mkfifo has no other preconditions.
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o600) },
        0,
        "mkfifo {}",
        path.display()
    );
}

/// A stand-in supervise: the read end of `dir/supervise/control`, so svc can open it.
fn listener(sb: &Sandbox, dir: &str) -> File {
    let path = sb.join(dir).join("supervise/control");
    if !path.exists() {
        mkfifo(&path);
    }
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .unwrap()
}

/// Everything queued in the FIFO.
fn received(fifo: &mut File) -> Vec<u8> {
    let mut buf = [0u8; 256];
    match fifo.read(&mut buf) {
        Ok(n) => buf[..n].to_vec(),
        Err(_) => Vec::new(),
    }
}

const USAGE_LINE: &str = "svc options: u up, d down, o once, x exit, p pause, c continue, \
    h hup, a alarm, i interrupt, t term, k kill\n";

#[test]
fn letters_in_first_appearance_order_like_reference() {
    let sb = Sandbox::new();
    let mut fifo = listener(&sb, "d");
    let cases: &[(&[&str], &[u8])] = &[
        (&["-dxudokkkaaahicpt", "-x", "d"], b"dxuokahicpt"),
        (&["-dx", "d"], b"dx"),
        (&["-xd", "d"], b"xd"),
        (&["-u", "-u", "-o", "d"], b"uo"),
        (&["--", "d"], b""),
        (&["d"], b""),
    ];
    for &(args, bytes) in cases {
        for program in [sb.bin("svc"), reference("svc")] {
            let out = sb.run(&program, args);
            assert_output(&out, 0, b"", b"");
            assert_eq!(
                show(&received(&mut fifo)),
                show(bytes),
                "{program:?} {args:?}"
            );
        }
    }
}

#[test]
fn illegal_option_sends_nothing() {
    let sb = Sandbox::new();
    let mut fifo = listener(&sb, "d");
    for args in [&["-C", "d"][..], &["-uz", "d"][..]] {
        let ours = sb.run("svc", args);
        let theirs = sb.run(reference("svc"), args);
        let letter = args[0].chars().last().unwrap();
        let expected = format!("svc: illegal option -- {letter}\n{USAGE_LINE}");
        assert_output(&ours, 100, b"", expected.as_bytes());
        assert_output(&theirs, 100, b"", expected.as_bytes());
    }
    assert_eq!(received(&mut fifo), b"");
}

#[test]
fn no_directory_does_nothing() {
    let sb = Sandbox::new();
    assert_output(&sb.run("svc", &[]), 0, b"", b"");
    assert_output(&sb.run("svc", &["-dx"]), 0, b"", b"");
}

#[test]
fn bad_directories_warn_and_continue_like_reference() {
    let sb = Sandbox::new();
    sb.write("file", "");
    sb.mkdir("nosupervise");
    mkfifo(&sb.join("notrunning/supervise/control"));
    sb.mkdir("controldir/supervise/control");
    let mut a = listener(&sb, "a");
    let mut b = listener(&sb, "sub/b");
    let args = [
        "-u",
        "nonexistent",
        "a",
        "file",
        "nosupervise",
        "notrunning",
        "sub/b",
        "controldir",
    ];
    let expected = "svc: warning: unable to chdir to nonexistent: file does not exist\n\
        svc: warning: unable to chdir to file: not a directory\n\
        svc: warning: unable to control nosupervise: file does not exist\n\
        svc: warning: unable to control notrunning: supervise not running\n\
        svc: warning: unable to control controldir: is a directory\n";
    assert_output(&sb.run("svc", &args), 0, b"", expected.as_bytes());
    // Relative names are resolved from the starting directory each time.
    assert_eq!(
        (received(&mut a), received(&mut b)),
        (b"u".to_vec(), b"u".to_vec())
    );
    assert_output(
        &sb.run(reference("svc"), &args),
        0,
        b"",
        expected.as_bytes(),
    );
    assert_eq!(
        (received(&mut a), received(&mut b)),
        (b"u".to_vec(), b"u".to_vec())
    );
}

#[test]
fn status_check_only_without_letters() {
    let sb = Sandbox::new();
    mkfifo(&sb.join("down/supervise/control"));
    let out = sb.run("svc", &["down"]);
    assert_output(
        &out,
        0,
        b"",
        b"svc: warning: unable to control down: supervise not running\n",
    );
}

#[test]
fn controls_several_running_services() {
    let sb = Sandbox::new();
    service(&sb, "s1", RUN_SLEEP);
    service(&sb, "s2", RUN_SLEEP);
    let _g1 = spawn_supervise(&sb, "supervise", "s1");
    let _g2 = spawn_supervise(&sb, "supervise", "s2");
    wait_up(&sb, "s1");
    wait_up(&sb, "s2");
    let abs = sb.join("s2");
    assert_output(
        &sb.run("svc", &["-d", "s1", abs.to_str().unwrap()]),
        0,
        b"",
        b"",
    );
    wait_down(&sb, "s1");
    wait_down(&sb, "s2");
}

#[test]
fn non_owner_is_refused() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_up(&sb, "s");
    // Root-only (as CI runs it): the service belongs to root, svc runs as nobody.
    let expected = b"svc: warning: unable to control s: access denied\n";
    for svc in [public_copy(&sb, "svc"), reference("svc")] {
        let out = sb.run(
            reference("setuidgid"),
            &["nobody", svc.to_str().unwrap(), "-k", "s"],
        );
        assert_output(&out, 0, b"", expected);
    }
    assert_eq!(
        wait_up(&sb, "s"),
        pid,
        "the service must not have been touched"
    );
}

#[test]
fn write_error_is_a_warning() {
    let sb = Sandbox::new();
    sb.mkdir("full/supervise");
    std::os::unix::fs::symlink("/dev/full", sb.join("full/supervise/control")).unwrap();
    let expected = b"svc: warning: error writing commands to full: out of disk space\n";
    for program in [sb.bin("svc"), reference("svc")] {
        assert_output(&sb.run(&program, &["-u", "full"]), 0, b"", expected);
        // Without letters nothing is written, so nothing fails.
        assert_output(&sb.run(&program, &["full"]), 0, b"", b"");
    }
}

#[test]
fn any_word_starting_with_two_dashes_ends_the_options() {
    let sb = Sandbox::new();
    let mut fifo = listener(&sb, "d");
    let cases: &[(&[&str], &[u8], &[u8])] = &[
        (
            &["-d", "---", "-u", "d"],
            b"svc: warning: unable to chdir to -u: file does not exist\n",
            b"dd",
        ),
        (&["--foo", "d"], b"", b""),
    ];
    for &(args, stderr, sent) in cases {
        let out = same_as_reference(&sb, "svc", args);
        assert_output(&out, 0, b"", stderr);
        // Both runs (ours and the reference) wrote to the same FIFO.
        assert_eq!(show(&received(&mut fifo)), show(sent), "{args:?}");
    }
}
