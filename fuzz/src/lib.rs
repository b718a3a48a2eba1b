//! daemonbox's modules as a library for the fuzz targets: the same module tree as
//! `src/main.rs` (without its entry point), so the pure code compiles unchanged, plus the
//! checks the targets run. Nothing here is shipped.
// Most of the tree is unused by the targets.
#![allow(dead_code, unused_imports)]

#[path = "../../src/account.rs"]
mod account;
#[path = "../../src/alloc.rs"]
mod alloc;
#[path = "../../applets/mod.rs"]
mod applets;
#[path = "../../src/buffer.rs"]
mod buffer;
#[path = "../checks/mod.rs"]
pub mod checks;
#[path = "../../src/error.rs"]
mod error;
#[path = "../../src/errtext.rs"]
mod errtext;
#[path = "../../src/exit.rs"]
mod exit;
#[path = "../../src/format/mod.rs"]
mod format;
#[path = "../../src/getopt.rs"]
mod getopt;
#[path = "../../src/multicall.rs"]
mod multicall;
#[path = "../../src/path.rs"]
mod path;
#[path = "../../src/svdir.rs"]
mod svdir;
#[path = "../../src/svwatch.rs"]
mod svwatch;
#[path = "../../src/sys/mod.rs"]
mod sys;
