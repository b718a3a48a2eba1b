//! The `account child...` command line shared by envuidgid and setuidgid: the usage check
//! and the account lookup. The applets say what a refusal means (usage 100, unknown account
//! 111).

use crate::error::Error;
use crate::format::passwd::Account;
use crate::sys;
use std::ffi::CStr;

/// Why the command line cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The account or the child is missing.
    Usage,
    /// `unknown account NAME`: no such account in /etc/passwd.
    Unknown(Error),
}

/// The account named by `args[1]` and the child command line `args[2..]`.
pub fn account_and_child<'a>(args: &'a [&'a CStr]) -> Result<(Account, &'a [&'a CStr]), Refused> {
    let (Some(name), Some(_)) = (args.get(1), args.get(2)) else {
        return Err(Refused::Usage);
    };
    let name = name.to_bytes();
    match sys::account::lookup(name) {
        Some(account) => Ok((account, &args[2..])),
        None => Err(Refused::Unknown(Error::plain(&[b"unknown account ", name]))),
    }
}
