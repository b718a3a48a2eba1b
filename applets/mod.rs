//! The applet table: one sorted list maps each program name (daemontools' 17, ucspi-tcp's
//! six, and daemonbox's own additions) to its entry point and its one-line purpose.
//!
//! An entry point takes the full argv (argv[0] included) and returns the exit code. Every
//! applet module is listed here and nowhere else; the purposes are what `daemonbox --help`
//! prints and what the README's applet table says.

use std::ffi::CStr;

mod envdir;
mod envuidgid;
mod fghack;
pub(crate) mod multilog;
mod pgrphack;
mod rblsmtpd;
mod readproctitle;
mod recordio;
pub(crate) mod runline;
mod setlock;
mod setuidgid;
mod softlimit;
pub(crate) mod supervise;
mod svc;
mod svok;
mod svreload;
pub(crate) mod svscan;
mod svscanboot;
mod svstat;
mod svwait;
mod tai64n;
pub(crate) mod tai64nlocal;
mod tcpclient;
mod tcprules;
mod tcprulescheck;
mod tcpserver;

/// One program daemonbox can be.
#[derive(Debug)]
pub struct Applet {
    /// The exact basename of argv[0].
    pub name: &'static str,
    /// The entry point: argv in, exit code out.
    pub main: fn(&[&CStr]) -> u8,
    /// What it does, in one line (`daemonbox --help`, the README's applet table).
    pub purpose: &'static str,
}

/// Applets are the same when their names are (entry points are not comparable).
impl PartialEq for Applet {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// Every applet, sorted by name (binary search relies on it).
pub const APPLETS: &[Applet] = &[
    Applet {
        name: "envdir",
        main: envdir::main,
        purpose: "runs a program with environment variables read from a directory",
    },
    Applet {
        name: "envuidgid",
        main: envuidgid::main,
        purpose: "runs a program with UID and GID set to an account's ids",
    },
    Applet {
        name: "fghack",
        main: fghack::main,
        purpose: "runs a self-backgrounding program in the foreground",
    },
    Applet {
        name: "multilog",
        main: multilog::main,
        purpose: "writes selected lines of its input to rotated log directories",
    },
    Applet {
        name: "pgrphack",
        main: pgrphack::main,
        purpose: "runs a program in a new session and process group",
    },
    Applet {
        name: "rblsmtpd",
        main: rblsmtpd::main,
        purpose: "refuses SMTP clients listed in DNS block lists, else runs smtpd",
    },
    Applet {
        name: "readproctitle",
        main: readproctitle::main,
        purpose: "shows the last bytes of its input in its own process title",
    },
    Applet {
        name: "recordio",
        main: recordio::main,
        purpose: "runs a program and records its input and output on stderr",
    },
    Applet {
        name: "runline",
        main: runline::main,
        purpose: "runs a file's one command line: a #! interpreter with no shell",
    },
    Applet {
        name: "setlock",
        main: setlock::main,
        purpose: "runs a program holding an exclusive lock on a file",
    },
    Applet {
        name: "setuidgid",
        main: setuidgid::main,
        purpose: "runs a program under an account's uid and primary gid",
    },
    Applet {
        name: "softlimit",
        main: softlimit::main,
        purpose: "runs a program with lowered soft resource limits",
    },
    Applet {
        name: "supervise",
        main: supervise::main,
        purpose: "starts and monitors the service in a directory",
    },
    Applet {
        name: "svc",
        main: svc::main,
        purpose: "controls services monitored by supervise",
    },
    Applet {
        name: "svok",
        main: svok::main,
        purpose: "exits 0 if supervise is running in a directory",
    },
    Applet {
        name: "svreload",
        main: svreload::main,
        purpose: "sends the reload signal to services using renewed certificates",
    },
    Applet {
        name: "svscan",
        main: svscan::main,
        purpose: "starts a supervise for each service directory and its logger",
    },
    Applet {
        name: "svscanboot",
        main: svscanboot::main,
        purpose: "starts svscan with its messages shown by readproctitle",
    },
    Applet {
        name: "svstat",
        main: svstat::main,
        purpose: "prints the status of services monitored by supervise",
    },
    Applet {
        name: "svwait",
        main: svwait::main,
        purpose: "waits until services are up, ready, down or finished",
    },
    Applet {
        name: "tai64n",
        main: tai64n::main,
        purpose: "puts a TAI64N timestamp on every line",
    },
    Applet {
        name: "tai64nlocal",
        main: tai64nlocal::main,
        purpose: "converts TAI64N timestamps to local time",
    },
    Applet {
        name: "tcpclient",
        main: tcpclient::main,
        purpose: "connects to a TCP server and runs a program on the connection",
    },
    Applet {
        name: "tcprules",
        main: tcprules::main,
        purpose: "compiles tcpserver access rules into a cdb",
    },
    Applet {
        name: "tcprulescheck",
        main: tcprulescheck::main,
        purpose: "shows which rule applies to a client",
    },
    Applet {
        name: "tcpserver",
        main: tcpserver::main,
        purpose: "accepts TCP connections and runs a program for each",
    },
];

/// The applet called `name`, if there is one.
pub fn find(name: &[u8]) -> Option<&'static Applet> {
    APPLETS
        .binary_search_by(|a| a.name.as_bytes().cmp(name))
        .ok()
        .map(|i| &APPLETS[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_strictly_sorted() {
        assert!(APPLETS.windows(2).all(|w| w[0].name < w[1].name));
    }

    #[test]
    fn table_lists_every_applet() {
        let names: Vec<&str> = APPLETS.iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            [
                "envdir",
                "envuidgid",
                "fghack",
                "multilog",
                "pgrphack",
                "rblsmtpd",
                "readproctitle",
                "recordio",
                "runline",
                "setlock",
                "setuidgid",
                "softlimit",
                "supervise",
                "svc",
                "svok",
                "svreload",
                "svscan",
                "svscanboot",
                "svstat",
                "svwait",
                "tai64n",
                "tai64nlocal",
                "tcpclient",
                "tcprules",
                "tcprulescheck",
                "tcpserver",
            ]
        );
    }

    #[test]
    fn purposes_fit_one_help_line() {
        for a in APPLETS {
            let p = a.purpose;
            assert!(
                !p.is_empty() && p.len() <= 63 && !p.contains('\n'),
                "{}",
                a.name
            );
            assert!(
                p.starts_with(|c: char| c.is_ascii_lowercase()),
                "{}",
                a.name
            );
        }
    }

    #[test]
    fn find_every_name_and_nothing_else() {
        for a in APPLETS {
            assert_eq!(find(a.name.as_bytes()).map(|f| f.name), Some(a.name));
        }
        assert!(find(b"daemonbox").is_none());
        assert!(find(b"").is_none());
        assert!(find(b"svc ").is_none());
    }
}
