//! envuidgid: run a program with `UID` and `GID` set to an account's ids.
//!
//! `envuidgid account child [args...]`: no options (`-x` is an account name). The account is
//! read from /etc/passwd (no NSS). Edits, in this order: `GID` = primary gid, `UID` = uid,
//! applied like envdir's (spec README §8), so an existing `GID` is replaced by the last
//! variable before the new one is appended. Nothing else changes, privileges included.
//!
//! Exit codes: the program's; 100 usage; 111 unknown account or the program cannot be run.

use crate::account;
use crate::exit;
use crate::format::envfile;
use crate::sys;
use std::ffi::CStr;

const PROG: &str = "envuidgid";
const USAGE: &str = "envuidgid account child";

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let (account, child) = match account::account_and_child(args) {
        Ok(found) => found,
        Err(account::Refused::Usage) => exit::usage(PROG, USAGE, exit::USAGE),
        Err(account::Refused::Unknown(e)) => e.die(PROG, exit::TEMP),
    };
    let edits = [
        envfile::edit(b"GID", Some(account.gid.to_string().as_bytes())),
        envfile::edit(b"UID", Some(account.uid.to_string().as_bytes())),
    ];
    let env = envfile::apply(sys::env::current(), &edits);
    exit::run_or_die(PROG, child, Some(&env))
}
