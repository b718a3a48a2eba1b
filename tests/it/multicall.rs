//! Dispatch by argv[0], `daemonbox APPLET`, `--list`, `--install`, unknown names.

use crate::common::*;
use std::os::unix::fs::symlink;

#[test]
fn list_prints_every_applet() {
    let sb = Sandbox::new();
    let out = sb.run("bin/daemonbox", &["--list"]);
    let expected: String = APPLETS.iter().map(|a| format!("{a}\n")).collect();
    assert_output(&out, 0, expected.as_bytes(), b"");
}

#[test]
fn applet_as_first_argument() {
    let sb = Sandbox::new();
    let out = sb.run("bin/daemonbox", &["svok"]);
    assert_output(&out, 100, b"", b"svok: usage: svok dir\n");
}

#[test]
fn applet_by_symlink_name_anywhere() {
    let sb = Sandbox::new();
    symlink(daemonbox(), sb.join("svok")).unwrap();
    let out = sb.run(sb.join("svok"), &[]);
    assert_output(&out, 100, b"", b"svok: usage: svok dir\n");
}

#[test]
fn unknown_names_exit_100() {
    let sb = Sandbox::new();
    symlink(daemonbox(), sb.join("nosuch")).unwrap();
    let out = sb.run(sb.join("nosuch"), &["x"]);
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: fatal: unknown applet nosuch (daemonbox --list shows the applets)\n",
    );
    let out = sb.run("bin/daemonbox", &["svcx"]);
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: fatal: unknown applet svcx (daemonbox --list shows the applets)\n",
    );
}

#[test]
fn bare_daemonbox_is_a_usage_error() {
    let sb = Sandbox::new();
    let out = sb.run("bin/daemonbox", &[]);
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: usage: daemonbox APPLET [ARG ...] | daemonbox --list | daemonbox --install DIR [--force]\n",
    );
}

#[test]
fn install_creates_links_and_refuses_foreign_files() {
    let sb = Sandbox::new();
    let dir = sb.mkdir("links");
    let out = sb.run("bin/daemonbox", &["--install", "links"]);
    assert_output(&out, 0, b"", b"");
    for name in APPLETS {
        let target = std::fs::read_link(dir.join(name)).unwrap();
        assert_eq!(target.file_name().unwrap(), "daemonbox");
    }
    // Re-running over our own links is fine.
    let out = sb.run("bin/daemonbox", &["--install", "links"]);
    assert_output(&out, 0, b"", b"");
    // A foreign file is left alone without --force.
    std::fs::remove_file(dir.join("svc")).unwrap();
    std::fs::write(dir.join("svc"), "mine").unwrap();
    let out = sb.run("bin/daemonbox", &["--install", "links"]);
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: fatal: refusing to replace links/svc (use --force)\n",
    );
    assert_eq!(std::fs::read(dir.join("svc")).unwrap(), b"mine");
    let out = sb.run("bin/daemonbox", &["--install", "links", "--force"]);
    assert_output(&out, 0, b"", b"");
    assert!(
        std::fs::symlink_metadata(dir.join("svc"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn install_into_missing_directory_fails() {
    let sb = Sandbox::new();
    let out = sb.run("bin/daemonbox", &["--install", "nodir"]);
    assert_output(
        &out,
        111,
        b"",
        b"daemonbox: fatal: unable to create nodir/envdir: file does not exist\n",
    );
}
