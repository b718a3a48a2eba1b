//! /etc/hosts and /etc/services, read without NSS (pure parsing; the caller reads the
//! files).
//!
//! hosts: `address name aliases...`; services: `name port/protocol aliases...`. In both,
//! `#` starts a comment and fields are separated by blanks. Host names compare without
//! regard to case, service names exactly (as the C library does); lines that do not parse
//! are skipped.

use super::ip::{self, Ip};

/// Where host names are looked up before DNS.
pub const HOSTS_FILE: &[u8] = b"/etc/hosts";
/// Where port names are looked up.
pub const SERVICES_FILE: &[u8] = b"/etc/services";

fn fields(line: &[u8]) -> impl Iterator<Item = &[u8]> {
    let line = line.split(|&b| b == b'#').next().unwrap_or_default();
    line.split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
}

/// The addresses listed for `name` in a hosts file, in file order.
pub fn addresses(hosts: &[u8], name: &[u8]) -> Vec<Ip> {
    hosts
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let mut f = fields(line);
            let addr = ip::parse(f.next()?)?;
            f.any(|n| n.eq_ignore_ascii_case(name)).then_some(addr)
        })
        .collect()
}

/// The port of service `name` over `protocol` in a services file.
pub fn port(services: &[u8], name: &[u8], protocol: &[u8]) -> Option<u16> {
    services.split(|&b| b == b'\n').find_map(|line| {
        let mut f = fields(line);
        let official = f.next()?;
        let spec = f.next()?;
        let slash = spec.iter().position(|&b| b == b'/').filter(|&i| i > 0)?;
        if &spec[slash + 1..] != protocol {
            return None;
        }
        let port = u16::try_from(super::num::all_digits(&spec[..slash])?).ok()?;
        (official == name || f.any(|alias| alias == name)).then_some(port)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTS: &[u8] = b"127.0.0.1\tlocalhost loopback\n\
        # 10.0.0.1 commented\n\
        ::1     localhost ip6-localhost # trailing comment\n\
        10.0.0.2 Mail.Example.COM mail\n\
        bogus   bogus.example\n\
        10.0.0.3\n\
        10.0.0.4 mail";

    #[test]
    fn host_addresses() {
        assert_eq!(
            addresses(HOSTS, b"localhost"),
            [ip::mapped([127, 0, 0, 1]), ip::parse(b"::1").unwrap()]
        );
        assert_eq!(
            addresses(HOSTS, b"mail.example.com"),
            [ip::mapped([10, 0, 0, 2])]
        );
        assert_eq!(
            addresses(HOSTS, b"MAIL"),
            [ip::mapped([10, 0, 0, 2]), ip::mapped([10, 0, 0, 4])]
        );
        assert!(addresses(HOSTS, b"commented").is_empty());
        assert!(addresses(HOSTS, b"bogus.example").is_empty());
        assert!(addresses(HOSTS, b"").is_empty());
    }

    const SERVICES: &[u8] = b"# comment smtp 99/tcp\n\
        tcpmux\t1/tcp\n\
        smtp\t\t25/tcp\t\tmail\n\
        domain\t53/udp\n\
        domain\t53/tcp\n\
        pop3 110/tcp pop-3 # POP version 3\n\
        bad x/tcp\n\
        big 70000/tcp\n\
        empty /tcp\n";

    #[test]
    fn service_ports() {
        assert_eq!(port(SERVICES, b"smtp", b"tcp"), Some(25));
        assert_eq!(port(SERVICES, b"mail", b"tcp"), Some(25));
        assert_eq!(port(SERVICES, b"pop-3", b"tcp"), Some(110));
        assert_eq!(port(SERVICES, b"domain", b"tcp"), Some(53));
        assert_eq!(port(SERVICES, b"domain", b"udp"), Some(53));
        assert_eq!(port(SERVICES, b"SMTP", b"tcp"), None);
        assert_eq!(port(SERVICES, b"comment", b"tcp"), None);
        assert_eq!(port(SERVICES, b"bad", b"tcp"), None);
        assert_eq!(port(SERVICES, b"big", b"tcp"), None);
        assert_eq!(port(SERVICES, b"empty", b"tcp"), None);
        assert_eq!(port(SERVICES, b"nosuch", b"tcp"), None);
    }
}
