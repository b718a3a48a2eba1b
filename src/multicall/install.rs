//! `daemonbox --install DIR [--target PATH] [--force]`: one symbolic link per applet in DIR.
//!
//! What a link points at: PATH verbatim when given (relative to DIR, like `ln -s`; it need
//! not exist yet, so a root can be filled from outside it); else this executable, found from
//! argv[0] (a path, or a PATH search for a bare name; `/proc` is never needed), written as
//! its bare name when it lives in DIR (so the links survive moving or mounting the tree)
//! and as an absolute path otherwise.
//!
//! Every name is checked before anything changes: a missing name gets a link, a link that
//! already points at the target stays, a link to any `daemonbox*` file is replaced, and
//! anything else is a conflict. One conflict or more: each is reported, nothing is created,
//! exit 100. `--force` turns files and foreign links into replacements (never directories).
//! Then DIR is created with its parents if needed, and links are replaced atomically
//! (a new link renamed over the old name), so an applet never goes missing.

use super::SELF_NAME;
use super::own::Install;
use crate::applets::APPLETS;
use crate::exit;
use crate::path;
use crate::sys::{self, Errno};

/// Mode of the directories `--install` creates (before the umask).
const DIR_MODE: u32 = 0o755;
/// Suffix of the temporary name a replacing link is made under.
const NEW_SUFFIX: &[u8] = b".daemonbox-new";

/// What holds an applet's name in DIR.
#[derive(Debug, PartialEq)]
pub enum Found {
    Missing,
    Link(Vec<u8>),
    Directory,
    Other,
}

/// What to do with one name.
#[derive(Debug, PartialEq)]
pub enum Action {
    Create,
    Keep,
    Replace,
}

/// Why a name cannot be taken.
#[derive(Debug, PartialEq)]
pub enum Conflict {
    Directory,
    Foreign,
}

/// Is `target` (a link's content) a daemonbox executable, by its name?
fn is_ours(target: &[u8]) -> bool {
    path::basename(target).starts_with(SELF_NAME.as_bytes())
}

/// The decision for one name (pure).
pub fn decide(found: &Found, target: &[u8], force: bool) -> Result<Action, Conflict> {
    match found {
        Found::Missing => Ok(Action::Create),
        Found::Link(t) if t == target => Ok(Action::Keep),
        Found::Link(t) if is_ours(t) => Ok(Action::Replace),
        Found::Directory => Err(Conflict::Directory),
        Found::Link(_) | Found::Other if force => Ok(Action::Replace),
        Found::Link(_) | Found::Other => Err(Conflict::Foreign),
    }
}

fn found(link: &[u8]) -> Result<Found, Errno> {
    match sys::dir::lstat(link) {
        Err(Errno::NOENT) => Ok(Found::Missing),
        Err(e) => Err(e),
        Ok(m) if m.is_symlink() => sys::dir::readlink(link).map(Found::Link),
        Ok(m) if m.is_dir() => Ok(Found::Directory),
        Ok(_) => Ok(Found::Other),
    }
}

/// The link content when no `--target` is given (see the module doc).
fn own_target(invoked: &[u8], dir: &[u8]) -> Result<Vec<u8>, u8> {
    let Some(exe) = sys::exec::locate(invoked) else {
        let pieces: &[&[u8]] = &[b"unable to find ", invoked, b" in PATH: give --target PATH"];
        exit::emit(&exit::compose(SELF_NAME, exit::Kind::Fatal, pieces, None));
        return Err(exit::USAGE);
    };
    let same = |a: &[u8], b: &[u8]| match (sys::dir::stat(a), sys::dir::stat(b)) {
        (Ok(a), Ok(b)) => (a.dev, a.ino) == (b.dev, b.ino),
        _ => false,
    };
    if same(path::dirname(&exe), dir) {
        return Ok(path::basename(&exe).to_vec());
    }
    match sys::dir::getcwd() {
        Ok(cwd) => Ok(path::absolute(&cwd, &exe)),
        Err(e) => Err(fail(&[b"unable to find the current directory"], e)),
    }
}

fn fail(pieces: &[&[u8]], e: Errno) -> u8 {
    exit::emit(&exit::compose(
        SELF_NAME,
        exit::Kind::Fatal,
        pieces,
        Some(e),
    ));
    exit::TEMP
}

/// `mkdir -p dir`.
fn make_dirs(dir: &[u8]) -> Result<(), u8> {
    sys::dir::mkdir_all(dir, DIR_MODE)
        .map_err(|(end, e)| fail(&[b"unable to create directory ", &dir[..end]], e))
}

fn replace(target: &[u8], dir: &[u8], name: &[u8], link: &[u8]) -> Result<(), Errno> {
    let new = [dir, b"/.", name, NEW_SUFFIX].concat();
    match sys::dir::unlink(&new) {
        Ok(()) | Err(Errno::NOENT) => {}
        Err(e) => return Err(e),
    }
    sys::dir::symlink(target, &new)?;
    sys::dir::rename(&new, link)
}

/// Carries out `--install`; returns the exit code.
pub fn run(invoked: &[u8], opts: &Install) -> u8 {
    let dir = &opts.dir[..];
    let target = match &opts.target {
        Some(t) => t.clone(),
        None => match own_target(invoked, dir) {
            Ok(t) => t,
            Err(code) => return code,
        },
    };
    let mut plan = Vec::with_capacity(APPLETS.len());
    let mut conflicts = false;
    for applet in APPLETS {
        let link = [dir, b"/", applet.name.as_bytes()].concat();
        let found = match found(&link) {
            Ok(f) => f,
            Err(e) => return fail(&[b"unable to stat ", &link], e),
        };
        match decide(&found, &target, opts.force) {
            Ok(action) => plan.push((applet.name.as_bytes(), link, action)),
            Err(conflict) => {
                conflicts = true;
                let why: &[u8] = match conflict {
                    Conflict::Directory => b" is a directory (never replaced)",
                    Conflict::Foreign => b" is not a link to daemonbox (--force replaces it)",
                };
                exit::warn(SELF_NAME, &[&link, why]);
            }
        }
    }
    if conflicts {
        exit::emit(&exit::compose(
            SELF_NAME,
            exit::Kind::Fatal,
            &[b"nothing installed in ", dir],
            None,
        ));
        return exit::USAGE;
    }
    if let Err(code) = make_dirs(dir) {
        return code;
    }
    for (name, link, action) in plan {
        let done = match action {
            Action::Keep => Ok(()),
            Action::Create => sys::dir::symlink(&target, &link),
            Action::Replace => replace(&target, dir, name, &link),
        };
        if let Err(e) = done {
            return fail(&[b"unable to create link ", &link], e);
        }
    }
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions() {
        let t = b"daemonbox";
        assert_eq!(decide(&Found::Missing, t, false), Ok(Action::Create));
        assert_eq!(decide(&Found::Link(t.to_vec()), t, false), Ok(Action::Keep));
        let old = Found::Link(b"/opt/daemonbox-x86_64".to_vec());
        assert_eq!(decide(&old, t, false), Ok(Action::Replace));
        let foreign = Found::Link(b"/usr/bin/busybox".to_vec());
        assert_eq!(decide(&foreign, t, false), Err(Conflict::Foreign));
        assert_eq!(decide(&foreign, t, true), Ok(Action::Replace));
        assert_eq!(decide(&Found::Other, t, false), Err(Conflict::Foreign));
        assert_eq!(decide(&Found::Other, t, true), Ok(Action::Replace));
        assert_eq!(decide(&Found::Directory, t, true), Err(Conflict::Directory));
    }
}
