//! multilog's script (pure): the command-line arguments turned into actions.
//!
//! Every argument is one action, recognised by its first byte only (spec §4): `t` (first
//! argument only), `+PAT`, `-PAT`, `e`, `=FILE`, `sSIZE`, `nNUM`, `!PROCESSOR`, and a log
//! directory starting with `.` or `/`; beyond 0.76, `1PREFIX` forwards selected lines to
//! stdout with PREFIX in front (0.76 ignores it). Anything else, including an empty
//! argument, is ignored.
//! `s`, `n` and `!` are positional: they set what the directories to their right get. Sizes
//! and counts are read as leading digits that wrap on overflow, then clamped as 0.76 does.

use std::ffi::CStr;

/// Size limit of `current` when no `s` precedes a directory.
pub const DEFAULT_SIZE: u64 = 99_999;
/// Smallest size an `s` action can set.
pub const MIN_SIZE: u64 = 4096;
/// Largest size an `s` action can set.
pub const MAX_SIZE: u64 = 16_777_215;
/// Number of log files when no `n` precedes a directory.
pub const DEFAULT_NUM: u64 = 10;
/// Smallest number of log files an `n` action can set.
pub const MIN_NUM: u64 = 2;

/// One step of the walk every line makes through the script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<'a> {
    /// `+PATTERN`: select the line if it matches.
    Select(&'a [u8]),
    /// `-PATTERN`: deselect the line if it matches.
    Deselect(&'a [u8]),
    /// `e`: copy a selected line to stderr.
    Stderr,
    /// `=FILE`: overwrite status file number N with a selected line.
    Status(usize),
    /// A log directory (number N) records whether the line is selected here.
    Dir(usize),
    /// `1PREFIX`: forward number N takes the line if it is selected here.
    Forward(usize),
}

/// A log directory and the settings in force where it appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirSpec<'a> {
    /// As written on the command line; also the name used in messages.
    pub path: &'a [u8],
    /// Maximum size of `current` in bytes.
    pub size: u64,
    /// Number of log files kept (NUM − 1 old ones plus `current`).
    pub num: u64,
    /// The `!` processor, if one precedes the directory (possibly empty).
    pub processor: Option<&'a CStr>,
}

/// The parsed script.
#[derive(Debug, PartialEq, Eq)]
pub struct Script<'a> {
    /// `t`: prefix every line with a TAI64N label and a space.
    pub timestamp: bool,
    pub actions: Vec<Action<'a>>,
    pub dirs: Vec<DirSpec<'a>>,
    /// The `=` files, in script order.
    pub status_files: Vec<&'a [u8]>,
    /// The prefixes of the `1` forwards to stdout, in script order.
    pub forwards: Vec<&'a [u8]>,
}

impl<'a> Script<'a> {
    /// Parses the arguments after the program name.
    pub fn parse(args: &[&'a CStr]) -> Script<'a> {
        let timestamp = args
            .first()
            .is_some_and(|a| a.to_bytes().first() == Some(&b't'));
        let mut script = Script {
            timestamp,
            actions: Vec::new(),
            dirs: Vec::new(),
            status_files: Vec::new(),
            forwards: Vec::new(),
        };
        let (mut size, mut num, mut processor) = (DEFAULT_SIZE, DEFAULT_NUM, None);
        for arg in args {
            let bytes = arg.to_bytes();
            let Some((&first, rest)) = bytes.split_first() else {
                continue;
            };
            match first {
                b'+' => script.actions.push(Action::Select(rest)),
                b'-' => script.actions.push(Action::Deselect(rest)),
                b'e' => script.actions.push(Action::Stderr),
                b'=' => {
                    script
                        .actions
                        .push(Action::Status(script.status_files.len()));
                    script.status_files.push(rest);
                }
                b'1' => {
                    script.actions.push(Action::Forward(script.forwards.len()));
                    script.forwards.push(rest);
                }
                b's' => size = leading_number(rest).clamp(MIN_SIZE, MAX_SIZE),
                b'n' => num = leading_number(rest).max(MIN_NUM),
                b'!' => processor = Some(&arg[1..]),
                b'.' | b'/' => {
                    script.actions.push(Action::Dir(script.dirs.len()));
                    script.dirs.push(DirSpec {
                        path: bytes,
                        size,
                        num,
                        processor,
                    });
                }
                _ => {}
            }
        }
        script
    }

    /// How many places take selected lines: the directories, then the forwards.
    pub fn targets(&self) -> usize {
        self.dirs.len() + self.forwards.len()
    }

    /// Does any line depend on its content (patterns) or go anywhere but the directories?
    /// Without such actions every line goes to every directory unexamined.
    pub fn examines_lines(&self) -> bool {
        self.actions.iter().any(|a| !matches!(a, Action::Dir(_)))
    }
}

/// The number made of the leading ASCII digits (0 if none), wrapping like an unsigned long.
pub fn leading_number(text: &[u8]) -> u64 {
    text.iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0u64, |n, &d| {
            n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn with_script<R>(args: &[&str], f: impl FnOnce(&Script) -> R) -> R {
        let owned: Vec<CString> = args.iter().map(|a| CString::new(*a).unwrap()).collect();
        let refs: Vec<&CStr> = owned.iter().map(|c| c.as_c_str()).collect();
        f(&Script::parse(&refs))
    }

    #[test]
    fn numbers_are_leading_digits_that_wrap() {
        assert_eq!(leading_number(b""), 0);
        assert_eq!(leading_number(b"ABC"), 0);
        assert_eq!(leading_number(b"1k"), 1);
        assert_eq!(leading_number(b"4096"), 4096);
        assert_eq!(leading_number(b"18446744073709551615"), u64::MAX);
        assert_eq!(leading_number(b"18446744073709551616"), 0);
        assert_eq!(leading_number(b"18446744073709551617x9"), 1);
    }

    #[test]
    fn sizes_and_counts_are_clamped_and_positional() {
        let args = [
            "./a",
            "s1k",
            "n0",
            "./b",
            "s99999999",
            "n1",
            "./c",
            "sABC",
            "n18446744073709551619",
            "./d",
            "s5000",
            "n3",
            "/e",
        ];
        with_script(&args, |s| {
            let got: Vec<(u64, u64)> = s.dirs.iter().map(|d| (d.size, d.num)).collect();
            assert_eq!(
                got,
                [
                    (DEFAULT_SIZE, DEFAULT_NUM),
                    (MIN_SIZE, MIN_NUM),
                    (MAX_SIZE, MIN_NUM),
                    (MIN_SIZE, 3),
                    (5000, 3)
                ]
            );
            assert_eq!(s.dirs[4].path, b"/e");
        });
    }

    #[test]
    fn timestamp_only_as_first_argument() {
        with_script(&["tfoo", "./a"], |s| assert!(s.timestamp));
        with_script(&["e", "t", "e"], |s| {
            assert!(!s.timestamp);
            assert_eq!(s.actions, [Action::Stderr, Action::Stderr]);
        });
        with_script(&[], |s| assert!(!s.timestamp));
    }

    #[test]
    fn actions_in_order_and_unknown_ones_ignored() {
        with_script(
            &[
                "t", "-*", "+a*", "error", "=st", "", "main", "x", "./A", "=/tmp/s2", "/B",
            ],
            |s| {
                assert_eq!(
                    s.actions,
                    [
                        Action::Deselect(b"*"),
                        Action::Select(b"a*"),
                        Action::Stderr,
                        Action::Status(0),
                        Action::Dir(0),
                        Action::Status(1),
                        Action::Dir(1),
                    ]
                );
                assert_eq!(s.status_files, [&b"st"[..], b"/tmp/s2"]);
                assert!(s.examines_lines());
            },
        );
    }

    #[test]
    fn processors_are_positional_and_may_be_empty() {
        with_script(&["./a", "!tr a-z A-Z", "./b", "!", "./c"], |s| {
            assert_eq!(s.dirs[0].processor, None);
            assert_eq!(s.dirs[1].processor.unwrap().to_bytes(), b"tr a-z A-Z");
            assert_eq!(s.dirs[2].processor.unwrap().to_bytes(), b"");
            assert!(!s.examines_lines());
        });
    }
}
