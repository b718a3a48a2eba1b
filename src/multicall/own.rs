//! daemonbox's own command line (`daemonbox --list`, `--help`, `--version`,
//! `--install DIR [--target PATH] [--force]`): words in, a command or an error out (pure).
//!
//! Options come in any order; `--target PATH` and `--target=PATH` both work; `--` ends the
//! options, so a directory whose name starts with `-` is given after it.

/// One of daemonbox's own commands.
#[derive(Debug, PartialEq)]
pub enum Command {
    List,
    Help,
    Version,
    Install(Install),
}

/// `--install DIR [--target PATH] [--force]`.
#[derive(Debug, PartialEq)]
pub struct Install {
    /// Where the links go (created if missing).
    pub dir: Vec<u8>,
    /// What the links point at, verbatim; `None`: this executable.
    pub target: Option<Vec<u8>>,
    /// Replace files and foreign links that hold an applet's name.
    pub force: bool,
}

/// A malformed command line.
#[derive(Debug, PartialEq)]
pub enum Error<'a> {
    /// No command at all (only `--`, or nothing).
    NoCommand,
    UnknownOption(&'a [u8]),
    Unexpected(&'a [u8]),
    TargetWithoutPath,
    InstallWithoutDir,
    Together(&'static str, &'static str),
    OnlyWithInstall(&'static str),
}

impl Error<'_> {
    /// The message pieces after `daemonbox: fatal: ` (`NoCommand` is a usage error instead).
    pub fn pieces(&self) -> Vec<&[u8]> {
        match *self {
            Error::NoCommand => vec![b"no command"],
            Error::UnknownOption(w) => vec![b"unknown option ", w],
            Error::Unexpected(w) => vec![b"unexpected argument ", w],
            Error::TargetWithoutPath => vec![b"--target needs a path"],
            Error::InstallWithoutDir => vec![b"--install needs a directory"],
            Error::Together(a, b) => {
                vec![a.as_bytes(), b" and ", b.as_bytes(), b" exclude each other"]
            }
            Error::OnlyWithInstall(o) => vec![o.as_bytes(), b" goes with --install"],
        }
    }
}

const COMMANDS: [&str; 4] = ["--list", "--help", "--version", "--install"];
const FORCE: &str = "--force";
const TARGET: &str = "--target";

/// Parses the words after argv[0].
pub fn parse<'a>(words: &[&'a [u8]]) -> Result<Command, Error<'a>> {
    let mut command: Option<&'static str> = None;
    let mut operands = Vec::new();
    let mut force = false;
    let mut target = None;
    let mut options_done = false;
    let mut rest = words.iter().copied();
    while let Some(word) = rest.next() {
        if options_done || !word.starts_with(b"-") || word == b"-" {
            operands.push(word);
        } else if word == b"--" {
            options_done = true;
        } else if word == FORCE.as_bytes() {
            force = true;
        } else if word == TARGET.as_bytes() {
            target = Some(rest.next().ok_or(Error::TargetWithoutPath)?);
        } else if let Some(path) = word.strip_prefix(b"--target=") {
            target = Some(path);
        } else if let Some(&name) = COMMANDS.iter().find(|c| c.as_bytes() == word) {
            match command {
                Some(first) if first != name => return Err(Error::Together(first, name)),
                _ => command = Some(name),
            }
        } else {
            return Err(Error::UnknownOption(word));
        }
    }
    let flag = match (force, target) {
        (true, _) => Some(FORCE),
        (false, Some(_)) => Some(TARGET),
        (false, None) => None,
    };
    match command {
        None => Err(flag.map_or(Error::NoCommand, Error::OnlyWithInstall)),
        Some("--install") => match operands[..] {
            [] => Err(Error::InstallWithoutDir),
            [dir] => Ok(Command::Install(Install {
                dir: dir.to_vec(),
                target: target.map(<[u8]>::to_vec),
                force,
            })),
            [_, extra, ..] => Err(Error::Unexpected(extra)),
        },
        Some(name) => {
            if let Some(flag) = flag {
                return Err(Error::OnlyWithInstall(flag));
            }
            if let Some(extra) = operands.first() {
                return Err(Error::Unexpected(extra));
            }
            Ok(match name {
                "--list" => Command::List,
                "--help" => Command::Help,
                _ => Command::Version,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(words: &[&'static str]) -> Result<Command, Error<'static>> {
        let words: Vec<&[u8]> = words.iter().map(|w| w.as_bytes()).collect();
        parse(&words)
    }

    fn install(dir: &str, target: Option<&str>, force: bool) -> Result<Command, Error<'static>> {
        Ok(Command::Install(Install {
            dir: dir.into(),
            target: target.map(|t| t.into()),
            force,
        }))
    }

    #[test]
    fn simple_commands() {
        assert_eq!(parse_str(&["--list"]), Ok(Command::List));
        assert_eq!(parse_str(&["--help"]), Ok(Command::Help));
        assert_eq!(parse_str(&["--version"]), Ok(Command::Version));
        assert_eq!(parse_str(&["--version", "--version"]), Ok(Command::Version));
    }

    #[test]
    fn install_options_in_any_order() {
        let want = install("/bin", Some("daemonbox"), true);
        for words in [
            &["--install", "/bin", "--target", "daemonbox", "--force"][..],
            &["--install", "--force", "/bin", "--target=daemonbox"],
            &["--force", "--target", "daemonbox", "--install", "/bin"],
            &["/bin", "--force", "--install", "--target", "daemonbox"],
        ] {
            assert_eq!(parse_str(words), want, "{words:?}");
        }
        assert_eq!(parse_str(&["--install", "x"]), install("x", None, false));
        assert_eq!(
            parse_str(&["--install", "--", "-d"]),
            install("-d", None, false)
        );
        assert_eq!(parse_str(&["--install", "-"]), install("-", None, false));
    }

    #[test]
    fn bad_command_lines() {
        assert_eq!(parse_str(&[]), Err(Error::NoCommand));
        assert_eq!(parse_str(&["--"]), Err(Error::NoCommand));
        assert_eq!(
            parse_str(&["--bogus"]),
            Err(Error::UnknownOption(b"--bogus"))
        );
        assert_eq!(parse_str(&["-h"]), Err(Error::UnknownOption(b"-h")));
        assert_eq!(parse_str(&["--list", "x"]), Err(Error::Unexpected(b"x")));
        assert_eq!(
            parse_str(&["--install", "a", "b"]),
            Err(Error::Unexpected(b"b"))
        );
        assert_eq!(parse_str(&["--install"]), Err(Error::InstallWithoutDir));
        assert_eq!(
            parse_str(&["--install", "d", "--target"]),
            Err(Error::TargetWithoutPath)
        );
        assert_eq!(
            parse_str(&["--list", "--install", "x"]),
            Err(Error::Together("--list", "--install"))
        );
        assert_eq!(
            parse_str(&["--list", "--force"]),
            Err(Error::OnlyWithInstall("--force"))
        );
        assert_eq!(
            parse_str(&["--force", "d"]),
            Err(Error::OnlyWithInstall("--force"))
        );
        assert_eq!(
            parse_str(&["--help", "--target=x"]),
            Err(Error::OnlyWithInstall("--target"))
        );
    }
}
