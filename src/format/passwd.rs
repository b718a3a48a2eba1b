//! /etc/passwd lines: `name:password:uid:gid:gecos:home:shell`.
//!
//! Pure parsing, no NSS and no I/O (the caller reads the file, in pieces of any size).
//! Follows the C library's "files" database: leading blanks are skipped, empty and `#` lines
//! are ignored, a line whose uid or gid is not a plain decimal number is skipped, and the
//! first line with the name wins. Unlike the C library, which holds a whole line and fails
//! when memory runs out on a very long one, nothing but a few numbers is held, so any file
//! is searched to its end.
//! Only what is used is decoded: uid and primary gid (the chain-loading tools), and a
//! group's gid from /etc/group (`name:password:gid:members`, tcpserver's `-g name`).

/// Where accounts are looked up.
pub const PASSWD_FILE: &[u8] = b"/etc/passwd";

/// Where groups are looked up.
pub const GROUP_FILE: &[u8] = b"/etc/group";

/// The gid of group `name` in the contents of a group file.
pub fn group_gid(group: &[u8], name: &[u8]) -> Option<u32> {
    group.split(|&b| b == b'\n').find_map(|line| {
        let start = line.iter().position(|b| !b.is_ascii_whitespace())?;
        let mut fields = line[start..].split(|&b| b == b':');
        let found = fields.next()? == name && !name.is_empty() && !name.starts_with(b"#");
        let _password = fields.next()?;
        found.then(|| decimal(fields.next()?)).flatten()
    })
}

/// A plain decimal number that fits in 32 bits.
fn decimal(field: &[u8]) -> Option<u32> {
    if field.is_empty() {
        return None;
    }
    field.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit().then_some(())?;
        append_digit(Some(n), d)
    })
}

/// The ids of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    pub uid: u32,
    pub gid: u32,
}

/// Where a line stands while it is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    /// Blanks before the name.
    Lead,
    /// In the name; `matched` bytes so far equal the wanted name's (`None`: it differs).
    Name {
        matched: Option<usize>,
    },
    Password,
    /// In the uid (`None`: not a number any more), with the digits seen.
    Uid {
        value: Option<u32>,
        digits: bool,
    },
    Gid {
        uid: u32,
        value: Option<u32>,
        digits: bool,
    },
    /// The line cannot give the account: ignore it up to its newline.
    Skip,
}

/// Looks for one account in a passwd file read piece by piece, so a file of any size, or
/// with lines of any length, is searched in constant memory. The first line that has the
/// name and parses wins.
pub struct Finder<'n> {
    name: &'n [u8],
    field: Field,
    found: Option<Account>,
}

/// Appends decimal digit `d` to `value`, `None` past `u32::MAX`.
fn append_digit(value: Option<u32>, d: u8) -> Option<u32> {
    value?.checked_mul(10)?.checked_add(u32::from(d - b'0'))
}

impl<'n> Finder<'n> {
    /// A search for the account called `name`.
    pub fn new(name: &'n [u8]) -> Self {
        Finder {
            name,
            field: Field::Lead,
            found: None,
        }
    }

    /// Reads the next bytes of the file; returns the account once it is found (the rest of
    /// the file need not be read).
    pub fn feed(&mut self, bytes: &[u8]) -> Option<Account> {
        for &b in bytes {
            if self.found.is_some() {
                break;
            }
            self.step(b);
        }
        self.found
    }

    /// End of file: a last line without its newline counts too.
    pub fn finish(mut self) -> Option<Account> {
        self.step(b'\n');
        self.found
    }

    fn step(&mut self, b: u8) {
        use Field::*;
        self.field = match (self.field, b) {
            (
                Gid {
                    uid,
                    value: Some(gid),
                    digits: true,
                },
                b'\n' | b':',
            ) => {
                self.found = Some(Account { uid, gid });
                Skip
            }
            (_, b'\n') => Lead,
            (Lead, b'#') => Skip,
            (Lead, b) if b.is_ascii_whitespace() => Lead,
            (Lead, _) => return self.name_byte(Some(0), b),
            (Name { matched }, _) => return self.name_byte(matched, b),
            (Password, b':') => Uid {
                value: Some(0),
                digits: false,
            },
            (Password, _) => Password,
            (
                Uid {
                    value: Some(uid),
                    digits: true,
                },
                b':',
            ) => Gid {
                uid,
                value: Some(0),
                digits: false,
            },
            (Uid { value, .. }, b'0'..=b'9') => Uid {
                value: append_digit(value, b),
                digits: true,
            },
            (Gid { uid, value, .. }, b'0'..=b'9') => Gid {
                uid,
                value: append_digit(value, b),
                digits: true,
            },
            (Uid { .. } | Gid { .. } | Skip, _) => Skip,
        };
    }

    fn name_byte(&mut self, matched: Option<usize>, b: u8) {
        self.field = match (matched, b) {
            (Some(n), b':') if n > 0 && n == self.name.len() => Field::Password,
            (_, b':') => Field::Skip,
            (Some(n), b) if self.name.get(n) == Some(&b) => Field::Name {
                matched: Some(n + 1),
            },
            _ => Field::Name { matched: None },
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(passwd: &[u8], name: &[u8]) -> Option<Account> {
        let mut finder = Finder::new(name);
        finder.feed(passwd).or_else(|| finder.finish())
    }

    const SAMPLE: &[u8] = b"root:x:0:0:root:/root:/bin/bash\n\
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
        # comment:x:5:5\n\
        \n\
        \x20 indented:x:7:8:::\n\
        bad:x:12a:3:::\n\
        huge:x:4294967296:3:::\n\
        short:x:9\n\
        nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n\
        nobody:x:1:1:second:/:/bin/sh\n\
        max:x:4294967295:0\n\
        last:x:42:43:no newline";

    /// (account name, expected (uid, gid)).
    type Case = (&'static [u8], Option<(u32, u32)>);

    #[test]
    fn finds_accounts() {
        let cases: &[Case] = &[
            (b"root", Some((0, 0))),
            (b"daemon", Some((1, 1))),
            (b"nobody", Some((65534, 65534))),
            (b"indented", Some((7, 8))),
            (b"max", Some((u32::MAX, 0))),
            (b"last", Some((42, 43))),
            (b"# comment", None),
            (b"bad", None),
            (b"huge", None),
            (b"short", None),
            (b"", None),
            (b"roo", None),
            (b"root:x", None),
            (b"nosuchuser", None),
        ];
        for (name, expected) in cases {
            let got = find(SAMPLE, name).map(|a| (a.uid, a.gid));
            assert_eq!(got, *expected, "name {:?}", String::from_utf8_lossy(name));
        }
    }

    #[test]
    fn groups() {
        let group = b"root:x:0:\nmail:x:8:\n  indented:x:9:a,b\nbad:x:z:\n#c:x:5:\nbig:x:4294967296:\nlast:x:10";
        assert_eq!(group_gid(group, b"root"), Some(0));
        assert_eq!(group_gid(group, b"mail"), Some(8));
        assert_eq!(group_gid(group, b"indented"), Some(9));
        assert_eq!(group_gid(group, b"last"), Some(10));
        assert_eq!(group_gid(group, b"bad"), None);
        assert_eq!(group_gid(group, b"big"), None);
        assert_eq!(group_gid(group, b"#c"), None);
        assert_eq!(group_gid(group, b"nosuch"), None);
        assert_eq!(group_gid(group, b""), None);
    }

    #[test]
    fn every_split_finds_the_same() {
        for name in [&b"max"[..], b"last", b"nobody", b"bad", b"indented"] {
            let whole = find(SAMPLE, name);
            for at in 0..=SAMPLE.len() {
                let mut finder = Finder::new(name);
                let got = finder
                    .feed(&SAMPLE[..at])
                    .or_else(|| finder.feed(&SAMPLE[at..]))
                    .or_else(|| finder.finish());
                assert_eq!(got, whole, "split at {at}");
            }
        }
    }

    #[test]
    fn odd_lines() {
        type Case = (&'static [u8], &'static [u8], Option<(u32, u32)>);
        let cases: &[Case] = &[
            (b"daemon:x:1:2", b"daemon", Some((1, 2))),
            (b"daemon:x::2:::", b"daemon", None),
            (b"daemon:x:+1:2:::", b"daemon", None),
            (b":x:1:2:::", b"", None),
            (b"   ", b"", None),
            (b"a b:x:1:2", b"a b", Some((1, 2))),
            (b"\t\r\x0c a:x:1:2\n", b"a", Some((1, 2))),
            (b"a:x:1:2\r\na:x:3:4", b"a", Some((3, 4))),
            (b"a:x:1:\na:x:5:6", b"a", Some((5, 6))),
            (b"a:x:1:2:", b"a", Some((1, 2))),
            (b"a:x:1:2x", b"a", None),
        ];
        for (file, name, expected) in cases {
            let got = find(file, name).map(|a| (a.uid, a.gid));
            assert_eq!(got, *expected, "{:?}", String::from_utf8_lossy(file));
        }
    }
}
