//! Account lookup by name without NSS: reads /etc/passwd and hands it to `format::passwd`.
//!
//! Stands in for getpwnam(3) in a static binary. An unreadable passwd file finds nothing,
//! as getpwnam returns no entry then.

use crate::format::passwd::{self, Account};

/// Bytes read from the file at a time: the only memory a lookup needs, whatever the size
/// of the file.
const CHUNK: usize = 4096;

/// The account called `name` in /etc/passwd (open, read in pieces until found, close).
pub fn lookup(name: &[u8]) -> Option<Account> {
    let file = super::fd::open_read(passwd::PASSWD_FILE).ok()?;
    super::fd::set_nonblock(&file, false).ok()?;
    let mut finder = passwd::Finder::new(name);
    let mut chunk = [0u8; CHUNK];
    loop {
        match super::fd::read(&file, &mut chunk).ok()? {
            0 => return finder.finish(),
            n => {
                if let Some(account) = finder.feed(&chunk[..n]) {
                    return Some(account);
                }
            }
        }
    }
}

/// The gid of group `name` in /etc/group (open, read, close).
pub fn group_id(name: &[u8]) -> Option<u32> {
    let contents = super::fd::read_file(passwd::GROUP_FILE).ok()?;
    passwd::group_gid(&contents, name)
}
