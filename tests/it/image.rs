//! A minimal image, as root: a chroot holding the daemonbox executable and nothing else (no
//! shell, no /proc). `--install` builds its links from inside (argv[0] instead of /proc, a
//! conflict found before anything changes) or from outside (`--target`); a service and its
//! multilog logger then run from `#!/bin/runline` scripts.

use crate::common::*;
use crate::svscan::{alive, children};
use std::io::Write;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(10);

#[test]
fn install_inside_a_root_without_proc_checks_first_then_links_by_name() {
    let sb = Sandbox::new();
    let root = minimal_root(&sb, "root");
    std::fs::write(root.join("bin/svc"), "mine").unwrap();
    std::fs::create_dir(root.join("bin/svok")).unwrap();
    let out = chroot(&root, &["/bin/daemonbox", "--install", "/bin"])
        .output()
        .unwrap();
    assert_output(
        &out,
        100,
        b"",
        b"daemonbox: warning: /bin/svc is not a link to daemonbox (--force replaces it)\n\
          daemonbox: warning: /bin/svok is a directory (never replaced)\n\
          daemonbox: fatal: nothing installed in /bin\n",
    );
    assert_eq!(names_in(&root.join("bin")), ["daemonbox", "svc", "svok"]);
    std::fs::remove_dir(root.join("bin/svok")).unwrap();
    let out = chroot(&root, &["/bin/daemonbox", "--install", "--force", "/bin"])
        .output()
        .unwrap();
    assert_output(&out, 0, b"", b"");
    for name in APPLETS {
        let target = std::fs::read_link(root.join("bin").join(name)).unwrap();
        assert_eq!(target, Path::new("daemonbox"), "{name}");
    }
    // The links work inside, found through PATH=/bin.
    let out = chroot(&root, &["svok"]).output().unwrap();
    assert_output(&out, 100, b"", b"svok: usage: svok dir\n");
    // Elsewhere in the root: the directory is created, the links name the executable.
    let out = chroot(&root, &["daemonbox", "--install", "/usr/local/bin"])
        .output()
        .unwrap();
    assert_output(&out, 0, b"", b"");
    let target = std::fs::read_link(root.join("usr/local/bin/svstat")).unwrap();
    assert_eq!(target, Path::new("/bin/daemonbox"));
}

#[test]
fn install_from_outside_with_a_target_makes_links_that_work_inside() {
    let sb = Sandbox::new();
    let root = minimal_root(&sb, "root");
    let sbin = root.join("sbin");
    let out = sb.run(
        "bin/daemonbox",
        &[
            "--install",
            sbin.to_str().unwrap(),
            "--target",
            "/bin/daemonbox",
        ],
    );
    assert_output(&out, 0, b"", b"");
    let out = chroot(&root, &["/sbin/svok"]).output().unwrap();
    assert_output(&out, 100, b"", b"svok: usage: svok dir\n");
}

#[test]
fn service_and_logger_run_from_runline_scripts_without_a_shell() {
    let sb = Sandbox::new();
    let root = minimal_root(&sb, "root");
    let out = chroot(&root, &["/bin/daemonbox", "--install", "/bin"])
        .output()
        .unwrap();
    assert_output(&out, 0, b"", b"");
    sb.write("root/etc/passwd", "app:x:5000:5000::/:/bin/false\n");
    sb.write("root/service/app/env/GREETING", "hello\n");
    sb.script(
        "root/service/app/run",
        "#!/bin/runline\n\
         # The service stamps each line it reads; every word below is a daemonbox applet.\n\
         envdir ./env \\\n  setuidgid app \\\n  softlimit -o 64 \\\n  tai64n\n",
    );
    sb.script(
        "root/service/app/log/run",
        "#!/bin/runline\nmultilog '-*' '+* hello *' ./main\n",
    );
    let mut cmd = chroot(&root, &["/bin/svscan", "-1", "/service"]);
    let err = std::fs::File::create(sb.join("err")).unwrap();
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::from(err));
    let mut guard = ProcessGuard::spawn(&mut cmd).with_services(
        sb.bin("svc"),
        &[root.join("service/app"), root.join("service/app/log")],
    );
    let mut input = guard.child.stdin.take().unwrap();
    input.write_all(b"hello 1\nskip me\nhello 2\n").unwrap();
    let current = root.join("service/app/log/main/current");
    let logged = poll_until(WAIT, "two selected lines", || {
        let text = std::fs::read(&current).unwrap_or_default();
        (text.iter().filter(|&&b| b == b'\n').count() >= 2).then_some(text)
    });
    assert_eq!(
        show(&normalise_labels(&logged)),
        "@TAI hello 1\n@TAI hello 2\n"
    );
    // The chain ran to its end: tai64n as the root's own account (a uid no host process
    // uses, so tests counting processes per user are not disturbed), below supervise.
    let scan = guard.pid();
    let tai = poll_until(WAIT, "tai64n", || {
        children(scan)
            .into_iter()
            .flat_map(children)
            .find(|&p| crate::svscan::cmdline(p) == "tai64n")
    });
    let status = std::fs::read_to_string(format!("/proc/{tai}/status")).unwrap();
    assert!(
        status.lines().any(|l| l.starts_with("Uid:\t5000\t")),
        "{status}"
    );
    crate::svscan::signal(scan, "TERM");
    assert_eq!(guard.wait_exit(WAIT).code(), Some(0));
    drop(input);
    assert!(!alive(tai));
    assert_eq!(show(&std::fs::read(sb.join("err")).unwrap()), "");
    assert_eq!(mode_of(&current), 0o744);
}
