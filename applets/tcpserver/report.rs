//! The lines of `tcpserver -v`, byte for byte as 0.88 prints them (pure).
//!
//! `status: N/LIMIT` after every change in the number of children, `pid PID from IP` when a
//! child starts, `ok`/`deny PID LOCALHOST:LOCALIP:LOCALPORT REMOTEHOST:REMOTEIP:INFO:PORT`
//! once it knows the client, `end PID status WAITSTATUS` when it is reaped. In the
//! ok/deny line every field is cut to 100 bytes (then `...` follows) and bytes outside
//! 33-126, `%` and (except in IPv6 mode, as in the IPv6 patch) `:` become `?`.

use crate::format::num::push_ulong;

const PREFIX: &[u8] = b"tcpserver: ";
/// Longest field of the ok/deny line before it is cut.
const FIELD_MAX: usize = 100;

/// `tcpserver: status: N/LIMIT`.
pub fn status(children: u64, limit: u64) -> Vec<u8> {
    let mut line = [PREFIX, b"status: "].concat();
    push_ulong(&mut line, children);
    line.push(b'/');
    push_ulong(&mut line, limit);
    line.push(b'\n');
    line
}

/// `tcpserver: pid PID from IP`.
pub fn pid(pid: u64, remote_ip: &[u8]) -> Vec<u8> {
    let mut line = [PREFIX, b"pid "].concat();
    push_ulong(&mut line, pid);
    line.extend_from_slice(b" from ");
    line.extend_from_slice(remote_ip);
    line.push(b'\n');
    line
}

/// `tcpserver: end PID status WAITSTATUS`.
pub fn end(pid: u64, wait_status: u64) -> Vec<u8> {
    let mut line = [PREFIX, b"end "].concat();
    push_ulong(&mut line, pid);
    line.extend_from_slice(b" status ");
    push_ulong(&mut line, wait_status);
    line.push(b'\n');
    line
}

/// One side of a connection as the ok/deny line shows it.
pub struct Side<'a> {
    pub host: Option<&'a [u8]>,
    pub ip: &'a [u8],
    pub port: &'a [u8],
}

/// What the ok/deny line says about a connection.
pub struct Verdict<'a> {
    pub deny: bool,
    pub pid: u64,
    pub local: Side<'a>,
    pub remote: Side<'a>,
    pub info: Option<&'a [u8]>,
    /// IPv6 mode keeps `:` in fields.
    pub keep_colons: bool,
}

fn safe(line: &mut Vec<u8>, field: &[u8], keep_colons: bool) {
    for &c in field.iter().take(FIELD_MAX) {
        let bad = !(33..=126).contains(&c) || c == b'%' || (c == b':' && !keep_colons);
        line.push(if bad { b'?' } else { c });
    }
    if field.len() >= FIELD_MAX {
        line.extend_from_slice(b"...");
    }
}

/// `tcpserver: ok|deny PID LOCALHOST:LOCALIP:LOCALPORT REMOTEHOST:REMOTEIP:INFO:PORT`.
pub fn verdict(v: &Verdict) -> Vec<u8> {
    let k = v.keep_colons;
    let mut line = PREFIX.to_vec();
    safe(&mut line, if v.deny { b"deny" } else { b"ok" }, k);
    line.push(b' ');
    let mut pid = Vec::new();
    push_ulong(&mut pid, v.pid);
    safe(&mut line, &pid, k);
    line.push(b' ');
    if let Some(host) = v.local.host {
        safe(&mut line, host, k);
    }
    line.push(b':');
    safe(&mut line, v.local.ip, k);
    line.push(b':');
    safe(&mut line, v.local.port, k);
    line.push(b' ');
    if let Some(host) = v.remote.host {
        safe(&mut line, host, k);
    }
    line.push(b':');
    safe(&mut line, v.remote.ip, k);
    line.push(b':');
    if let Some(info) = v.info {
        safe(&mut line, info, k);
    }
    line.push(b':');
    safe(&mut line, v.remote.port, k);
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_lines() {
        assert_eq!(status(3, 40), b"tcpserver: status: 3/40\n");
        assert_eq!(pid(77, b"10.0.0.1"), b"tcpserver: pid 77 from 10.0.0.1\n");
        assert_eq!(end(77, 25600), b"tcpserver: end 77 status 25600\n");
    }

    #[test]
    fn verdict_lines() {
        let v = Verdict {
            deny: false,
            pid: 18141,
            local: Side {
                host: Some(b"0"),
                ip: b"127.0.0.1",
                port: b"17001",
            },
            remote: Side {
                host: None,
                ip: b"127.0.0.1",
                port: b"37079",
            },
            info: None,
            keep_colons: false,
        };
        assert_eq!(
            verdict(&v),
            b"tcpserver: ok 18141 0:127.0.0.1:17001 :127.0.0.1::37079\n"
        );
        let v = Verdict {
            deny: true,
            info: Some(b"joe:x%y z\x01"),
            remote: Side {
                host: Some(b"h.example"),
                ..v.remote
            },
            ..v
        };
        assert_eq!(
            verdict(&v),
            b"tcpserver: deny 18141 0:127.0.0.1:17001 h.example:127.0.0.1:joe?x?y?z?:37079\n"
        );
        let long = [b'a'; 100];
        let v = Verdict {
            info: Some(&long),
            keep_colons: true,
            local: Side {
                ip: b"::ffff:127.0.0.1",
                ..v.local
            },
            ..v
        };
        let line = verdict(&v);
        let text = String::from_utf8(line).unwrap();
        assert!(
            text.contains(&format!(":{}...:", "a".repeat(100))),
            "{text}"
        );
        assert!(text.contains("0:::ffff:127.0.0.1:17001"), "{text}");
        let short = [b'a'; 99];
        let v = Verdict {
            info: Some(&short),
            ..v
        };
        assert!(!String::from_utf8(verdict(&v)).unwrap().contains("..."));
    }
}
