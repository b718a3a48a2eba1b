//! runline: runs the one command line in a file, so run scripts need no shell.
//!
//! `runline file [arg ...]`, meant for a `#!/bin/runline` first line (the kernel then runs
//! `runline ./run`; runline has no options, so that line takes no argument). The file holds one command line split into words as a shell would, with
//! less: blanks (space, tab) separate words; `'...'` is literal; inside `"..."` a backslash
//! escapes only `"` and `\`; outside quotes a backslash escapes the next byte; a backslash
//! before a newline continues the line; a `#` that starts a word starts a comment (so the
//! `#!` line is one); blank and comment lines are ignored. There are no variables, no
//! globbing and no redirections: `$`, `*`, `>` are ordinary bytes. Any further arguments are
//! appended, and the words are exec'd through the PATH search, so chain loaders compose
//! (`envdir ./env setuidgid app prog`).
//!
//! Exit codes: 100 for usage or a file that is not one command line (`runline: fatal:
//! unable to parse FILE: ...`), 111 if the file cannot be read or the program cannot be run
//! (`runline: fatal: unable to run PROG: E`).

use crate::exit;
use crate::sys;
use std::ffi::{CStr, CString};

const PROG: &str = "runline";
const USAGE: &str = "runline file [arg ...]";
/// A command line file longer than this is refused ("file too big"): no program could be
/// given that many words anyway, and `/dev/zero` must not be read forever.
const RUN_FILE_MAX: usize = 1 << 20;

/// Why a file is not one command line; each names the line it was found on.
#[derive(Debug, PartialEq)]
pub(crate) enum Error {
    NoCommand,
    UnterminatedQuote(usize),
    TrailingBackslash(usize),
    SecondCommand(usize),
    Nul(usize),
}

impl Error {
    fn describe(&self) -> (&'static [u8], Option<usize>) {
        match *self {
            Error::NoCommand => (b"no command", None),
            Error::UnterminatedQuote(n) => (b"unterminated quote on line ", Some(n)),
            Error::TrailingBackslash(n) => (b"backslash at end of file on line ", Some(n)),
            Error::SecondCommand(n) => (b"second command on line ", Some(n)),
            Error::Nul(n) => (b"NUL byte on line ", Some(n)),
        }
    }
}

/// Where the scanner is: between words, in a word, or inside quotes.
#[derive(Clone, Copy, PartialEq)]
enum State {
    Blank,
    Word,
    Single,
    Double,
    Comment,
}

/// Splits `text` into the words of its one command line (pure).
pub(crate) fn words(text: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    let mut word = Vec::new();
    let mut state = State::Blank;
    let mut line = 1;
    let mut quote_line = 0;
    let mut done = false;
    let mut bytes = text.iter().copied();
    while let Some(b) = bytes.next() {
        if b == 0 {
            return Err(Error::Nul(line));
        }
        if done && state == State::Blank && !matches!(b, b' ' | b'\t' | b'\n' | b'#') {
            return Err(Error::SecondCommand(line));
        }
        match (state, b) {
            (State::Comment, b'\n') => state = State::Blank,
            (State::Comment, _) => {}
            (State::Single, b'\'') | (State::Double, b'"') => state = State::Word,
            (State::Single, _) => word.push(b),
            (State::Double, b'\\') => match bytes.next() {
                Some(b'\n') => line += 1,
                Some(e @ (b'"' | b'\\')) => word.push(e),
                Some(0) => return Err(Error::Nul(line)),
                Some(other) => word.extend_from_slice(&[b'\\', other]),
                None => return Err(Error::UnterminatedQuote(quote_line)),
            },
            (State::Double, _) => word.push(b),
            (_, b'\\') => match bytes.next() {
                Some(b'\n') => line += 1,
                Some(0) => return Err(Error::Nul(line)),
                Some(e) => {
                    word.push(e);
                    state = State::Word;
                }
                None => return Err(Error::TrailingBackslash(line)),
            },
            (_, b'\'' | b'"') => {
                state = if b == b'\'' {
                    State::Single
                } else {
                    State::Double
                };
                quote_line = line;
            }
            (State::Blank, b'#') => state = State::Comment,
            (_, b' ' | b'\t' | b'\n') => {
                if state == State::Word {
                    out.push(std::mem::take(&mut word));
                    state = State::Blank;
                }
            }
            (_, _) => {
                word.push(b);
                state = State::Word;
            }
        }
        if b == b'\n' {
            line += 1;
            // As in sh, a newline outside quotes ends the command, after a comment too.
            done |= state == State::Blank && !out.is_empty();
        }
    }
    match state {
        State::Single | State::Double => return Err(Error::UnterminatedQuote(quote_line)),
        State::Word => out.push(word),
        State::Blank | State::Comment => {}
    }
    if out.is_empty() {
        return Err(Error::NoCommand);
    }
    Ok(out)
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let Some(file) = args.get(1).map(|a| a.to_bytes()) else {
        exit::usage(PROG, USAGE, exit::USAGE)
    };
    let text = match sys::fd::read_file_max(file, RUN_FILE_MAX) {
        Ok(text) => text,
        Err(e) => exit::die_sys(PROG, &[b"unable to read ", file], e, exit::TEMP),
    };
    let list = match words(&text) {
        Ok(list) => list,
        Err(e) => {
            let (what, line) = e.describe();
            let number = line.map(|n| n.to_string()).unwrap_or_default();
            let pieces: &[&[u8]] = &[b"unable to parse ", file, b": ", what, number.as_bytes()];
            exit::die(PROG, pieces, exit::USAGE)
        }
    };
    // No word holds a NUL (refused above), so every conversion succeeds.
    let owned: Vec<CString> = list
        .into_iter()
        .filter_map(|w| CString::new(w).ok())
        .collect();
    let mut argv: Vec<&CStr> = owned.iter().map(CString::as_c_str).collect();
    argv.extend_from_slice(&args[2..]);
    exit::run_or_die(PROG, &argv, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<String> {
        words(text.as_bytes())
            .unwrap()
            .into_iter()
            .map(|w| String::from_utf8(w).unwrap())
            .collect()
    }

    #[test]
    fn plain_words_comments_and_blank_lines() {
        let run =
            "#!/bin/runline\n\n# a comment\n  envdir ./env \t setuidgid app prog  \n\n# end\n";
        assert_eq!(ok(run), ["envdir", "./env", "setuidgid", "app", "prog"]);
        assert_eq!(ok("prog"), ["prog"]);
        assert_eq!(
            ok("prog#not-a-comment x #comment"),
            ["prog#not-a-comment", "x"]
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(
            ok("multilog t '-*' '+* status: *' =status ./main"),
            ["multilog", "t", "-*", "+* status: *", "=status", "./main"]
        );
        assert_eq!(
            ok(r#"a "b c" "\"\\\$x" 'd\e'"#),
            ["a", "b c", "\"\\\\$x", "d\\e"]
        );
        assert_eq!(ok(r#"x'y z'"w" '' """#), ["xy zw", "", ""]);
        assert_eq!(ok(r"a\ b \'c \#d"), ["a b", "'c", "#d"]);
        assert_eq!(ok("'a\nb'"), ["a\nb"]);
    }

    #[test]
    fn no_variables_no_globbing() {
        assert_eq!(
            ok("echo $HOME * ~ 2>&1"),
            ["echo", "$HOME", "*", "~", "2>&1"]
        );
    }

    #[test]
    fn continuation_lines() {
        assert_eq!(
            ok("envdir ./env \\\n  setuidgid app \\\n  prog\n# done\n"),
            ["envdir", "./env", "setuidgid", "app", "prog"]
        );
        assert_eq!(ok("a\\\nb"), ["ab"]);
        assert_eq!(ok("\"a\\\nb\""), ["ab"]);
    }

    #[test]
    fn bad_files() {
        assert_eq!(words(b""), Err(Error::NoCommand));
        assert_eq!(
            words(b"#!/bin/runline\n# nothing\n\n"),
            Err(Error::NoCommand)
        );
        assert_eq!(words(b"a\nb\n"), Err(Error::SecondCommand(2)));
        assert_eq!(words(b"a\n\n  # ok\n  b"), Err(Error::SecondCommand(4)));
        assert_eq!(words(b"a \\\n # c \\\n b"), Err(Error::SecondCommand(3)));
        assert_eq!(words(b"a 'b\nc"), Err(Error::UnterminatedQuote(1)));
        assert_eq!(words(b"\n\na \"b\\"), Err(Error::UnterminatedQuote(3)));
        assert_eq!(words(b"a\\"), Err(Error::TrailingBackslash(1)));
        assert_eq!(words(b"a\nb\0"), Err(Error::SecondCommand(2)));
        assert_eq!(words(b"\na\0b"), Err(Error::Nul(2)));
        assert_eq!(words(b"'\0'"), Err(Error::Nul(1)));
    }
}
