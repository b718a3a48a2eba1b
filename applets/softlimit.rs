//! softlimit: run a program with lower soft resource limits.
//!
//! `softlimit [-a n] [-c n] [-d n] [-f n] [-l n] [-m n] [-o n] [-p n] [-r n] [-s n] [-t n]
//! child [args...]`. Each option is applied at once, in command-line order, to softlimit
//! itself (the program inherits it): only the soft limit changes, the hard one is kept. A
//! value `=` means "soft := hard"; otherwise it must be all digits (empty = 0, wrapping modulo
//! 2^64, so 2^64-1 is "unlimited") and is lowered to the hard limit if above it. `-m` sets
//! data, stack, locked memory and address space.
//!
//! Exit codes: the program's; 100 usage (also a bad number); 111 getrlimit/setrlimit failed
//! or the program cannot be run.

use crate::exit;
use crate::getopt::Getopt;
use crate::sys;
use crate::sys::proc::{
    RLIMIT_AS, RLIMIT_CORE, RLIMIT_CPU, RLIMIT_DATA, RLIMIT_FSIZE, RLIMIT_MEMLOCK, RLIMIT_NOFILE,
    RLIMIT_NPROC, RLIMIT_RSS, RLIMIT_STACK,
};
use std::ffi::CStr;

const PROG: &str = "softlimit";
const USAGE: &str = "softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] \
[-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] \
[-s stackbytes] [-t cpusecs] child";
const OPTIONS: &[u8] = b"a:c:d:f:l:m:o:p:r:s:t:";

/// The resources an option letter sets, in the order 0.76 sets them.
fn resources(letter: u8) -> &'static [i32] {
    match letter {
        b'a' => &[RLIMIT_AS],
        b'c' => &[RLIMIT_CORE],
        b'd' => &[RLIMIT_DATA],
        b'f' => &[RLIMIT_FSIZE],
        b'l' => &[RLIMIT_MEMLOCK],
        b'm' => &[RLIMIT_DATA, RLIMIT_STACK, RLIMIT_MEMLOCK, RLIMIT_AS],
        b'o' => &[RLIMIT_NOFILE],
        b'p' => &[RLIMIT_NPROC],
        b'r' => &[RLIMIT_RSS],
        b's' => &[RLIMIT_STACK],
        b't' => &[RLIMIT_CPU],
        _ => &[],
    }
}

/// What an option value asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Request {
    /// `=`: raise the soft limit to the hard one.
    Hard,
    /// A number, capped at the hard limit.
    Value(u64),
}

/// Parses an option value: `=` or digits only (wrapping); `None` means usage.
fn parse_request(value: &[u8]) -> Option<Request> {
    if value == b"=" {
        return Some(Request::Hard);
    }
    value
        .iter()
        .try_fold(0u64, |n, &d| {
            d.is_ascii_digit()
                .then(|| n.wrapping_mul(10).wrapping_add(u64::from(d - b'0')))
        })
        .map(Request::Value)
}

/// The new soft limit for a resource whose hard limit is `hard`.
fn soft_limit(request: Request, hard: u64) -> u64 {
    match request {
        Request::Hard => hard,
        Request::Value(n) => n.min(hard),
    }
}

fn apply(resource: i32, request: Request) {
    let (_, hard) = sys::proc::getrlimit(resource)
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"getrlimit failed"], e, exit::TEMP));
    if let Err(e) = sys::proc::setrlimit(resource, (soft_limit(request, hard), hard)) {
        exit::die_sys(PROG, &[b"setrlimit failed"], e, exit::TEMP);
    }
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let mut opts = Getopt::new(args.get(1..).unwrap_or_default(), OPTIONS);
    for opt in opts.by_ref() {
        match opt {
            Ok(opt) => {
                let value = opt.value.unwrap_or_default();
                let Some(request) = parse_request(value) else {
                    exit::usage(PROG, USAGE, exit::USAGE)
                };
                for &resource in resources(opt.letter) {
                    apply(resource, request);
                }
            }
            Err(e) => exit::getopt_usage(PROG, USAGE, argv0, e),
        }
    }
    let child = opts.operands();
    if child.is_empty() {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    exit::run_or_die(PROG, child, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        let cases: &[(&[u8], Option<Request>)] = &[
            (b"=", Some(Request::Hard)),
            (b"", Some(Request::Value(0))),
            (b"0", Some(Request::Value(0))),
            (b"64", Some(Request::Value(64))),
            (b"18446744073709551615", Some(Request::Value(u64::MAX))),
            (b"18446744073709551616", Some(Request::Value(0))),
            (b"18446744073709551626", Some(Request::Value(10))),
            (b"==", None),
            (b"=5", None),
            (b"5=", None),
            (b"1k", None),
            (b"-5", None),
            (b" 5", None),
        ];
        for (value, expected) in cases {
            assert_eq!(parse_request(value), *expected, "value {value:?}");
        }
    }

    #[test]
    fn capped_at_hard() {
        assert_eq!(soft_limit(Request::Hard, 20000), 20000);
        assert_eq!(soft_limit(Request::Value(999_999_999), 20000), 20000);
        assert_eq!(soft_limit(Request::Value(5), 20000), 5);
        assert_eq!(soft_limit(Request::Value(u64::MAX), u64::MAX), u64::MAX);
    }

    #[test]
    fn every_letter_has_resources() {
        for &letter in OPTIONS.iter().filter(|&&c| c != b':') {
            assert!(!resources(letter).is_empty(), "{}", letter as char);
        }
        assert_eq!(resources(b'm').len(), 4);
    }
}
