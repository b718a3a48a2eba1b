//! The applet table: one sorted list maps each daemontools program name to its entry point.
//!
//! An entry point takes the full argv (argv[0] included) and returns the exit code. Every
//! applet module is listed here and nowhere else.

use std::ffi::CStr;

mod envdir;
mod envuidgid;
mod fghack;
pub(crate) mod multilog;
mod pgrphack;
mod readproctitle;
mod setlock;
mod setuidgid;
mod softlimit;
pub(crate) mod supervise;
mod svc;
mod svok;
pub(crate) mod svscan;
mod svscanboot;
mod svstat;
mod tai64n;
pub(crate) mod tai64nlocal;

/// One program daemonbox can be.
#[derive(Debug)]
pub struct Applet {
    /// The exact basename of argv[0].
    pub name: &'static str,
    /// The entry point: argv in, exit code out.
    pub main: fn(&[&CStr]) -> u8,
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
    },
    Applet {
        name: "envuidgid",
        main: envuidgid::main,
    },
    Applet {
        name: "fghack",
        main: fghack::main,
    },
    Applet {
        name: "multilog",
        main: multilog::main,
    },
    Applet {
        name: "pgrphack",
        main: pgrphack::main,
    },
    Applet {
        name: "readproctitle",
        main: readproctitle::main,
    },
    Applet {
        name: "setlock",
        main: setlock::main,
    },
    Applet {
        name: "setuidgid",
        main: setuidgid::main,
    },
    Applet {
        name: "softlimit",
        main: softlimit::main,
    },
    Applet {
        name: "supervise",
        main: supervise::main,
    },
    Applet {
        name: "svc",
        main: svc::main,
    },
    Applet {
        name: "svok",
        main: svok::main,
    },
    Applet {
        name: "svscan",
        main: svscan::main,
    },
    Applet {
        name: "svscanboot",
        main: svscanboot::main,
    },
    Applet {
        name: "svstat",
        main: svstat::main,
    },
    Applet {
        name: "tai64n",
        main: tai64n::main,
    },
    Applet {
        name: "tai64nlocal",
        main: tai64nlocal::main,
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
    fn table_is_the_daemontools_programs() {
        let names: Vec<&str> = APPLETS.iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            [
                "envdir",
                "envuidgid",
                "fghack",
                "multilog",
                "pgrphack",
                "readproctitle",
                "setlock",
                "setuidgid",
                "softlimit",
                "supervise",
                "svc",
                "svok",
                "svscan",
                "svscanboot",
                "svstat",
                "tai64n",
                "tai64nlocal",
            ]
        );
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
