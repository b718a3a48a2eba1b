//! The lifecycle beyond 0.76: `./finish`, the down signal and its KILL, readiness, the
//! restart policy and the lifecycle record.

use super::*;

#[test]
fn finish_gets_the_exit_and_delays_the_restart() {
    let mut s = up();
    assert_eq!(
        s.on(Event::Reaped(PID, killed(SIGKILL)), at(2000)),
        [Action::StartFinish {
            code: 256,
            signal: SIGKILL
        }]
    );
    assert_eq!(s.status().1.state, RunState::Finish);
    assert_eq!(s.status().0.pid, 0, "0.76 readers see the service down");
    assert_eq!(s.on(Event::FinishSpawned(FIN), at(2000)), [WriteStatus]);
    assert_eq!(s.lifecycle(at(2000)).finish_pid, FIN as u32);
    assert_eq!(
        s.deadline(),
        Some(at(7000).mono),
        "timeout-finish 5000 by default"
    );
    s.on(Event::Control(b'u'), at(2500));
    assert_eq!(kind(s.phase), "finishing", "no start while ./finish runs");
    assert_eq!(
        s.on(Event::Reaped(FIN, exited(0)), at(3000)),
        [
            WriteStatus,
            Hook(HookEvent::Down(Exit::Signal(SIGKILL as u8)))
        ]
    );
    assert_eq!(
        s.phase,
        Phase::Waiting {
            until: at(3000).mono
        }
    );
}

#[test]
fn a_hanging_finish_is_killed_at_its_timeout() {
    let mut s = up_with(policy(&[(b"timeout-finish", b"300")]), 0);
    s.on(Event::Reaped(PID, exited(3)), at(1000));
    s.on(Event::FinishSpawned(FIN), at(1000));
    assert_eq!(s.on(Event::Timer, at(1299)), []);
    assert_eq!(s.on(Event::Timer, at(1300)), [Signal(FIN, SIGKILL)]);
    assert_eq!(s.deadline(), None);
    s.on(Event::Reaped(FIN, killed(SIGKILL)), at(1301));
    assert_eq!(kind(s.phase), "waiting");
}

#[test]
fn finish_without_a_limit_is_never_killed() {
    let mut s = up_with(policy(&[(b"timeout-finish", b"0")]), 0);
    s.on(Event::Reaped(PID, exited(3)), at(1000));
    s.on(Event::FinishSpawned(FIN), at(1000));
    assert_eq!(s.deadline(), None);
}

#[test]
fn finish_125_and_run_100_mean_stay_down() {
    let mut s = up();
    s.on(Event::Reaped(PID, exited(1)), at(10));
    s.on(Event::FinishSpawned(FIN), at(10));
    s.on(Event::Reaped(FIN, exited(125)), at(20));
    assert_eq!((s.phase, s.want), (Phase::Down, Want::Down));
    let mut s = up();
    dies(&mut s, exited(100), 10);
    assert_eq!((s.phase, s.want), (Phase::Down, Want::Down));
    let mut s = up();
    dies(&mut s, killed(100), 10);
    assert_eq!(kind(s.phase), "waiting", "signal 100 is not exit 100");
}

#[test]
fn down_signal_and_kill_after_timeout_kill() {
    let p = policy(&[(b"down-signal", b"SIGUSR1\n"), (b"timeout-kill", b"250")]);
    let mut s = up_with(p, 0);
    let usr1 = crate::sys::signal::by_name(b"USR1").unwrap();
    assert_eq!(
        s.on(Event::Control(b'd'), at(1000)),
        [Signal(PID, usr1), Signal(PID, SIGCONT), WriteStatus]
    );
    assert!(!s.status().1.got_term, "not TERM");
    assert_eq!(s.deadline(), Some(at(1250).mono));
    assert_eq!(s.on(Event::Timer, at(1249)), []);
    assert_eq!(s.on(Event::Timer, at(1250)), [Signal(PID, SIGKILL)]);
    assert_eq!(s.on(Event::Timer, at(1300)), [], "KILL once");
    dies(&mut s, killed(SIGKILL), 1260);
    assert_eq!(s.phase, Phase::Down);
}

#[test]
fn got_term_is_runits_flag() {
    let mut s = up();
    s.on(Event::Control(b't'), at(10));
    assert!(s.status().1.got_term);
    dies(&mut s, killed(SIGTERM), 20);
    assert!(!s.status().1.got_term);
}

#[test]
fn readiness_is_recorded_once_and_forgotten_at_exit() {
    let mut s = up();
    assert_eq!(
        s.on(Event::Ready, at(1500)),
        [WriteStatus, Hook(HookEvent::Ready)]
    );
    assert_eq!(s.on(Event::Ready, at(1600)), []);
    assert_eq!(s.lifecycle(at(1600)).ready, Some(at(1500).wall));
    dies(&mut s, exited(0), 2000);
    assert_eq!(s.lifecycle(at(2000)).ready, None);
    assert_eq!(s.on(Event::Ready, at(2100)), [], "not running");
}

#[test]
fn backoff_doubles_the_wait_between_quick_deaths() {
    let p = policy(&[(b"backoff-max", b"5000")]);
    let mut s = up_with(p, 0);
    let mut waits = Vec::new();
    let mut t = 0;
    for _ in 0..5 {
        dies(&mut s, exited(1), t + 100);
        let Phase::Waiting { until } = s.phase else {
            panic!("{:?}", s.phase)
        };
        waits.push((until - Duration::from_millis(t)).as_millis());
        t = until.as_millis() as u64;
        s.on(Event::Timer, at(t));
        s.on(Event::RunSpawned(PID, p), at(t));
    }
    assert_eq!(waits, [2000, 4000, 5000, 5000, 5000]);
    assert_eq!(s.lifecycle(at(t)).restarts, 5);
}

#[test]
fn give_up_stops_restarts_until_asked_again() {
    let p = policy(&[(b"give-up", b"2 60")]);
    let mut s = up_with(p, 0);
    dies(&mut s, exited(1), 100);
    s.on(Event::Timer, at(1000));
    s.on(Event::RunSpawned(PID, p), at(1000));
    s.on(Event::Reaped(PID, exited(1)), at(1100));
    assert_eq!(
        s.on(Event::NoFinish, at(1100)),
        [
            WriteStatus,
            Hook(HookEvent::Down(Exit::Code(1))),
            Hook(HookEvent::GaveUp)
        ]
    );
    assert_eq!((s.phase, s.want), (Phase::GaveUp, Want::Down));
    assert_eq!(
        s.lifecycle(at(1100)).phase,
        crate::format::lifecycle::Phase::GaveUp
    );
    s.on(Event::Control(b'x'), at(1200));
    assert!(s.finished(), "a service that gave up does not hold up exit");
    let mut s = up_with(p, 0);
    dies(&mut s, exited(1), 100);
    s.on(Event::Timer, at(1000));
    s.on(Event::RunSpawned(PID, p), at(1000));
    dies(&mut s, exited(1), 1100);
    s.on(Event::Control(b'u'), at(5000));
    assert_eq!(
        s.phase,
        Phase::Waiting {
            until: at(5000).mono
        }
    );
}

#[test]
fn lifecycle_record_shows_the_wait() {
    let mut s = up();
    dies(&mut s, killed(SIGTERM), 400);
    let l = s.lifecycle(at(400));
    assert_eq!(l.phase, crate::format::lifecycle::Phase::Waiting);
    assert_eq!(
        l.next_start,
        Some(later(at(400).wall, Duration::from_millis(600)))
    );
    assert_eq!(
        l.last_exit,
        Some((Exit::Signal(SIGTERM as u8), at(400).wall))
    );
}
