//! svwait: waits, without polling, until supervised services reach a state.
//!
//! `svwait [-u | -U | -d | -D] [-a | -o] [-t ms] dir...`: `-u` up (the default), `-U` up
//! and ready (the service wrote its readiness newline on `notification-fd`), `-d` down,
//! `-D` down with `./finish` done; `-a` every service (the default), `-o` any one of them;
//! `-t` gives up after that many milliseconds (0, the default, waits for ever). The last of
//! `-uUdD` and of `-ao` wins. No directory: exit 0 at once.
//!
//! Exit codes (s6-svwait's): 0 reached; 99 timed out (naming the services that had not
//! reached the state); 100 usage; 102 a service has no supervise running, or its supervise
//! exited while waiting; 111 a system call failed; otherwise the number of services that
//! were to come up and gave up instead (`give-up`), at most 98.

use crate::exit;
use crate::getopt::{self, Getopt};
use crate::svwatch::{self, Goal, Outcome, Quorum};
use std::ffi::CStr;
use std::time::Duration;

const PROG: &str = "svwait";
const USAGE: &str = "svwait [-u | -U | -d | -D] [-a | -o] [-t ms] dir...";
const OPTIONS: &[u8] = b"uUdDaot:";
/// Exit code: the deadline passed.
const TIMED_OUT: u8 = 99;
/// Exit code: no supervise runs for a service.
const UNSUPERVISED: u8 = 102;
/// Exit codes for services that gave up stop below the timeout's.
const MAX_GAVE_UP: usize = 98;

/// The options and the directories.
struct Request<'a> {
    goal: Goal,
    quorum: Quorum,
    timeout: Option<Duration>,
    dirs: Vec<&'a [u8]>,
}

/// `-t`'s value: milliseconds, 0 for no limit.
fn millis(text: &[u8]) -> Option<Option<Duration>> {
    if text.is_empty() || text.len() > 10 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let ms = text.iter().fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    Some((ms > 0).then(|| Duration::from_millis(ms)))
}

fn parse<'a>(args: &'a [&'a CStr]) -> Result<Request<'a>, Option<getopt::GetoptError>> {
    let mut request = Request {
        goal: Goal::Up,
        quorum: Quorum::All,
        timeout: None,
        dirs: Vec::new(),
    };
    let mut opts = Getopt::new(args.get(1..).unwrap_or_default(), OPTIONS);
    for opt in opts.by_ref() {
        let opt = opt.map_err(Some)?;
        match opt.letter {
            b'u' => request.goal = Goal::Up,
            b'U' => request.goal = Goal::Ready,
            b'd' => request.goal = Goal::Down,
            b'D' => request.goal = Goal::Finished,
            b'a' => request.quorum = Quorum::All,
            b'o' => request.quorum = Quorum::Any,
            _ => request.timeout = opt.value.and_then(millis).ok_or(None)?,
        }
    }
    request.dirs = opts.operands().iter().map(|d| d.to_bytes()).collect();
    Ok(request)
}

/// What the goal is called in messages.
fn goal_name(goal: Goal) -> &'static [u8] {
    match goal {
        Goal::Up => b"up",
        Goal::Ready => b"ready",
        Goal::Down => b"down",
        Goal::Finished => b"down and finished",
    }
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let request = match parse(args) {
        Ok(request) => request,
        Err(e) => {
            if let Some(e) = e {
                let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
                exit::getopt_usage(PROG, USAGE, argv0, e)
            }
            exit::usage(PROG, USAGE, exit::USAGE)
        }
    };
    if request.dirs.is_empty() {
        return exit::OK;
    }
    let outcome = svwatch::wait(&request.dirs, request.goal, request.quorum, request.timeout);
    let names = |indexes: &[usize]| -> Vec<u8> {
        let list: Vec<&[u8]> = indexes.iter().map(|&i| request.dirs[i]).collect();
        list.join(&b' ')
    };
    match outcome {
        Ok(Outcome::Reached) => exit::OK,
        Ok(Outcome::TimedOut(late)) => {
            let what = goal_name(request.goal);
            exit::die(
                PROG,
                &[b"timed out: not ", what, b": ", &names(&late)],
                TIMED_OUT,
            )
        }
        Ok(Outcome::GaveUp(failed)) => {
            let code = failed.len().min(MAX_GAVE_UP) as u8;
            exit::die(PROG, &[b"gave up: ", &names(&failed)], code)
        }
        Ok(Outcome::Unsupervised(i)) => {
            let dir = request.dirs[i];
            exit::die(PROG, &[b"supervise not running in ", dir], UNSUPERVISED)
        }
        Err(e) => e.die(PROG, exit::TEMP),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeout_values() {
        assert_eq!(millis(b"0"), Some(None));
        assert_eq!(millis(b"250"), Some(Some(Duration::from_millis(250))));
        for bad in [&b""[..], b"-1", b"1.5", b"12345678901", b"x"] {
            assert_eq!(millis(bad), None);
        }
    }

    #[test]
    fn last_goal_and_quorum_win() {
        let args = [c"svwait", c"-dU", c"-o", c"-a", c"-t", c"50", c"x", c"y"];
        let r = parse(&args).ok().unwrap();
        assert_eq!((r.goal, r.quorum), (Goal::Ready, Quorum::All));
        assert_eq!(r.timeout, Some(Duration::from_millis(50)));
        assert_eq!(r.dirs, [&b"x"[..], b"y"]);
        assert!(matches!(parse(&[c"svwait", c"-z"]), Err(Some(_))));
        assert!(matches!(parse(&[c"svwait", c"-t", c"x", c"d"]), Err(None)));
    }
}
