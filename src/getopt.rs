//! daemontools' getopt: clustered flags, attached or separate values, `--`, no permutation.
//!
//! Pure: walks an argument slice and returns options one at a time. Parsing stops at the
//! first argument that does not start with `-`, at a lone `-` (kept as an operand) or after
//! a word starting with `--` (consumed whole, so `---` and `--foo` end the options too). The caller prints errors with [`error_line`] and its own usage line.

use std::ffi::CStr;

/// One parsed option: its letter and, for letters followed by `:` in the option string,
/// its value.
#[derive(Debug, PartialEq, Eq)]
pub struct Opt<'a> {
    pub letter: u8,
    pub value: Option<&'a [u8]>,
}

/// A getopt failure.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum GetoptError {
    /// A letter not in the option string.
    Illegal(u8),
    /// An option that takes a value was last on the command line.
    MissingValue(u8),
}

/// Iterator over the options of `args` (argv without argv[0]).
pub struct Getopt<'a> {
    args: &'a [&'a CStr],
    spec: &'static [u8],
    index: usize,
    pos: usize,
}

impl<'a> Getopt<'a> {
    /// `spec` is the getopt option string, e.g. `b"a:c:d:"`.
    pub fn new(args: &'a [&'a CStr], spec: &'static [u8]) -> Self {
        Getopt {
            args,
            spec,
            index: 0,
            pos: 0,
        }
    }

    /// The operands left after the options (valid once `next` returned `None`).
    pub fn operands(&self) -> &'a [&'a CStr] {
        &self.args[self.index..]
    }

    fn takes_value(&self, letter: u8) -> Option<bool> {
        let at = self.spec.iter().position(|&c| c == letter && c != b':')?;
        Some(self.spec.get(at + 1) == Some(&b':'))
    }
}

impl<'a> Iterator for Getopt<'a> {
    type Item = Result<Opt<'a>, GetoptError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos == 0 {
            let word = self.args.get(self.index)?.to_bytes();
            if word.len() < 2 || word[0] != b'-' {
                return None;
            }
            if word[1] == b'-' {
                self.index += 1;
                return None;
            }
            self.pos = 1;
        }
        let word = self.args[self.index].to_bytes();
        let letter = word[self.pos];
        self.pos += 1;
        let at_end = self.pos >= word.len();
        let result = match self.takes_value(letter) {
            None => Err(GetoptError::Illegal(letter)),
            Some(false) => Ok(Opt {
                letter,
                value: None,
            }),
            Some(true) if !at_end => {
                let value = &word[self.pos..];
                self.pos = word.len();
                Ok(Opt {
                    letter,
                    value: Some(value),
                })
            }
            Some(true) => match self.args.get(self.index + 1) {
                Some(next) => {
                    self.index += 1;
                    // Past the end of the value word, so the step below moves beyond it.
                    self.pos = next.to_bytes().len();
                    Ok(Opt {
                        letter,
                        value: Some(next.to_bytes()),
                    })
                }
                None => Err(GetoptError::MissingValue(letter)),
            },
        };
        if self.pos >= self.args[self.index].to_bytes().len() {
            self.index += 1;
            self.pos = 0;
        }
        Some(result)
    }
}

/// The getopt diagnostic, `NAME: illegal option -- C\n` or
/// `NAME: option requires an argument -- C\n`, where NAME is the basename of argv[0].
pub fn error_line(argv0: &[u8], error: GetoptError) -> Vec<u8> {
    let name = crate::path::basename(argv0);
    let (text, letter): (&[u8], u8) = match error {
        GetoptError::Illegal(c) => (b": illegal option -- ", c),
        GetoptError::MissingValue(c) => (b": option requires an argument -- ", c),
    };
    [name, text, &[letter], b"\n"].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed = (Vec<Result<(u8, Option<Vec<u8>>), GetoptError>>, Vec<String>);

    fn parse(words: &[&str], spec: &'static [u8]) -> Parsed {
        let owned: Vec<std::ffi::CString> = words
            .iter()
            .map(|w| std::ffi::CString::new(*w).unwrap())
            .collect();
        let args: Vec<&CStr> = owned.iter().map(|c| c.as_c_str()).collect();
        let mut g = Getopt::new(&args, spec);
        let mut opts = Vec::new();
        for r in g.by_ref() {
            let stop = r.is_err();
            opts.push(r.map(|o| (o.letter, o.value.map(|v| v.to_vec()))));
            if stop {
                break;
            }
        }
        let rest = g
            .operands()
            .iter()
            .map(|c| c.to_str().unwrap().to_owned())
            .collect();
        (opts, rest)
    }

    #[test]
    fn clustered_flags() {
        let (opts, rest) = parse(&["-dx", "svc"], b"udopchaitkx");
        assert_eq!(opts, vec![Ok((b'd', None)), Ok((b'x', None))]);
        assert_eq!(rest, vec!["svc"]);
    }

    #[test]
    fn attached_and_separate_values() {
        let (opts, rest) = parse(&["-o64", "-m", "-5", "prog"], b"m:o:");
        assert_eq!(
            opts,
            vec![
                Ok((b'o', Some(b"64".to_vec()))),
                Ok((b'm', Some(b"-5".to_vec())))
            ]
        );
        assert_eq!(rest, vec!["prog"]);
    }

    #[test]
    fn separate_values_longer_than_the_option_word() {
        let (opts, rest) = parse(&["-m", "1000000", "-o", "", "-t5", "prog"], b"m:o:t:");
        assert_eq!(
            opts,
            vec![
                Ok((b'm', Some(b"1000000".to_vec()))),
                Ok((b'o', Some(b"".to_vec()))),
                Ok((b't', Some(b"5".to_vec())))
            ]
        );
        assert_eq!(rest, vec!["prog"]);
    }

    #[test]
    fn double_dash_is_consumed_and_lone_dash_kept() {
        let (opts, rest) = parse(&["-n", "--", "-x"], b"nNxX");
        assert_eq!(opts, vec![Ok((b'n', None))]);
        assert_eq!(rest, vec!["-x"]);
        let (opts, rest) = parse(&["-", "-x"], b"nNxX");
        assert!(opts.is_empty());
        assert_eq!(rest, vec!["-", "-x"]);
    }

    #[test]
    fn any_word_starting_with_two_dashes_ends_the_options() {
        for word in ["---", "--foo", "--x"] {
            let (opts, rest) = parse(&["-d", word, "-u", "dir"], b"udopchaitkx");
            assert_eq!(opts, vec![Ok((b'd', None))], "word {word}");
            assert_eq!(rest, vec!["-u", "dir"], "word {word}");
        }
    }

    #[test]
    fn no_permutation() {
        let (opts, rest) = parse(&["-d", "dir", "-u"], b"udopchaitkx");
        assert_eq!(opts, vec![Ok((b'd', None))]);
        assert_eq!(rest, vec!["dir", "-u"]);
    }

    #[test]
    fn errors() {
        let (opts, _) = parse(&["-dz"], b"udopchaitkx");
        assert_eq!(
            opts,
            vec![Ok((b'd', None)), Err(GetoptError::Illegal(b'z'))]
        );
        let (opts, _) = parse(&["-o"], b"o:");
        assert_eq!(opts, vec![Err(GetoptError::MissingValue(b'o'))]);
        let (opts, _) = parse(&["-:"], b"o:");
        assert_eq!(opts, vec![Err(GetoptError::Illegal(b':'))]);
    }

    #[test]
    fn error_lines() {
        assert_eq!(
            error_line(b"/usr/bin/svc", GetoptError::Illegal(b'z')),
            b"svc: illegal option -- z\n"
        );
        assert_eq!(
            error_line(b"softlimit", GetoptError::MissingValue(b'o')),
            b"softlimit: option requires an argument -- o\n"
        );
    }
}
