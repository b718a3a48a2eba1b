//! The one integration-test binary: each module tests one applet (or one concern) through
//! the applet symlinks of a sandbox.

mod common;
mod layout;
mod multicall;
mod envdir;
mod envuidgid;
mod setuidgid;
mod softlimit;
mod setlock;
mod pgrphack;
mod fghack;
mod readproctitle;
mod tai64n;
mod tai64nlocal;
mod supervise;
mod svc;
mod svok;
mod svstat;
mod interop;
mod svscan;
mod svscanboot;
mod pid1;
mod multilog;
