//! Command lines: daemontools' getopt, runline's word splitter.

use super::{Input, words};
use crate::applets::runline;
use crate::getopt::{Getopt, GetoptError};
use std::ffi::CStr;

/// The option strings the applets use, and a few odd ones.
const SPECS: &[&[u8]] = &[
    b"1g:",
    b"a:c:d:f:l:m:o:p:r:s:t:",
    b"nNxX",
    b"udopchaitkx",
    b"",
    b":",
    b"a::b",
    b"-:",
];

/// Options come back in order, each letter from the option string with a value exactly
/// when the string says so; parsing ends and the operands are the rest of the words.
pub fn getopt(data: &[u8]) {
    let mut input = Input::new(data);
    let spec = SPECS[usize::from(input.byte()) % SPECS.len()];
    let owned = words(input.rest());
    let args: Vec<&CStr> = owned.iter().map(|a| a.as_c_str()).collect();
    let letters: usize = args.iter().map(|a| a.to_bytes().len()).sum();
    let mut parser = Getopt::new(&args, spec);
    let mut count = 0;
    for item in parser.by_ref() {
        count += 1;
        assert!(count <= letters, "more options than letters");
        let (letter, value) = match item {
            Ok(opt) => (opt.letter, opt.value.is_some()),
            Err(GetoptError::Illegal(c)) => {
                assert!(c == b':' || !spec.contains(&c));
                continue;
            }
            Err(GetoptError::MissingValue(c)) => (c, true),
        };
        let at = spec.iter().position(|&c| c == letter && c != b':');
        let at = at.unwrap_or_else(|| panic!("{letter} is not in {spec:?}"));
        assert_eq!(spec.get(at + 1) == Some(&b':'), value);
    }
    let operands = parser.operands();
    assert!(operands.len() <= args.len());
    assert_eq!(operands, &args[args.len() - operands.len()..]);
}

/// `words` quoted the way a person would quote them in a run file: each in single quotes,
/// a single quote as `'\''`, separated by blanks.
fn quoted(words: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for word in words {
        out.push(b'\'');
        for &b in word {
            if b == b'\'' {
                out.extend_from_slice(b"'\\''");
            } else {
                out.push(b);
            }
        }
        out.extend_from_slice(b"' ");
    }
    out
}

/// runline's splitter: what it accepts is a non-empty list of words without NUL, which
/// read back the same once quoted; any list of words, quoted, reads back as itself.
pub fn runline(data: &[u8]) {
    if let Ok(list) = runline::words(data) {
        assert!(!list.is_empty());
        assert!(list.iter().all(|w| !w.contains(&0)));
        assert_eq!(runline::words(&quoted(&list)), Ok(list));
    }
    let list: Vec<Vec<u8>> = data.split(|&b| b == 0).map(<[u8]>::to_vec).collect();
    assert_eq!(runline::words(&quoted(&list)), Ok(list));
}
