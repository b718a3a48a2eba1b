//! daemonbox's modules as a library for the fuzz targets: the same module tree as
//! `src/main.rs` (without its entry point), so the pure code compiles unchanged, plus the
//! checks the targets run. Nothing here is shipped.
// Most of the tree is unused by the targets.
#![allow(dead_code, unused_imports)]

/// `src/` as a directory, so that each file's own submodules (`multicall/own.rs`, ...) are
/// found where the binary finds them; re-exported below under the binary's paths.
#[path = "../../src"]
mod src {
    pub mod account;
    pub mod alloc;
    pub mod buffer;
    pub mod error;
    pub mod errtext;
    pub mod exit;
    pub mod format;
    pub mod getopt;
    pub mod hooks;
    pub mod ident;
    pub mod multicall;
    pub mod path;
    pub mod resolver;
    pub mod svdir;
    pub mod svwatch;
    pub mod sys;
    pub mod ucspi;
}
use src::{
    account, alloc, buffer, error, errtext, exit, format, getopt, hooks, ident, multicall,
    path, resolver, svdir, svwatch, sys, ucspi,
};

#[path = "../../applets/mod.rs"]
mod applets;
#[path = "../checks/mod.rs"]
pub mod checks;
