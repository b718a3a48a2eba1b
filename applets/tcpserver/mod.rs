//! tcpserver: accepts TCP connections and runs a program for each, as ucspi-tcp 0.88 does.
//!
//! `tcpserver [-1UXpPhHrRoOdDqQv46] [-c limit] [-x rules.cdb] [-B banner] [-g gid]
//! [-u uid] [-b backlog] [-l localname] [-t timeout] [-I interface] host port program...`.
//! The program gets the connection on descriptors 0 and 1 and the client described in its
//! environment (see `child.rs`). At most `limit` (40) children run at once; at the limit
//! tcpserver stops accepting until one ends. SIGTERM ends tcpserver at once (exit 0); the
//! children are left running. Exit codes: 100 usage; 111 for a failure while starting
//! (port name, host address, socket, bind, listen, gid, uid). Options, messages and
//! the environment are 0.88's byte for byte; `-q` silences even fatal errors.
//!
//! Host `0` (or empty) is 0.0.0.0. An IPv6 host (`::` is the IPv6 wildcard, which
//! also takes IPv4 clients) or `-6` gives IPv6 mode: the IPv6 patch's environment, `-v`
//! lines and rule keys, as Debian's ucspi-tcp-ipv6 has them (whose tcpserver refuses `::`).
//! Port names come from /etc/services, host names from /etc/hosts and then DNS (IPv4
//! addresses first), without NSS.
//!
//! Beyond 0.88: one poll loop over the listener and a self-pipe (children are reaped as
//! they end); when accept fails for lack of descriptors or memory, tcpserver warns once
//! and retries every [`ACCEPT_PAUSE`] instead of spinning; `-u` and `-g` also take an
//! account or group name (0.88 reads a name as 0, which would keep root).

mod child;
mod options;
mod quick;
mod report;

use crate::exit::{self, Kind};
use crate::format::ip::{self, Ip};
use crate::format::num::fmt_ulong;
use crate::resolver::Resolver;
use crate::sys::poll::{PollFd, PollFlags};
use crate::sys::signal::{SIGCHLD, SIGPIPE, SIGTERM, SelfPipe};
use crate::sys::socket::{self, Endpoint};
use crate::sys::{self, Errno, OwnedFd};
use crate::ucspi::{self, Voice};
use child::Server;
use options::{Config, Id, Refused, Verbosity};
use quick::{Outcome, Quick};
use std::ffi::CStr;
use std::time::Duration;

const PROG: &str = "tcpserver";
const USAGE: &str = "tcpserver [ -1UXpPhHrRoOdDqQv ] [ -c limit ] [ -x rules.cdb ] \
[ -B banner ] [ -g gid ] [ -u uid ] [ -b backlog ] [ -l localname ] [ -t timeout ] \
host port program";
/// How long accepting pauses after it failed for lack of descriptors or memory.
const ACCEPT_PAUSE: Duration = Duration::from_millis(100);

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let env: Vec<(Vec<u8>, Vec<u8>)> = [&b"UID"[..], b"GID"]
        .iter()
        .filter_map(|n| Some((n.to_vec(), sys::env::get(n)?)))
        .collect();
    let lookup =
        |name: &[u8]| -> Option<&[u8]> { env.iter().find(|(n, _)| n == name).map(|(_, v)| &v[..]) };
    let config = match options::parse(args.get(1..).unwrap_or_default(), lookup) {
        Ok(config) => config,
        Err(Refused::Getopt(e)) => exit::getopt_usage(PROG, USAGE, argv0, e),
        Err(Refused::Usage) => exit::usage(PROG, USAGE, exit::USAGE),
    };
    let voice = Voice {
        prog: PROG,
        quiet: config.verbosity == Verbosity::Quiet,
    };
    let fatal = |pieces: &[&[u8]], errno: Option<Errno>| -> ! { voice.fatal(pieces, errno) };
    let port = ucspi::port_or_die(voice, config.port);
    if config.program.is_empty() {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    let selfpipe = SelfPipe::new(&[SIGCHLD, SIGTERM])
        .unwrap_or_else(|e| fatal(&[b"unable to create self-pipe"], Some(e)));
    let _ = sys::signal::ignore(SIGPIPE);
    let host = config.host;
    let address = listen_address(&config)
        .unwrap_or_else(|e| {
            fatal(
                &[b"temporarily unable to figure out IP address for ", host],
                Some(e),
            )
        })
        .unwrap_or_else(|| fatal(&[b"no IP address for ", host], None));
    let v6 = config.force_v6 || !ip::is_mapped(&address);
    let scope = config.interface.map_or(0, socket::interface_index);
    let listener =
        socket::tcp(v6).unwrap_or_else(|e| fatal(&[b"unable to create socket"], Some(e)));
    if v6 {
        let _ = socket::set_dual_stack(&listener);
    }
    let _ = socket::set_reuseaddr(&listener);
    let at = Endpoint {
        ip: address,
        port,
        scope,
    };
    socket::bind(&listener, v6, &at).unwrap_or_else(|e| fatal(&[b"unable to bind"], Some(e)));
    let local = socket::local(&listener)
        .unwrap_or_else(|e| fatal(&[b"unable to get local address"], Some(e)));
    let backlog = config.backlog.min(i32::MAX as u64) as i32;
    socket::listen(&listener, backlog).unwrap_or_else(|e| fatal(&[b"unable to listen"], Some(e)));
    let gid = resolve_id(&config.gid, true).unwrap_or_else(|what| fatal(&[&what], None));
    let uid = resolve_id(&config.uid, false).unwrap_or_else(|what| fatal(&[&what], None));
    if let Some(gid) = gid.filter(|&g| g != 0) {
        sys::proc::setgroups(&[gid])
            .and_then(|()| sys::proc::setgid(gid))
            .unwrap_or_else(|e| fatal(&[b"unable to set gid"], Some(e)));
    }
    if let Some(uid) = uid.filter(|&u| u != 0) {
        sys::proc::setuid(uid).unwrap_or_else(|e| fatal(&[b"unable to set uid"], Some(e)));
    }
    let local_port = fmt_ulong(u64::from(local.port));
    if config.print_port {
        let _ = sys::fd::write_all(sys::fd::stdout(), &[&local_port[..], b"\n"].concat());
    }
    sys::fd::close_number(0);
    sys::fd::close_number(1);
    let server = Server {
        config: &config,
        v6,
        local_port,
        env: sys::env::current(),
        voice,
    };
    Loop {
        quick: Quick::new(&server),
        server: &server,
        listener,
        selfpipe,
        children: 0,
        paused_until: None,
        warned: false,
    }
    .run()
}

/// The address to listen on: `0` or empty is the wildcard (IPv6 with `-6`), anything else
/// is looked up. `Ok(None)` when the name has no usable address.
fn listen_address(config: &Config) -> Result<Option<Ip>, Errno> {
    if config.host.is_empty() || config.host == b"0" {
        return Ok(Some(if config.force_v6 {
            ip::V6_ANY
        } else {
            ip::mapped([0; 4])
        }));
    }
    let found = Resolver::from_system()?.addresses_of(config.host, !config.only_v4)?;
    Ok(found
        .into_iter()
        .find(|a| !config.only_v4 || ip::is_mapped(a)))
}

/// A `-u`/`-g` value as a number, looking names up in /etc/passwd or /etc/group; the
/// error is the message for an unknown name.
fn resolve_id(id: &Option<Id>, group: bool) -> Result<Option<u32>, Vec<u8>> {
    match id {
        None => Ok(None),
        Some(Id::Number(n)) => Ok(Some(*n)),
        Some(Id::Name(name)) if group => sys::account::group_id(name)
            .map(Some)
            .ok_or_else(|| [&b"unknown group "[..], name].concat()),
        Some(Id::Name(name)) => sys::account::lookup(name)
            .map(|a| Some(a.uid))
            .ok_or_else(|| [&b"unknown account "[..], name].concat()),
    }
}

/// The accept loop's state.
struct Loop<'a> {
    server: &'a Server<'a>,
    /// The quick start, when the options allow it.
    quick: Option<Quick>,
    listener: OwnedFd,
    selfpipe: SelfPipe,
    children: u64,
    /// While accepting is paused after a failure for lack of resources: until when.
    paused_until: Option<Duration>,
    /// The failure has been reported (once until the next accepted connection).
    warned: bool,
}

impl Loop<'_> {
    fn say(&self, line: &[u8]) {
        if self.server.config.verbosity >= Verbosity::Verbose {
            exit::emit(line);
        }
    }

    fn status(&self) {
        self.say(&report::status(self.children, self.server.config.limit));
    }

    fn run(&mut self) -> u8 {
        self.status();
        loop {
            let now = sys::clock::monotonic();
            if self.paused_until.is_some_and(|until| now >= until) {
                self.paused_until = None;
            }
            let accepting = self.children < self.server.config.limit && self.paused_until.is_none();
            let pipe = self.selfpipe.fd();
            let mut fds = vec![PollFd::new(&pipe, PollFlags::IN)];
            if accepting {
                fds.push(PollFd::new(&self.listener, PollFlags::IN));
            }
            let timeout = self.paused_until.map(|until| until.saturating_sub(now));
            let polled = sys::poll::poll(&mut fds, timeout);
            // When poll itself fails (EINVAL: the descriptor limit is below the number
            // polled), accept is tried anyway and its failure makes the pause.
            let ready = accepting && (polled.is_err() || !fds[1].revents().is_empty());
            drop(fds);
            for signal in self.selfpipe.drain() {
                if signal == SIGTERM {
                    return exit::OK;
                }
                self.reap();
            }
            if ready {
                self.accept();
            }
            if polled.is_err() {
                let _ = sys::poll::poll(&mut [], Some(ACCEPT_PAUSE));
            }
        }
    }

    /// Reaps every child that has ended.
    fn reap(&mut self) {
        while let Ok(Some((pid, status))) = sys::proc::wait_nohang() {
            self.say(&report::end(pid as u64, status.0 as u32 as u64));
            self.children = self.children.saturating_sub(1);
            self.status();
        }
    }

    /// Accepts connections while there are any and the limit allows.
    fn accept(&mut self) {
        while self.children < self.server.config.limit {
            let (conn, remote) = match socket::accept(&self.listener) {
                Ok(accepted) => accepted,
                Err(e) if pauses_accepting(e) => {
                    if !self.warned {
                        self.server
                            .voice
                            .say(Kind::Warning, &[b"unable to accept"], Some(e));
                    }
                    self.warned = true;
                    self.paused_until = Some(sys::clock::monotonic() + ACCEPT_PAUSE);
                    return;
                }
                Err(_) => return,
            };
            self.warned = false;
            self.children += 1;
            self.status();
            let banner_sent = match self
                .quick
                .as_mut()
                .map(|q| q.start(self.server, &conn, &remote))
            {
                Some(Outcome::Started) => continue,
                Some(Outcome::Fork { banner_sent }) => banner_sent,
                None => false,
            };
            let _ = sys::signal::block(&[SIGCHLD, SIGTERM]);
            let started = sys::spawn::fork_then(|| {
                for &s in child::CHILD_DEFAULTS {
                    let _ = sys::signal::set_default(s);
                }
                let _ = sys::signal::unblock(&[SIGCHLD, SIGTERM]);
                sys::fd::close_number(sys::fd::number(&self.listener));
                self.server.serve(&conn, &remote, banner_sent)
            });
            let _ = sys::signal::unblock(&[SIGCHLD, SIGTERM]);
            if let Err(e) = started {
                let what: &[&[u8]] = &[b"dropping connection, unable to fork"];
                self.server.voice.say(Kind::Warning, what, Some(e));
                self.children -= 1;
                self.status();
            }
        }
    }
}

/// Does this accept error mean "no resources now" (pause), rather than a client that
/// went away (go on at once)?
fn pauses_accepting(e: Errno) -> bool {
    matches!(
        e,
        Errno::MFILE | Errno::NFILE | Errno::NOBUFS | Errno::NOMEM
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_errors() {
        for e in [Errno::MFILE, Errno::NFILE, Errno::NOBUFS, Errno::NOMEM] {
            assert!(pauses_accepting(e));
        }
        for e in [Errno::CONNABORTED, Errno::AGAIN, Errno::PROTO, Errno::PERM] {
            assert!(!pauses_accepting(e));
        }
    }
}
