//! Integration tests for lifecycle hooks: svscan's batches (pre once, service once per
//! service, post once, in byte order, with fresh environments, also after failures and
//! timeouts; boot, scan and shutdown), and a service's own hooks run by its supervise.

use crate::common::*;
use crate::svscan::{read, service, start};
use std::fs;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

/// A hook that appends its event, batch, service and list to `../log` (hooks run in the
/// scan directory) and `env` lines of its DAEMONBOX_ variables to `../env`.
const LOGGING: &str = "#!/bin/sh\n\
    echo \"${0##*/} $DAEMONBOX_EVENT $DAEMONBOX_BATCH ${DAEMONBOX_SERVICE-} [${DAEMONBOX_SERVICES-}]\" >> ../log\n\
    env | grep ^DAEMONBOX_ | sort | tr '\\n' ' ' >> ../env; echo >> ../env\n";

/// Installs a hook script `body` as `sv/.svscan/hooks/KIND/NAME`.
fn hook(sb: &Sandbox, kind: &str, name: &str, body: &str) {
    sb.script(format!("sv/.svscan/hooks/{kind}/{name}"), body);
}

/// The lines of `log` once there are `n`.
fn log_lines(sb: &Sandbox, n: usize) -> Vec<String> {
    poll_until(WAIT, &format!("{n} log lines"), || {
        let lines: Vec<String> = read(sb, "log").lines().map(str::to_owned).collect();
        (lines.len() >= n).then_some(lines)
    })
}

#[test]
fn boot_batch_runs_pre_once_service_per_service_post_once_in_byte_order() {
    let sb = Sandbox::new();
    for name in ["b", "a", "c"] {
        service(&sb, &format!("sv/{name}"), "exec sleep 1000");
    }
    // Byte order: "10" < "2" < "B" < "a". Only regular executables count.
    for name in ["a", "B", "2", "10"] {
        hook(&sb, "pre", name, LOGGING);
    }
    hook(&sb, "pre", ".hidden", LOGGING);
    hook(&sb, "pre", "backup~", LOGGING);
    sb.write(
        "sv/.svscan/hooks/pre/plain",
        "#!/bin/sh\necho plain >> ../log\n",
    );
    sb.mkdir("sv/.svscan/hooks/pre/subdir");
    sb.write("sv/.svscan/hooks/pre/timeout", "60000\n");
    hook(&sb, "service", "s", LOGGING);
    hook(&sb, "post", "p", LOGGING);
    let _svscan = start(&sb, &["sv"]);
    let lines = log_lines(&sb, 8);
    assert_eq!(
        lines,
        [
            "10 pre boot  [a b c]",
            "2 pre boot  [a b c]",
            "B pre boot  [a b c]",
            "a pre boot  [a b c]",
            "s service boot a []",
            "s service boot b []",
            "s service boot c []",
            "p post boot  [a b c]",
        ]
    );
    let scan_dir = sb.join("sv").canonicalize().unwrap();
    let env = poll_until(WAIT, "eight environments", || {
        let env: Vec<String> = read(&sb, "env").lines().map(str::to_owned).collect();
        (env.len() >= 8).then_some(env)
    });
    assert_eq!(
        env[4].trim_end(),
        format!(
            "DAEMONBOX_BATCH=boot DAEMONBOX_EVENT=service DAEMONBOX_SERVICE=a \
             DAEMONBOX_SERVICE_DIR={}/a",
            scan_dir.display()
        ),
        "exactly these, nothing left from the pre hooks"
    );
    assert_eq!(
        env[7].trim_end(),
        "DAEMONBOX_BATCH=boot DAEMONBOX_EVENT=post DAEMONBOX_FAILED= \
         DAEMONBOX_SERVICES=a b c DAEMONBOX_SERVICES_FILE=/proc/self/fd/3"
    );
    assert_eq!(read(&sb, "err"), "");
}

#[test]
fn services_start_only_after_the_pre_hooks() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo started >> ../../log; exec sleep 1000");
    hook(
        &sb,
        "pre",
        "1",
        "#!/bin/sh\nsleep 0.3\necho pre >> ../log\n",
    );
    hook(&sb, "service", "s", "#!/bin/sh\necho service >> ../log\n");
    let _svscan = start(&sb, &["sv"]);
    let mut lines = log_lines(&sb, 3);
    // The service's own start and its service hook race; the pre hook comes first.
    assert_eq!(lines[0], "pre");
    lines.sort();
    assert_eq!(lines, ["pre", "service", "started"]);
}

#[test]
fn failures_and_timeouts_are_reported_and_the_batch_goes_on() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo started >> ../../log; exec sleep 1000");
    hook(
        &sb,
        "pre",
        "1-slow",
        "#!/bin/sh\necho waiting\nexec sleep 100\n",
    );
    // Long enough for the quick hooks on a loaded machine.
    sb.write("sv/.svscan/hooks/pre/timeout", "2000\n");
    hook(&sb, "pre", "2-fails", "#!/bin/sh\necho oops >&2\nexit 3\n");
    hook(
        &sb,
        "pre",
        "3-daemon",
        "#!/bin/sh\n(sleep 100 &)\necho forked\n",
    );
    hook(
        &sb,
        "post",
        "p",
        "#!/bin/sh\necho \"post [$DAEMONBOX_FAILED]\" >> ../log\n",
    );
    let _svscan = start(&sb, &["sv"]);
    let mut lines = log_lines(&sb, 2);
    lines.sort();
    assert_eq!(lines, ["post [pre/1-slow pre/2-fails]", "started"]);
    let err = read(&sb, "err");
    let expected = ".svscan/hooks/pre/1-slow: waiting\n\
        svscan: warning: hook .svscan/hooks/pre/1-slow timed out\n\
        .svscan/hooks/pre/2-fails: oops\n\
        svscan: warning: hook .svscan/hooks/pre/2-fails failed: exit 3\n\
        .svscan/hooks/pre/3-daemon: forked\n";
    assert_eq!(err, expected);
}

#[test]
fn a_flooding_hook_is_forwarded_line_by_line() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "exec sleep 1000");
    hook(
        &sb,
        "pre",
        "flood",
        "#!/bin/sh\nyes 0123456789 | head -n 100000\nhead -c 5000 /dev/zero | tr '\\0' x\n",
    );
    hook(&sb, "post", "p", "#!/bin/sh\necho done >> ../log\n");
    let _svscan = start(&sb, &["sv"]);
    log_lines(&sb, 1);
    let err = read(&sb, "err");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines.len(),
        100_000 + 5,
        "a 5000-byte line comes in 1024-byte pieces"
    );
    assert!(
        lines[..100_000]
            .iter()
            .all(|l| *l == ".svscan/hooks/pre/flood: 0123456789")
    );
    let prefix = ".svscan/hooks/pre/flood: ";
    assert_eq!(lines[100_000], format!("{prefix}{}", "x".repeat(1024)));
    assert_eq!(
        lines[100_004],
        format!("{prefix}{}", "x".repeat(5000 - 4 * 1024))
    );
}

#[test]
fn services_added_later_make_a_scan_batch_and_hooks_can_change_meanwhile() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "exec sleep 1000");
    hook(&sb, "service", "s", LOGGING);
    let _svscan = start(&sb, &["sv"]);
    assert_eq!(log_lines(&sb, 1), ["s service boot a []"]);
    hook(&sb, "pre", "q", LOGGING);
    service(&sb, "tmp/b", "exec sleep 1000");
    fs::rename(sb.join("tmp/b"), sb.join("sv/b")).unwrap();
    assert_eq!(
        log_lines(&sb, 3)[1..],
        ["q pre scan  [b]", "s service scan b []"]
    );
}

#[test]
fn a_hooks_directory_that_is_a_file_is_reported_and_ignored() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo started >> ../../log; exec sleep 1000");
    sb.write("sv/.svscan/hooks/pre", "not a directory\n");
    let _svscan = start(&sb, &["sv"]);
    assert_eq!(log_lines(&sb, 1), ["started"]);
    wait_for(WAIT, "warning", || {
        read(&sb, "err") == "svscan: warning: unable to read .svscan/hooks/pre: not a directory\n"
    });
}

#[test]
fn a_thousand_services_in_one_batch() {
    let sb = Sandbox::new();
    for i in 0..1000 {
        service(&sb, &format!("sv/s{i:04}"), "exec sleep 1000");
    }
    hook(
        &sb,
        "pre",
        "count",
        "#!/bin/sh\necho \"$(wc -l < $DAEMONBOX_SERVICES_FILE) ${#DAEMONBOX_SERVICES}\" >> ../log\n",
    );
    hook(&sb, "service", "s", "#!/bin/sh\n:\n");
    hook(&sb, "post", "p", "#!/bin/sh\necho post >> ../log\n");
    let _svscan = start(&sb, &["sv"]);
    let lines = poll_until(Duration::from_secs(60), "post hook", || {
        let lines: Vec<String> = read(&sb, "log").lines().map(str::to_owned).collect();
        (lines.len() >= 2).then_some(lines)
    });
    // 1000 names of 5 bytes and 999 spaces.
    assert_eq!(lines, ["1000 5999", "post"]);
}

#[test]
fn a_service_runs_its_own_hooks_on_up_ready_down_and_gave_up() {
    let sb = Sandbox::new();
    let dir = service(&sb, "s", "#!/bin/sh\necho >&3\nsleep 0.2\nexit 3\n");
    sb.write("s/notification-fd", "3");
    sb.write("s/give-up", "2 60");
    sb.script(
        "s/hooks/log",
        "#!/bin/sh\necho \"$DAEMONBOX_EVENT $DAEMONBOX_BATCH $DAEMONBOX_SERVICE \
         $DAEMONBOX_SERVICE_DIR ${DAEMONBOX_EXIT_CODE-}\" >> ../hooks.log\n",
    );
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let lines = poll_until(WAIT, "hooks", || {
        let text = read(&sb, "hooks.log");
        text.contains("gave-up").then_some(text)
    });
    let dir = dir.canonicalize().unwrap();
    let d = dir.display();
    assert_eq!(
        lines,
        format!(
            "up service s {d} \nready service s {d} \ndown service s {d} 3\n\
             up service s {d} \nready service s {d} \ndown service s {d} 3\n\
             gave-up service s {d} \n"
        )
    );
}

#[test]
fn in_container_mode_a_failing_boot_pre_hook_stops_everything_before_any_service() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo started >> ../../log; exec sleep 1000");
    hook(&sb, "pre", "check", "#!/bin/sh\necho not ready\nexit 3\n");
    let mut svscan = start(&sb, &["-1", "sv"]);
    assert_eq!(svscan.wait_exit(WAIT).code(), Some(3));
    assert_eq!(
        read(&sb, "err"),
        ".svscan/hooks/pre/check: not ready\n\
         svscan: warning: hook .svscan/hooks/pre/check failed: exit 3\n\
         svscan: fatal: a boot pre hook failed: no service started\n"
    );
    assert_eq!(read(&sb, "log"), "");
}

#[test]
fn shutdown_batch_runs_pre_before_the_stop_and_post_after_it() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo $$ > ../../pid; exec sleep 1000");
    let check = "#!/bin/sh\n[ \"$DAEMONBOX_BATCH\" = shutdown ] || exit 0\n\
        if kill -0 $(cat ../pid) 2>/dev/null; then s=alive; else s=gone; fi\n\
        echo \"$DAEMONBOX_EVENT ${DAEMONBOX_SERVICE-} $s\" >> ../log\n";
    for kind in ["pre", "service", "post"] {
        hook(&sb, kind, "check", check);
    }
    let mut svscan = start(&sb, &["-1", "sv"]);
    wait_for(WAIT, "service up", || !read(&sb, "pid").is_empty());
    svscan.signal("TERM");
    assert_eq!(svscan.wait_exit(WAIT).code(), Some(0));
    assert_eq!(read(&sb, "log"), "pre  alive\nservice a gone\npost  gone\n");
}

#[test]
fn term_during_boot_hooks_cuts_them_short_and_starts_nothing() {
    let sb = Sandbox::new();
    service(&sb, "sv/a", "echo started >> ../../log; exec sleep 1000");
    hook(
        &sb,
        "pre",
        "slow",
        "#!/bin/sh\n[ \"$DAEMONBOX_BATCH\" = boot ] || exit 0\necho waiting\nexec sleep 100\n",
    );
    let mut svscan = start(&sb, &["-1", "sv"]);
    wait_for(WAIT, "hook running", || {
        read(&sb, "err").contains("waiting")
    });
    svscan.signal("TERM");
    assert_eq!(svscan.wait_exit(WAIT).code(), Some(0));
    assert_eq!(read(&sb, "log"), "");
}
