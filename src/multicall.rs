//! Picking the applet: the basename of argv[0], or `daemonbox APPLET ...`, plus daemonbox's
//! own commands `--list` and `--install DIR [--force]`.
//!
//! `resolve` is pure and unit-tested; `run` carries out its answer.

use crate::applets::{self, APPLETS, Applet};
use crate::buffer::Buffer;
use crate::exit;
use crate::sys;
use argh::FromArgs;
use std::ffi::CStr;

/// The name the executable answers to for its own commands.
pub const SELF_NAME: &str = "daemonbox";
const USAGE: &str =
    "daemonbox APPLET [ARG ...] | daemonbox --list | daemonbox --install DIR [--force]";

/// daemonbox's own command line (when argv[1] starts with `--`).
#[derive(FromArgs, Debug, PartialEq)]
/// daemontools 0.76 as one executable: run an applet by name, list or install them.
struct OwnArgs {
    /// print the applet names, one per line
    #[argh(switch)]
    list: bool,
    /// create one symbolic link per applet in this directory
    #[argh(option)]
    install: Option<String>,
    /// with --install, replace files that are not already links to daemonbox
    #[argh(switch)]
    force: bool,
}

/// What a command line asks for.
#[derive(Debug, PartialEq)]
pub enum Dispatch<'a> {
    /// Run this applet with argv starting at index `from`.
    Run(&'a Applet, usize),
    /// `daemonbox --list`.
    List,
    /// `daemonbox --install DIR [--force]`.
    Install { dir: String, force: bool },
    /// An unknown applet name.
    Unknown(&'a [u8]),
    /// A malformed daemonbox command line (message from argh, if any).
    Usage(String),
}

/// Everything after the last `/`.
pub fn basename(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// Decides what to do with `args` (the full argv).
pub fn resolve<'a>(args: &[&'a CStr]) -> Dispatch<'a> {
    let name = basename(args.first().map_or(&b""[..], |a| a.to_bytes()));
    if name != SELF_NAME.as_bytes() {
        return match applets::find(name) {
            Some(applet) => Dispatch::Run(applet, 0),
            None => Dispatch::Unknown(name),
        };
    }
    let Some(first) = args.get(1).map(|a| a.to_bytes()) else {
        return Dispatch::Usage(String::new());
    };
    if !first.starts_with(b"--") {
        return match applets::find(first) {
            Some(applet) => Dispatch::Run(applet, 1),
            None => Dispatch::Unknown(first),
        };
    }
    let words: Vec<&str> = match args[1..].iter().map(|a| a.to_str()).collect() {
        Ok(words) => words,
        Err(_) => return Dispatch::Usage(String::new()),
    };
    match OwnArgs::from_args(&[SELF_NAME], &words) {
        Ok(OwnArgs {
            list: true,
            install: None,
            force: false,
        }) => Dispatch::List,
        Ok(OwnArgs {
            list: false,
            install: Some(dir),
            force,
        }) => Dispatch::Install { dir, force },
        Ok(_) => Dispatch::Usage(String::new()),
        Err(early) => Dispatch::Usage(early.output),
    }
}

/// Runs whatever `args` asks for and returns the exit code.
pub fn run(args: &[&CStr]) -> u8 {
    match resolve(args) {
        Dispatch::Run(applet, from) => (applet.main)(&args[from..]),
        Dispatch::List => list(),
        Dispatch::Install { dir, force } => install(dir.as_bytes(), force),
        Dispatch::Unknown(name) => exit::die(
            SELF_NAME,
            &[
                b"unknown applet ",
                name,
                b" (daemonbox --list shows the applets)",
            ],
            exit::USAGE,
        ),
        Dispatch::Usage(detail) => {
            if !detail.is_empty() {
                exit::emit(detail.trim_end().as_bytes());
                exit::emit(b"\n");
            }
            exit::usage(SELF_NAME, USAGE, exit::USAGE)
        }
    }
}

fn list() -> u8 {
    let mut out = Buffer::new(sys::fd::stdout(), 4096);
    let mut result = Ok(());
    for applet in APPLETS {
        result = result.and(out.put(applet.name.as_bytes()).and(out.put(b"\n")));
    }
    match result.and(out.flush()) {
        Ok(()) => exit::OK,
        Err(e) => exit::die_sys(SELF_NAME, &[b"unable to write output"], e, exit::TEMP),
    }
}

/// Is the symbolic link at `path` one of ours (its target's basename is daemonbox)?
fn links_to_self(path: &[u8]) -> bool {
    sys::dir::readlink(path).is_ok_and(|target| basename(&target) == SELF_NAME.as_bytes())
}

fn install(dir: &[u8], force: bool) -> u8 {
    let target = match sys::dir::readlink(b"/proc/self/exe") {
        Ok(t) => t,
        Err(e) => exit::die_sys(
            SELF_NAME,
            &[b"unable to read link /proc/self/exe"],
            e,
            exit::TEMP,
        ),
    };
    for applet in APPLETS {
        let path = [dir, b"/", applet.name.as_bytes()].concat();
        if sys::dir::lstat(&path).is_ok() {
            if !force && !links_to_self(&path) {
                exit::die(
                    SELF_NAME,
                    &[b"refusing to replace ", &path, b" (use --force)"],
                    exit::USAGE,
                );
            }
            if let Err(e) = sys::dir::unlink(&path) {
                exit::die_sys(SELF_NAME, &[b"unable to remove ", &path], e, exit::TEMP);
            }
        }
        if let Err(e) = sys::dir::symlink(&target, &path) {
            exit::die_sys(SELF_NAME, &[b"unable to create ", &path], e, exit::TEMP);
        }
    }
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn with_args<T>(words: &[&str], f: impl FnOnce(&[&CStr]) -> T) -> T {
        let owned: Vec<CString> = words.iter().map(|w| CString::new(*w).unwrap()).collect();
        let args: Vec<&CStr> = owned.iter().map(|c| c.as_c_str()).collect();
        f(&args)
    }

    #[test]
    fn basename_cases() {
        assert_eq!(basename(b"/usr/bin/svc"), b"svc");
        assert_eq!(basename(b"svc"), b"svc");
        assert_eq!(basename(b"dir/"), b"");
    }

    #[test]
    fn applet_by_argv0() {
        with_args(&["/x/y/svok", "a"], |args| match resolve(args) {
            Dispatch::Run(applet, 0) => assert_eq!(applet.name, "svok"),
            other => panic!("{other:?}"),
        });
    }

    #[test]
    fn applet_by_first_argument() {
        with_args(&["./daemonbox", "svstat", "x"], |args| {
            match resolve(args) {
                Dispatch::Run(applet, 1) => assert_eq!(applet.name, "svstat"),
                other => panic!("{other:?}"),
            }
        });
    }

    #[test]
    fn own_commands() {
        with_args(&["daemonbox", "--list"], |args| {
            assert_eq!(resolve(args), Dispatch::List)
        });
        with_args(&["daemonbox", "--install", "/bin", "--force"], |args| {
            assert_eq!(
                resolve(args),
                Dispatch::Install {
                    dir: "/bin".into(),
                    force: true
                }
            )
        });
        with_args(&["daemonbox", "--list", "--install", "x"], |args| {
            assert!(matches!(resolve(args), Dispatch::Usage(_)))
        });
        with_args(&["daemonbox", "--bogus"], |args| {
            assert!(matches!(resolve(args), Dispatch::Usage(_)))
        });
        with_args(&["daemonbox"], |args| {
            assert!(matches!(resolve(args), Dispatch::Usage(_)))
        });
    }

    #[test]
    fn unknown_names() {
        with_args(&["/bin/nosuch"], |args| {
            assert_eq!(resolve(args), Dispatch::Unknown(b"nosuch"))
        });
        with_args(&["daemonbox", "nosuch"], |args| {
            assert_eq!(resolve(args), Dispatch::Unknown(b"nosuch"))
        });
    }
}
