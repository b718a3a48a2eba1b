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
//!
//! The main program (`svscan [-r service]... [-t ms] DIR -- PROG ARG...`, container mode
//! implied): see `main_program.rs`. svscan then exits with its exit code (128 + N when
//! signal N ended it), or 111 when a service of `-r` was not ready within `-t` (default
//! 5000 ms; 0 waits for ever); TERM and INT reach it as well as starting the shutdown.

mod batches;
mod main_program;
mod run;
mod scan;
mod shutdown;
pub(crate) mod table;

use crate::exit;
use crate::getopt::Getopt;
use crate::sys::{self, inotify::DirWatch, proc, signal};
use main_program::MainProgram;
use run::Svscan;
use scan::{Inherited, Scan};
use std::ffi::CStr;
use std::time::Duration;

pub(super) const PROG: &str = "svscan";
const USAGE: &str = "svscan [-1] [-g seconds] [-r service] [-t ms] [dir [-- prog ...]]";
const OPTIONS: &[u8] = b"1g:r:t:";
/// How long the main program waits for the services of `-r` by default.
const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(5);
/// What separates the scan directory from the main program.
const PROGRAM_MARK: &[u8] = b"--";

struct Options<'a> {
    container: bool,
    grace: Duration,
    dir: Option<&'a CStr>,
    /// `-- PROG ARG...`.
    program: &'a [&'a CStr],
    /// `-r`: services to be ready before the main program starts.
    needs: Vec<Vec<u8>>,
    /// `-t`: how long to wait for them (0: for ever).
    ready_timeout: Option<Duration>,
}

/// `-t`'s milliseconds (pure); 0 means no limit.
fn parse_millis(text: &[u8]) -> Option<Option<Duration>> {
    if text.is_empty() || !text.iter().all(u8::is_ascii_digit) || text.len() > 10 {
        return None;
    }
    let ms = text.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    Some((ms > 0).then(|| Duration::from_millis(ms)))
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
        program: &[],
        needs: Vec::new(),
        ready_timeout: Some(DEFAULT_READY_TIMEOUT),
    };
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let rest = args.get(1..).unwrap_or(&[]);
    let mut getopt = Getopt::new(rest, OPTIONS);
    for opt in getopt.by_ref() {
        let bad = || exit::usage(PROG, USAGE, exit::USAGE);
        match opt {
            Ok(o) if o.letter == b'1' => opts.container = true,
            Ok(o) if o.letter == b'r' => {
                let names = o.value.unwrap_or_default().split(|&b| b == b',');
                opts.needs
                    .extend(names.filter(|n| !n.is_empty()).map(<[u8]>::to_vec));
            }
            Ok(o) if o.letter == b't' => match o.value.and_then(parse_millis) {
                Some(timeout) => opts.ready_timeout = timeout,
                None => bad(),
            },
            Ok(o) => match o.value.and_then(parse_seconds) {
                Some(grace) => opts.grace = grace,
                None => bad(),
            },
            Err(e) => exit::getopt_usage(PROG, USAGE, argv0, e),
        }
    }
    let operands = getopt.operands();
    opts.dir = operands.first().copied();
    // 0.76 ignores what follows the directory; `-- PROG ARG...` there is the main program.
    if operands
        .get(1)
        .is_some_and(|m| m.to_bytes() == PROGRAM_MARK)
    {
        opts.program = &operands[2..];
        if opts.program.is_empty() {
            exit::usage(PROG, USAGE, exit::USAGE)
        }
    }
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
    // The main program runs where svscan was started.
    let start_dir = sys::dir::getcwd().unwrap_or_else(|_| b".".to_vec());
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
    // A main program makes sense only with the ordered shutdown its end starts.
    let container = opts.container || pid1 || !opts.program.is_empty();
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
    let main_program = (!opts.program.is_empty()).then(|| {
        let argv = opts.program.iter().map(|&a| a.to_owned()).collect();
        MainProgram::new(argv, start_dir, opts.needs, opts.ready_timeout)
    });
    let mut svscan = Svscan::new(scan, selfpipe, watch, opts.grace, container, scan_dir);
    svscan.main_program = main_program;
    svscan.run()
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
        assert_eq!(parse_millis(b"0"), Some(None));
        assert_eq!(parse_millis(b"250"), Some(Some(Duration::from_millis(250))));
        assert_eq!(parse_millis(b"x"), None);
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
