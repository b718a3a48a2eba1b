//! Picking the applet: the basename of argv[0], or, when that name starts with `daemonbox`
//! (`daemonbox`, `daemonbox-x86_64`, ...), `daemonbox APPLET ...` and daemonbox's own
//! commands: `--list`, `--help`, `--version`, `--install DIR [--target PATH] [--force]`.
//!
//! `resolve` is pure and unit-tested; `run` carries out its answer. Own-command errors are
//! `daemonbox: fatal: ...` (exit 100); their hints name the command as it was invoked.

mod install;
mod own;

use crate::applets::{self, APPLETS, Applet};
use crate::buffer::Buffer;
use crate::exit::{self, Kind};
use crate::path;
use crate::sys;
use std::ffi::CStr;

/// The name daemonbox's own messages carry; any argv[0] basename starting with it acts
/// as daemonbox.
pub const SELF_NAME: &str = "daemonbox";
const VERSION: &str = env!("CARGO_PKG_VERSION");
/// What kind of executable this is: the small one comes from scripts/build-static.sh, whose
/// standard library aborts on panic at once.
const BUILD: &str = if cfg!(all(
    panic = "immediate-abort",
    target_feature = "crt-static"
)) {
    "small static build"
} else if cfg!(target_feature = "crt-static") {
    "static build"
} else {
    "dynamic build"
};
const OWN_USAGE: &[u8] = b" --list | --help | --version | --install DIR [--target PATH] [--force]";

/// What a command line asks for.
#[derive(Debug, PartialEq)]
pub enum Dispatch<'a> {
    /// Run this applet with argv starting at index `from`.
    Run(&'a Applet, usize),
    /// One of daemonbox's own commands.
    Own(own::Command),
    /// An unknown applet name.
    Unknown(&'a [u8]),
    /// A malformed daemonbox command line.
    Bad(own::Error<'a>),
}

/// Does this argv[0] basename act as daemonbox itself?
fn is_self(name: &[u8]) -> bool {
    name.starts_with(SELF_NAME.as_bytes())
}

/// Decides what to do with `args` (the full argv).
pub fn resolve<'a>(args: &[&'a CStr]) -> Dispatch<'a> {
    let name = path::basename(args.first().map_or(&b""[..], |a| a.to_bytes()));
    if !is_self(name) {
        return match applets::find(name) {
            Some(applet) => Dispatch::Run(applet, 0),
            None => Dispatch::Unknown(name),
        };
    }
    let words: Vec<&[u8]> = args[1..].iter().map(|a| a.to_bytes()).collect();
    match words.first() {
        Some(first) if !first.starts_with(b"-") => match applets::find(first) {
            Some(applet) => Dispatch::Run(applet, 1),
            None => Dispatch::Unknown(first),
        },
        _ => own::parse(&words).map_or_else(Dispatch::Bad, Dispatch::Own),
    }
}

/// Runs whatever `args` asks for and returns the exit code.
pub fn run(args: &[&CStr]) -> u8 {
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    // Hints name the command as invoked, when it was daemonbox under some name.
    let invoked = if is_self(path::basename(argv0)) {
        argv0
    } else {
        SELF_NAME.as_bytes()
    };
    let fatal = |pieces: &[&[u8]], hint: &[u8]| {
        let tail: &[&[u8]] = &[b" (", invoked, b" ", hint, b")"];
        exit::emit(&exit::compose(
            SELF_NAME,
            Kind::Fatal,
            &[pieces, tail].concat(),
            None,
        ));
        exit::USAGE
    };
    match resolve(args) {
        Dispatch::Run(applet, from) => (applet.main)(&args[from..]),
        Dispatch::Own(own::Command::List) => list(),
        Dispatch::Own(own::Command::Help) => help(invoked),
        Dispatch::Own(own::Command::Version) => version(),
        Dispatch::Own(own::Command::Install(opts)) => install::run(invoked, &opts),
        Dispatch::Unknown(name) => fatal(&[b"unknown applet ", name], b"--list shows the applets"),
        Dispatch::Bad(own::Error::NoCommand) => {
            let line = [invoked, b" APPLET [ARG ...] | ", invoked, OWN_USAGE].concat();
            exit::emit(&exit::compose(SELF_NAME, Kind::Usage, &[&line], None));
            exit::USAGE
        }
        Dispatch::Bad(e) => fatal(&e.pieces(), b"--help shows the usage"),
    }
}

/// Writes `text` to stdout; the exit code.
fn print(text: &[u8]) -> u8 {
    let mut out = Buffer::new(sys::fd::stdout(), 4096);
    match out.put(text).and(out.flush()) {
        Ok(()) => exit::OK,
        Err(e) => exit::die_sys(SELF_NAME, &[b"unable to write output"], e, exit::TEMP),
    }
}

fn list() -> u8 {
    let names: Vec<&[u8]> = APPLETS.iter().map(|a| a.name.as_bytes()).collect();
    print(&[names.join(&b'\n'), b"\n".to_vec()].concat())
}

fn version() -> u8 {
    print(
        &[SELF_NAME, " ", VERSION, " (", BUILD, ")\n"]
            .concat()
            .into_bytes(),
    )
}

/// Width of the name column in the applet list of `--help`.
const NAME_COLUMN: usize = 15;

fn help(invoked: &[u8]) -> u8 {
    let mut text = [
        SELF_NAME,
        " ",
        VERSION,
        ": daemontools 0.76 as one executable\n\n",
    ]
    .concat()
    .into_bytes();
    for (lead, rest) in [
        (&b"usage: "[..], &b" APPLET [ARG ...]\n"[..]),
        (b"       ", b" --list | --help | --version\n"),
        (b"       ", b" --install DIR [--target PATH] [--force]\n"),
    ] {
        text.extend_from_slice(&[lead, invoked, rest].concat());
    }
    text.extend_from_slice(HELP_BODY);
    for applet in APPLETS {
        let pad = NAME_COLUMN.saturating_sub(applet.name.len());
        let row = ["  ", applet.name, &" ".repeat(pad), applet.purpose, "\n"].concat();
        text.extend_from_slice(row.as_bytes());
    }
    print(&text)
}

const HELP_BODY: &[u8] = b"
A link named after an applet runs that applet. --list prints the applet names; --version
the version and the kind of build. --install creates DIR if needed and one link per applet
in it, pointing at PATH (verbatim) or else at this executable (by its bare name when it is
in DIR); if any name is taken by something other than a link to daemonbox, nothing changes
(--force replaces files and links, never directories).

applets:
";

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn with_args<T>(words: &[&str], f: impl FnOnce(&[&CStr]) -> T) -> T {
        let owned: Vec<CString> = words.iter().map(|w| CString::new(*w).unwrap()).collect();
        let args: Vec<&CStr> = owned.iter().map(|c| c.as_c_str()).collect();
        f(&args)
    }

    fn applet_of(words: &[&str]) -> Option<(&'static str, usize)> {
        with_args(words, |args| match resolve(args) {
            Dispatch::Run(applet, from) => Some((applet.name, from)),
            _ => None,
        })
    }

    #[test]
    fn applet_by_argv0() {
        assert_eq!(applet_of(&["/x/y/svok", "a"]), Some(("svok", 0)));
        assert_eq!(applet_of(&["runline", "./run"]), Some(("runline", 0)));
    }

    #[test]
    fn applet_by_first_argument_under_any_daemonbox_name() {
        for argv0 in [
            "./daemonbox",
            "daemonbox-x86_64",
            "/opt/daemonbox.static",
            "daemonbox2",
        ] {
            assert_eq!(
                applet_of(&[argv0, "svstat", "x"]),
                Some(("svstat", 1)),
                "{argv0}"
            );
        }
        assert_eq!(applet_of(&["/bin/mydaemonbox", "svstat"]), None);
    }

    #[test]
    fn own_commands() {
        with_args(&["daemonbox-x86_64", "--list"], |args| {
            assert_eq!(resolve(args), Dispatch::Own(own::Command::List))
        });
        with_args(&["daemonbox", "--bogus"], |args| {
            assert_eq!(
                resolve(args),
                Dispatch::Bad(own::Error::Argh("unrecognized argument: --bogus".into()))
            )
        });
        with_args(&["daemonbox"], |args| {
            assert_eq!(resolve(args), Dispatch::Bad(own::Error::NoCommand))
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
        with_args(&[], |args| {
            assert_eq!(resolve(args), Dispatch::Unknown(b""))
        });
    }
}
