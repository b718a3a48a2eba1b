//! The syscall layer: the only code that calls rustix, libc or std's OS interfaces.
//!
//! Conventions, the same in every submodule:
//! * A function makes one system call (or one tight retry loop of it) and says which in
//!   its first doc line. Errors come back as `rustix::io::Errno`, re-exported here.
//! * EINTR is retried inside, except where a caller must see it (said in the doc).
//! * Every descriptor opened here is close-on-exec unless its function says otherwise;
//!   descriptors are `OwnedFd` (closed on drop) or `BorrowedFd`.
//! * Descriptors 0-2 are never assumed open: the entry point does not reopen them, so
//!   writing to a closed one fails with EBADF and the caller decides what that means.

pub mod account;
pub mod args;
pub mod clock;
pub mod dir;
pub mod env;
pub mod exec;
pub mod fd;
pub mod fifo;
pub mod inotify;
pub mod lock;
pub mod pipe;
pub mod poll;
pub mod proc;
pub mod signal;
pub mod spawn;

pub use rustix::fd::{AsFd, BorrowedFd, OwnedFd};
pub use rustix::io::Errno;

/// Result of a system call.
pub type Result<T> = std::result::Result<T, Errno>;

pub mod localtime;
