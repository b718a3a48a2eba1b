//! supervise's transition function (with its settings parser) under any sequence of events,
//! driven the way the event loop drives it.

use super::Input;
use crate::applets::supervise::policy::{FILES, Policy};
use crate::applets::supervise::state::{Action, Child, Event, Now, Phase, State};
use crate::format::lifecycle;
use crate::format::status::Want;
use crate::format::tai::Stamp;
use crate::sys::proc::{Pid, WaitStatus};
use std::time::Duration;

/// Every control byte supervise knows, and a few it ignores.
const CONTROL: &[u8] = b"udopcxahktiq12byz\n\0";

/// The children the loop has running: `./run` and `./finish`.
#[derive(Default)]
struct Children {
    run: Option<Pid>,
    finish: Option<Pid>,
    next: Pid,
}

impl Children {
    fn fresh(&mut self) -> Pid {
        self.next += 1;
        100 + self.next
    }

    fn any(&self) -> bool {
        self.run.is_some() || self.finish.is_some()
    }
}

/// Settings as the service directory might hold them (the parser is fuzzed on the way).
fn policy(input: &mut Input<'_>) -> Policy {
    let mut policy = Policy::default();
    for _ in 0..input.byte() % 4 {
        let file = FILES[usize::from(input.byte()) % FILES.len()];
        let _ = policy.set(file, input.sized(24));
    }
    policy
}

/// A wait status: an exit code or a signal.
fn wait_status(input: &mut Input<'_>) -> WaitStatus {
    let b = input.byte();
    WaitStatus(if b & 1 == 0 {
        i32::from(b >> 1) << 8
    } else {
        i32::from(b >> 1 & 0x1f).max(1)
    })
}

/// Feeds events in any order the loop can produce them (a start is answered at once, only
/// live children are reaped, unrelated pids too) and checks after each: there is never a
/// second child (`./run` starts only when nothing runs, `./finish` only after `./run`
/// ended); a service wanted down is never started; signals go only to a running child;
/// once `x` is in and nothing runs, supervise has finished; the records show the running
/// `./run` and only it, never paused while down, and the lifecycle record packs and
/// unpacks unchanged.
pub fn state(data: &[u8]) {
    let mut input = Input::new(data);
    let base = Stamp::from_unix(1_700_000_000, 500);
    let mut mono = Duration::from_secs(1000);
    let now = |mono: Duration| Now {
        mono,
        wall: Stamp::from_unix(base.unix_secs() + mono.as_secs() as i64, 500),
    };
    let mut state = State::new(input.byte() & 1 == 1, now(mono));
    let mut kids = Children::default();
    let mut answer: Option<Event> = None;
    while !input.is_empty() && !state.finished() {
        mono += Duration::from_millis(u64::from(input.byte()) * u64::from(input.byte()));
        let event = match answer.take() {
            Some(event) => event,
            None => match input.byte() % 8 {
                0..=2 => Event::Control(CONTROL[usize::from(input.byte()) % CONTROL.len()]),
                3 => Event::Timer,
                4 => match (kids.run, kids.finish) {
                    (Some(pid), _) | (None, Some(pid)) => {
                        Event::Reaped(pid, Some(wait_status(&mut input)))
                    }
                    _ => Event::Timer,
                },
                5 => Event::Reaped(kids.fresh(), Some(wait_status(&mut input))),
                6 => Event::Ready,
                _ => match state.deadline() {
                    Some(at) => {
                        mono = mono.max(at);
                        Event::Timer
                    }
                    None => Event::Control(input.byte()),
                },
            },
        };
        match event {
            Event::Reaped(pid, _) if kids.run == Some(pid) => kids.run = None,
            Event::Reaped(pid, _) if kids.finish == Some(pid) => kids.finish = None,
            Event::RunSpawned(pid, _) => kids.run = Some(pid),
            Event::FinishSpawned(pid) => kids.finish = Some(pid),
            _ => {}
        }
        let actions = state.on(event, now(mono));
        for action in actions {
            match action {
                Action::StartRun => {
                    assert!(!kids.any(), "./run started while a child runs");
                    assert_ne!(state.want, Want::Down, "started while wanted down");
                    answer = Some(if input.byte().is_multiple_of(8) {
                        Event::SpawnFailed(Child::Run)
                    } else {
                        Event::RunSpawned(kids.fresh(), policy(&mut input))
                    });
                }
                Action::StartFinish { .. } => {
                    assert!(!kids.any(), "./finish started while a child runs");
                    answer = Some(match input.byte() % 4 {
                        0 => Event::NoFinish,
                        1 => Event::SpawnFailed(Child::Finish),
                        _ => Event::FinishSpawned(kids.fresh()),
                    });
                }
                Action::Signal(pid, _) => {
                    assert!(
                        Some(pid) == kids.run || Some(pid) == kids.finish,
                        "signal to {pid}, which is not running"
                    );
                }
                Action::WriteStatus | Action::Hook(_) => {}
            }
        }
        check(&state, &kids, answer.is_some(), now(mono));
    }
}

fn check(state: &State, kids: &Children, answering: bool, now: Now) {
    if state.want == Want::Down {
        assert!(
            !matches!(state.phase, Phase::Waiting { .. })
                && (answering || state.phase != Phase::Starting),
            "a start is due while wanted down: {:?}",
            state.phase
        );
    }
    assert_eq!(
        state.pid(),
        kids.run,
        "the state's pid is not the running ./run"
    );
    if state.exit_requested && !kids.any() && !answering {
        assert!(state.finished(), "x received, nothing runs, not finished");
    }
    if state.finished() {
        assert!(!kids.any(), "finished while a child runs");
    }
    let (record, _) = state.status();
    assert_eq!(record.pid, kids.run.map_or(0, |p| p as u32));
    assert!(record.pid != 0 || !record.paused);
    let life = state.lifecycle(now);
    assert_eq!(lifecycle::unpack(&lifecycle::pack(&life)), Some(life));
}
