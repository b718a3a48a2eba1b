//! Integration tests for the service lifecycle beyond 0.76: `./finish`, the down signal,
//! `timeout-kill`, `timeout-finish`, readiness, the restart policy, bad settings, and the
//! records (runit's 20-byte status read by runit's `sv` and busybox's `svc`). Where s6 has
//! the feature, s6-supervise runs the same service directory side by side.

use crate::common::*;
use std::fs;
use std::path::{Path, PathBuf};

/// An s6 program (Debian's s6 package); fails the test if it is missing.
fn s6(name: &str) -> PathBuf {
    let path = Path::new("/usr/bin").join(name);
    assert!(
        path.exists(),
        "{} is missing: install Debian's s6 package (.ci/run does)",
        path.display()
    );
    path
}

/// One supervision suite's programs: ours, or s6's.
struct Suite {
    who: &'static str,
    supervise: PathBuf,
    svc: PathBuf,
    svwait: PathBuf,
}

impl Suite {
    fn ours(&self) -> bool {
        self.who == "ours"
    }

    /// Waits until the supervisor of `s` listens (s6-supervise has no `ok`: its control
    /// FIFO opens for writing once it runs).
    fn wait_supervised(&self, sb: &Sandbox) {
        let fifo = if self.ours() { "ok" } else { "control" };
        wait_for(SOON, "supervisor", || {
            use std::os::unix::fs::OpenOptionsExt;
            fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(sb.join("s/supervise").join(fifo))
                .is_ok()
        });
    }
}

/// The suites compared, with their programs reached from `sb`.
fn suites(sb: &Sandbox) -> [Suite; 2] {
    [
        Suite {
            who: "ours",
            supervise: sb.bin("supervise"),
            svc: sb.bin("svc"),
            svwait: sb.bin("svwait"),
        },
        Suite {
            who: "s6",
            supervise: s6("s6-supervise"),
            svc: s6("s6-svc"),
            svwait: s6("s6-svwait"),
        },
    ]
}

/// `svstat -j` for one directory.
fn json(sb: &Sandbox, dir: &str) -> String {
    let out = sb.run("svstat", &["-j", dir]);
    assert_eq!(out.status.code(), Some(0));
    show(&out.stdout)
}

/// Waits until `svstat -j` on `dir` contains `part`; returns the line.
fn wait_json(sb: &Sandbox, dir: &str, part: &str) -> String {
    poll_until(SOON, part, || {
        Some(json(sb, dir)).filter(|j| j.contains(part))
    })
}

#[test]
fn finish_gets_the_exit_like_s6_and_125_keeps_the_service_down() {
    let run = "#!/bin/sh\nif [ -e ../second ]; then kill -USR1 $$; sleep 5; fi\n\
        : > ../second\nexit 3\n";
    let finish = "#!/bin/sh\necho \"$@\" >> ../finish.log\n[ \"$1\" = 256 ] && exit 125\nexit 0\n";
    for suite in suites(&Sandbox::new()) {
        let sb = Sandbox::new();
        let who = suite.who;
        service(&sb, "s", run);
        sb.script("s/finish", finish);
        let _guard = spawn_supervise(&sb, &suite.supervise, "s");
        let log = poll_until(SOON, "two finishes", || {
            fs::read_to_string(sb.join("finish.log"))
                .ok()
                .filter(|l| l.lines().count() >= 2)
        });
        assert_eq!(log, "3 0 s\n256 10 s\n", "{who}");
        if suite.ours() {
            let line = wait_json(&sb, "s", r#""want":"down""#);
            assert!(line.contains(r#""phase":"down""#), "{line}");
            assert!(line.contains(r#""last_exit":{"signal":10}"#), "{line}");
            assert_eq!(stderr_of(&sb, "s"), "");
        }
    }
}

#[test]
fn down_signal_replaces_term_like_s6() {
    let run = "#!/bin/sh\nfor s in USR1 TERM CONT HUP; do\n\
        trap \"echo $s >> ../sig; [ $s = USR1 ] && exit 0\" $s; done\n\
        : > ../ready\nwhile :; do sleep 0.1; done\n";
    for suite in suites(&Sandbox::new()) {
        let sb = Sandbox::new();
        let who = suite.who;
        service(&sb, "s", run);
        sb.write("s/down-signal", "SIGUSR1\n");
        let _guard = spawn_supervise(&sb, &suite.supervise, "s");
        wait_for(SOON, "traps set", || sb.join("ready").exists());
        assert_eq!(sb.run(&suite.svc, &["-d", "s"]).status.code(), Some(0));
        wait_for(SOON, "signal logged", || sb.join("sig").exists());
        assert_eq!(
            sb.run(&suite.svwait, &["-D", "s"]).status.code(),
            Some(0),
            "{who}"
        );
        assert_eq!(
            fs::read_to_string(sb.join("sig")).unwrap(),
            "USR1\n",
            "{who}"
        );
    }
}

#[test]
fn timeout_kill_sends_kill_after_the_down_signal_like_s6() {
    for suite in suites(&Sandbox::new()) {
        let sb = Sandbox::new();
        let who = suite.who;
        service(&sb, "s", "#!/bin/sh\ntrap '' TERM\nexec sleep 100\n");
        sb.write("s/timeout-kill", "300\n");
        let _guard = spawn_supervise(&sb, &suite.supervise, "s");
        suite.wait_supervised(&sb);
        assert_eq!(sb.run(&suite.svwait, &["-u", "s"]).status.code(), Some(0));
        sb.run(&suite.svc, &["-d", "s"]);
        assert_eq!(
            sb.run(&suite.svwait, &["-D", "s"]).status.code(),
            Some(0),
            "{who}"
        );
        if suite.ours() {
            assert!(json(&sb, "s").contains(r#""last_exit":{"signal":9}"#));
        } else {
            let out = sb.run(s6("s6-svstat"), &["s"]);
            assert!(show(&out.stdout).starts_with("down (signal SIGKILL)"));
        }
    }
}

#[test]
fn readiness_through_notification_fd_like_s6() {
    let run = "#!/bin/sh\nwhile [ ! -e ../go ]; do sleep 0.02; done\necho >&3\nexec sleep 100\n";
    for suite in suites(&Sandbox::new()) {
        let sb = Sandbox::new();
        let who = suite.who;
        service(&sb, "s", run);
        sb.write("s/notification-fd", "3\n");
        let _guard = spawn_supervise(&sb, &suite.supervise, "s");
        suite.wait_supervised(&sb);
        assert_eq!(sb.run(&suite.svwait, &["-u", "s"]).status.code(), Some(0));
        let early = sb.run(&suite.svwait, &["-U", "-t", "100", "s"]);
        assert_eq!(early.status.code(), Some(99), "{who}: not ready yet");
        if suite.ours() {
            assert_eq!(
                show(&early.stderr),
                "svwait: fatal: timed out: not ready: s\n"
            );
            assert!(
                json(&sb, "s").contains(r#""up":true"#)
                    && json(&sb, "s").contains(r#""ready":false"#)
            );
        }
        sb.write("go", "");
        let ready = sb.run(&suite.svwait, &["-U", "-t", "20000", "s"]);
        assert_eq!(
            ready.status.code(),
            Some(0),
            "{who}: {}",
            show(&ready.stderr)
        );
        if suite.ours() {
            assert!(json(&sb, "s").contains(r#""ready":true"#));
        }
    }
}

#[test]
fn readiness_on_stdout_and_a_service_that_never_says_it() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\necho listening\nexec sleep 100\n");
    sb.write("s/notification-fd", "1");
    service(&sb, "mute", "#!/bin/sh\nexec sleep 100\n");
    sb.write("mute/notification-fd", "5");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let _mute = spawn_supervise(&sb, "supervise", "mute");
    wait_for(SOON, "supervise", || {
        ok_open(&sb, "s") && ok_open(&sb, "mute")
    });
    assert_eq!(
        sb.run("svwait", &["-U", "-t", "20000", "s"]).status.code(),
        Some(0)
    );
    assert_eq!(sb.run("svwait", &["-u", "mute"]).status.code(), Some(0));
    let out = sb.run("svwait", &["-U", "-t", "200", "mute", "s"]);
    assert_eq!(
        (out.status.code(), show(&out.stderr)),
        (
            Some(99),
            "svwait: fatal: timed out: not ready: mute\n".to_string()
        )
    );
    assert_eq!(
        sb.run("svwait", &["-o", "-U", "mute", "s"]).status.code(),
        Some(0)
    );
}

#[test]
fn a_hanging_finish_is_killed_and_a_forking_one_does_not_hold_anything_up() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\necho start >> ../starts\nexit 1\n");
    sb.script(
        "s/finish",
        "#!/bin/sh\necho finish >> ../finishes\nexec sleep 100\n",
    );
    sb.write("s/timeout-finish", "200\n");
    service(&sb, "f", "#!/bin/sh\necho start >> ../fstarts\nexit 1\n");
    sb.script("f/finish", "#!/bin/sh\n(sleep 100 &)\nexit 0\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let _forks = spawn_supervise(&sb, "supervise", "f");
    for (log, what) in [
        ("starts", "restarts after killed finishes"),
        ("fstarts", "restarts"),
    ] {
        wait_for(SOON, what, || {
            fs::read_to_string(sb.join(log)).is_ok_and(|t| t.lines().count() >= 3)
        });
    }
    let finishes = fs::read_to_string(sb.join("finishes")).unwrap();
    assert!(finishes.lines().count() >= 2, "{finishes}");
    assert_eq!(stderr_of(&sb, "s"), "");
}

#[test]
fn a_finish_that_cannot_run_is_reported_and_the_service_restarts() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\necho start >> ../starts\nexit 1\n");
    sb.write("s/finish", "#!/bin/sh\nexit 0\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_for(SOON, "restarts", || {
        fs::read_to_string(sb.join("starts")).is_ok_and(|t| t.lines().count() >= 2)
    });
    let err = stderr_of(&sb, "s");
    assert!(
        err.lines()
            .all(|l| l == "supervise: fatal: unable to start s/finish: access denied"),
        "{err}"
    );
}

#[test]
fn exit_100_is_not_restarted() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\necho start >> ../starts\nexit 100\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let line = wait_json(&sb, "s", r#""want":"down""#);
    assert!(line.contains(r#""phase":"down""#), "{line}");
    assert!(line.contains(r#""last_exit":{"code":100}"#), "{line}");
    assert_eq!(fs::read_to_string(sb.join("starts")).unwrap(), "start\n");
    let out = sb.run("svstat", &["s"]);
    assert_eq!(
        normalise_seconds(&out.stdout),
        "s: down N seconds, normally up\n"
    );
}

#[test]
fn backoff_doubles_the_time_between_quick_deaths_up_to_the_ceiling() {
    let sb = Sandbox::new();
    // Up long enough for every start to be seen, well under backoff-reset.
    service(&sb, "s", "#!/bin/sh\nsleep 0.2\nexit 1\n");
    sb.write("s/backoff-max", "3000\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let mut stamps: Vec<(u32, f64)> = Vec::new();
    poll_until(SOON, "four starts", || {
        if let Some(r) = status(&sb, "s").filter(|r| r.len() == 20 && pid_of(r) != 0)
            && stamps.last().map(|&(p, _)| p) != Some(pid_of(&r))
        {
            stamps.push((pid_of(&r), stamp_of(&r)));
        }
        (stamps.len() >= 4).then_some(())
    });
    let gaps: Vec<f64> = stamps.windows(2).map(|w| w[1].1 - w[0].1).collect();
    // Lower bounds only: a loaded machine may stretch them.
    for (gap, least) in gaps.iter().zip([1.999, 2.999, 2.999]) {
        assert!(*gap >= least, "{gaps:?}");
    }
}

#[test]
fn give_up_stops_restarts_visibly_until_svc_u() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\necho start >> ../starts\nexit 1\n");
    sb.write("s/give-up", "2 60\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_for(SOON, "supervise", || ok_open(&sb, "s"));
    let out = sb.run("svwait", &["-u", "s"]);
    let line = wait_json(&sb, "s", r#""gave_up":true"#);
    assert!(
        line.contains(r#""phase":"gave up""#) && line.contains(r#""restarts":1"#),
        "{line}"
    );
    assert_eq!(
        fs::read_to_string(sb.join("starts")).unwrap(),
        "start\nstart\n"
    );
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "up once, or gave up"
    );
    let waited = sb.run("svwait", &["-u", "s"]);
    assert_eq!(
        (waited.status.code(), show(&waited.stderr)),
        (Some(1), "svwait: fatal: gave up: s\n".into())
    );
    assert_eq!(
        normalise_seconds(&sb.run("svstat", &["s"]).stdout),
        "s: down N seconds, normally up\n"
    );
    sb.run("svc", &["-u", "s"]);
    wait_for(SOON, "started again", || {
        fs::read_to_string(sb.join("starts")).is_ok_and(|t| t.lines().count() >= 3)
    });
}

#[test]
fn bad_settings_are_warned_about_and_defaults_used() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    sb.write("s/down-signal", "SIGNOPE\n");
    sb.write("s/timeout-kill", "abc");
    sb.mkdir("s/timeout-finish");
    sb.write("s/notification-fd", "0\n");
    sb.write("s/backoff-max", "99999999999999999999999999\n");
    sb.write("s/backoff-reset", "");
    sb.write("s/give-up", "-5 10\n");
    let _guard = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_sleeping(&sb, "s");
    let expected = "supervise: warning: ignoring s/down-signal: unknown signal\n\
        supervise: warning: ignoring s/timeout-kill: not a number of milliseconds\n\
        supervise: warning: unable to read s/timeout-finish: is a directory\n\
        supervise: warning: ignoring s/notification-fd: descriptor 0 is the service's input\n\
        supervise: warning: ignoring s/backoff-max: too large\n\
        supervise: warning: ignoring s/backoff-reset: empty\n\
        supervise: warning: ignoring s/give-up: expected DEATHS SECONDS [STATUS...]\n";
    wait_for(SOON, "warnings", || stderr_of(&sb, "s") == expected);
    // The defaults hold: `d` sends TERM, which ends the sleep.
    sb.run("svc", &["-d", "s"]);
    wait_down(&sb, "s");
    assert!(!alive(pid));
    assert!(json(&sb, "s").contains(r#""last_exit":{"signal":15}"#));
}

#[test]
fn a_huge_setting_is_read_only_so_far() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    std::os::unix::fs::symlink("/dev/zero", sb.join("s/timeout-kill")).unwrap();
    let _guard = spawn_supervise(&sb, "supervise", "s");
    wait_sleeping(&sb, "s");
    let expected = "supervise: warning: ignoring s/timeout-kill: too long\n";
    wait_for(SOON, "warning", || stderr_of(&sb, "s") == expected);
}

#[test]
fn a_taken_over_service_says_so_and_its_unknown_exit_is_null() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_SLEEP);
    let mut first = spawn_supervise(&sb, "supervise", "s");
    let pid = wait_sleeping(&sb, "s");
    first.signal("KILL");
    first.wait_exit(SOON);
    let _second = spawn_supervise(&sb, "supervise", "s");
    let line = wait_json(&sb, "s", r#""supervised":true"#);
    assert!(line.contains(&format!(r#""pid":{pid},"#)), "{line}");
    assert!(line.contains(r#""adopted":true"#), "{line}");
    sb.run("svc", &["-k", "s"]);
    let line = poll_until(SOON, "restarted", || {
        Some(json(&sb, "s")).filter(|j| j.contains(r#""up":true"#) && !j.contains(&pid.to_string()))
    });
    assert!(line.contains(r#""adopted":false"#), "{line}");
    assert!(
        line.contains(r#""last_exit":null"#),
        "not our child: its status is unknown"
    );
}
