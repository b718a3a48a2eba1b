//! /etc/passwd lines: `name:password:uid:gid:gecos:home:shell`.
//!
//! Pure parsing, no NSS and no I/O (the caller reads the file). Follows the C library's
//! "files" database: leading blanks are skipped, empty and `#` lines are ignored, a line whose
//! uid or gid is not a plain decimal number is skipped, and the first line with the name wins.
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
        found.then(|| number(fields.next()?)).flatten()
    })
}

/// The ids of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Account {
    pub uid: u32,
    pub gid: u32,
}

fn number(field: &[u8]) -> Option<u32> {
    if field.is_empty() || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    field.iter().try_fold(0u32, |n, &d| {
        n.checked_mul(10)?.checked_add(u32::from(d - b'0'))
    })
}

/// Parses one line (without its newline): the name and the account, or `None` for a line
/// the database would skip.
pub fn parse_line(line: &[u8]) -> Option<(&[u8], Account)> {
    let start = line.iter().position(|b| !b.is_ascii_whitespace())?;
    let line = &line[start..];
    if line.first() == Some(&b'#') {
        return None;
    }
    let mut fields = line.split(|&b| b == b':');
    let name = fields.next()?;
    let _password = fields.next()?;
    let uid = number(fields.next()?)?;
    let gid = number(fields.next()?)?;
    (!name.is_empty()).then_some((name, Account { uid, gid }))
}

/// The account called `name` in the contents of a passwd file.
pub fn find(passwd: &[u8], name: &[u8]) -> Option<Account> {
    passwd
        .split(|&b| b == b'\n')
        .filter_map(parse_line)
        .find(|(n, _)| *n == name)
        .map(|(_, account)| account)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let group = b"root:x:0:\nmail:x:8:\n  indented:x:9:a,b\nbad:x:z:\n#c:x:5:\nlast:x:10";
        assert_eq!(group_gid(group, b"root"), Some(0));
        assert_eq!(group_gid(group, b"mail"), Some(8));
        assert_eq!(group_gid(group, b"indented"), Some(9));
        assert_eq!(group_gid(group, b"last"), Some(10));
        assert_eq!(group_gid(group, b"bad"), None);
        assert_eq!(group_gid(group, b"#c"), None);
        assert_eq!(group_gid(group, b"nosuch"), None);
        assert_eq!(group_gid(group, b""), None);
    }

    #[test]
    fn line_parsing() {
        assert_eq!(
            parse_line(b"daemon:x:1:2"),
            Some((&b"daemon"[..], Account { uid: 1, gid: 2 }))
        );
        assert_eq!(parse_line(b"daemon:x::2:::"), None);
        assert_eq!(parse_line(b"daemon:x:+1:2:::"), None);
        assert_eq!(parse_line(b":x:1:2:::"), None);
        assert_eq!(parse_line(b"   "), None);
        assert_eq!(parse_line(b""), None);
    }
}
