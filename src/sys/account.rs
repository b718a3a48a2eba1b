//! Account lookup by name without NSS: reads /etc/passwd and hands it to `format::passwd`.
//!
//! Stands in for getpwnam(3) in a static binary. An unreadable passwd file finds nothing,
//! as getpwnam returns no entry then.

use crate::format::passwd::{self, Account};

/// The account called `name` in /etc/passwd (open, read, close).
pub fn lookup(name: &[u8]) -> Option<Account> {
    let contents = super::fd::read_file(passwd::PASSWD_FILE).ok()?;
    passwd::find(&contents, name)
}

/// The gid of group `name` in /etc/group (open, read, close).
pub fn group_id(name: &[u8]) -> Option<u32> {
    let contents = super::fd::read_file(passwd::GROUP_FILE).ok()?;
    passwd::group_gid(&contents, name)
}
