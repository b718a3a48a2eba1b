//! /etc/resolv.conf and the resolver's environment, as ucspi-tcp's resolver reads them
//! (pure; the caller reads the file and the variables).
//!
//! * Servers: `DNSCACHEIP` (addresses separated by dots, djb's convention) or else the
//!   `nameserver` lines, at most 16; none at all means 127.0.0.1.
//! * Search list: `LOCALDOMAIN` (blank-separated) or else the first `search` or `domain`
//!   line. A name without `.`, `:` or brackets is tried with each suffix in turn; any other
//!   name is used as it is, without a final dot.
//! * Beyond 0.88: `options timeout:N attempts:N` (and the same words in `RES_OPTIONS`,
//!   which wins), as the C library's resolver honours them. Without them the resolver
//!   keeps 0.88's waits.

use super::ip::{self, Ip};

/// The resolver's configuration file.
pub const RESOLV_CONF: &[u8] = b"/etc/resolv.conf";
/// At most this many servers are used.
pub const MAX_SERVERS: usize = 16;

fn keyword<'a>(line: &'a [u8], word: &[u8]) -> Option<&'a [u8]> {
    let rest = line.strip_prefix(word)?;
    matches!(rest.first(), Some(b' ' | b'\t')).then_some(rest)
}

fn words(s: &[u8]) -> impl Iterator<Item = &[u8]> {
    s.split(|&b| b == b' ' || b == b'\t' || b == b'\r')
        .filter(|w| !w.is_empty())
}

/// The servers of the `nameserver` lines (each read as far as an address goes).
pub fn nameservers(conf: &[u8]) -> Vec<Ip> {
    conf.split(|&b| b == b'\n')
        .filter_map(|line| {
            let rest = keyword(line, b"nameserver")?;
            let start = rest.iter().position(|&b| b != b' ' && b != b'\t')?;
            ip::scan6(&rest[start..]).map(|(ip, _)| ip)
        })
        .take(MAX_SERVERS)
        .collect()
}

/// The servers in a `DNSCACHEIP` value.
pub fn servers_from_env(value: &[u8]) -> Vec<Ip> {
    let mut servers = Vec::new();
    let mut rest = value;
    while servers.len() < MAX_SERVERS {
        while let Some(tail) = rest.strip_prefix(b".") {
            rest = tail;
        }
        let Some((ip, len)) = ip::scan6(rest) else {
            break;
        };
        servers.push(ip);
        rest = &rest[len..];
    }
    servers
}

/// The suffixes of the first `search` or `domain` line.
pub fn search(conf: &[u8]) -> Option<Vec<Vec<u8>>> {
    conf.split(|&b| b == b'\n').find_map(|line| {
        let rest = keyword(line, b"search").or_else(|| keyword(line, b"domain"))?;
        Some(words(rest).map(<[u8]>::to_vec).collect())
    })
}

/// The suffixes of a `LOCALDOMAIN` value.
pub fn search_from_env(value: &[u8]) -> Vec<Vec<u8>> {
    words(value).map(<[u8]>::to_vec).collect()
}

/// The names to look up, in order, for `name`.
pub fn qualify(name: &[u8], search: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let plain = name.iter().all(|b| !b".:[]".contains(b));
    if plain && !search.is_empty() {
        return search.iter().map(|s| [name, b".", s].concat()).collect();
    }
    vec![name.strip_suffix(b".").unwrap_or(name).to_vec()]
}

/// Lookup timing: seconds to wait for each server, round after round.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    pub timeout: Option<u32>,
    pub attempts: Option<u32>,
}

impl Options {
    /// Reads `timeout:N` and `attempts:N` words (others are ignored), over `self`.
    pub fn read_words(mut self, text: &[u8]) -> Options {
        for word in words(text) {
            let value = |key: &[u8]| {
                let digits = word.strip_prefix(key)?;
                super::num::all_digits(digits)
                    .filter(|_| !digits.is_empty())
                    .map(|n| n.min(u64::from(u32::MAX)) as u32)
            };
            if let Some(n) = value(b"timeout:") {
                self.timeout = Some(n);
            } else if let Some(n) = value(b"attempts:") {
                self.attempts = Some(n);
            }
        }
        self
    }

    /// The options of the `options` lines of a resolv.conf.
    pub fn from_conf(conf: &[u8]) -> Options {
        conf.split(|&b| b == b'\n')
            .filter_map(|line| keyword(line, b"options"))
            .fold(Options::default(), Options::read_words)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &[u8] = b"# resolver\n\
        domain example.com\n\
        nameserver 10.0.0.1\n\
        nameserver\t 10.0.0.2 # second\n\
        nameserver ::1\n\
        nameserver bogus\n\
        nameserver10.0.0.9\n\
        search a.example\tb.example\n\
        options ndots:2 timeout:2 attempts:x\n\
        options attempts:3";

    #[test]
    fn servers() {
        assert_eq!(
            nameservers(CONF),
            [
                ip::mapped([10, 0, 0, 1]),
                ip::mapped([10, 0, 0, 2]),
                ip::parse(b"::1").unwrap()
            ]
        );
        let many: Vec<u8> = (0..20)
            .flat_map(|i| format!("nameserver 10.0.0.{i}\n").into_bytes())
            .collect();
        assert_eq!(nameservers(&many).len(), MAX_SERVERS);
        assert_eq!(
            servers_from_env(b"1.2.3.4.5.6.7.8"),
            [ip::mapped([1, 2, 3, 4]), ip::mapped([5, 6, 7, 8])]
        );
        assert_eq!(
            servers_from_env(b"..::1 junk"),
            [ip::parse(b"::1").unwrap()]
        );
        assert!(servers_from_env(b"x").is_empty());
    }

    #[test]
    fn search_lists() {
        assert_eq!(search(CONF), Some(vec![b"example.com".to_vec()]));
        assert_eq!(search(b"search\n"), None);
        assert_eq!(
            search(b"search a b\n"),
            Some(vec![b"a".to_vec(), b"b".to_vec()])
        );
        assert_eq!(search_from_env(b" x  y "), [b"x".to_vec(), b"y".to_vec()]);
        let list = [b"a.example".to_vec(), b"b.example".to_vec()];
        assert_eq!(
            qualify(b"mail", &list),
            [b"mail.a.example".to_vec(), b"mail.b.example".to_vec()]
        );
        assert_eq!(qualify(b"mail.x.", &list), [b"mail.x".to_vec()]);
        assert_eq!(qualify(b"mail", &[]), [b"mail".to_vec()]);
        assert_eq!(qualify(b"fe80::1", &list), [b"fe80::1".to_vec()]);
    }

    #[test]
    fn options() {
        assert_eq!(
            Options::from_conf(CONF),
            Options {
                timeout: Some(2),
                attempts: Some(3)
            }
        );
        let env = Options::from_conf(CONF).read_words(b"timeout:1");
        assert_eq!(env.timeout, Some(1));
        assert_eq!(Options::from_conf(b""), Options::default());
    }
}
