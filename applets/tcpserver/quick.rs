//! tcpserver's quick start. When nothing is looked up (`-H`, `-R` and `-l name`), nothing
//! can make a connection slow, so tcpserver does the child's work itself and starts the
//! program without copying its own memory (`Spawn::start_shared`): a connection costs a
//! fraction of a fork. The program gets the same descriptors, signals and variables (in
//! 0.88's order, unless tcpserver's own environment already held some of them). Anything
//! out of the ordinary (a denied client, an unreadable rules file, a banner that cannot
//! be written, a program that cannot run) goes to the forked child instead, which reports
//! it exactly as 0.88 does.

use super::child::Server;
use super::report;
use crate::format::envfile;
use crate::sys::socket::Endpoint;
use crate::sys::spawn::Scratch;
use crate::sys::{self, OwnedFd};

/// Every variable tcpserver sets or removes.
const NAMES: &[&[u8]] = &[
    b"PROTO",
    b"TCPLOCALIP",
    b"TCPLOCALPORT",
    b"TCPLOCALHOST",
    b"TCPREMOTEIP",
    b"TCPREMOTEPORT",
    b"TCPREMOTEHOST",
    b"TCPREMOTEINFO",
    b"TCP6LOCALIP",
    b"TCP6LOCALPORT",
    b"TCP6LOCALHOST",
    b"TCP6INTERFACE",
    b"TCP6REMOTEIP",
    b"TCP6REMOTEPORT",
    b"TCP6REMOTEHOST",
    b"TCP6REMOTEINFO",
];

/// What the quick start keeps between connections.
pub struct Quick {
    scratch: Scratch,
    /// The environment being built, kept so that its strings are reused.
    env: Vec<Vec<u8>>,
    /// tcpserver's environment without the variables it sets.
    base: Vec<Vec<u8>>,
}

/// What became of a connection offered to the quick start.
pub enum Outcome {
    /// Its program runs.
    Started,
    /// It goes to a forked child; `banner_sent` says whether the banner is already out.
    Fork { banner_sent: bool },
}

impl Quick {
    /// The quick start for `server`, if its options look nothing up.
    pub fn new(server: &Server) -> Option<Quick> {
        let c = server.config;
        if c.remote_host || c.remote_info || c.local_name.is_none() {
            return None;
        }
        let unset: Vec<Vec<u8>> = NAMES.iter().map(|n| envfile::edit(n, None)).collect();
        Some(Quick {
            scratch: Scratch::default(),
            env: Vec::new(),
            base: envfile::apply(server.env.clone(), &unset),
        })
    }

    /// Serves the connection `conn` from `remote` (counted as a child already).
    pub fn start(&mut self, server: &Server, conn: &OwnedFd, remote: &Endpoint) -> Outcome {
        server.set_options(conn);
        let client = match server.gather(conn, remote, None) {
            Ok(client) if !client.deny => client,
            _ => return Outcome::Fork { banner_sent: false },
        };
        if sys::fd::write_all(conn, server.config.banner).is_err() {
            return Outcome::Fork { banner_sent: false };
        }
        if client.rule_edits == 0 {
            self.env.clone_from(&self.base);
            let set = client.edits.iter().filter(|e| e.contains(&b'='));
            self.env.extend(set.cloned());
        } else {
            self.env = envfile::apply(server.env.clone(), &client.edits);
        }
        let started = server
            .program(conn, &self.env)
            .start_shared(&mut self.scratch);
        match started {
            Ok(pid) => {
                server.say(&report::pid(pid as u64, &client.remote_ip));
                server.say(&server.verdict(pid as u64, &client));
                Outcome::Started
            }
            Err(_) => Outcome::Fork { banner_sent: true },
        }
    }
}
