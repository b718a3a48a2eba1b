//! rblsmtpd: blocks mail from clients listed in DNS block lists, in front of an SMTP
//! server, as ucspi-tcp 0.88 (with Debian's patch: no default list) does it.
//!
//! `rblsmtpd [-bBcC] [-t timeout] [-r base] [-a base] smtpd [arg...]`. The client is
//! `TCPREMOTEIP`; `-r base` looks up the TXT record of `d.c.b.a.base` (listed: blocked,
//! the text is the reason), `-a base` the A record (listed: accepted, no further lists);
//! the first list that decides wins. `RBLSMTPD` decides first: empty means accept,
//! `-text` bounce with text, `text` temporary failure with text. A blocked client gets a
//! fake SMTP dialogue: `220 rblsmtpd.local`, `250` to HELO/EHLO/MAIL/RSET/NOOP, `221` to
//! QUIT, and `451 text` (`-b` or `-text`: `553 text`) to everything else, for at most
//! `timeout` seconds (60; 0 means answer once without a greeting); the reason is logged
//! on stderr as `rblsmtpd: IP pid PID: 451 text`. A lookup that fails lets the client in
//! (`-c`: blocks it with a temporary error) and never bounces. Otherwise the SMTP server
//! runs. Exit codes: 0 after the dialogue; 100 usage; 111 if smtpd cannot be run.

use crate::exit;
use crate::format::num::{push_ulong, scan_ulong};
use crate::getopt::Getopt;
use crate::resolver::Resolver;
use crate::sys::poll::PollFlags;
use crate::sys::{self, Errno};
use std::ffi::CStr;
use std::time::Duration;

const PROG: &str = "rblsmtpd";
const USAGE: &str =
    "rblsmtpd [ -b ] [ -R ] [ -t timeout ] [ -r base ] [ -a base ] smtpd [ arg ... ]";
const OPTIONS: &[u8] = b"bBcCt:r:a:";
/// The reason is cut to this many bytes.
const TEXT_MAX: usize = 200;
/// Commands longer than this are cut (the rest of the line is read and dropped).
const LINE_MAX: usize = 1 << 16;

/// What is decided about the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    Undecided,
    Accept,
    /// Temporary failure (451).
    Reject,
    /// Permanent failure (553).
    Bounce,
}

/// The lookups and what they decided.
struct Check {
    reversed: Vec<u8>,
    resolver: Option<Resolver>,
    decision: Decision,
    text: Vec<u8>,
    bounce_listed: bool,
    fail_closed: bool,
    must_not_bounce: bool,
}

impl Check {
    fn resolver(&mut self) -> Result<&mut Resolver, Errno> {
        if self.resolver.is_none() {
            self.resolver = Some(Resolver::from_system()?);
        }
        Ok(self.resolver.as_mut().expect("just set"))
    }

    /// `-r base`.
    fn block_list(&mut self, base: &[u8]) {
        if self.decision != Decision::Undecided {
            return;
        }
        let name = [&self.reversed[..], base].concat();
        match self.resolver().and_then(|r| r.txt(&name)) {
            Err(_) => {
                self.must_not_bounce = true;
                if self.fail_closed {
                    self.text = b"temporary RBL lookup error".to_vec();
                    self.decision = Decision::Reject;
                }
            }
            Ok(text) if !text.is_empty() => {
                self.text = text;
                self.decision = if self.bounce_listed {
                    Decision::Bounce
                } else {
                    Decision::Reject
                };
            }
            Ok(_) => {}
        }
    }

    /// `-a base`.
    fn allow_list(&mut self, base: &[u8]) {
        if self.decision != Decision::Undecided {
            return;
        }
        let name = [&self.reversed[..], base].concat();
        match self.resolver().and_then(|r| r.dns_addresses(&name, false)) {
            Err(_) => {
                self.must_not_bounce = true;
                if !self.fail_closed {
                    self.decision = Decision::Accept;
                }
            }
            Ok(found) if !found.is_empty() => self.decision = Decision::Accept,
            Ok(_) => {}
        }
    }
}

/// `d.c.b.a.` for `a.b.c.d` (the parts between dots, last first, each followed by a dot).
fn reverse(ip: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(ip.len() + 1);
    if ip.is_empty() {
        return out;
    }
    for part in ip.rsplit(|&b| b == b'.') {
        out.extend_from_slice(part);
        out.push(b'.');
    }
    out
}

/// The answer to one command line (without its newline): `None` for QUIT.
fn answer<'a>(line: &[u8], reject: &'a [u8]) -> Option<&'a [u8]> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let verb = line.split(|&b| b == b' ').next().unwrap_or_default();
    let is = |word: &[u8]| verb.eq_ignore_ascii_case(word);
    if is(b"quit") {
        None
    } else if [&b"helo"[..], b"ehlo", b"mail", b"rset", b"noop"]
        .iter()
        .any(|w| is(w))
    {
        Some(b"250 rblsmtpd.local\r\n")
    } else {
        Some(reject)
    }
}

/// Writes all of `data` to stdout before `deadline`; false on failure or timeout.
fn send(data: &[u8], deadline: Duration) -> bool {
    let mut rest = data;
    while !rest.is_empty() {
        match sys::poll::wait_until(sys::fd::stdout(), PollFlags::OUT, deadline) {
            Ok(true) => {}
            _ => return false,
        }
        match sys::fd::write(sys::fd::stdout(), rest) {
            Ok(n) => rest = &rest[n..],
            Err(Errno::AGAIN) => {}
            Err(_) => return false,
        }
    }
    true
}

/// The fake SMTP dialogue with a blocked client; returns the exit code (0).
fn dialogue(check: &Check, ip: &[u8], timeout: u64) -> u8 {
    let code: &[u8] = if check.must_not_bounce || check.decision == Decision::Reject {
        b"451 "
    } else {
        b"553 "
    };
    let text = &check.text[..check.text.len().min(TEXT_MAX)];
    let mut message: Vec<u8> = [code, text].concat();
    for c in message.iter_mut() {
        if !(32..=126).contains(c) {
            *c = b'?';
        }
    }
    let mut log = [&b"rblsmtpd: "[..], ip, b" pid "].concat();
    push_ulong(&mut log, sys::proc::getpid() as u64);
    log.extend_from_slice(b": ");
    log.extend_from_slice(&message);
    log.push(b'\n');
    exit::emit(&log);
    message.extend_from_slice(b"\r\n");
    let deadline = sys::clock::monotonic() + Duration::from_secs(timeout);
    if timeout == 0 {
        send(
            &message,
            sys::clock::monotonic() + Duration::from_secs(u64::MAX >> 2),
        );
        return exit::OK;
    }
    if !send(b"220 rblsmtpd.local\r\n", deadline) {
        return exit::OK;
    }
    let mut line = Vec::new();
    let mut buf = [0u8; 64];
    loop {
        match sys::poll::wait_until(sys::fd::stdin(), PollFlags::IN, deadline) {
            Ok(true) => {}
            _ => return exit::OK,
        }
        let n = match sys::fd::read(sys::fd::stdin(), &mut buf) {
            Ok(0) | Err(_) => return exit::OK,
            Ok(n) => n,
        };
        for &c in &buf[..n] {
            if c != b'\n' {
                if line.len() < LINE_MAX {
                    line.push(if c == 0 { b'\n' } else { c });
                }
                continue;
            }
            match answer(&line, &message) {
                None => {
                    send(b"221 rblsmtpd.local\r\n", deadline);
                    return exit::OK;
                }
                Some(reply) => {
                    if !send(reply, deadline) {
                        return exit::OK;
                    }
                }
            }
            line.clear();
        }
    }
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let argv0 = args.first().map_or(&b""[..], |a| a.to_bytes());
    let ip = sys::env::get(b"TCPREMOTEIP").unwrap_or_default();
    let mut check = Check {
        reversed: reverse(&ip),
        resolver: None,
        decision: Decision::Undecided,
        text: Vec::new(),
        bounce_listed: false,
        fail_closed: false,
        must_not_bounce: false,
    };
    if let Some(value) = sys::env::get(b"RBLSMTPD") {
        (check.decision, check.text) = match value.split_first() {
            None => (Decision::Accept, Vec::new()),
            Some((b'-', rest)) => (Decision::Bounce, rest.to_vec()),
            Some(_) => (Decision::Reject, value),
        };
    }
    let mut timeout = 60;
    let mut opts = Getopt::new(args.get(1..).unwrap_or_default(), OPTIONS);
    for opt in opts.by_ref() {
        let opt = opt.unwrap_or_else(|e| exit::getopt_usage(PROG, USAGE, argv0, e));
        let value = opt.value.unwrap_or_default();
        match opt.letter {
            b'b' => check.bounce_listed = true,
            b'B' => check.bounce_listed = false,
            b'c' => check.fail_closed = true,
            b'C' => check.fail_closed = false,
            b't' => timeout = scan_ulong(value).0,
            b'r' => check.block_list(value),
            _ => check.allow_list(value),
        }
    }
    let smtpd = opts.operands();
    if smtpd.is_empty() {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    if matches!(check.decision, Decision::Reject | Decision::Bounce) {
        return dialogue(&check, &ip, timeout);
    }
    exit::run_or_die(PROG, smtpd, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reversed_addresses() {
        assert_eq!(reverse(b"192.0.2.10"), b"10.2.0.192.");
        assert_eq!(reverse(b""), b"");
        assert_eq!(reverse(b"::1"), b"::1.");
    }

    #[test]
    fn answers() {
        let reject = b"451 listed\r\n";
        assert_eq!(answer(b"QUIT", reject), None);
        assert_eq!(answer(b"quit now\r", reject), None);
        assert_eq!(
            answer(b"HELO x", reject),
            Some(&b"250 rblsmtpd.local\r\n"[..])
        );
        assert_eq!(
            answer(b"eHlO", reject),
            Some(&b"250 rblsmtpd.local\r\n"[..])
        );
        assert_eq!(
            answer(b"MAIL FROM:<a@b>\r", reject),
            Some(&b"250 rblsmtpd.local\r\n"[..])
        );
        assert_eq!(answer(b"RCPT TO:<a@b>\r", reject), Some(&reject[..]));
        assert_eq!(answer(b"", reject), Some(&reject[..]));
        assert_eq!(answer(b" helo", reject), Some(&reject[..]));
        assert_eq!(answer(b"helox", reject), Some(&reject[..]));
    }
}
