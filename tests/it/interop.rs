//! Interoperability, both directions: Debian's svc/svstat/svok driving daemonbox's
//! supervise, and daemonbox's svc/svstat/svok driving Debian's supervise, through every
//! state and command. At each step both svstat implementations must print the same line.

use crate::common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The control tools used against a supervise.
struct Tools {
    svc: PathBuf,
    svstat: PathBuf,
    svok: PathBuf,
    /// The other implementation's svstat, which must agree.
    other_svstat: PathBuf,
}

fn ours(sb: &Sandbox) -> Tools {
    Tools {
        svc: sb.bin("svc"),
        svstat: sb.bin("svstat"),
        svok: sb.bin("svok"),
        other_svstat: reference("svstat"),
    }
}

fn theirs(sb: &Sandbox) -> Tools {
    Tools {
        svc: reference("svc"),
        svstat: reference("svstat"),
        svok: reference("svok"),
        other_svstat: sb.bin("svstat"),
    }
}

/// Logs HUP, ALRM and INT, ends on TERM (logged too); creates `ready` once the traps are set.
const RUN_TRAPS: &str = "#!/bin/sh\nfor s in HUP ALRM INT; do trap \"echo $s >> ../sig\" $s; done\n\
    trap 'echo TERM >> ../sig; exit 0' TERM\n: > ../ready\nwhile :; do sleep 1 & wait $!; done\n";

impl Tools {
    fn svc(&self, sb: &Sandbox, opt: &str) {
        assert_output(&sb.run(&self.svc, &[opt, "s"]), 0, b"", b"");
    }

    fn svok(&self, sb: &Sandbox) -> i32 {
        let out: Output = sb.run(&self.svok, &["s"]);
        assert_eq!(show(&out.stderr), "");
        out.status.code().unwrap()
    }

    /// Waits until svstat prints `line` (seconds normalised to N), and checks that the
    /// other svstat agrees.
    fn expect(&self, sb: &Sandbox, line: &str) {
        poll_until(SOON, line, || {
            let out = sb.run(&self.svstat, &["s"]);
            (normalise_seconds(&out.stdout) == line).then_some(())
        });
        let other = sb.run(&self.other_svstat, &["s"]);
        assert_eq!(
            normalise_seconds(&other.stdout),
            line,
            "the other svstat disagrees"
        );
    }

    fn expect_up(&self, sb: &Sandbox, suffix: &str, not: u32) -> u32 {
        let r = wait_status(sb, "s", "a new pid", |r| pid_of(r) != 0 && pid_of(r) != not);
        let pid = pid_of(&r);
        self.expect(sb, &format!("s: up (pid {pid}) N seconds{suffix}\n"));
        pid
    }
}

fn signals(sb: &Sandbox) -> String {
    fs::read_to_string(sb.join("sig")).unwrap_or_default()
}

/// Our supervise when `mine`, else the reference.
fn supervise(sb: &Sandbox, mine: bool) -> PathBuf {
    if mine {
        sb.bin("supervise")
    } else {
        reference("supervise")
    }
}

/// Every command and state against a supervise, driven and read by `tools`.
fn scenario(mine: bool, tools: fn(&Sandbox) -> Tools) {
    let sb = Sandbox::new();
    let tools = tools(&sb);
    let supervise = supervise(&sb, mine);
    service(&sb, "s", RUN_TRAPS);
    let mut guard = spawn_supervise(&sb, &supervise, "s");
    let pid = tools.expect_up(&sb, "", 0);
    wait_for(SOON, "traps set", || sb.join("ready").exists());
    assert_eq!(tools.svok(&sb), 0);
    let mut log = String::new();
    for (opt, name) in [("-h", "HUP"), ("-a", "ALRM"), ("-i", "INT")] {
        tools.svc(&sb, opt);
        log.push_str(name);
        log.push('\n');
        wait_for(SOON, name, || signals(&sb) == log);
    }
    tools.svc(&sb, "-p");
    tools.expect(&sb, &format!("s: up (pid {pid}) N seconds, paused\n"));
    wait_for(SOON, "stopped", || proc_state(pid) == Some('T'));
    tools.svc(&sb, "-c");
    tools.expect(&sb, &format!("s: up (pid {pid}) N seconds\n"));
    tools.svc(&sb, "-d");
    tools.expect(&sb, "s: down N seconds, normally up\n");
    assert!(signals(&sb).ends_with("TERM\n"));
    tools.svc(&sb, "-o");
    let once = tools.expect_up(&sb, "", pid);
    tools.svc(&sb, "-t");
    tools.expect(&sb, "s: down N seconds, normally up\n");
    assert_eq!(status(&sb, "s").unwrap()[17], 0);
    tools.svc(&sb, "-u");
    let up = tools.expect_up(&sb, "", once);
    tools.svc(&sb, "-k");
    let restarted = tools.expect_up(&sb, "", up);
    tools.svc(&sb, "-x");
    assert_eq!(tools.svok(&sb), 0, "x waits for the service");
    tools.svc(&sb, "-d");
    assert_eq!(guard.wait_exit(SOON).code(), Some(0));
    assert!(proc_state(restarted).is_none_or(|c| c == 'Z'));
    assert_eq!(tools.svok(&sb), 100);
    tools.expect(&sb, "s: supervise not running\n");
    assert_eq!(stderr_of_all(&sb), "");
}

/// A service with a `down` file: normally down, started by svc -u.
fn scenario_down_file(mine: bool, tools: fn(&Sandbox) -> Tools) {
    let sb = Sandbox::new();
    let tools = tools(&sb);
    let supervise = supervise(&sb, mine);
    service(&sb, "s", RUN_TRAPS);
    sb.write("s/down", "");
    let _guard = spawn_supervise(&sb, &supervise, "s");
    wait_for(SOON, "supervise running", || {
        ok_open(&sb, "s") && status(&sb, "s").is_some()
    });
    tools.expect(&sb, "s: down N seconds\n");
    tools.svc(&sb, "-p");
    tools.expect(&sb, "s: down N seconds\n");
    tools.svc(&sb, "-u");
    tools.expect_up(&sb, ", normally down", 0);
    tools.svc(&sb, "-d");
    tools.expect(&sb, "s: down N seconds\n");
}

fn stderr_of_all(sb: &Sandbox) -> String {
    stderr_of(sb, "s")
}

#[test]
fn reference_tools_drive_our_supervise() {
    scenario(true, theirs);
}

#[test]
fn our_tools_drive_reference_supervise() {
    scenario(false, ours);
}

#[test]
fn down_file_reference_tools_our_supervise() {
    scenario_down_file(true, theirs);
}

#[test]
fn down_file_our_tools_reference_supervise() {
    scenario_down_file(false, ours);
}

#[test]
fn each_supervise_refuses_the_others_directory() {
    let msg = b"supervise: fatal: unable to acquire s/supervise/lock: temporary failure\n";
    for (first, second) in [(true, false), (false, true)] {
        let sb = Sandbox::new();
        service(&sb, "s", "#!/bin/sh\nexec sleep 100\n");
        let _guard = spawn_supervise(&sb, supervise(&sb, first), "s");
        wait_status(&sb, "s", "up", |r| pid_of(r) != 0);
        assert_output(&sb.run(supervise(&sb, second), &["s"]), 111, b"", msg);
    }
}

#[test]
fn our_supervise_adopts_the_service_of_a_killed_reference_supervise() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\nexec sleep 100\n");
    let mut first = spawn_supervise(&sb, reference("supervise"), "s");
    let old = pid_of(&wait_status(&sb, "s", "up", |r| pid_of(r) != 0));
    let before = status(&sb, "s").unwrap();
    first.signal("KILL");
    first.wait_exit(SOON);
    let _ours = spawn_supervise(&sb, sb.bin("supervise"), "s");
    wait_for(SOON, "our supervise", || ok_open(&sb, "s"));
    let after = status(&sb, "s").unwrap();
    assert_eq!(after[..18], before[..], "same pid, same stamp");
    assert_eq!(after[18..], [0, 1], "runit's tail: running");
    let tools = theirs(&sb);
    tools.expect(&sb, &format!("s: up (pid {old}) N seconds\n"));
    tools.svc(&sb, "-d");
    tools.expect(&sb, "s: down N seconds, normally up\n");
    assert!(proc_state(old).is_none_or(|c| c == 'Z'));
}

#[test]
fn our_tools_read_and_drive_runit_runsv() {
    // runsv writes a 20-byte status whose first 18 bytes are 0.76's layout.
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\nexec sleep 100\n");
    let runsv = Path::new("/usr/bin/runsv");
    assert!(
        runsv.exists(),
        "runit's runsv is missing: install runit (.ci/run does)"
    );
    let _guard = spawn_supervise(&sb, runsv, "s");
    let tools = ours(&sb);
    let pid = pid_of(&wait_status(&sb, "s", "runsv up", |r| pid_of(r) != 0));
    assert_eq!(status(&sb, "s").unwrap().len(), 20);
    tools.expect(&sb, &format!("s: up (pid {pid}) N seconds\n"));
    assert_eq!(tools.svok(&sb), 0);
    tools.svc(&sb, "-d");
    tools.expect(&sb, "s: down N seconds, normally up\n");
}

/// A runit or busybox program; fails the test if it is missing.
fn peer(path: &str, package: &str) -> PathBuf {
    let path = PathBuf::from(path);
    assert!(
        path.exists(),
        "{} is missing: install {package} (.ci/run does)",
        path.display()
    );
    path
}

#[test]
fn runits_sv_drives_our_supervise() {
    let sb = Sandbox::new();
    service(&sb, "s", RUN_TRAPS);
    let _guard = spawn_supervise(&sb, sb.bin("supervise"), "s");
    let sv = peer("/usr/bin/sv", "runit");
    let first = wait_up(&sb, "s");
    wait_for(SOON, "traps set", || sb.join("ready").exists());
    let sv_run = |args: &[&str]| {
        let out = sb.run(&sv, args);
        (out.status.code(), normalise_seconds(&out.stdout))
    };
    // sv prints seconds as "12s": every such word becomes "Ns".
    let status = || {
        let out = sb.run(&sv, &["status", "./s"]);
        let words: Vec<String> = show(&out.stdout)
            .split(' ')
            .map(|w| {
                let digits = w.bytes().take_while(u8::is_ascii_digit).count();
                if digits > 0 && w[digits..].starts_with('s') {
                    format!("N{}", &w[digits..])
                } else {
                    w.to_string()
                }
            })
            .collect();
        words.join(" ")
    };
    assert_eq!(status(), format!("run: ./s: (pid {first}) Ns\n"));
    assert_eq!(sv_run(&["check", "./s"]).0, Some(0));
    for (command, signal) in [("hup", "HUP"), ("alarm", "ALRM"), ("interrupt", "INT")] {
        assert_eq!(sv_run(&[command, "./s"]).0, Some(0), "{command}");
        wait_for(SOON, signal, || {
            fs::read_to_string(sb.join("sig")).is_ok_and(|t| t.contains(signal))
        });
    }
    let restarted = sv_run(&["-w", "5", "restart", "./s"]);
    assert_eq!(restarted.0, Some(0), "{restarted:?}");
    let second = wait_status(&sb, "s", "new pid", |r| {
        pid_of(r) != 0 && pid_of(r) != first
    });
    assert!(alive(pid_of(&second)));
    assert_eq!(sv_run(&["-w", "5", "down", "./s"]).0, Some(0));
    assert_eq!(status(), "down: ./s: Ns, normally up\n");
    assert_eq!(sv_run(&["-w", "5", "up", "./s"]).0, Some(0));
    assert_eq!(sv_run(&["once", "./s"]).0, Some(0));
    let pid = wait_up(&sb, "s");
    assert_eq!(sv_run(&["term", "./s"]).0, Some(0));
    wait_down(&sb, "s");
    assert!(!alive(pid), "once: not restarted after term");
    sb.run("svc", &["-u", "s"]);
    let pid = wait_up(&sb, "s");
    assert_eq!(sv_run(&["kill", "./s"]).0, Some(0));
    wait_status(&sb, "s", "restart after kill", |r| {
        pid_of(r) != pid && pid_of(r) != 0
    });
}

#[test]
fn busybox_svc_and_svok_drive_our_supervise() {
    let sb = Sandbox::new();
    service(&sb, "s", "#!/bin/sh\nexec sleep 100\n");
    let _guard = spawn_supervise(&sb, sb.bin("supervise"), "s");
    let busybox = peer("/bin/busybox", "busybox");
    let pid = wait_up(&sb, "s");
    // busybox looks a name without a slash up in $SVDIR, like runit's sv.
    let applet = |args: &[&str]| sb.run(&busybox, args);
    assert_output(&applet(&["svok", "./s"]), 0, b"", b"");
    assert_output(&applet(&["svc", "-t", "./s"]), 0, b"", b"");
    wait_status(&sb, "s", "restart after -t", |r| {
        pid_of(r) != pid && pid_of(r) != 0
    });
    assert_output(&applet(&["svc", "-d", "./s"]), 0, b"", b"");
    wait_down(&sb, "s");
    assert_output(&applet(&["svok", "./s"]), 0, b"", b"");
}
