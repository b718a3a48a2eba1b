//! `svstat -j`: one JSON object per service directory, everything the records tell.
//!
//! Keys, always all present and in this order: `dir`, `supervised`, `up`, `pid` (number or
//! null), `seconds` (since the last pid change, as svstat counts them; null when unknown),
//! `normally_up`, `want` (`"up"`, `"down"` or null), `paused`, `ready`, `finishing`,
//! `restarts`, `gave_up`, `last_exit` (`{"code": N}`, `{"signal": N}`, or null when there
//! was none yet or its status could not be known), `phase`, `adopted` (taken over from a
//! killed supervise), `error` (svstat's words for what could not be read, or null).
//! Directories whose supervise is not daemonbox's (0.76's, runit's) lack the lifecycle
//! record: the keys that need it keep their defaults.

use super::{age, now_tai};
use crate::errtext;
use crate::format::json::Object;
use crate::format::lifecycle::{Exit, Phase};
use crate::format::status::{RunState, Want};
use crate::svdir::{self, Records, ServiceDir};
use crate::sys::Errno;

/// What could be found out about one directory.
#[derive(Default)]
struct Facts {
    supervised: bool,
    normally_up: Option<bool>,
    records: Option<Records>,
    error: Option<Vec<u8>>,
}

fn error(what: &[u8], e: Errno) -> Vec<u8> {
    [what, b": ", errtext::text(e).as_bytes()].concat()
}

/// Looks at the service directory that is now the current directory.
fn look(service: ServiceDir) -> Facts {
    let mut facts = Facts::default();
    match service.down_file() {
        Ok(down) => facts.normally_up = Some(!down),
        Err(e) => facts.error = Some(error(b"unable to stat down", e)),
    }
    if facts.error.is_some() {
        return facts;
    }
    match service.supervise_running() {
        Ok(running) => facts.supervised = running,
        Err(e) => facts.error = Some(error(&[b"unable to open ", svdir::OK].concat(), e)),
    }
    if facts.supervised {
        match service.read_records() {
            Ok(records) => facts.records = Some(records),
            Err(e) => facts.error = Some(e.text()),
        }
    }
    facts
}

/// The JSON object for `dir`; `entered` says whether changing into it worked.
pub fn object(dir: &[u8], entered: Result<(), Errno>) -> Vec<u8> {
    let facts = match entered {
        Ok(()) => look(ServiceDir::current(dir)),
        Err(e) => Facts {
            error: Some(error(b"unable to chdir", e)),
            ..Facts::default()
        },
    };
    let records = facts.records;
    let lifecycle = records.and_then(|r| r.lifecycle);
    let pid = records.map_or(0, |r| r.status.pid);
    let up = pid != 0;
    let mut o = Object::default();
    o.string("dir", dir).bool("supervised", facts.supervised);
    o.bool("up", up);
    if up {
        o.number("pid", i64::from(pid));
    } else {
        o.null("pid");
    }
    match records {
        Some(r) => o.number("seconds", age(r.status.stamp, now_tai()) as i64),
        None => o.null("seconds"),
    };
    match facts.normally_up {
        Some(normally_up) => o.bool("normally_up", normally_up),
        None => o.null("normally_up"),
    };
    match records.map(|r| r.status.want) {
        Some(Want::Up) => o.string("want", b"up"),
        Some(Want::Down) => o.string("want", b"down"),
        _ => o.null("want"),
    };
    o.bool("paused", up && records.is_some_and(|r| r.status.paused));
    o.bool("ready", up && lifecycle.is_some_and(|l| l.ready.is_some()));
    let tail_finishing = records
        .and_then(|r| r.tail)
        .is_some_and(|t| t.state == RunState::Finish);
    let phase = lifecycle.map(|l| l.phase);
    o.bool(
        "finishing",
        tail_finishing || phase == Some(Phase::Finishing),
    );
    o.number("restarts", i64::from(lifecycle.map_or(0, |l| l.restarts)));
    o.bool("gave_up", phase == Some(Phase::GaveUp));
    let mut last_exit = Object::default();
    match lifecycle.and_then(|l| l.last_exit).map(|(exit, _)| exit) {
        Some(Exit::Code(code)) => {
            last_exit.number("code", i64::from(code));
            o.object("last_exit", last_exit);
        }
        Some(Exit::Signal(signal)) => {
            last_exit.number("signal", i64::from(signal));
            o.object("last_exit", last_exit);
        }
        Some(Exit::Unknown) | None => {
            o.null("last_exit");
        }
    }
    let phase_name = match (phase, records) {
        (Some(phase), _) => Some(phase.name()),
        (None, Some(_)) if tail_finishing => Some(Phase::Finishing.name()),
        (None, Some(_)) => Some(if up { "up" } else { "down" }),
        (None, None) => None,
    };
    match phase_name {
        Some(name) => o.string("phase", name.as_bytes()),
        None => o.null("phase"),
    };
    o.bool("adopted", lifecycle.is_some_and(|l| l.adopted));
    match &facts.error {
        Some(text) => o.string("error", text),
        None => o.null("error"),
    };
    o.finish()
}
