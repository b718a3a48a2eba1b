//! The one integration-test binary: each module tests one applet (or one concern) through
//! the applet symlinks of a sandbox.

mod common;
mod container;
mod envdir;
mod envuidgid;
mod fghack;
mod hooks;
mod image;
mod interop;
mod layout;
mod lifecycle;
mod memory;
mod multicall;
mod multilog;
mod multilog_forward;
mod pgrphack;
mod pid1;
mod qmail;
mod readproctitle;
mod runline;
mod setlock;
mod setuidgid;
mod softlimit;
mod supervise;
mod svc;
mod svok;
mod svreload;
mod svscan;
mod svscan_stop;
mod svscanboot;
mod svstat;
mod tai64n;
mod tai64nlocal;
