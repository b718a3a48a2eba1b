//! The state machine's table as 0.76 has it: every control byte in every phase, the start
//! pacing, exits, fork failures and take-over, with time given, never read. The lifecycle
//! beyond 0.76 is tested in `tests/lifecycle.rs`.

use super::*;

mod lifecycle;

const PID: Pid = 4242;
const FIN: Pid = 5151;

fn at(ms: u64) -> Now {
    Now {
        mono: Duration::from_millis(ms),
        wall: Stamp::from_unix(1_700_000_000 + (ms / 1000) as i64, 500),
    }
}

fn exited(code: i32) -> Option<WaitStatus> {
    Some(WaitStatus(code << 8))
}

fn killed(signal: i32) -> Option<WaitStatus> {
    Some(WaitStatus(signal))
}

fn policy(settings: &[(&[u8], &[u8])]) -> Policy {
    let mut p = Policy::default();
    for (file, text) in settings {
        p.set(file, text).unwrap();
    }
    p
}

/// Wanted up and running since `ms` under `p`.
fn up_with(p: Policy, ms: u64) -> State {
    let mut s = State::new(false, at(ms));
    assert_eq!(s.on(Event::Timer, at(ms)), [StartRun]);
    assert_eq!(
        s.on(Event::RunSpawned(PID, p), at(ms)),
        [WriteStatus, Hook(HookEvent::Up)]
    );
    s
}

fn up() -> State {
    up_with(Policy::default(), 0)
}

/// Wanted down, nothing running.
fn down() -> State {
    State::new(true, at(0))
}

/// `./run` ends with `status` at `ms` and there is no `./finish`.
fn dies(s: &mut State, status: Option<WaitStatus>, ms: u64) {
    let (code, signal) = finish_args(exit_of(status));
    assert_eq!(
        s.on(Event::Reaped(PID, status), at(ms)),
        [Action::StartFinish { code, signal }]
    );
    let after = s.on(Event::NoFinish, at(ms));
    assert_eq!(
        after[..2],
        [WriteStatus, Hook(HookEvent::Down(exit_of(status)))]
    );
}

fn kind(p: Phase) -> &'static str {
    match p {
        Phase::Down => "down",
        Phase::Waiting { .. } => "waiting",
        Phase::Starting => "starting",
        Phase::Up { .. } => "up",
        Phase::Finishing { .. } => "finishing",
        Phase::GaveUp => "gave up",
    }
}

#[test]
fn initial_states() {
    let s = State::new(false, at(5));
    assert_eq!(
        (s.phase, s.want),
        (Phase::Waiting { until: at(5).mono }, Want::Up)
    );
    assert_eq!(s.deadline(), Some(at(5).mono));
    let s = down();
    assert_eq!(
        (s.phase, s.want, s.deadline()),
        (Phase::Down, Want::Down, None)
    );
    assert!(!s.finished());
}

#[test]
fn start_stamps_and_clears_pause() {
    let mut s = State::new(false, at(0));
    s.paused = true;
    assert_eq!(s.on(Event::Timer, at(0)), [StartRun]);
    assert_eq!(s.phase, Phase::Starting);
    assert_eq!(
        s.on(Event::RunSpawned(PID, Policy::default()), at(30)),
        [WriteStatus, Hook(HookEvent::Up)]
    );
    assert_eq!(
        (s.pid(), s.paused, s.stamp),
        (Some(PID), false, at(30).wall)
    );
}

#[test]
fn timer_before_the_deadline_does_nothing() {
    let mut s = up();
    dies(&mut s, exited(0), 200);
    assert_eq!(
        s.phase,
        Phase::Waiting {
            until: at(1000).mono
        }
    );
    assert_eq!(s.on(Event::Timer, at(999)), []);
    assert_eq!(s.on(Event::Timer, at(1000)), [StartRun]);
}

/// Starting state, byte, actions, then pid, want, paused and the phase kind afterwards.
type Case = (
    State,
    u8,
    Vec<Action>,
    Option<Pid>,
    Want,
    bool,
    &'static str,
);

#[test]
fn control_table() {
    let sig = |s| Signal(PID, s);
    let cases: Vec<Case> = vec![
        (
            down(),
            b'u',
            vec![WriteStatus],
            None,
            Want::Up,
            false,
            "waiting",
        ),
        (
            up(),
            b'u',
            vec![WriteStatus],
            Some(PID),
            Want::Up,
            false,
            "up",
        ),
        (
            down(),
            b'o',
            vec![WriteStatus],
            None,
            Want::None,
            false,
            "waiting",
        ),
        (
            up(),
            b'o',
            vec![WriteStatus],
            Some(PID),
            Want::None,
            false,
            "up",
        ),
        (
            up(),
            b'd',
            vec![sig(SIGTERM), sig(SIGCONT), WriteStatus],
            Some(PID),
            Want::Down,
            false,
            "up",
        ),
        (
            State::new(false, at(0)),
            b'd',
            vec![WriteStatus],
            None,
            Want::Down,
            false,
            "down",
        ),
        (
            up(),
            b'p',
            vec![WriteStatus, sig(SIGSTOP)],
            Some(PID),
            Want::Up,
            true,
            "up",
        ),
        (
            down(),
            b'p',
            vec![WriteStatus],
            None,
            Want::Down,
            true,
            "down",
        ),
        (
            up(),
            b'c',
            vec![WriteStatus, sig(SIGCONT)],
            Some(PID),
            Want::Up,
            false,
            "up",
        ),
        (
            down(),
            b'c',
            vec![WriteStatus],
            None,
            Want::Down,
            false,
            "down",
        ),
        (
            up(),
            b'a',
            vec![sig(SIGALRM)],
            Some(PID),
            Want::Up,
            false,
            "up",
        ),
        (
            up(),
            b'h',
            vec![sig(SIGHUP)],
            Some(PID),
            Want::Up,
            false,
            "up",
        ),
        (
            up(),
            b'k',
            vec![sig(SIGKILL)],
            Some(PID),
            Want::Up,
            false,
            "up",
        ),
        (
            up(),
            b't',
            vec![sig(SIGTERM)],
            Some(PID),
            Want::Up,
            false,
            "up",
        ),
        (
            up(),
            b'i',
            vec![sig(SIGINT)],
            Some(PID),
            Want::Up,
            false,
            "up",
        ),
        (down(), b'a', vec![], None, Want::Down, false, "down"),
        (down(), b'k', vec![], None, Want::Down, false, "down"),
        (down(), b't', vec![], None, Want::Down, false, "down"),
        (up(), b'z', vec![], Some(PID), Want::Up, false, "up"),
        (up(), b'\n', vec![], Some(PID), Want::Up, false, "up"),
        (down(), 0, vec![], None, Want::Down, false, "down"),
    ];
    for (i, (start, byte, actions, pid, want, paused, phase)) in cases.into_iter().enumerate() {
        let mut s = start;
        assert_eq!(
            s.on(Event::Control(byte), at(100)),
            actions,
            "case {i} ({:?})",
            byte as char
        );
        assert_eq!(
            (s.pid(), s.want, s.paused, kind(s.phase)),
            (pid, want, paused, phase),
            "case {i}"
        );
    }
}

#[test]
fn down_on_paused_service_clears_pause() {
    let mut s = up();
    s.on(Event::Control(b'p'), at(10));
    assert!(s.status().0.paused);
    s.on(Event::Control(b'd'), at(20));
    assert!(!s.paused);
}

#[test]
fn exit_of_wanted_up_service_waits_for_the_minimum_interval() {
    let mut s = up();
    dies(&mut s, exited(1), 300);
    assert_eq!(
        s.phase,
        Phase::Waiting {
            until: at(1000).mono
        }
    );
    assert_eq!(s.stamp, at(300).wall);
    let mut s = up();
    dies(&mut s, exited(1), 5000);
    assert_eq!(
        s.phase,
        Phase::Waiting {
            until: at(5000).mono
        },
        "long run: at once"
    );
}

#[test]
fn exit_after_down_or_once_stays_down() {
    for byte in [b'd', b'o'] {
        let mut s = up();
        s.on(Event::Control(byte), at(10));
        dies(&mut s, exited(0), 20);
        assert_eq!((s.pid(), s.phase), (None, Phase::Down), "{}", byte as char);
    }
}

#[test]
fn other_children_are_ignored() {
    let mut s = up();
    assert_eq!(s.on(Event::Reaped(PID + 1, exited(0)), at(10)), []);
    assert_eq!(s.pid(), Some(PID));
    let mut s = down();
    assert_eq!(s.on(Event::Reaped(0, exited(0)), at(10)), []);
}

#[test]
fn exit_waits_for_the_service_and_its_finish() {
    let mut s = up();
    assert_eq!(s.on(Event::Control(b'x'), at(10)), [WriteStatus]);
    assert!(!s.finished());
    s.on(Event::Reaped(PID, exited(0)), at(20));
    s.on(Event::FinishSpawned(FIN), at(20));
    assert!(!s.finished(), "./finish still runs");
    s.on(Event::Reaped(FIN, exited(0)), at(30));
    assert!(s.finished());
    assert_eq!(s.phase, Phase::Down, "no restart after x");
    let mut s = down();
    s.on(Event::Control(b'x'), at(10));
    assert!(s.finished());
}

#[test]
fn a_due_start_does_not_hold_up_exit() {
    let mut s = up();
    dies(&mut s, exited(1), 100);
    s.on(Event::Control(b'x'), at(200));
    assert!(s.finished());
}

#[test]
fn down_cancels_a_due_start() {
    let mut s = up();
    dies(&mut s, exited(1), 100);
    assert!(s.deadline().is_some());
    s.on(Event::Control(b'd'), at(200));
    assert_eq!((s.phase, s.deadline()), (Phase::Down, None));
}

#[test]
fn up_after_down_keeps_the_minimum_interval() {
    let mut s = up();
    s.on(Event::Control(b'd'), at(100));
    dies(&mut s, exited(0), 150);
    s.on(Event::Control(b'u'), at(200));
    assert_eq!(
        s.phase,
        Phase::Waiting {
            until: at(1000).mono
        }
    );
}

#[test]
fn fork_failure_retries_after_a_pause_only_when_wanted_up() {
    let mut s = State::new(false, at(0));
    s.on(Event::Timer, at(0));
    assert_eq!(s.on(Event::SpawnFailed(Child::Run), at(0)), []);
    assert_eq!(
        s.phase,
        Phase::Waiting {
            until: FORK_RETRY_PAUSE
        }
    );
    let mut s = down();
    s.on(Event::Control(b'o'), at(0));
    s.on(Event::Timer, at(0));
    s.on(Event::SpawnFailed(Child::Run), at(0));
    assert_eq!(s.phase, Phase::Down);
}

#[test]
fn adopted_service_is_up_and_restarted_after_exit() {
    let mut s = State::new(false, at(0));
    let old = Stamp::from_unix(5, 500);
    s.adopt(PID, true, old, Policy::default(), at(0));
    assert_eq!((s.pid(), s.paused, s.stamp), (Some(PID), true, old));
    assert!(s.status().0.paused && s.lifecycle(at(0)).adopted);
    assert_eq!(
        s.on(Event::Reaped(PID, None), at(10)),
        [Action::StartFinish {
            code: -1,
            signal: 0
        }],
        "an unknown status"
    );
    s.on(Event::NoFinish, at(10));
    assert_eq!(kind(s.phase), "waiting");
    assert_eq!(
        s.lifecycle(at(10)).last_exit,
        Some((Exit::Unknown, at(10).wall))
    );
    let mut s = down();
    s.adopt(PID, false, old, Policy::default(), at(0));
    s.on(Event::Reaped(PID, None), at(10));
    s.on(Event::NoFinish, at(10));
    assert_eq!((s.pid(), s.want, s.phase), (None, Want::Down, Phase::Down));
}

#[test]
fn paused_byte_forced_to_zero_while_down() {
    let mut s = down();
    s.on(Event::Control(b'p'), at(0));
    let st = s.status().0;
    assert_eq!((st.pid, st.paused, st.want), (0, false, Want::Down));
}
