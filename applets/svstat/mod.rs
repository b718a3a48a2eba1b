//! svstat: prints one status line per service directory.
//!
//! `svstat dir...`: every argument is a directory, as in 0.76, except a first argument
//! `-j`, which asks for one JSON object per directory instead (see `json.rs`; a directory
//! named `-j` is then given as `./-j`). Each line is `DIR: ` and
//! the text of spec supervise.md §7, on stdout, including the error lines; stdout write
//! errors are ignored. Exit 0, or 111 when the working directory cannot be opened or
//! restored. Kept from 0.76: `seconds` computed from whole seconds in double precision;
//! unknown want bytes ignored; extra status bytes ignored. Lifted: a status file whose read
//! fails (e.g. it is a directory) prints `unable to read supervise/status: E` instead of
//! 0.76's leftover buffer contents.

mod json;

use crate::buffer::Buffer;
use crate::exit;
use crate::format::status::{Status, Want};
use crate::format::tai::Stamp;
use crate::svdir::{self, ServiceDir};
use crate::sys::{self, Errno};
use std::ffi::CStr;

const PROG: &str = "svstat";
/// The first argument that asks for JSON.
const JSON_FLAG: &[u8] = b"-j";
/// 0.76's output buffer size.
const OUTPUT_BUFFER: usize = 1024;

/// Whole seconds from `stamp` to `now` (TAI64 seconds), as 0.76 counts them: subtracted in
/// 64 bits, then passed through a double; a stamp in the future is 0 seconds old.
fn age(stamp: Stamp, now: u64) -> u64 {
    (now.saturating_sub(stamp.secs) as f64) as u64
}

/// The current time in TAI64 seconds.
fn now_tai() -> u64 {
    let (secs, _) = sys::clock::realtime();
    Stamp::from_unix(secs, 0).secs
}

/// The text after `DIR: ` for a readable record (pure). `now` is the current time in TAI64
/// seconds, `down_file` whether `down` exists.
fn describe(record: &Status, now: u64, down_file: bool) -> Vec<u8> {
    let up = record.pid != 0;
    let secs = age(record.stamp, now);
    let mut line = Vec::with_capacity(80);
    if up {
        line.extend_from_slice(b"up (pid ");
        line.extend_from_slice(record.pid.to_string().as_bytes());
        line.extend_from_slice(b") ");
    } else {
        line.extend_from_slice(b"down ");
    }
    line.extend_from_slice(secs.to_string().as_bytes());
    line.extend_from_slice(b" seconds");
    let extras: [(bool, &[u8]); 5] = [
        (up && down_file, b", normally down"),
        (!up && !down_file, b", normally up"),
        (up && record.paused, b", paused"),
        (!up && record.want == Want::Up, b", want up"),
        (up && record.want == Want::Down, b", want down"),
    ];
    for (applies, text) in extras {
        if applies {
            line.extend_from_slice(text);
        }
    }
    line
}

/// The text after `DIR: ` for the service directory that is now the current directory.
fn inspect(service: ServiceDir) -> Vec<u8> {
    let err = |what: &[u8], e: Errno| [what, b": ", crate::errtext::text(e).as_bytes()].concat();
    let down_file = match service.down_file() {
        Ok(exists) => exists,
        Err(e) => return err(b"unable to stat down", e),
    };
    match service.supervise_running() {
        Ok(true) => {}
        Ok(false) => return b"supervise not running".to_vec(),
        Err(e) => return err(&[b"unable to open ", svdir::OK].concat(), e),
    }
    match service.read_status() {
        Ok(record) => describe(&record, now_tai(), down_file),
        Err(e) => e.text(),
    }
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let origin = sys::dir::open_cwd().unwrap_or_else(|e| {
        exit::die_sys(PROG, &[b"unable to open current directory"], e, exit::TEMP)
    });
    let mut out = Buffer::new(sys::fd::stdout(), OUTPUT_BUFFER);
    let json = args.get(1).is_some_and(|a| a.to_bytes() == JSON_FLAG);
    let dirs = &args[if json { 2 } else { 1 }.min(args.len())..];
    for dir in dirs.iter().map(|d| d.to_bytes()) {
        let entered = sys::dir::chdir(dir);
        let line = match (json, entered) {
            (true, entered) => json::object(dir, entered),
            (false, Ok(())) => [dir, b": ", &inspect(ServiceDir::current(dir))].concat(),
            (false, Err(e)) => {
                let text = crate::errtext::text(e).as_bytes();
                [dir, b": unable to chdir: ", text].concat()
            }
        };
        let _ = out.put(&[&line[..], b"\n"].concat());
        if let Err(e) = sys::dir::fchdir(&origin) {
            let _ = out.flush();
            exit::die_sys(PROG, &[b"unable to set directory"], e, exit::TEMP);
        }
    }
    let _ = out.flush();
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = (1 << 62) + 10 + 1_000_000;

    fn rec(pid: u32, paused: bool, want: Want, age: u64) -> Status {
        Status {
            stamp: Stamp {
                secs: NOW - age,
                nanos: 0,
            },
            pid,
            paused,
            want,
        }
    }

    /// The observed table of spec supervise.md §7.
    #[test]
    fn observed_lines() {
        let cases: &[(Status, bool, &str)] = &[
            (
                rec(1234, false, Want::Up, 5),
                false,
                "up (pid 1234) 5 seconds",
            ),
            (
                rec(1234, false, Want::Up, 5),
                true,
                "up (pid 1234) 5 seconds, normally down",
            ),
            (
                rec(1234, false, Want::Down, 5),
                false,
                "up (pid 1234) 5 seconds, want down",
            ),
            (
                rec(1234, false, Want::Down, 5),
                true,
                "up (pid 1234) 5 seconds, normally down, want down",
            ),
            (
                rec(1234, true, Want::None, 5),
                false,
                "up (pid 1234) 5 seconds, paused",
            ),
            (
                rec(1234, true, Want::Down, 5),
                true,
                "up (pid 1234) 5 seconds, normally down, paused, want down",
            ),
            (
                rec(0, false, Want::Up, 5),
                false,
                "down 5 seconds, normally up, want up",
            ),
            (rec(0, false, Want::Up, 5), true, "down 5 seconds, want up"),
            (
                rec(0, false, Want::Down, 5),
                false,
                "down 5 seconds, normally up",
            ),
            (rec(0, false, Want::None, 5), true, "down 5 seconds"),
            (
                rec(0, true, Want::Up, 5),
                false,
                "down 5 seconds, normally up, want up",
            ),
            (
                rec(u32::MAX, false, Want::None, 5),
                false,
                "up (pid 4294967295) 5 seconds",
            ),
            (
                rec(1234, false, Want::Other(b'x'), 5),
                false,
                "up (pid 1234) 5 seconds",
            ),
        ];
        for (record, down_file, line) in cases {
            assert_eq!(
                String::from_utf8(describe(record, NOW, *down_file)).unwrap(),
                *line
            );
        }
    }

    #[test]
    fn future_stamp_is_zero_seconds() {
        let mut r = rec(1234, false, Want::None, 0);
        r.stamp.secs = NOW + 100;
        assert_eq!(describe(&r, NOW, false), b"up (pid 1234) 0 seconds");
    }

    #[test]
    fn zero_record_goes_through_a_double() {
        let r = rec(0, false, Want::None, 0);
        let zero = Status {
            stamp: Stamp { secs: 0, nanos: 0 },
            ..r
        };
        // The observed value at the time the spec was written.
        let now = (1 << 62) + 10 + 1_795_409_920;
        assert_eq!(
            describe(&zero, now, false),
            b"down 4611686020222797824 seconds, normally up"
        );
    }
}
