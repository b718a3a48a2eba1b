//! A minimal root for chroot tests: the daemonbox executable in `bin/` plus, for a dynamic
//! test build, exactly the loader and libraries `ldd` names. No shell, no `/proc`, no other
//! program: whatever runs inside is daemonbox.

use super::{Sandbox, copy_executable, daemonbox, is_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds the root at sandbox path `rel`; returns its path.
pub fn minimal_root(sb: &Sandbox, rel: &str) -> PathBuf {
    assert!(is_root(), "chroot tests need root (CI runs them as root)");
    let root = sb.mkdir(rel);
    std::fs::create_dir_all(root.join("bin")).unwrap();
    copy_executable(daemonbox(), root.join("bin/daemonbox"));
    let ldd = Command::new("ldd").arg(daemonbox()).output().unwrap();
    for lib in String::from_utf8_lossy(&ldd.stdout)
        .split_whitespace()
        .filter(|w| w.starts_with('/'))
    {
        let inside = root.join(lib.trim_start_matches('/'));
        std::fs::create_dir_all(inside.parent().unwrap()).unwrap();
        copy_executable(lib, inside);
    }
    assert!(!root.join("proc").exists() && !root.join("bin/sh").exists());
    root
}

/// `chroot ROOT ARGS...` with only `PATH=/bin` in the environment.
pub fn chroot(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("/usr/sbin/chroot");
    cmd.env_clear().env("PATH", "/bin").arg(root).args(args);
    cmd
}
