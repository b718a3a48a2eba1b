//! pgrphack: run a program as the leader of a new session and process group.
//!
//! `pgrphack child [args...]`: no options. setsid(2) errors are ignored (a process that
//! already leads a group stays where it is); then the program is run.
//!
//! Exit codes: the program's; 100 usage; 111 the program cannot be run.

use crate::exit;
use crate::sys;
use std::ffi::CStr;

const PROG: &str = "pgrphack";
const USAGE: &str = "pgrphack child";

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    if args.len() < 2 {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    // Already a group leader: 0.76 carries on in the current session.
    let _ = sys::proc::setsid();
    exit::run_or_die(PROG, &args[1..], None)
}
