//! svscan: starts and watches one supervise per service directory.
//!
//! `svscan [-1] [-g seconds] [dir]`: chdir to `dir` (failure: `svscan: fatal: unable to
//! chdir to DIR: E`, 111), then forever: run `supervise NAME` for each subdirectory whose name
//! does not start with `.`, and for one with a `log` a second `supervise log` (cwd `NAME`)
//! joined to it by a pipe that svscan holds, so neither side's restart loses a byte. Warnings
//! and the child-side messages are 0.76's, byte for byte (spec svscan.md §1-2).
//!
//! Beyond 0.76: no limit on services; new names are picked up at once (inotify) with the
//! 5-second rescan kept as the fallback; SIGHUP and SIGALRM rescan now; a supervise that dies
//! (killed, or a non-zero exit) is restarted at once (one that exits within a second of its
//! start waits for the next periodic scan, as in 0.76, so a broken one does not spin), but
//! one that exits 0, told to by `svc -x`, waits for a periodic scan at least 5 s later, so
//! `svc -dx /service/* /service/*/log` then killing svscan still stops a tree (0.76
//! restarts it at its next scan, 0-5 s later); a `log` directory added to a known
//! service gets its logger at the next scan (the service writes into it from the next start
//! of its supervise, e.g. after `svc -dx`); RLIMIT_NOFILE is raised to its hard limit for
//! svscan alone (children get the original) and each log pipe costs one descriptor.
//!
//! Container mode (`-1`, or automatically when svscan is PID 1): orphans are reaped (as a
//! subreaper when not PID 1), and SIGTERM or SIGINT shut everything down in order (see
//! `shutdown.rs`); the exit status is 0, or 111 if something had to be killed after the
//! grace period (`-g`, default 7 s). Outside container mode TERM and INT kill svscan and
//! leave the services running, as in 0.76. Options exist only for a leading `-`; `--` ends
//! them. The usage exit is 100.

mod batches;
mod run;
mod scan;
mod shutdown;
pub(crate) mod table;

use crate::exit;
use crate::getopt::{self, Getopt};
use crate::sys::{self, inotify::DirWatch, proc, signal};
use run::Svscan;
use scan::{Inherited, Scan};
use std::ffi::CStr;
use std::time::Duration;

pub(super) const PROG: &str = "svscan";
const USAGE: &str = "svscan [-1] [-g seconds] [dir]";
const OPTIONS: &[u8] = b"1g:";

struct Options<'a> {
    container: bool,
    grace: Duration,
    dir: Option<&'a CStr>,
}

fn parse_seconds(text: &[u8]) -> Option<Duration> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) || text.len() > 9 {
        return None;
    }
    let secs = text.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    Some(Duration::from_secs(secs))
}

fn parse<'a>(args: &'a [&'a CStr]) -> Options<'a> {
    let mut opts = Options {
        container: false,
        grace: shutdown::DEFAULT_GRACE,
        dir: None,
    };
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let rest = args.get(1..).unwrap_or(&[]);
    let mut getopt = Getopt::new(rest, OPTIONS);
    for opt in getopt.by_ref() {
        match opt {
            Ok(o) if o.letter == b'1' => opts.container = true,
            Ok(o) => match o.value.and_then(parse_seconds) {
                Some(grace) => opts.grace = grace,
                None => exit::usage(PROG, USAGE, exit::USAGE),
            },
            Err(e) => {
                exit::emit(&getopt::error_line(argv0, e));
                exit::usage(PROG, USAGE, exit::USAGE)
            }
        }
    }
    opts.dir = getopt.operands().first().copied();
    opts
}

/// Raises RLIMIT_NOFILE's soft limit to the hard one; returns the original for children.
fn raise_nofile() -> Option<proc::Limit> {
    let (soft, hard) = proc::getrlimit(proc::RLIMIT_NOFILE).ok()?;
    (soft < hard && proc::setrlimit(proc::RLIMIT_NOFILE, (hard, hard)).is_ok())
        .then_some((soft, hard))
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let opts = parse(args);
    if let Some(dir) = opts.dir
        && let Err(e) = sys::dir::chdir(dir.to_bytes())
    {
        exit::die_sys(
            PROG,
            &[b"unable to chdir to ", dir.to_bytes()],
            e,
            exit::TEMP,
        );
    }
    let pid1 = proc::getpid() == 1;
    let container = opts.container || pid1;
    let mut caught = vec![signal::SIGCHLD, signal::SIGHUP, signal::SIGALRM];
    if container {
        caught.extend([signal::SIGTERM, signal::SIGINT]);
        if !pid1 {
            let _ = proc::become_subreaper();
        }
    }
    let ignored = caught
        .iter()
        .copied()
        .filter(|&s| signal::is_ignored(s))
        .collect();
    let selfpipe = match signal::SelfPipe::new(&caught) {
        Ok(p) => p,
        Err(e) => exit::die_sys(PROG, &[b"unable to create selfpipe"], e, exit::TEMP),
    };
    let watch = DirWatch::new(b".")
        .inspect_err(|&e| exit::warn_sys(PROG, &[b"unable to watch directory"], e))
        .ok();
    let inherited = Inherited {
        caught,
        ignored,
        nofile: raise_nofile(),
    };
    let scan_dir = sys::dir::getcwd().unwrap_or_default();
    let scan = Scan::new(inherited, pid1);
    Svscan::new(scan, selfpipe, watch, opts.grace, container, scan_dir).run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grace_is_whole_seconds() {
        assert_eq!(parse_seconds(b"0"), Some(Duration::ZERO));
        assert_eq!(parse_seconds(b"7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_seconds(b"999999999"),
            Some(Duration::from_secs(999_999_999))
        );
        for bad in [&b""[..], b"1.5", b"-1", b"+1", b" 1", b"1s", b"9999999999"] {
            assert_eq!(
                parse_seconds(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
