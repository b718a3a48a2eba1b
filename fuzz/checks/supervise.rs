//! supervise's transition function under any sequence of events.

use super::Input;
use crate::applets::supervise::state::{Action, Event, State};
use crate::format::status::Want;
use crate::sys::proc::Pid;

/// Drives the state machine the way the event loop does: control bytes in any order, a
/// start whenever one is due, exits of the child (or of unrelated children), failed forks.
/// After every event: there is never a second child (a start is due only while none
/// runs); a service wanted down is never started; signals go only to a running child;
/// after `x`, supervise finishes once the child is gone and starts nothing more; the
/// status record never shows a paused service that is down.
pub fn state(data: &[u8]) {
    let mut input = Input::new(data);
    let mut state = State::new(input.byte() & 1 == 1);
    let mut next_pid: Pid = 100;
    let mut exit_asked = false;
    // The event loop stops once supervise has finished.
    while !input.is_empty() && !state.finished() {
        let op = input.byte();
        let event = match op % 8 {
            0..=3 => Event::Control(b"udopcxahktiz\n\0"[usize::from(input.byte()) % 14]),
            4 | 5 if state.start_due => {
                next_pid += 1;
                Event::Started(next_pid)
            }
            4 if state.pid != 0 => Event::Reaped(state.pid),
            6 => Event::Reaped(next_pid + 1 + Pid::from(input.byte())),
            7 if state.start_due => Event::ForkFailed,
            _ => Event::Control(input.byte()),
        };
        let before = state;
        if event == Event::Control(b'x') {
            exit_asked = true;
        }
        let actions = state.on(event);
        for action in actions {
            if let Action::Signal(_) = action {
                assert_ne!(before.pid, 0, "{event:?} signals a service that is down");
            }
        }
        if let Event::Started(_) = event {
            assert_eq!(before.pid, 0, "a second child");
        }
        assert!(
            !(state.start_due && state.pid != 0),
            "start due while {} runs",
            state.pid
        );
        if state.want == Want::Down {
            assert!(!state.start_due, "start due while wanted down");
        }
        if exit_asked && state.pid == 0 {
            assert!(state.finished());
        }
        if state.finished() {
            assert_eq!(state.pid, 0);
        }
        let record = state.status(crate::format::tai::Stamp::from_unix(0, 0));
        assert!(record.pid != 0 || !record.paused);
    }
}
