//! Lifecycle hooks: the one dispatcher behind svscan's batch hooks and supervise's service
//! hooks, so every entry point finds, runs, times and reports hooks the same way.
//!
//! A hooks directory holds programs run in byte order of their names: regular files with an
//! execute bit, skipping names that start with `.` or end in `~`, and the `timeout` file,
//! which holds the milliseconds each hook may run (default 10000) before it is sent TERM,
//! then KILL a second later. Each hook is exec'd directly with stdin `/dev/null`, its stdout
//! and stderr read by the caller and written to the caller's stderr one line at a time as
//! `LABEL: LINE` (LABEL is the hook's path as the caller names it), no descriptor of the
//! caller's but the ones given, an empty signal mask, and a fresh environment: the caller's,
//! without any `DAEMONBOX_*` variable, plus exactly the job's. `list` is here; `runner.rs`
//! runs jobs one at a time inside the caller's event loop, never blocking it; `batch.rs`
//! sequences svscan's batches.

pub mod batch;
pub mod runner;

use crate::error::Error;
use crate::svdir;
use crate::sys::{self, Errno};
use std::time::Duration;

/// Per-hook time limit when the directory has no `timeout` file.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(10_000);
/// The file that sets the time limit (never run as a hook).
pub const TIMEOUT_FILE: &[u8] = b"timeout";
/// Variables of this prefix come from the dispatcher only.
pub const ENV_PREFIX: &[u8] = b"DAEMONBOX_";

/// The hooks of one directory, ready to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HookDir {
    /// The directory as the caller names it (`.svscan/hooks/pre`, `web/hooks`).
    pub path: Vec<u8>,
    /// Hook names, in byte order.
    pub names: Vec<Vec<u8>>,
    pub timeout: Duration,
}

impl HookDir {
    /// The path of hook `name`.
    pub fn hook(&self, name: &[u8]) -> Vec<u8> {
        [&self.path[..], b"/", name].concat()
    }
}

/// Is `name` a candidate hook (pure)? Dot names, backup files and `timeout` are not.
pub fn is_hook_name(name: &[u8]) -> bool {
    !name.is_empty() && name[0] != b'.' && name.last() != Some(&b'~') && name != TIMEOUT_FILE
}

/// The `timeout` file's value (pure): whole milliseconds, a trailing newline allowed;
/// `None` when it is not one.
pub fn parse_timeout(text: &[u8]) -> Option<Duration> {
    let end = text.iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    let digits = &text[..end];
    if digits.is_empty() || digits.len() > 10 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let ms = digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d - b'0'));
    Some(Duration::from_millis(ms))
}

/// Reads the hooks directory at `path`: `Ok(None)` when there is none (one failed open, the
/// whole cost of having no hooks), an error in daemontools' words when it cannot be read
/// (a file, no permission). A bad `timeout` file is an error too, with the default used.
pub fn list(path: &[u8]) -> Result<Option<HookDir>, Error> {
    let names = match sys::dir::names(path) {
        Ok(names) => names,
        Err(Errno::NOENT) => return Ok(None),
        Err(e) => return Err(Error::sys(&[b"unable to read ", path], e)),
    };
    let mut hooks: Vec<Vec<u8>> = names
        .into_iter()
        .filter(|n| is_hook_name(n))
        .filter(|n| {
            let file = [path, b"/", n].concat();
            sys::dir::stat(&file).is_ok_and(|m| m.is_executable_file())
        })
        .collect();
    hooks.sort_unstable();
    let timeout = match svdir::ServiceDir::at(path).read_setting(TIMEOUT_FILE) {
        Ok(None) => DEFAULT_TIMEOUT,
        Ok(Some(text)) => parse_timeout(&text).unwrap_or(DEFAULT_TIMEOUT),
        Err(_) => DEFAULT_TIMEOUT,
    };
    Ok(Some(HookDir {
        path: path.to_vec(),
        names: hooks,
        timeout,
    }))
}

/// The environment a hook gets (pure): `base` without any `DAEMONBOX_*` entry, then `set`
/// (`NAME=VALUE` entries, all `DAEMONBOX_*`).
pub fn environment(base: &[Vec<u8>], set: &[Vec<u8>]) -> Vec<Vec<u8>> {
    base.iter()
        .filter(|e| !e.starts_with(ENV_PREFIX))
        .chain(set)
        .cloned()
        .collect()
}

/// `DAEMONBOX_NAME=value`.
pub fn var(name: &str, value: &[u8]) -> Vec<u8> {
    [ENV_PREFIX, name.as_bytes(), b"=", value].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hook_names() {
        for good in [&b"10-notify"[..], b"a", b"run.sh", b"~x"] {
            assert!(is_hook_name(good), "{good:?}");
        }
        for bad in [&b".hidden"[..], b"x~", b"timeout", b"", b"."] {
            assert!(!is_hook_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout(b"250\n"), Some(Duration::from_millis(250)));
        assert_eq!(parse_timeout(b"0"), Some(Duration::ZERO));
        for bad in [&b""[..], b"\n", b"-1", b"1.5", b"x", b"99999999999"] {
            assert_eq!(parse_timeout(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn environment_is_fresh() {
        let base = vec![
            b"PATH=/bin".to_vec(),
            b"DAEMONBOX_SERVICE=leaked".to_vec(),
            b"HOME=/".to_vec(),
        ];
        let env = environment(&base, &[var("EVENT", b"pre")]);
        assert_eq!(env, [&b"PATH=/bin"[..], b"HOME=/", b"DAEMONBOX_EVENT=pre"]);
    }
}
