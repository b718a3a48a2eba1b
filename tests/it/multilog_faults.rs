//! multilog under faults: a file system that fills up (then empties, or is never emptied and
//! TERM arrives), signal storms, a directory that cannot be trimmed. SIGKILL storms are in
//! `multilog_storm.rs`.

use super::{PATIENCE, entries, logged};
use crate::common::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// multilog's largest read: the most it has in hand when it gives up.
const READ_SIZE: usize = 64 * 1024;

/// Numbered lines of 64 bytes.
fn numbered(count: usize) -> Vec<u8> {
    (0..count)
        .flat_map(|i| format!("{i:08} {}\n", "x".repeat(54)).into_bytes())
        .collect()
}

/// A small tmpfs mounted for one test, unmounted on drop even after a failure.
struct Mount(PathBuf);

impl Mount {
    fn new(at: PathBuf, size: &str) -> Mount {
        std::fs::create_dir_all(&at).unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .status()
            .unwrap();
        assert!(
            ok.success(),
            "mount tmpfs at {} (needs root, as in CI)",
            at.display()
        );
        Mount(at)
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .stderr(Stdio::null())
            .status();
    }
}

/// A child's stderr, collected in the background.
struct StderrLog {
    seen: Arc<Mutex<Vec<u8>>>,
    reader: std::thread::JoinHandle<()>,
}

impl StderrLog {
    /// Does what has arrived so far start with `text`?
    fn starts_with(&self, text: &str) -> bool {
        self.seen.lock().unwrap().starts_with(text.as_bytes())
    }

    /// Everything, once the child has closed its stderr.
    fn all(self) -> String {
        self.reader.join().unwrap();
        show(&self.seen.lock().unwrap())
    }
}

fn collect_stderr(guard: &mut ProcessGuard) -> StderrLog {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut err = guard.child.stderr.take().unwrap();
    let sink = seen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = err.read(&mut buf) {
            sink.lock().unwrap().extend_from_slice(&buf[..n]);
        }
    });
    StderrLog { seen, reader }
}

/// Fills the file system at `mnt` with a file that leaves less than `left` bytes free.
fn fill(mnt: &Path, total: usize, left: usize) -> PathBuf {
    let filler = mnt.join("filler");
    let mut f = std::fs::File::create(&filler).unwrap();
    let _ = f.write_all(&vec![b'f'; total - left]);
    filler
}

const FULL: &str =
    "multilog: warning: unable to write to ./d/current, pausing: out of disk space\n";

#[test]
fn full_disk_pauses_and_continues_when_space_returns() {
    let sb = Sandbox::new();
    let _mount = Mount::new(sb.join("mnt"), "512k");
    let filler = fill(&sb.join("mnt"), 512 * 1024, 100 * 1024);
    let input = numbered(4000);
    let mut cmd = sb.command("multilog");
    cmd.current_dir(sb.join("mnt"))
        .args(["s16777215", "./d"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped());
    let mut guard = ProcessGuard::spawn(&mut cmd);
    let seen = collect_stderr(&mut guard);
    let mut stdin = guard.child.stdin.take().unwrap();
    let writer = {
        let input = input.clone();
        std::thread::spawn(move || stdin.write_all(&input).unwrap())
    };
    wait_for(PATIENCE, "the out-of-space warning", || {
        seen.starts_with(FULL)
    });
    std::fs::remove_file(filler).unwrap();
    writer.join().unwrap();
    let status = guard.wait_exit(PATIENCE);
    assert_eq!(status.code(), Some(0));
    assert_eq!(seen.all(), FULL);
    assert!(
        logged(&sb.join("mnt/d")) == input,
        "the log differs from the input"
    );
}

#[test]
fn term_while_the_disk_stays_full_exits_111_and_leaves_the_rest_in_the_pipe() {
    let sb = Sandbox::new();
    let _mount = Mount::new(sb.join("mnt"), "512k");
    fill(&sb.join("mnt"), 512 * 1024, 100 * 1024);
    let input = numbered(4000);
    let (reader, mut writer) = std::io::pipe().unwrap();
    let mut spare = reader.try_clone().unwrap();
    let mut cmd = sb.command("multilog");
    cmd.current_dir(sb.join("mnt"))
        .args(["s16777215", "./d"])
        .stdin(reader)
        .stderr(Stdio::piped());
    let mut guard = ProcessGuard::spawn(&mut cmd);
    let seen = collect_stderr(&mut guard);
    let feeder = {
        let input = input.clone();
        std::thread::spawn(move || {
            let _ = writer.write_all(&input);
        })
    };
    wait_for(PATIENCE, "the out-of-space warning", || {
        seen.starts_with(FULL)
    });
    guard.signal("TERM");
    let status = guard.wait_exit(PATIENCE);
    assert_eq!(status.code(), Some(111));
    // What multilog did not read is still in the pipe (the feeder finishes once it is read).
    let mut rest = Vec::new();
    spare.read_to_end(&mut rest).unwrap();
    feeder.join().unwrap();
    let err = seen.all();
    let count: usize = err
        .rsplit_once("TERM received while pausing: ")
        .and_then(|(_, tail)| tail.strip_suffix(" bytes could not be written\n"))
        .unwrap_or_else(|| panic!("no final warning: {err}"))
        .parse()
        .unwrap();
    assert!(err.starts_with(FULL), "{err}");
    let log = logged(&sb.join("mnt/d"));
    assert!(
        log == input[..log.len()],
        "the log is not a prefix of the input"
    );
    assert!(count > 0);
    // Nothing is consumed before it is written: the pipe still holds every byte the log
    // lacks, and the bytes not written were in hand (one read) when multilog gave up.
    let consumed = input.len() - rest.len();
    assert_eq!(&input[consumed..], &rest[..], "pipe holds the next bytes");
    assert!(
        consumed <= log.len(),
        "{consumed} consumed, {} logged",
        log.len()
    );
    assert!(log.len() + count <= consumed + READ_SIZE);
    assert_eq!(
        entries(&sb.join("mnt/d"))
            .iter()
            .find(|e| e.name == "current")
            .unwrap()
            .mode,
        0o644
    );
}

#[test]
fn alarm_storm_rotates_often_and_loses_nothing() {
    let sb = Sandbox::new();
    let input = numbered(20_000);
    let mut cmd = sb.command("multilog");
    cmd.args(["t", "n100000", "./d"]).stdin(Stdio::piped());
    let mut guard = ProcessGuard::spawn(&mut cmd);
    let mut stdin = guard.child.stdin.take().unwrap();
    // ALRM kills a process that has not installed its handler yet.
    wait_for(PATIENCE, "multilog to start", || {
        sb.join("d/current").exists()
    });
    let producer = {
        let input = input.clone();
        std::thread::spawn(move || {
            for burst in input.chunks(64 * 100) {
                stdin.write_all(burst).unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let mut alarms = 0;
    while !producer.is_finished() {
        guard.signal("ALRM");
        alarms += 1;
    }
    producer.join().unwrap();
    assert_eq!(guard.wait_exit(PATIENCE).code(), Some(0));
    let log = logged(&sb.join("d"));
    let unlabelled: Vec<u8> = log
        .split_inclusive(|&b| b == b'\n')
        .flat_map(|line| line[26..].to_vec())
        .collect();
    assert!(unlabelled == input, "the log differs from the input");
    let files = entries(&sb.join("d"))
        .iter()
        .filter(|e| e.name == "@TAI.s")
        .count();
    assert!(files >= 10, "{files} rotations for {alarms} alarms");
    assert!(
        entries(&sb.join("d"))
            .iter()
            .all(|e| !e.name.ends_with(".u"))
    );
}

#[test]
fn an_undeletable_oldest_file_pauses_until_term_gives_up() {
    let sb = Sandbox::new();
    sb.mkdir("d/@0000000000000000000000001");
    let mut cmd = sb.command("multilog");
    cmd.args(["s4096", "n2", "./d"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped());
    let mut guard = ProcessGuard::spawn(&mut cmd);
    let seen = collect_stderr(&mut guard);
    let mut stdin = guard.child.stdin.take().unwrap();
    stdin
        .write_all(&[vec![b'y'; 5000], b"\n".to_vec()].concat())
        .unwrap();
    let pausing = "multilog: warning: unable to read ./d, pausing: is a directory\n";
    wait_for(PATIENCE, "the trimming warning", || {
        seen.starts_with(pausing)
    });
    guard.signal("TERM");
    assert_eq!(guard.wait_exit(PATIENCE).code(), Some(111));
    drop(stdin);
    let err = seen.all();
    let last = "multilog: warning: TERM received while pausing: 905 bytes could not be written\n";
    assert!(err.ends_with(last), "{err}");
    assert!(
        err.strip_suffix(last)
            .unwrap()
            .split_inclusive('\n')
            .all(|l| l == pausing),
        "{err}"
    );
    let list = entries(&sb.join("d"));
    let names: Vec<&str> = list.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["@TAI1", "@TAI.s", "current", "lock", "state"]);
    assert_eq!(list[1].data, vec![b'y'; 4096]);
    assert_eq!((list[2].mode, list[2].data.len()), (0o644, 0));
}

/// Input that is not a pipe (a regular file here) is read plainly: lines that straddle
/// reads, held undecided across them, still come out whole and once.
#[test]
fn a_file_on_stdin_is_read_plainly() {
    let sb = Sandbox::new();
    let mut input = numbered(3000);
    input.extend_from_slice(&vec![b'z'; 3 * READ_SIZE]);
    input.extend_from_slice(b"\nlast\n");
    let file = sb.write("input", &input);
    let out = sb
        .command("multilog")
        .args(["-x*", "+*", "s16777215", "./d"])
        .stdin(std::fs::File::open(file).unwrap())
        .output()
        .unwrap();
    assert_output(&out, 0, b"", b"");
    assert!(
        logged(&sb.join("d")) == input,
        "the log differs from the input"
    );
}
