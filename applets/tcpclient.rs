//! tcpclient: connects to a TCP server and runs a program with the connection on
//! descriptors 6 (read) and 7 (write), as ucspi-tcp 0.88 does.
//!
//! `tcpclient [-46hHrRdDqQv] [-i localip] [-p localport] [-T timeoutconn] [-l localname]
//! [-t timeoutinfo] [-I interface] host port program...`. Each address of the host is
//! tried in turn for the first part of `-T a+b` (2+58 seconds; a single address gets
//! both), then the ones that timed out again for the second part. The program's
//! environment describes the connection (`PROTO`, `TCPLOCALIP`, `TCPLOCALPORT`,
//! `TCPLOCALHOST`, `TCPREMOTEIP`, `TCPREMOTEPORT`, `TCPREMOTEHOST`, `TCPREMOTEINFO`); a
//! name lookup that finds no name sets an empty value, a failed one leaves it unset. Exit
//! codes: the program's; 100 usage; 111 when no address can be reached or set-up fails.
//! Host `0` or empty is 127.0.0.1; IPv6 addresses (and `-6`) work as in Debian's
//! ucspi-tcp-ipv6, which sets no `TCP6*` variables here either. Beyond it, each address is
//! tried once (the patch steps through the address list 4 bytes at a time).

use crate::exit;
use crate::format::envfile;
use crate::format::ip::{self, Ip};
use crate::format::num::{fmt_ulong, scan_ulong};
use crate::getopt::Getopt;
use crate::ident;
use crate::resolver::Resolver;
use crate::sys::signal::SIGPIPE;
use crate::sys::socket::{self, Endpoint};
use crate::sys::spawn::{Program, Source, Spawn, Stage};
use crate::sys::{self, AsFd, Errno, OwnedFd};
use crate::ucspi::{self, Voice};
use std::ffi::CStr;
use std::time::Duration;

const PROG: &str = "tcpclient";
const USAGE: &str = "tcpclient [ -hHrRdDqQv ] [ -i localip ] [ -p localport ] \
[ -T timeoutconn ] [ -l localname ] [ -t timeoutinfo ] host port program";
const OPTIONS: &[u8] = b"46dDvqQhHrRi:p:t:T:l:I:";
/// The descriptors the program reads from and writes to.
const READ_FD: i32 = 6;
const WRITE_FD: i32 = 7;

/// The command line.
struct Config {
    verbose: bool,
    quiet: bool,
    delay: bool,
    remote_host: bool,
    remote_info: bool,
    info_timeout: u64,
    connect_timeouts: [u64; 2],
    local_ip: Option<Ip>,
    local_port: u16,
    local_name: Option<Vec<u8>>,
    scope: u32,
    only_v4: bool,
    force_v6: bool,
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    sys::fd::close_number(READ_FD);
    sys::fd::close_number(WRITE_FD);
    let _ = sys::signal::ignore(SIGPIPE);
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let mut c = Config {
        verbose: false,
        quiet: false,
        delay: true,
        remote_host: true,
        remote_info: true,
        info_timeout: 26,
        connect_timeouts: [2, 58],
        local_ip: None,
        local_port: 0,
        local_name: None,
        scope: 0,
        only_v4: false,
        force_v6: false,
    };
    let mut opts = Getopt::new(args.get(1..).unwrap_or_default(), OPTIONS);
    for opt in opts.by_ref() {
        let opt = opt.unwrap_or_else(|e| exit::getopt_usage(PROG, USAGE, argv0, e));
        let value = opt.value.unwrap_or_default();
        match opt.letter {
            b'4' => c.only_v4 = true,
            b'6' => c.force_v6 = true,
            b'd' => c.delay = true,
            b'D' => c.delay = false,
            b'v' => (c.verbose, c.quiet) = (true, false),
            b'q' => (c.verbose, c.quiet) = (false, true),
            b'Q' => (c.verbose, c.quiet) = (false, false),
            b'l' => c.local_name = Some(value.to_vec()),
            b'H' => c.remote_host = false,
            b'h' => c.remote_host = true,
            b'R' => c.remote_info = false,
            b'r' => c.remote_info = true,
            b't' => c.info_timeout = scan_ulong(value).0,
            b'T' => {
                let (first, len) = scan_ulong(value);
                let rest = &value[len..];
                c.connect_timeouts = [first, scan_ulong(rest.strip_prefix(b"+").unwrap_or(rest)).0];
            }
            b'i' => match ip::scan6(value) {
                Some((addr, _)) => c.local_ip = Some(addr),
                None => exit::usage(PROG, USAGE, exit::USAGE),
            },
            b'I' => c.scope = socket::interface_index(value),
            _ => c.local_port = scan_ulong(value).0 as u16,
        }
    }
    let (host, port, program) = match opts.operands() {
        [host, port, program @ ..] => (host.to_bytes(), port.to_bytes(), program),
        _ => exit::usage(PROG, USAGE, exit::USAGE),
    };
    let voice = Voice {
        prog: PROG,
        quiet: c.quiet,
    };
    let fatal = |pieces: &[&[u8]], errno: Option<Errno>| -> ! { voice.fatal(pieces, errno) };
    let host = if host.is_empty() || host == b"0" {
        &b"127.0.0.1"[..]
    } else {
        host
    };
    let port = ucspi::port_or_die(voice, port);
    if program.is_empty() {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    let mut resolver = Resolver::from_system();
    let addresses = resolver
        .as_mut()
        .map_err(|e| *e)
        .and_then(|r| r.addresses_of(host, !c.only_v4))
        .unwrap_or_else(|e| {
            fatal(
                &[b"temporarily unable to figure out IP address for ", host],
                Some(e),
            )
        });
    let addresses: Vec<Ip> = addresses
        .into_iter()
        .filter(|a| !c.only_v4 || ip::is_mapped(a))
        .collect();
    if addresses.is_empty() {
        fatal(&[b"no IP address for ", host], None);
    }
    let conn = match connect_any(&c, &addresses, port) {
        Ok(Some(conn)) => conn,
        Ok(None) => return exit::TEMP,
        Err((what, e)) => fatal(&[what], Some(e)),
    };
    if !c.delay {
        let _ = socket::set_nodelay(&conn);
    }
    let local =
        socket::local(&conn).unwrap_or_else(|e| fatal(&[b"unable to get local address"], Some(e)));
    let as_v4 = !c.force_v6 && (ip::is_mapped(&local.ip) || local.ip == ip::V6_ANY);
    let remote = socket::remote(&conn)
        .unwrap_or_else(|e| fatal(&[b"unable to get remote address"], Some(e)));
    let mut resolver = resolver.ok();
    // A name lookup that works but finds nothing gives an empty value here (tcpserver
    // leaves the variable unset then).
    let mut name_of = |addr: &Ip| -> Option<Vec<u8>> {
        let found = resolver.as_mut()?.name_of(addr).ok()?;
        Some(found.unwrap_or_default())
    };
    let local_host = c.local_name.clone().or_else(|| name_of(&local.ip));
    let remote_ip = ip::text(&remote.ip, as_v4);
    let remote_port = fmt_ulong(u64::from(remote.port));
    if c.verbose {
        exit::emit(
            &[
                &b"tcpclient: connected to "[..],
                &remote_ip,
                b" port ",
                &remote_port,
                b"\n",
            ]
            .concat(),
        );
    }
    let remote_host = if c.remote_host {
        name_of(&remote.ip)
    } else {
        None
    };
    let info = if c.remote_info {
        ident::remote_info(&local, &remote, Duration::from_secs(c.info_timeout)).ok()
    } else {
        None
    };
    let proto: &[u8] = if as_v4 { b"TCP" } else { b"TCP6" };
    let edits = [
        envfile::edit(b"PROTO", Some(proto)),
        envfile::edit(b"TCPLOCALPORT", Some(&fmt_ulong(u64::from(local.port)))),
        envfile::edit(b"TCPLOCALIP", Some(&ip::text(&local.ip, as_v4))),
        envfile::edit(b"TCPLOCALHOST", local_host.as_deref()),
        envfile::edit(b"TCPREMOTEPORT", Some(&remote_port)),
        envfile::edit(b"TCPREMOTEIP", Some(&remote_ip)),
        envfile::edit(b"TCPREMOTEHOST", remote_host.as_deref()),
        envfile::edit(b"TCPREMOTEINFO", info.as_deref()),
    ];
    let env = envfile::apply(sys::env::current(), &edits);
    Spawn::new(Program::Search, program)
        .env(&env)
        .default_signals(&[SIGPIPE])
        .fd(Source::Dup(conn.as_fd()), READ_FD)
        .fd(Source::Dup(conn.as_fd()), WRITE_FD)
        .exec_now(|failure| {
            let what: &[&[u8]] = match failure.stage {
                Stage::Exec => &[b"unable to run ", program[0].to_bytes()],
                _ => &[b"unable to set up descriptor 6"],
            };
            voice.say(exit::Kind::Fatal, what, Some(failure.errno));
            exit::TEMP
        })
}

/// Tries every address for the first connect timeout, then those that timed out for the
/// second; warns about each failure (`unable to connect to IP port PORT: ERRTEXT`).
/// `Ok(None)` when no address answered; `Err` names a failed set-up step.
fn connect_any(
    c: &Config,
    addresses: &[Ip],
    port: u16,
) -> Result<Option<OwnedFd>, (&'static [u8], Errno)> {
    let mut timeouts = c.connect_timeouts;
    if addresses.len() == 1 {
        timeouts = [timeouts[0] + timeouts[1], 0];
    }
    let mut round: Vec<Ip> = addresses.to_vec();
    for (first, &timeout) in [true, false].into_iter().zip(&timeouts) {
        let mut again = Vec::new();
        for addr in round {
            let v6 = c.force_v6 || !ip::is_mapped(&addr);
            let s = socket::tcp(v6).map_err(|e| (&b"unable to create socket"[..], e))?;
            let local = Endpoint {
                ip: c
                    .local_ip
                    .unwrap_or(if v6 { ip::V6_ANY } else { ip::mapped([0; 4]) }),
                port: c.local_port,
                scope: c.scope,
            };
            socket::bind(&s, v6, &local).map_err(|e| (&b"unable to bind socket"[..], e))?;
            let at = Endpoint {
                ip: addr,
                port,
                scope: c.scope,
            };
            let deadline = sys::clock::monotonic() + Duration::from_secs(timeout);
            match socket::connect_within(&s, v6, &at, deadline) {
                Ok(()) => {
                    let _ = sys::fd::set_nonblock(&s, false);
                    return Ok(Some(s));
                }
                Err(Errno::TIMEDOUT) if first && timeouts[1] != 0 => again.push(addr),
                Err(e) => {
                    if !c.quiet {
                        let shown = ip::text(&addr, ip::is_mapped(&addr));
                        let line = [
                            &b"tcpclient: unable to connect to "[..],
                            &shown,
                            b" port ",
                            &fmt_ulong(u64::from(port)),
                            b": ",
                            crate::errtext::text(e).as_bytes(),
                            b"\n",
                        ]
                        .concat();
                        exit::emit(&line);
                    }
                }
            }
        }
        round = again;
    }
    Ok(None)
}
