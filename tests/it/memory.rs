//! Memory that input could make grow stays bounded: a flood into supervise/control, an
//! envdir file with no end (`/dev/zero`) or a huge one, a huge /etc/passwd. Each case runs
//! under an address-space limit where an unbounded buffer would fail, and checks the exact
//! outcome; supervise's peak memory is read from /proc.

use crate::common::*;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

/// An address-space limit (bytes) far below what reading `/dev/zero` whole would need, and
/// comfortably above what the (dynamically linked, debug) test build needs to start.
const AS_LIMIT: &str = "64000000";
/// Megabytes of filler in the huge files: more than the limit allows to hold.
const HUGE_MB: usize = 100;

/// Peak resident memory of `pid` in kB (VmHWM).
fn peak_kb(pid: i32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap()
}

#[test]
fn a_flood_of_control_bytes_costs_supervise_no_memory() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let guard = spawn_supervise(&sb, "supervise", "s");
    wait_up(&sb, "s");
    let before = peak_kb(guard.pid());
    // 16 MB of bytes supervise ignores, written as fast as it reads them.
    let mut fifo = std::fs::OpenOptions::new()
        .write(true)
        .open(sb.join("s/supervise/control"))
        .unwrap();
    let flood = vec![b'\n'; 1 << 20];
    for _ in 0..16 {
        fifo.write_all(&flood).unwrap();
    }
    drop(fifo);
    // It still answers, in order, once the flood is read.
    assert_eq!(sb.run("svc", &["-d", "s"]).status.code(), Some(0));
    wait_down(&sb, "s");
    let grown = peak_kb(guard.pid()).saturating_sub(before);
    assert!(grown < 256, "supervise grew by {grown} kB");
}

/// envdir D printenv NAME under the address-space limit, through softlimit.
fn envdir_limited(sb: &Sandbox, name: &str) -> Output {
    sb.run(
        "softlimit",
        &["-a", AS_LIMIT, "envdir", "E", "printenv", name],
    )
}

#[test]
fn an_endless_envdir_file_is_read_only_as_far_as_a_program_could_take() {
    let sb = Sandbox::new();
    sb.mkdir("E");
    std::os::unix::fs::symlink("/dev/zero", sb.join("E/Z")).unwrap();
    // 0.76 reads the whole file and dies "out of memory"; with the memory it would fail to
    // run the program: no program can be given a variable that long.
    let out = envdir_limited(&sb, "Z");
    assert_output(
        &out,
        111,
        b"",
        b"envdir: fatal: unable to run printenv: argument list too long\n",
    );
}

#[test]
fn a_huge_envdir_file_gives_its_first_line() {
    let sb = Sandbox::new();
    sb.mkdir("E");
    let mut file = std::fs::File::create(sb.join("E/V")).unwrap();
    file.write_all(b"first line \t \n").unwrap();
    let filler = vec![b'x'; 1 << 20];
    for _ in 0..HUGE_MB {
        file.write_all(&filler).unwrap();
    }
    drop(file);
    let out = envdir_limited(&sb, "V");
    assert_output(&out, 0, b"first line\n", b"");
    // Blanks past the longest possible value are still trailing blanks.
    let mut long = b"value".to_vec();
    long.resize(300_000, b' ');
    long.extend_from_slice(b"\t\n");
    std::fs::write(sb.join("E/V"), &long).unwrap();
    assert_output(&envdir_limited(&sb, "V"), 0, b"value\n", b"");
}

/// Runs `envuidgid NAME printenv UID` with `passwd` bind-mounted over /etc/passwd in a
/// private mount namespace, under the address-space limit.
fn envuidgid_with(sb: &Sandbox, passwd: &Path, name: &str) -> Output {
    assert!(is_root(), "needs root (as in CI) for a private /etc/passwd");
    let script = format!(
        "mount --bind {} /etc/passwd && exec {} -a {AS_LIMIT} {} {name} printenv UID",
        passwd.display(),
        sb.bin("softlimit").display(),
        sb.bin("envuidgid").display(),
    );
    Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .env_clear()
        .env("PATH", sb.path_var())
        .current_dir(sb.path())
        .output()
        .unwrap()
}

#[test]
fn a_huge_passwd_file_is_searched_in_constant_memory() {
    let sb = Sandbox::new();
    let passwd = sb.join("passwd");
    let mut file = std::fs::File::create(&passwd).unwrap();
    file.write_all(b"root:x:0:0::/root:/bin/sh\n").unwrap();
    // A line of HUGE_MB megabytes (its password), then many ordinary ones, then the account.
    file.write_all(b"long:").unwrap();
    let filler = vec![b'y'; 1 << 20];
    for _ in 0..HUGE_MB {
        file.write_all(&filler).unwrap();
    }
    file.write_all(b":5:5::/:/bin/sh\n").unwrap();
    for i in 0..200_000 {
        writeln!(file, "user{i}:x:{}:{}::/:/bin/sh", 1000 + i, 1000 + i).unwrap();
    }
    file.write_all(b"target:x:4242:4343::/:/bin/sh\n").unwrap();
    drop(file);
    assert_output(&envuidgid_with(&sb, &passwd, "target"), 0, b"4242\n", b"");
    assert_output(&envuidgid_with(&sb, &passwd, "long"), 0, b"5\n", b"");
    assert_output(
        &envuidgid_with(&sb, &passwd, "nosuch"),
        111,
        b"",
        b"envuidgid: fatal: unknown account nosuch\n",
    );
}

#[test]
fn runline_reads_no_endless_file() {
    let sb = Sandbox::new();
    let out = sb.run("softlimit", &["-a", AS_LIMIT, "runline", "/dev/zero"]);
    assert_output(
        &out,
        111,
        b"",
        b"runline: fatal: unable to read /dev/zero: file too big\n",
    );
}
