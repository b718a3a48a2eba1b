//! daemonbox's own command line (`daemonbox --list`, `--help`, `--version`,
//! `--install DIR [--target PATH] [--force]`): words in, a command or an error out (pure).
//!
//! A GNU-style command line, so argh reads it (daemontools' getopt is for the applets).
//! Options come in any order; `--` ends them, so a directory whose name starts with `-` is
//! given after it. The checks argh cannot express (one command, the `--install` options
//! only with `--install`, exactly one directory) follow its reading.

use argh::FromArgs;

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
    /// A word that is not text (argh reads text only).
    NotText(&'a [u8]),
    /// argh's own words (an unknown option, a missing value).
    Argh(String),
    Unexpected(String),
    InstallWithoutDir,
    Together(&'static str, &'static str),
    OnlyWithInstall(&'static str),
}

impl Error<'_> {
    /// The message pieces after `daemonbox: fatal: ` (`NoCommand` is a usage error instead).
    pub fn pieces(&self) -> Vec<&[u8]> {
        match self {
            Error::NoCommand => vec![b"no command"],
            Error::NotText(w) => vec![b"not text: ", w],
            Error::Argh(words) => vec![words.as_bytes()],
            Error::Unexpected(w) => vec![b"unexpected argument ", w.as_bytes()],
            Error::InstallWithoutDir => vec![b"--install needs a directory"],
            Error::Together(a, b) => {
                vec![a.as_bytes(), b" and ", b.as_bytes(), b" exclude each other"]
            }
            Error::OnlyWithInstall(o) => vec![o.as_bytes(), b" goes with --install"],
        }
    }
}

/// The command line as argh reads it.
#[derive(FromArgs, Debug)]
/// daemontools 0.76 as one executable
struct Words {
    /// print the applet names, one per line
    #[argh(switch)]
    list: bool,
    /// print the version and the kind of build
    #[argh(switch)]
    version: bool,
    /// create one symbolic link per applet in DIR
    #[argh(switch)]
    install: bool,
    /// with --install: replace files in the way
    #[argh(switch)]
    force: bool,
    /// with --install: what the links point at, verbatim
    #[argh(option)]
    target: Option<String>,
    /// with --install: the directory
    #[argh(positional)]
    operands: Vec<String>,
}

/// argh's message as a daemontools message reads: lower case first, no final stop.
fn in_our_words(output: &str) -> String {
    let mut text = output.trim_end().trim_end_matches('.').to_string();
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    text
}

/// Parses the words after argv[0].
pub fn parse<'a>(words: &[&'a [u8]]) -> Result<Command, Error<'a>> {
    let mut text = Vec::with_capacity(words.len());
    for &word in words {
        text.push(std::str::from_utf8(word).map_err(|_| Error::NotText(word))?);
    }
    let words = match Words::from_args(&["daemonbox"], &text) {
        Ok(words) => words,
        Err(early) if early.status.is_ok() => return Ok(Command::Help),
        Err(early) => return Err(Error::Argh(in_our_words(&early.output))),
    };
    let chosen: Vec<&'static str> = [
        (words.list, "--list"),
        (words.version, "--version"),
        (words.install, "--install"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|&(_, name)| name)
    .collect();
    let flag = match (words.force, &words.target) {
        (true, _) => Some("--force"),
        (false, Some(_)) => Some("--target"),
        (false, None) => None,
    };
    let mut operands = words.operands.into_iter();
    match chosen[..] {
        [] => Err(flag.map_or(Error::NoCommand, Error::OnlyWithInstall)),
        [first, second, ..] => Err(Error::Together(first, second)),
        ["--install"] => match (operands.next(), operands.next()) {
            (None, _) => Err(Error::InstallWithoutDir),
            (Some(_), Some(extra)) => Err(Error::Unexpected(extra)),
            (Some(dir), None) => Ok(Command::Install(Install {
                dir: dir.into_bytes(),
                target: words.target.map(String::into_bytes),
                force: words.force,
            })),
        },
        [name] => {
            if let Some(flag) = flag {
                return Err(Error::OnlyWithInstall(flag));
            }
            if let Some(extra) = operands.next() {
                return Err(Error::Unexpected(extra));
            }
            Ok(if name == "--list" {
                Command::List
            } else {
                Command::Version
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
    }

    #[test]
    fn install_options_in_any_order() {
        let want = install("/bin", Some("daemonbox"), true);
        for words in [
            &["--install", "/bin", "--target", "daemonbox", "--force"][..],
            &["--install", "--force", "/bin", "--target", "daemonbox"],
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
    }

    #[test]
    fn bad_command_lines() {
        assert_eq!(parse_str(&[]), Err(Error::NoCommand));
        assert_eq!(parse_str(&["--"]), Err(Error::NoCommand));
        assert_eq!(
            parse_str(&["--bogus"]),
            Err(Error::Argh("unrecognized argument: --bogus".into()))
        );
        assert_eq!(
            parse_str(&["--list", "x"]),
            Err(Error::Unexpected("x".into()))
        );
        assert_eq!(
            parse_str(&["--install", "a", "b"]),
            Err(Error::Unexpected("b".into()))
        );
        assert_eq!(parse_str(&["--install"]), Err(Error::InstallWithoutDir));
        assert_eq!(
            parse_str(&["--install", "d", "--target"]),
            Err(Error::Argh(
                "no value provided for option '--target'".into()
            ))
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
            parse(&[b"--install", b"\xff"]),
            Err(Error::NotText(b"\xff"))
        );
    }
}
