//! multilog killed with SIGKILL at random moments while a producer keeps writing into the
//! same pipe, restarted each time as svscan would: every line must be in the log at least
//! once (at-least-once: a line may appear twice after a kill, never zero times).

use super::{PATIENCE, logged};
use crate::common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Fewest kills a storm must deliver.
const KILLS: usize = 50;
/// multilog's largest read: the most one kill can make it write twice.
const READ_SIZE: usize = 64 * 1024;
/// Length of a line's payload; with the number and the newline a line is 64 bytes.
const PAYLOAD: usize = 54;

/// Line `i`: its number, then a payload that depends on the number, so a line glued
/// together from two torn ones is never taken for a whole line.
fn line(i: usize) -> Vec<u8> {
    let digest = (i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let hex = format!("{digest:016x}").repeat(4);
    format!("{i:08} {}\n", &hex[..PAYLOAD]).into_bytes()
}

/// A small pseudo-random sequence (xorshift), seeded from the clock so storms differ.
struct Noise(u64);

impl Noise {
    fn new() -> Noise {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64;
        Noise(t ^ u64::from(std::process::id()) | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// What the log holds: how often each line appears whole, and how many lines are torn.
struct Count {
    seen: Vec<usize>,
    torn: usize,
}

/// Counts the lines of `log` (labels, if any, removed) against lines `0..lines`.
fn count(log: &[u8], lines: usize) -> Count {
    let mut seen = vec![0; lines];
    let mut torn = 0;
    for text in log.split_inclusive(|&b| b == b'\n') {
        let text = match text.first() {
            Some(b'@') if text.len() > 26 => &text[26..],
            _ => text,
        };
        let number = std::str::from_utf8(&text[..text.len().min(8)])
            .ok()
            .and_then(|n| n.parse::<usize>().ok());
        match number {
            Some(i) if i < lines && text == line(i) => seen[i] += 1,
            _ => torn += 1,
        }
    }
    Count { seen, torn }
}

/// Kills multilog `args` at least [`KILLS`] times at random moments while a producer
/// writes numbered lines (in bursts cut at random places, so that lines also arrive in
/// pieces), then lets a last multilog read to the end and checks every line is logged.
fn storm(args: &[&str], dir: &str) {
    let sb = Sandbox::new();
    let (reader, mut writer) = std::io::pipe().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let producer = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut noise = Noise::new();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let burst: Vec<u8> = (i..i + 150).flat_map(line).collect();
                i += 150;
                let cut = noise.below(burst.len() as u64) as usize;
                writer.write_all(&burst[..cut]).unwrap();
                std::thread::sleep(Duration::from_micros(noise.below(2000)));
                writer.write_all(&burst[cut..]).unwrap();
                std::thread::sleep(Duration::from_millis(2));
            }
            i
        })
    };
    let mut noise = Noise::new();
    for _ in 0..KILLS {
        let mut guard = ProcessGuard::spawn(
            sb.command("multilog")
                .args(args)
                .stdin(reader.try_clone().unwrap()),
        );
        std::thread::sleep(Duration::from_millis(5 + noise.below(40)));
        guard.signal("KILL");
        guard.wait_exit(PATIENCE);
    }
    stop.store(true, Ordering::Relaxed);
    // The last run reads what is left; once the producer's last burst is in, its end of
    // the pipe closes and multilog stops at end of input.
    let last = Command::new(sb.bin("multilog"))
        .args(args)
        .current_dir(sb.path())
        .env_clear()
        .stdin(reader)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = producer.join().unwrap();
    assert_output(&last.wait_with_output().unwrap(), 0, b"", b"");
    let log = logged(&sb.join(dir));
    let Count { seen, torn } = count(&log, lines);
    let missing: Vec<usize> = (0..lines).filter(|&i| seen[i] == 0).collect();
    let twice: usize = seen.iter().map(|&n| n.saturating_sub(1)).sum();
    eprintln!(
        "{KILLS} kills, {lines} lines: {} missing, {twice} written twice, {torn} torn",
        missing.len()
    );
    assert!(missing.is_empty(), "lines lost: {missing:?}");
    assert!(
        twice * 64 <= KILLS * READ_SIZE && torn <= 2 * KILLS,
        "{twice} repeated lines and {torn} torn ones for {KILLS} kills"
    );
    assert!(
        has_unfinished(&sb.join(dir)),
        "no .u file after {KILLS} kills"
    );
}

fn has_unfinished(dir: &Path) -> bool {
    super::entries(dir).iter().any(|e| e.name.ends_with(".u"))
}

#[test]
fn sigkill_storm_loses_no_line() {
    storm(&["s100000", "n100000", "./d"], "d");
}

#[test]
fn sigkill_storm_with_patterns_and_labels_loses_no_line() {
    storm(&["t", "-x*", "+*", "s100000", "n100000", "./d"], "d");
}

#[test]
fn sigkill_storm_with_a_processor_loses_no_line() {
    storm(&["s4096", "n100000", "!cat", "./d"], "d");
}
