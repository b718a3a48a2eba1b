//! The stub resolver of the ucspi-tcp applets: names to addresses, addresses to names and
//! TXT records, through the nameservers of /etc/resolv.conf over UDP (no NSS).
//!
//! As 0.88's resolver: each server is asked in turn, waiting 3 seconds for each in the
//! first round, 11 in the second and 45 in the third (with `options timeout:`/`attempts:`,
//! that many rounds of that wait instead); answers that do not match the query are ignored;
//! a server failure or a refused query moves on to the next server. Beyond 0.88, host
//! names are looked up in /etc/hosts before DNS, and a truncated answer moves on to the
//! next server instead of retrying over TCP.

use crate::format::dns::{self, Verdict};
use crate::format::hosts::{self, HOSTS_FILE};
use crate::format::ip::{self, Ip};
use crate::format::resolvconf::{self, Options, RESOLV_CONF};
use crate::sys::poll::PollFlags;
use crate::sys::socket::Endpoint;
use crate::sys::{self, Errno};
use std::time::Duration;

/// 0.88's waits (seconds) for each server in successive rounds of a recursive query.
const ROUNDS_088: [u32; 3] = [3, 11, 45];
/// The C library's defaults when only one of `timeout:` and `attempts:` is given.
const DEFAULT_TIMEOUT: u32 = 5;
const DEFAULT_ATTEMPTS: u32 = 2;
/// The C library's limits on them.
const MAX_TIMEOUT: u32 = 30;
const MAX_ATTEMPTS: u32 = 5;
/// DNS over UDP.
const DNS_PORT: u16 = 53;
/// Answers longer than a classic UDP message are ignored, as 0.88 ignores them.
const UDP_MAX: usize = 512;

/// What the resolver needs to know, read once.
pub struct Resolver {
    servers: Vec<Ip>,
    search: Vec<Vec<u8>>,
    rounds: Vec<u32>,
    random: u64,
}

impl Resolver {
    /// Reads `DNSCACHEIP`, `LOCALDOMAIN`, `RES_OPTIONS` and /etc/resolv.conf (a missing file
    /// means no settings; an unreadable one is an error, as in 0.88).
    pub fn from_system() -> Result<Resolver, Errno> {
        let conf = match sys::fd::read_file(RESOLV_CONF) {
            Ok(conf) => conf,
            Err(Errno::NOENT) => Vec::new(),
            Err(e) => return Err(e),
        };
        let mut servers = match sys::env::get(b"DNSCACHEIP") {
            Some(value) => resolvconf::servers_from_env(&value),
            None => Vec::new(),
        };
        if servers.is_empty() {
            servers = resolvconf::nameservers(&conf);
        }
        if servers.is_empty() {
            servers.push(ip::mapped([127, 0, 0, 1]));
        }
        let search = match sys::env::get(b"LOCALDOMAIN") {
            Some(value) => resolvconf::search_from_env(&value),
            None => resolvconf::search(&conf).unwrap_or_default(),
        };
        let mut options = Options::from_conf(&conf);
        if let Some(value) = sys::env::get(b"RES_OPTIONS") {
            options = options.read_words(&value);
        }
        let rounds = match (options.timeout, options.attempts) {
            (None, None) => ROUNDS_088.to_vec(),
            (t, a) => {
                let t = t.unwrap_or(DEFAULT_TIMEOUT).clamp(1, MAX_TIMEOUT);
                vec![t; a.unwrap_or(DEFAULT_ATTEMPTS).clamp(1, MAX_ATTEMPTS) as usize]
            }
        };
        let (secs, nanos) = sys::clock::realtime();
        let random = (secs as u64) << 30 ^ u64::from(nanos) ^ (sys::proc::getpid() as u64) << 16;
        Ok(Resolver {
            servers,
            search,
            rounds,
            random: random | 1,
        })
    }

    fn random(&mut self) -> u64 {
        // xorshift64: query ids and address order need spread, not secrecy.
        self.random ^= self.random << 13;
        self.random ^= self.random >> 7;
        self.random ^= self.random << 17;
        self.random
    }

    /// Asks for `name` (wire form) of type `qtype`; returns the answer packet.
    pub fn query(&mut self, name: &[u8], qtype: u16) -> Result<Vec<u8>, Errno> {
        let mut last = Errno::TIMEDOUT;
        for round in self.rounds.clone() {
            for server in self.servers.clone() {
                if server == ip::V6_ANY || server == ip::mapped([0; 4]) {
                    continue;
                }
                let q = dns::query(self.random() as u16, name, qtype);
                match ask(&server, &q, Duration::from_secs(round.into())) {
                    Ok(answer) => return Ok(answer),
                    Err(e) => last = e,
                }
            }
        }
        Err(last)
    }

    /// The name of `addr` (PTR); `Ok(None)` when it has none.
    pub fn name_of(&mut self, addr: &Ip) -> Result<Option<Vec<u8>>, Errno> {
        let packet = self.query(&dns::reverse_name(addr), dns::T_PTR)?;
        dns::ptr_name(&packet).map_err(|_| Errno::PROTO)
    }

    /// The addresses of `name` in random order: the name itself when it is an address,
    /// else /etc/hosts, else DNS with the search list. IPv4 addresses come first; IPv6 ones
    /// are used when `v6` is set and there is no IPv4 address.
    pub fn addresses_of(&mut self, name: &[u8], v6: bool) -> Result<Vec<Ip>, Errno> {
        if let Some(addr) = ip::parse(name) {
            return Ok(vec![addr]);
        }
        let hosts = sys::fd::read_file(HOSTS_FILE).unwrap_or_default();
        let listed = hosts::addresses(&hosts, name);
        let mut found: Vec<Ip> = listed.iter().copied().filter(ip::is_mapped).collect();
        if found.is_empty() && v6 {
            found = listed;
        }
        for candidate in resolvconf::qualify(name, &self.search) {
            if !found.is_empty() {
                break;
            }
            found = self.dns_addresses(&candidate, false)?;
            if found.is_empty() && v6 {
                found = self.dns_addresses(&candidate, true)?;
            }
        }
        for i in (1..found.len()).rev() {
            let j = (self.random() % (i as u64 + 1)) as usize;
            found.swap(i, j);
        }
        Ok(found)
    }

    /// The addresses DNS gives for `name` exactly as written (no /etc/hosts, no search
    /// list): its A records, or with `v6` its AAAA and A records.
    pub fn dns_addresses(&mut self, name: &[u8], v6: bool) -> Result<Vec<Ip>, Errno> {
        let wire = dns::from_dot(name).ok_or(Errno::PROTO)?;
        let mut found = Vec::new();
        let types: &[u16] = if v6 {
            &[dns::T_AAAA, dns::T_A]
        } else {
            &[dns::T_A]
        };
        for &qtype in types {
            let packet = self.query(&wire, qtype)?;
            found.extend(dns::addresses(&packet, v6).map_err(|_| Errno::PROTO)?);
        }
        Ok(found)
    }

    /// The TXT text of `name` (text form); empty when it has none.
    pub fn txt(&mut self, name: &[u8]) -> Result<Vec<u8>, Errno> {
        let wire = dns::from_dot(name).ok_or(Errno::PROTO)?;
        let packet = self.query(&wire, dns::T_TXT)?;
        dns::txt(&packet).map_err(|_| Errno::PROTO)
    }
}

/// One UDP exchange with `server`: sends `q` and waits up to `wait` for its answer.
fn ask(server: &Ip, q: &[u8], wait: Duration) -> Result<Vec<u8>, Errno> {
    let v6 = !ip::is_mapped(server);
    let fd = sys::socket::udp(v6)?;
    let at = Endpoint {
        ip: *server,
        port: DNS_PORT,
        scope: 0,
    };
    sys::socket::connect(&fd, v6, &at)?;
    if sys::socket::send(&fd, q)? != q.len() {
        return Err(Errno::IO);
    }
    let deadline = sys::clock::monotonic() + wait;
    let mut buf = [0u8; UDP_MAX + 1];
    while sys::poll::wait_until(&fd, PollFlags::IN, deadline)? {
        let n = match sys::socket::recv(&fd, &mut buf) {
            Ok(0) => return Err(Errno::IO),
            Ok(n) => n,
            Err(Errno::AGAIN) => continue,
            Err(e) => return Err(e),
        };
        if n > UDP_MAX {
            continue;
        }
        match dns::verdict(q, &buf[..n]) {
            Verdict::Irrelevant => continue,
            Verdict::NextServer => return Err(Errno::AGAIN),
            Verdict::Answer => return Ok(buf[..n].to_vec()),
        }
    }
    Err(Errno::TIMEDOUT)
}
