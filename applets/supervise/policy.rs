//! The service's lifecycle settings: one small file each in the service directory, read at
//! every start of `./run` (so a change applies from the next start), parsed here.
//!
//! Parsing is pure: [`Policy::set`] takes a file's bytes and either applies them or says why
//! not; a refused or unreadable file leaves that item at its default, with a warning from
//! [`load`], never a failure. A trailing newline (and trailing blanks) is allowed; anything
//! else around a value is refused.

use super::PROG;
use crate::exit;
use crate::format::lifecycle::Exit;
use crate::svdir::{self, ServiceDir};
use crate::sys::signal;
use std::time::Duration;

/// `timeout-finish` when the file is absent.
const DEFAULT_TIMEOUT_FINISH: Duration = Duration::from_millis(5000);
/// `backoff-reset` when the file is absent.
const DEFAULT_BACKOFF_RESET: Duration = Duration::from_millis(10_000);
/// Milliseconds above this (about 49 days) are refused as too large.
const MAX_MILLIS: u64 = u32::MAX as u64;
/// Descriptor numbers above this are refused for `notification-fd`.
const MAX_NOTIFICATION_FD: i32 = 1023;
/// `give-up` counts at most this many deaths.
pub const MAX_DEATHS: u32 = 1000;
/// `give-up` lists at most this many statuses.
const MAX_STATUSES: usize = 32;

/// When to stop restarting: `deaths` deaths within `within`, counting only those listed in
/// `on` (all deaths when it is empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GiveUp {
    pub deaths: u32,
    pub within: Duration,
    on: [Option<Exit>; MAX_STATUSES],
}

impl GiveUp {
    /// Does a death with `exit` count?
    pub fn counts(&self, exit: Exit) -> bool {
        self.on[0].is_none() || self.on.contains(&Some(exit))
    }
}

/// Everything the service directory can set, with 0.76's behaviour as the default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Sent by `svc -d` (then CONT), TERM by default.
    pub down_signal: i32,
    /// KILL this long after the down signal if the service is still up.
    pub timeout_kill: Option<Duration>,
    /// KILL `./finish` after this long (`None`: never).
    pub timeout_finish: Option<Duration>,
    /// The service writes a newline on this descriptor once it is ready.
    pub notification_fd: Option<i32>,
    /// The delay between quick restarts doubles from 1 s up to this.
    pub backoff_max: Option<Duration>,
    /// Uptime after which the delay is back to 1 s.
    pub backoff_reset: Duration,
    pub give_up: Option<GiveUp>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            down_signal: signal::SIGTERM,
            timeout_kill: None,
            timeout_finish: Some(DEFAULT_TIMEOUT_FINISH),
            notification_fd: None,
            backoff_max: None,
            backoff_reset: DEFAULT_BACKOFF_RESET,
            give_up: None,
        }
    }
}

/// The settings files, in the order they are read.
pub const FILES: [&[u8]; 7] = [
    svdir::DOWN_SIGNAL,
    svdir::TIMEOUT_KILL,
    svdir::TIMEOUT_FINISH,
    svdir::NOTIFICATION_FD,
    svdir::BACKOFF_MAX,
    svdir::BACKOFF_RESET,
    svdir::GIVE_UP,
];

/// The value without its trailing blanks and newline; `None` if nothing is left.
fn trimmed(text: &[u8]) -> Option<&[u8]> {
    let end = text.iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    Some(&text[..end])
}

/// A whole number of milliseconds (0 allowed).
fn millis(text: &[u8]) -> Result<u64, &'static str> {
    let text = trimmed(text).ok_or("empty")?;
    if !text.iter().all(u8::is_ascii_digit) {
        return Err("not a number of milliseconds");
    }
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse::<u64>().ok())
        .filter(|&n| n <= MAX_MILLIS)
        .ok_or("too large")
}

/// A status in `give-up`: an exit code (0-255) or a signal name.
fn status(word: &[u8]) -> Result<Exit, &'static str> {
    if word.iter().all(u8::is_ascii_digit) {
        let code = std::str::from_utf8(word)
            .ok()
            .and_then(|w| w.parse::<u8>().ok());
        return code.map(Exit::Code).ok_or("exit code over 255");
    }
    let number = signal::by_name(word).ok_or("unknown signal")?;
    Ok(Exit::Signal(number as u8))
}

/// `DEATHS SECONDS [STATUS...]`.
fn give_up(text: &[u8]) -> Result<GiveUp, &'static str> {
    let text = trimmed(text).ok_or("empty")?;
    let mut words = text
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty());
    let mut number = |max: u64| -> Result<u64, &'static str> {
        let word = words.next().ok_or("expected DEATHS SECONDS [STATUS...]")?;
        let n = millis(word).map_err(|_| "expected DEATHS SECONDS [STATUS...]")?;
        (1..=max)
            .contains(&n)
            .then_some(n)
            .ok_or("number out of range")
    };
    let deaths = number(u64::from(MAX_DEATHS))? as u32;
    let within = Duration::from_secs(number(MAX_MILLIS / 1000)?);
    let mut on = [None; MAX_STATUSES];
    for (slot, word) in words.enumerate() {
        *on.get_mut(slot).ok_or("too many statuses")? = Some(status(word)?);
    }
    Ok(GiveUp { deaths, within, on })
}

impl Policy {
    /// Applies the contents of the setting `file`, or says why they are refused.
    pub fn set(&mut self, file: &[u8], text: &[u8]) -> Result<(), &'static str> {
        if text.len() > svdir::SETTING_MAX {
            return Err("too long");
        }
        let duration = |text| millis(text).map(Duration::from_millis);
        match file {
            f if f == svdir::DOWN_SIGNAL => {
                self.down_signal =
                    signal::by_name(trimmed(text).ok_or("empty")?).ok_or("unknown signal")?;
            }
            f if f == svdir::TIMEOUT_KILL => {
                self.timeout_kill = Some(duration(text)?).filter(|d| !d.is_zero());
            }
            f if f == svdir::TIMEOUT_FINISH => {
                self.timeout_finish = Some(duration(text)?).filter(|d| !d.is_zero());
            }
            f if f == svdir::NOTIFICATION_FD => {
                let fd = millis(text).map_err(|_| "not a descriptor number")?;
                if fd == 0 {
                    return Err("descriptor 0 is the service's input");
                }
                if fd > MAX_NOTIFICATION_FD as u64 {
                    return Err("descriptor number too large");
                }
                self.notification_fd = Some(fd as i32);
            }
            f if f == svdir::BACKOFF_MAX => self.backoff_max = Some(duration(text)?),
            f if f == svdir::BACKOFF_RESET => self.backoff_reset = duration(text)?,
            f if f == svdir::GIVE_UP => self.give_up = Some(give_up(text)?),
            _ => return Err("not a setting"),
        }
        Ok(())
    }
}

/// Reads every setting of the service in the current directory (`dir` in messages).
pub fn load(dir: &[u8]) -> Policy {
    let service = ServiceDir::current(dir);
    let mut policy = Policy::default();
    for file in FILES {
        match service.read_setting(file) {
            Ok(None) => {}
            Ok(Some(text)) => {
                if let Err(why) = policy.set(file, &text) {
                    let why = why.as_bytes();
                    exit::warn(PROG, &[b"ignoring ", dir, b"/", file, b": ", why]);
                }
            }
            Err(e) => exit::warn_sys(PROG, &[b"unable to read ", dir, b"/", file], e),
        }
    }
    policy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(file: &[u8], text: &[u8]) -> Result<Policy, &'static str> {
        let mut p = Policy::default();
        p.set(file, text).map(|()| p)
    }

    #[test]
    fn defaults_are_0_76() {
        let p = Policy::default();
        assert_eq!(p.down_signal, signal::SIGTERM);
        assert_eq!(
            (p.timeout_kill, p.backoff_max, p.give_up),
            (None, None, None)
        );
        assert_eq!(p.timeout_finish, Some(Duration::from_secs(5)));
        assert_eq!(p.notification_fd, None);
    }

    #[test]
    fn good_values() {
        let ms = Duration::from_millis;
        assert_eq!(
            with(svdir::TIMEOUT_KILL, b"250\n").unwrap().timeout_kill,
            Some(ms(250))
        );
        assert_eq!(with(svdir::TIMEOUT_KILL, b"0").unwrap().timeout_kill, None);
        assert_eq!(
            with(svdir::TIMEOUT_FINISH, b"0\n").unwrap().timeout_finish,
            None
        );
        assert_eq!(
            with(svdir::TIMEOUT_FINISH, b"10 \n")
                .unwrap()
                .timeout_finish,
            Some(ms(10))
        );
        assert_eq!(
            with(svdir::DOWN_SIGNAL, b"SIGHUP\n").unwrap().down_signal,
            signal::SIGHUP
        );
        assert_eq!(
            with(svdir::DOWN_SIGNAL, b"int").unwrap().down_signal,
            signal::SIGINT
        );
        assert_eq!(
            with(svdir::NOTIFICATION_FD, b"3\n")
                .unwrap()
                .notification_fd,
            Some(3)
        );
        assert_eq!(
            with(svdir::NOTIFICATION_FD, b"1").unwrap().notification_fd,
            Some(1)
        );
        assert_eq!(
            with(svdir::BACKOFF_MAX, b"60000").unwrap().backoff_max,
            Some(ms(60_000))
        );
        assert_eq!(
            with(svdir::BACKOFF_RESET, b"5").unwrap().backoff_reset,
            ms(5)
        );
    }

    #[test]
    fn bad_values_keep_the_default_and_say_why() {
        let cases: &[(&[u8], &[u8], &str)] = &[
            (svdir::TIMEOUT_KILL, b"", "empty"),
            (svdir::TIMEOUT_KILL, b"\n", "empty"),
            (svdir::TIMEOUT_KILL, b"-5", "not a number of milliseconds"),
            (svdir::TIMEOUT_KILL, b"1.5", "not a number of milliseconds"),
            (svdir::TIMEOUT_KILL, b" 5", "not a number of milliseconds"),
            (svdir::TIMEOUT_KILL, b"5 5", "not a number of milliseconds"),
            (svdir::TIMEOUT_KILL, b"99999999999999999999999", "too large"),
            (svdir::TIMEOUT_FINISH, b"4294967296", "too large"),
            (svdir::DOWN_SIGNAL, b"SIGNOPE", "unknown signal"),
            (svdir::DOWN_SIGNAL, b"0", "unknown signal"),
            (svdir::DOWN_SIGNAL, b"", "empty"),
            (
                svdir::NOTIFICATION_FD,
                b"0",
                "descriptor 0 is the service's input",
            ),
            (svdir::NOTIFICATION_FD, b"x", "not a descriptor number"),
            (
                svdir::NOTIFICATION_FD,
                b"5000",
                "descriptor number too large",
            ),
            (svdir::GIVE_UP, b"5", "expected DEATHS SECONDS [STATUS...]"),
            (svdir::GIVE_UP, b"0 10", "number out of range"),
            (svdir::GIVE_UP, b"5 0", "number out of range"),
            (svdir::GIVE_UP, b"1001 10", "number out of range"),
            (svdir::GIVE_UP, b"5 10 SIGNOPE", "unknown signal"),
            (svdir::GIVE_UP, b"5 10 256", "exit code over 255"),
        ];
        for &(file, text, why) in cases {
            assert_eq!(
                with(file, text),
                Err(why),
                "{} {:?}",
                show(file),
                show(text)
            );
        }
        let long = vec![b'1'; svdir::SETTING_MAX + 1];
        assert_eq!(with(svdir::TIMEOUT_KILL, &long), Err("too long"));
    }

    #[test]
    fn give_up_counts_only_listed_statuses() {
        let g = with(svdir::GIVE_UP, b"3 60\n").unwrap().give_up.unwrap();
        assert_eq!((g.deaths, g.within), (3, Duration::from_secs(60)));
        assert!(g.counts(Exit::Code(0)) && g.counts(Exit::Signal(9)));
        let g = with(svdir::GIVE_UP, b"3 60 1 2 SIGSEGV abrt")
            .unwrap()
            .give_up
            .unwrap();
        assert!(g.counts(Exit::Code(1)) && g.counts(Exit::Code(2)));
        assert!(g.counts(Exit::Signal(signal::by_name(b"SEGV").unwrap() as u8)));
        assert!(g.counts(Exit::Signal(signal::by_name(b"ABRT").unwrap() as u8)));
        assert!(!g.counts(Exit::Code(3)) && !g.counts(Exit::Signal(15)));
        assert!(!g.counts(Exit::Unknown));
    }

    fn show(b: &[u8]) -> String {
        String::from_utf8_lossy(b).into_owned()
    }
}
