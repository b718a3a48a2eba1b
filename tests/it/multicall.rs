//! Dispatch by argv[0] (any `daemonbox*` name acts as daemonbox), `daemonbox APPLET`, the own
//! commands `--list`, `--help`, `--version`, `--install`, and their errors.

use crate::common::*;
use std::os::unix::fs::symlink;
use std::path::Path;

const HINT_HELP: &str = "(bin/daemonbox --help shows the usage)";

fn list_output() -> String {
    APPLETS.iter().map(|a| format!("{a}\n")).collect()
}

#[test]
fn list_prints_every_applet() {
    let sb = Sandbox::new();
    let out = sb.run("bin/daemonbox", &["--list"]);
    assert_output(&out, 0, list_output().as_bytes(), b"");
}

#[test]
fn renamed_copy_acts_as_daemonbox_and_its_hints_name_it() {
    let sb = Sandbox::new();
    copy_executable(daemonbox(), sb.join("daemonbox-x86_64"));
    let out = sb.run("./daemonbox-x86_64", &["--list"]);
    assert_output(&out, 0, list_output().as_bytes(), b"");
    let out = sb.run("./daemonbox-x86_64", &["svok"]);
    assert_output(&out, 100, b"", b"svok: usage: svok dir\n");
    let out = sb.run("./daemonbox-x86_64", &["svcx"]);
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: fatal: unknown applet svcx (./daemonbox-x86_64 --list shows the applets)\n",
    );
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
        b"daemonbox: fatal: unknown applet svcx (bin/daemonbox --list shows the applets)\n",
    );
}

#[test]
fn version_names_the_crate_version_and_the_build() {
    let sb = Sandbox::new();
    // The test build is never the small one (scripts/test.sh checks that one's line).
    let kind = if cfg!(target_feature = "crt-static") {
        "static build"
    } else {
        "dynamic build"
    };
    let want = format!("daemonbox {} ({kind})\n", env!("CARGO_PKG_VERSION"));
    let out = sb.run("bin/daemonbox", &["--version"]);
    assert_output(&out, 0, want.as_bytes(), b"");
}

#[test]
fn help_lists_every_applet_with_the_readme_s_purpose() {
    let sb = Sandbox::new();
    let out = sb.run("bin/daemonbox", &["--help"]);
    assert_eq!(
        (out.status.code(), show(&out.stderr)),
        (Some(0), String::new())
    );
    let text = show(&out.stdout);
    let head = format!(
        "daemonbox {}: daemontools 0.76 as one executable\n\n\
         usage: bin/daemonbox APPLET [ARG ...]\n",
        env!("CARGO_PKG_VERSION")
    );
    assert!(text.starts_with(&head), "{text}");
    let (_, list) = text.split_once("\napplets:\n").expect("an applets section");
    let rows: Vec<(&str, &str)> = list
        .lines()
        .map(|l| {
            let l = l.strip_prefix("  ").unwrap();
            let (name, purpose) = l.split_once(' ').unwrap();
            (name, purpose.trim_start())
        })
        .collect();
    let names: Vec<&str> = rows.iter().map(|r| r.0).collect();
    assert_eq!(names, APPLETS);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for (name, purpose) in rows {
        let found = readme.lines().any(|l| {
            l.starts_with(&format!("| `{name}")) && l.ends_with(&format!("| {purpose} |"))
        });
        assert!(
            found,
            "README's applet table has no row `{name}` | {purpose}"
        );
    }
}

#[test]
fn bad_own_command_lines_are_fatal_with_a_hint() {
    let sb = Sandbox::new();
    for (args, message) in [
        (&["--bogus"][..], "unrecognized argument: --bogus"),
        (&["-h"], "unrecognized argument: -h"),
        (
            &["--list", "--install", "x"],
            "--list and --install exclude each other",
        ),
        (&["--install"], "--install needs a directory"),
        (
            &["--install", "x", "--target"],
            "no value provided for option '--target'",
        ),
        (&["--version", "extra"], "unexpected argument extra"),
        (&["--install", "a", "b"], "unexpected argument b"),
        (&["--version", "--force"], "--force goes with --install"),
    ] {
        let out = sb.run("bin/daemonbox", args);
        let want = format!("daemonbox: fatal: {message} {HINT_HELP}\n");
        assert_output(&out, 100, b"", want.as_bytes());
    }
}

#[test]
fn bare_daemonbox_is_a_usage_error() {
    let sb = Sandbox::new();
    let out = sb.run("bin/daemonbox", &[]);
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: usage: bin/daemonbox APPLET [ARG ...] | bin/daemonbox --list | --help | --version | --install DIR [--target PATH] [--force]\n",
    );
}

#[test]
fn install_creates_the_directory_and_links_to_the_executable() {
    let sb = Sandbox::new();
    let out = sb.run("bin/daemonbox", &["--install", "a/b/links"]);
    assert_output(&out, 0, b"", b"");
    let dir = sb.join("a/b/links");
    assert_eq!(mode_of(&dir), 0o755);
    assert_eq!(names_in(&dir), APPLETS);
    for name in APPLETS {
        assert_eq!(
            std::fs::read_link(dir.join(name)).unwrap(),
            sb.bin("daemonbox")
        );
    }
    let out = sb.run(dir.join("svok"), &[]);
    assert_output(&out, 100, b"", b"svok: usage: svok dir\n");
    // Again over its own links: nothing to do.
    let out = sb.run("bin/daemonbox", &["--install", "a/b/links"]);
    assert_output(&out, 0, b"", b"");
    assert_eq!(names_in(&dir), APPLETS);
}

#[test]
fn install_next_to_the_executable_links_by_bare_name_found_through_path() {
    let sb = Sandbox::new();
    let bin = sb.mkdir("img/bin");
    copy_executable(daemonbox(), bin.join("daemonbox"));
    let mut cmd = sb.command("daemonbox");
    cmd.env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .args(["--install", "img/bin"]);
    let out = cmd.output().unwrap();
    assert_output(&out, 0, b"", b"");
    for name in APPLETS {
        assert_eq!(
            std::fs::read_link(bin.join(name)).unwrap(),
            Path::new("daemonbox")
        );
    }
}

#[test]
fn install_with_a_target_writes_it_verbatim() {
    let sb = Sandbox::new();
    let bin = sb.mkdir("img/bin");
    copy_executable(daemonbox(), bin.join("daemonbox"));
    let out = sb.run(
        "bin/daemonbox",
        &["--install", "img/sbin", "--target", "../bin/daemonbox"],
    );
    assert_output(&out, 0, b"", b"");
    for name in APPLETS {
        let link = sb.join("img/sbin").join(name);
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("../bin/daemonbox")
        );
    }
    let out = sb.run(sb.join("img/sbin/svok"), &[]);
    assert_output(&out, 100, b"", b"svok: usage: svok dir\n");
}

#[test]
fn install_checks_every_name_first_and_a_conflict_changes_nothing() {
    let sb = Sandbox::new();
    let dir = sb.mkdir("links");
    symlink("/opt/daemonbox-0.0.1", dir.join("envdir")).unwrap();
    std::fs::write(dir.join("svc"), "mine").unwrap();
    std::fs::create_dir(dir.join("svok")).unwrap();
    symlink("/bin/true", dir.join("tai64n")).unwrap();
    let before = names_in(&dir);
    let out = sb.run("bin/daemonbox", &["--install", "links"]);
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: warning: links/svc is not a link to daemonbox (--force replaces it)\n\
          daemonbox: warning: links/svok is a directory (never replaced)\n\
          daemonbox: warning: links/tai64n is not a link to daemonbox (--force replaces it)\n\
          daemonbox: fatal: nothing installed in links\n",
    );
    assert_eq!(names_in(&dir), before);
    assert_eq!(std::fs::read(dir.join("svc")).unwrap(), b"mine");
    assert_eq!(
        std::fs::read_link(dir.join("envdir")).unwrap(),
        Path::new("/opt/daemonbox-0.0.1")
    );
    // --force replaces files and foreign links, never a directory.
    let out = sb.run("bin/daemonbox", &["--install", "--force", "links"]);
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: warning: links/svok is a directory (never replaced)\n\
          daemonbox: fatal: nothing installed in links\n",
    );
    assert_eq!(names_in(&dir), before);
    std::fs::remove_dir(dir.join("svok")).unwrap();
    let out = sb.run("bin/daemonbox", &["--install", "--force", "links"]);
    assert_output(&out, 0, b"", b"");
    assert_eq!(names_in(&dir), APPLETS);
    for name in APPLETS {
        assert_eq!(
            std::fs::read_link(dir.join(name)).unwrap(),
            sb.bin("daemonbox")
        );
    }
}

#[test]
fn install_into_a_file_fails_before_changing_anything() {
    let sb = Sandbox::new();
    sb.write("plain", "x");
    let out = sb.run("bin/daemonbox", &["--install", "plain"]);
    assert_output(
        &out,
        111,
        b"",
        b"daemonbox: fatal: unable to stat plain/envdir: not a directory\n",
    );
    assert_eq!(std::fs::read(sb.join("plain")).unwrap(), b"x");
}
