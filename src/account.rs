//! The `account child...` command line shared by envuidgid and setuidgid: the usage check
//! and the account lookup, dying in daemontools' words (usage 100, unknown account 111).

use crate::exit;
use crate::format::passwd::Account;
use crate::sys;
use std::ffi::CStr;

/// The account named by `args[1]` and the child command line `args[2..]`; exits with the
/// usage line when either is missing and with `unknown account NAME` when there is no such
/// account in /etc/passwd.
pub fn account_and_child<'a>(
    prog: &str,
    usage: &str,
    args: &'a [&'a CStr],
) -> (Account, &'a [&'a CStr]) {
    let (Some(name), Some(_)) = (args.get(1), args.get(2)) else {
        exit::usage(prog, usage, exit::USAGE)
    };
    let name = name.to_bytes();
    match sys::account::lookup(name) {
        Some(account) => (account, &args[2..]),
        None => exit::die(prog, &[b"unknown account ", name], exit::TEMP),
    }
}
