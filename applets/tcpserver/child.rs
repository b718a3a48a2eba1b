//! tcpserver's child: everything 0.88's `doit` does for one connection, then the exec.
//!
//! Runs in the forked child, so a slow lookup holds up only its own client. In order: the
//! `pid` line, IP options and Nagle, the banner, the local address and name, the client's
//! name (reverse DNS, checked forward with `-p`), the ident answer, the rules, the ok/deny
//! line; then the program runs with the connection on descriptors 0 and 1 and the
//! environment of ucspi-tcp (`PROTO`, `TCPLOCAL*`, `TCPREMOTE*`, and in IPv6 mode the
//! `TCP6*` copies of the IPv6 patch), or the child exits 100 for a denied client. A failed
//! lookup leaves its variable unset, as in 0.88; any other failure drops the connection
//! (exit 111).

use super::options::{Config, Verbosity};
use super::report::{self, Side};
use crate::exit;
use crate::format::envfile;
use crate::format::ip::{self, Ip};
use crate::format::num::fmt_ulong;
use crate::format::rules::{self, Instruction};
use crate::ident;
use crate::resolver::Resolver;
use crate::sys::signal::{SIGCHLD, SIGPIPE, SIGTERM};
use crate::sys::socket::{self, Endpoint};
use crate::sys::spawn::{Program, Source, Spawn, Stage};
use crate::sys::{self, AsFd, Errno, OwnedFd};
use crate::ucspi::{self, Voice};
use std::time::Duration;

/// Exit code of a child whose client the rules deny.
const DENIED: u8 = 100;
/// The signals tcpserver handles, back to their defaults for the program.
pub const CHILD_DEFAULTS: &[i32] = &[SIGCHLD, SIGTERM, SIGPIPE];

/// What every child shares, fixed when the server starts.
pub struct Server<'a> {
    pub config: &'a Config<'a>,
    /// IPv6 mode: an IPv6 socket and the IPv6 patch's environment.
    pub v6: bool,
    /// The listening port, as text.
    pub local_port: Vec<u8>,
    /// tcpserver's own environment, which the variables are applied to.
    pub env: Vec<Vec<u8>>,
    pub voice: Voice,
}

/// A lookup's result as 0.88 keeps it: the name only when the lookup gave a non-empty one.
fn name_of(resolver: &mut Option<Resolver>, addr: &Ip) -> Option<Vec<u8>> {
    let resolver = resolver.as_mut()?;
    resolver
        .name_of(addr)
        .ok()
        .flatten()
        .filter(|n| !n.is_empty())
}

/// The environment changes for the program, in 0.88's order.
struct Edits {
    list: Vec<Vec<u8>>,
    /// IPv6 mode: the `TCP6*` variables are set too.
    v6: bool,
}

impl Edits {
    fn set(&mut self, name: &[u8], value: Option<&[u8]>) {
        self.list.push(envfile::edit(name, value));
    }

    fn set_v6(&mut self, name: &[u8], value: Option<&[u8]>) {
        if self.v6 {
            self.set(name, value);
        }
    }

    fn both(&mut self, name: &[u8], v6_name: &[u8], value: Option<&[u8]>) {
        self.set(name, value);
        self.set_v6(v6_name, value);
    }
}

impl Server<'_> {
    fn say(&self, line: &[u8]) {
        if self.config.verbosity >= Verbosity::Verbose {
            exit::emit(line);
        }
    }

    /// `tcpserver: warning: dropping connection, WHAT[: ERRTEXT]`; the child ends with 111.
    fn drop_connection(&self, what: &[&[u8]], errno: Option<Errno>) -> u8 {
        let pieces = [&[&b"dropping connection, "[..]], what].concat();
        self.voice.say(exit::Kind::Warning, &pieces, errno);
        exit::TEMP
    }

    /// The child's work for the connection `conn` from `remote`; ends in the program's
    /// exec or returns the child's exit code.
    pub fn serve(&self, conn: &OwnedFd, remote: &Endpoint) -> u8 {
        let c = self.config;
        let pid = sys::proc::getpid() as u64;
        let as_v4 = !c.force_v6 && ip::is_mapped(&remote.ip);
        let remote_ip = ip::text(&remote.ip, as_v4);
        self.say(&report::pid(pid, &remote_ip));
        if c.kill_options {
            let _ = socket::kill_ip_options(conn);
        }
        if !c.delay {
            let _ = socket::set_nodelay(conn);
        }
        if let Err(e) = sys::fd::write_all(conn, c.banner) {
            return self.drop_connection(&[b"unable to print banner"], Some(e));
        }
        let local = match socket::local(conn) {
            Ok(local) => local,
            Err(e) => return self.drop_connection(&[b"unable to get local address"], Some(e)),
        };
        let local_ip = ip::text(&local.ip, as_v4);
        let needs_dns = c.local_name.is_none() || c.remote_host;
        let mut resolver = if needs_dns {
            Resolver::from_system().ok()
        } else {
            None
        };
        let local_host = match c.local_name {
            Some(name) => Some(name.to_vec()),
            None => name_of(&mut resolver, &local.ip),
        };
        let remote_host = if c.remote_host {
            name_of(&mut resolver, &remote.ip).filter(|name| {
                !c.paranoid
                    || resolver.as_mut().is_some_and(|r| {
                        r.dns_addresses(name, self.v6)
                            .is_ok_and(|found| found.contains(&remote.ip))
                    })
            })
        } else {
            None
        };
        let info = if c.remote_info {
            ident::remote_info(&local, remote, Duration::from_secs(c.timeout)).ok()
        } else {
            None
        };
        let remote_port = fmt_ulong(u64::from(remote.port));
        let (local_ip6, remote_ip6) = (ip::text(&local.ip, false), ip::text(&remote.ip, false));
        let mut e = Edits {
            list: Vec::with_capacity(20),
            v6: self.v6,
        };
        e.set(b"PROTO", Some(if as_v4 { b"TCP" } else { b"TCP6" }));
        e.set(b"TCPLOCALIP", Some(&local_ip));
        e.set_v6(b"TCP6LOCALIP", Some(&local_ip6));
        e.both(b"TCPLOCALPORT", b"TCP6LOCALPORT", Some(&self.local_port));
        e.both(b"TCPLOCALHOST", b"TCP6LOCALHOST", local_host.as_deref());
        if !as_v4 && local.scope != 0 {
            let name = socket::interface_name(local.scope);
            e.set_v6(b"TCP6INTERFACE", name.as_deref());
        }
        e.set(b"TCPREMOTEIP", Some(&remote_ip));
        e.set_v6(b"TCP6REMOTEIP", Some(&remote_ip6));
        e.both(b"TCPREMOTEPORT", b"TCP6REMOTEPORT", Some(&remote_port));
        e.both(b"TCPREMOTEHOST", b"TCP6REMOTEHOST", remote_host.as_deref());
        e.both(b"TCPREMOTEINFO", b"TCP6REMOTEINFO", info.as_deref());
        let mut edits = e.list;
        let mut deny = false;
        if let Some(path) = c.rules {
            match ucspi::rule_for(path, &remote_ip, remote_host.as_deref(), info.as_deref()) {
                Ok(Some((_, data))) => {
                    for instruction in rules::decode(&data) {
                        match instruction {
                            Instruction::Deny => deny = true,
                            Instruction::Set(var) if var.contains(&b'=') => {
                                edits.push(var.to_vec())
                            }
                            Instruction::Set(_) => {}
                        }
                    }
                }
                Ok(None) => {}
                Err(Errno::NOENT) if c.allow_no_rules => {}
                Err(e) => return self.drop_connection(&[b"unable to read ", path], Some(e)),
            }
        }
        let (local_shown, remote_shown) = if self.v6 {
            (&local_ip6, &remote_ip6)
        } else {
            (&local_ip, &remote_ip)
        };
        self.say(&report::verdict(&report::Verdict {
            deny,
            pid,
            local: Side {
                host: local_host.as_deref(),
                ip: local_shown,
                port: &self.local_port,
            },
            remote: Side {
                host: remote_host.as_deref(),
                ip: remote_shown,
                port: &remote_port,
            },
            info: info.as_deref(),
            keep_colons: self.v6,
        }));
        if deny {
            return DENIED;
        }
        let env = envfile::apply(self.env.clone(), &edits);
        let program = c.program;
        Spawn::new(Program::Search, program)
            .env(&env)
            .default_signals(CHILD_DEFAULTS)
            .fd(Source::Dup(conn.as_fd()), 0)
            .fd(Source::Dup(conn.as_fd()), 1)
            .exec_now(|failure| match failure.stage {
                Stage::Exec => self.drop_connection(
                    &[b"unable to run ", program[0].to_bytes()],
                    Some(failure.errno),
                ),
                _ => self.drop_connection(&[b"unable to set up descriptors"], Some(failure.errno)),
            })
    }
}
