//! The one integration-test binary: each module tests one applet (or one concern) through
//! the applet symlinks of a sandbox.

mod common;
mod envdir;
mod envuidgid;
mod fghack;
mod interop;
mod layout;
mod memory;
mod multicall;
mod multilog;
mod pgrphack;
mod pid1;
mod readproctitle;
mod setlock;
mod setuidgid;
mod softlimit;
mod supervise;
mod svc;
mod svok;
mod svscan;
mod svscanboot;
mod svstat;
mod tai64n;
mod tai64nlocal;
