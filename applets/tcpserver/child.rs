//! tcpserver's child: everything 0.88's `doit` does for one connection, then the exec.
//!
//! Runs in the forked child, so a slow lookup holds up only its own client. In order: the
//! `pid` line, IP options and Nagle, the banner, the local address and name, the client's
//! name (reverse DNS, checked forward with `-p`), the ident answer, the rules, the ok/deny
//! line; then the program runs with the connection on descriptors 0 and 1 and the
//! environment of ucspi-tcp (`PROTO`, `TCPLOCAL*`, `TCPREMOTE*`, and in IPv6 mode the
//! `TCP6*` copies of the IPv6 patch), or the child exits 100 for a denied client. A failed
//! lookup leaves its variable unset, as in 0.88; any other failure drops the connection
//! (exit 111). Without lookups, `quick.rs` does the same work in tcpserver itself.

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

/// Why a connection is dropped: `dropping connection, WHAT: ERRTEXT`.
pub struct Dropped {
    pub what: Vec<u8>,
    pub errno: Errno,
}

/// What tcpserver learnt about a connection.
pub struct Client {
    pub as_v4: bool,
    pub local_ip: Vec<u8>,
    pub local_ip6: Vec<u8>,
    pub local_host: Option<Vec<u8>>,
    pub remote_ip: Vec<u8>,
    pub remote_ip6: Vec<u8>,
    pub remote_port: Vec<u8>,
    pub remote_host: Option<Vec<u8>>,
    pub info: Option<Vec<u8>>,
    /// The environment changes, in 0.88's order, the rule's variables last.
    pub edits: Vec<Vec<u8>>,
    /// How many of `edits` come from the rule.
    pub rule_edits: usize,
    pub deny: bool,
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
    pub fn say(&self, line: &[u8]) {
        if self.config.verbosity >= Verbosity::Verbose {
            exit::emit(line);
        }
    }

    /// `tcpserver: warning: dropping connection, WHAT: ERRTEXT`; the child ends with 111.
    pub fn drop_connection(&self, dropped: Dropped) -> u8 {
        let pieces: [&[u8]; 2] = [b"dropping connection, ", &dropped.what];
        self.voice
            .say(exit::Kind::Warning, &pieces, Some(dropped.errno));
        exit::TEMP
    }

    /// IP options and Nagle's algorithm, as the options say.
    pub fn set_options(&self, conn: &OwnedFd) {
        if self.config.kill_options {
            let _ = socket::kill_ip_options(conn);
        }
        if !self.config.delay {
            let _ = socket::set_nodelay(conn);
        }
    }

    /// Everything about the connection but the banner and the messages: the addresses, the
    /// names (looked up with `resolver`, when the options ask), the ident answer, the rule.
    pub fn gather(
        &self,
        conn: &OwnedFd,
        remote: &Endpoint,
        mut resolver: Option<Resolver>,
    ) -> Result<Client, Dropped> {
        let c = self.config;
        let dropped = |what: &[u8], errno| Dropped {
            what: what.to_vec(),
            errno,
        };
        let as_v4 = !c.force_v6 && ip::is_mapped(&remote.ip);
        let local = socket::local(conn).map_err(|e| dropped(b"unable to get local address", e))?;
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
        let mut client = Client {
            as_v4,
            local_ip: ip::text(&local.ip, as_v4),
            local_ip6: ip::text(&local.ip, false),
            local_host,
            remote_ip: ip::text(&remote.ip, as_v4),
            remote_ip6: ip::text(&remote.ip, false),
            remote_port: fmt_ulong(u64::from(remote.port)),
            remote_host,
            info,
            edits: Vec::new(),
            rule_edits: 0,
            deny: false,
        };
        client.edits = self.edits(&client, local.scope);
        if let Some(path) = c.rules {
            let (ip, host, info) = (
                &client.remote_ip,
                client.remote_host.as_deref(),
                client.info.as_deref(),
            );
            match ucspi::rule_for(path, ip, host, info) {
                Ok(Some((_, data))) => {
                    for instruction in rules::decode(&data) {
                        match instruction {
                            Instruction::Deny => client.deny = true,
                            Instruction::Set(var) if var.contains(&b'=') => {
                                client.edits.push(var.to_vec());
                                client.rule_edits += 1;
                            }
                            Instruction::Set(_) => {}
                        }
                    }
                }
                Ok(None) => {}
                Err(Errno::NOENT) if c.allow_no_rules => {}
                Err(e) => return Err(dropped(&[b"unable to read ", path].concat(), e)),
            }
        }
        Ok(client)
    }

    /// The variables of ucspi-tcp (and of the IPv6 patch in IPv6 mode), in 0.88's order.
    fn edits(&self, client: &Client, scope: u32) -> Vec<Vec<u8>> {
        let mut e = Edits {
            list: Vec::with_capacity(20),
            v6: self.v6,
        };
        e.set(b"PROTO", Some(if client.as_v4 { b"TCP" } else { b"TCP6" }));
        e.set(b"TCPLOCALIP", Some(&client.local_ip));
        e.set_v6(b"TCP6LOCALIP", Some(&client.local_ip6));
        e.both(b"TCPLOCALPORT", b"TCP6LOCALPORT", Some(&self.local_port));
        e.both(
            b"TCPLOCALHOST",
            b"TCP6LOCALHOST",
            client.local_host.as_deref(),
        );
        if !client.as_v4 && scope != 0 {
            let name = socket::interface_name(scope);
            e.set_v6(b"TCP6INTERFACE", name.as_deref());
        }
        e.set(b"TCPREMOTEIP", Some(&client.remote_ip));
        e.set_v6(b"TCP6REMOTEIP", Some(&client.remote_ip6));
        e.both(
            b"TCPREMOTEPORT",
            b"TCP6REMOTEPORT",
            Some(&client.remote_port),
        );
        e.both(
            b"TCPREMOTEHOST",
            b"TCP6REMOTEHOST",
            client.remote_host.as_deref(),
        );
        e.both(b"TCPREMOTEINFO", b"TCP6REMOTEINFO", client.info.as_deref());
        e.list
    }

    /// The ok/deny line for child `pid`.
    pub fn verdict(&self, pid: u64, client: &Client) -> Vec<u8> {
        let (local_shown, remote_shown) = if self.v6 {
            (&client.local_ip6, &client.remote_ip6)
        } else {
            (&client.local_ip, &client.remote_ip)
        };
        report::verdict(&report::Verdict {
            deny: client.deny,
            pid,
            local: Side {
                host: client.local_host.as_deref(),
                ip: local_shown,
                port: &self.local_port,
            },
            remote: Side {
                host: client.remote_host.as_deref(),
                ip: remote_shown,
                port: &client.remote_port,
            },
            info: client.info.as_deref(),
            keep_colons: self.v6,
        })
    }

    /// The program's start, as the exec of the child or of a shared start.
    pub fn program<'a>(&'a self, conn: &'a OwnedFd, env: &'a [Vec<u8>]) -> Spawn<'a> {
        Spawn::new(Program::Search, self.config.program)
            .env(env)
            .default_signals(CHILD_DEFAULTS)
            .fd(Source::Dup(conn.as_fd()), 0)
            .fd(Source::Dup(conn.as_fd()), 1)
    }

    /// The child's work for the connection `conn` from `remote` (whose banner may have been
    /// sent already); ends in the program's exec or returns the child's exit code.
    pub fn serve(&self, conn: &OwnedFd, remote: &Endpoint, banner_sent: bool) -> u8 {
        let c = self.config;
        let pid = sys::proc::getpid() as u64;
        let as_v4 = !c.force_v6 && ip::is_mapped(&remote.ip);
        self.say(&report::pid(pid, &ip::text(&remote.ip, as_v4)));
        self.set_options(conn);
        let banner: &[u8] = if banner_sent { b"" } else { c.banner };
        if let Err(errno) = sys::fd::write_all(conn, banner) {
            let what = b"unable to print banner".to_vec();
            return self.drop_connection(Dropped { what, errno });
        }
        let needs_dns = c.local_name.is_none() || c.remote_host;
        let resolver = needs_dns.then(Resolver::from_system).and_then(Result::ok);
        let client = match self.gather(conn, remote, resolver) {
            Ok(client) => client,
            Err(dropped) => return self.drop_connection(dropped),
        };
        self.say(&self.verdict(pid, &client));
        if client.deny {
            return DENIED;
        }
        let env = envfile::apply(self.env.clone(), &client.edits);
        self.program(conn, &env).exec_now(|failure| {
            let what = match failure.stage {
                Stage::Exec => [&b"unable to run "[..], c.program[0].to_bytes()].concat(),
                _ => b"unable to set up descriptors".to_vec(),
            };
            self.drop_connection(Dropped {
                what,
                errno: failure.errno,
            })
        })
    }
}
