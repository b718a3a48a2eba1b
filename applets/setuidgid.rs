//! setuidgid: run a program as another account.
//!
//! `setuidgid account child [args...]`: no options. The account is read from /etc/passwd (no
//! NSS). Calls setgroups([gid]) (every supplementary group is dropped), setgid(gid),
//! setuid(uid), then runs the program with the environment unchanged (`UID`, `HOME`, `USER`
//! are neither read nor set). The PATH search happens after the switch, so it sees the
//! directories the new account may search.
//!
//! Exit codes: the program's; 100 usage; 111 unknown account, a failed switch, or the
//! program cannot be run.

use crate::account;
use crate::exit;
use crate::sys;
use std::ffi::CStr;

const PROG: &str = "setuidgid";
const USAGE: &str = "setuidgid account child";

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let (account, child) = match account::account_and_child(args) {
        Ok(found) => found,
        Err(account::Refused::Usage) => exit::usage(PROG, USAGE, exit::USAGE),
        Err(account::Refused::Unknown(e)) => e.die(PROG, exit::TEMP),
    };
    if let Err(e) =
        sys::proc::setgroups(&[account.gid]).and_then(|()| sys::proc::setgid(account.gid))
    {
        exit::die_sys(PROG, &[b"unable to setgid"], e, exit::TEMP);
    }
    if let Err(e) = sys::proc::setuid(account.uid) {
        exit::die_sys(PROG, &[b"unable to setuid"], e, exit::TEMP);
    }
    exit::run_or_die(PROG, child, None)
}
