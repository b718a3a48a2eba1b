//! Running a program: daemontools' PATH search and execve.
//!
//! The candidate list and the choice of which error to report are pure (unit-tested); the
//! loop that tries each candidate is the only impure part. Rules: a name containing `/` is
//! tried once; otherwise each PATH element in order (empty element = `.`, unset PATH =
//! `/bin:/usr/bin`); ENOENT continues silently, EACCES/EPERM/EISDIR are remembered and
//! continue, any other error stops the search; at the end the last remembered error wins,
//! else ENOENT.

use rustix::io::Errno;
use std::ffi::{CStr, CString};

/// PATH used when the variable is unset.
pub const DEFAULT_PATH: &[u8] = b"/bin:/usr/bin";

/// Pages in the longest argument or environment string execve accepts (Linux's
/// MAX_ARG_STRLEN, terminating NUL included).
const STRING_MAX_PAGES: usize = 32;

/// The longest argument or environment string execve accepts, in bytes: a longer one makes
/// it fail with E2BIG.
pub fn string_max() -> usize {
    // SAFETY: sysconf has no memory preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    STRING_MAX_PAGES * usize::try_from(page).unwrap_or(4096)
}

/// The file names to try for `prog` under `path` (the value of PATH, if set).
pub fn candidates(prog: &[u8], path: Option<&[u8]>) -> Vec<Vec<u8>> {
    if prog.contains(&b'/') {
        return vec![prog.to_vec()];
    }
    path.unwrap_or(DEFAULT_PATH)
        .split(|&b| b == b':')
        .map(|dir| {
            let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
            [dir, b"/", prog].concat()
        })
        .collect()
}

/// What the search does after a failed execve: `Err(e)` stops with `e`, `Ok(remember)`
/// continues, remembering the error when `remember` is set.
pub fn after_failure(errno: Errno) -> Result<bool, Errno> {
    match errno {
        Errno::NOENT => Ok(false),
        Errno::ACCESS | Errno::PERM | Errno::ISDIR => Ok(true),
        other => Err(other),
    }
}

/// The file the PATH search would run for `prog` (as found, possibly relative; a name with
/// a `/` is itself): the first candidate that is an executable regular file (stat(2) on
/// each). Given argv[0], this is where a program was run from, without /proc.
pub fn locate(prog: &[u8]) -> Option<Vec<u8>> {
    let path = super::env::get(b"PATH");
    candidates(prog, path.as_deref())
        .into_iter()
        .find(|file| super::dir::stat(file).is_ok_and(|m| m.is_executable_file()))
}

fn to_cstrings(items: &[Vec<u8>]) -> Vec<CString> {
    items
        .iter()
        .map(|s| {
            let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
            CString::new(&s[..end]).unwrap_or_default()
        })
        .collect()
}

/// argv and environment as the NULL-terminated pointer arrays execve takes.
struct Vectors {
    argv: Vec<*const libc::c_char>,
    // Owns the strings `env` points to, when the environment is not the current one.
    _env_owned: Option<Vec<CString>>,
    env: Vec<*const libc::c_char>,
}

impl Vectors {
    /// `env` = `None` keeps the current environment.
    fn new(argv: &[&CStr], env: Option<&[Vec<u8>]>) -> Self {
        let mut argv: Vec<_> = argv.iter().map(|a| a.as_ptr()).collect();
        argv.push(std::ptr::null());
        let env_owned = env.map(to_cstrings);
        let mut env_ptrs = match &env_owned {
            Some(list) => list.iter().map(|c| c.as_ptr()).collect(),
            None => super::env::current_ptrs(),
        };
        env_ptrs.push(std::ptr::null());
        Vectors {
            argv,
            _env_owned: env_owned,
            env: env_ptrs,
        }
    }

    /// execve(2); returns its error.
    fn execve(&self, file: &CStr) -> Errno {
        // SAFETY: both arrays are NULL-terminated and point to C strings that `self` and
        // the caller keep alive for the call.
        unsafe { libc::execve(file.as_ptr(), self.argv.as_ptr(), self.env.as_ptr()) };
        Errno::from_raw_os_error(std::io::Error::last_os_error().raw_os_error().unwrap_or(0))
    }
}

/// Replaces the process with `argv[0]` found by the PATH search; returns only on failure,
/// with the error daemontools would report. `env` = `None` keeps the current environment.
/// PATH is taken from the current (original) environment, never from `env`.
pub fn pathexec(argv: &[&CStr], env: Option<&[Vec<u8>]>) -> Errno {
    let Some(prog) = argv.first() else {
        return Errno::NOENT;
    };
    let path = super::env::get(b"PATH");
    let vectors = Vectors::new(argv, env);
    let mut remembered = None;
    for file in candidates(prog.to_bytes(), path.as_deref()) {
        let Ok(file) = CString::new(file) else {
            continue;
        };
        let errno = vectors.execve(&file);
        match after_failure(errno) {
            Err(stop) => return stop,
            Ok(true) => remembered = Some(errno),
            Ok(false) => {}
        }
    }
    remembered.unwrap_or(Errno::NOENT)
}

/// execve(path, argv, env) with no PATH search; `env` = `None` keeps the current
/// environment. Returns only on failure.
pub fn exec_file(path: &CStr, argv: &[&CStr], env: Option<&[Vec<u8>]>) -> Errno {
    Vectors::new(argv, env).execve(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_names_are_tried_once() {
        assert_eq!(
            candidates(b"./run", Some(b"/a:/b")),
            vec![b"./run".to_vec()]
        );
    }

    #[test]
    fn path_elements_in_order_empty_is_dot() {
        assert_eq!(
            candidates(b"p", Some(b"/a::/b:")),
            vec![
                b"/a/p".to_vec(),
                b"./p".to_vec(),
                b"/b/p".to_vec(),
                b"./p".to_vec()
            ]
        );
        assert_eq!(candidates(b"p", Some(b"")), vec![b"./p".to_vec()]);
    }

    #[test]
    fn unset_path_uses_default() {
        assert_eq!(
            candidates(b"p", None),
            vec![b"/bin/p".to_vec(), b"/usr/bin/p".to_vec()]
        );
    }

    #[test]
    fn error_priority() {
        assert_eq!(after_failure(Errno::NOENT), Ok(false));
        assert_eq!(after_failure(Errno::ACCESS), Ok(true));
        assert_eq!(after_failure(Errno::PERM), Ok(true));
        assert_eq!(after_failure(Errno::ISDIR), Ok(true));
        assert_eq!(after_failure(Errno::NOEXEC), Err(Errno::NOEXEC));
        assert_eq!(after_failure(Errno::NOTDIR), Err(Errno::NOTDIR));
    }
}
