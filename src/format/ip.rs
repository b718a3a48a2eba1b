//! IP addresses in text, as ucspi-tcp reads and writes them (pure).
//!
//! Every address is held as 16 bytes; an IPv4 address is IPv4-mapped (`::ffff:a.b.c.d`).
//! IPv4 text follows djb's `ip4_scan`/`ip4_fmt` (four decimal parts, each taken modulo 256;
//! the scan reports how many bytes it read and ignores what follows). IPv6 text follows the
//! IPv6 patch that Debian's ucspi-tcp-ipv6 carries: `::` replaces the longest run of zero
//! groups even when the run is one group long, the first of equal runs wins, hex digits are
//! lower-case, and a mapped address ends in dotted decimal. One difference: an address
//! ending in `::` (such as `::` itself) is read whole, where the patch stops one byte
//! short and so cannot use `::` as tcpserver's host.

/// A 16-byte address (IPv4 addresses mapped).
pub type Ip = [u8; 16];

/// The first 12 bytes of an IPv4-mapped address.
pub const V4_MAPPED_PREFIX: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];
/// `::`, the IPv6 wildcard.
pub const V6_ANY: Ip = [0; 16];

/// `a.b.c.d` mapped into 16 bytes.
pub fn mapped(v4: [u8; 4]) -> Ip {
    let mut ip = [0u8; 16];
    ip[..12].copy_from_slice(&V4_MAPPED_PREFIX);
    ip[12..].copy_from_slice(&v4);
    ip
}

/// Is `ip` an IPv4-mapped address (only the prefix is checked, as the C macro does)?
pub fn is_mapped(ip: &Ip) -> bool {
    ip[..12] == V4_MAPPED_PREFIX
}

/// The IPv4 part of a mapped address.
pub fn v4_of(ip: &Ip) -> [u8; 4] {
    [ip[12], ip[13], ip[14], ip[15]]
}

/// djb's `ip4_scan`: four dot-separated decimal parts; returns the address and the number of
/// bytes read, or `None`.
pub fn scan4(s: &[u8]) -> Option<([u8; 4], usize)> {
    let mut ip = [0u8; 4];
    let mut len = 0;
    for (i, part) in ip.iter_mut().enumerate() {
        if i > 0 {
            if s.get(len) != Some(&b'.') {
                return None;
            }
            len += 1;
        }
        let (value, digits) = super::num::scan_ulong(&s[len..]);
        if digits == 0 {
            return None;
        }
        *part = value as u8;
        len += digits;
    }
    Some((ip, len))
}

/// djb's `ip4_fmt`.
pub fn push4(out: &mut Vec<u8>, ip: [u8; 4]) {
    for (i, &part) in ip.iter().enumerate() {
        if i > 0 {
            out.push(b'.');
        }
        super::num::push_ulong(out, u64::from(part));
    }
}

fn hex_digits(s: &[u8]) -> (u32, usize) {
    let mut value = 0u32;
    let mut len = 0;
    while let Some(d) = s.get(len).and_then(|&b| (b as char).to_digit(16)) {
        value = value.wrapping_shl(4).wrapping_add(d);
        len += 1;
    }
    (value, len)
}

/// The IPv6 patch's `scan_ip6`: an IPv4 address (mapped), or IPv6 text with at most one
/// `::` and an optional dotted IPv4 tail; returns the address and the bytes read, or `None`.
pub fn scan6(s: &[u8]) -> Option<(Ip, usize)> {
    if let Some((v4, len)) = scan4(s) {
        return Some((mapped(v4), len));
    }
    let mut ip = [0u8; 16];
    let mut at = 0;
    let mut len = 0;
    let mut prefix = 0;
    // Part 1: groups before "::".
    loop {
        if s.get(at) == Some(&b':') {
            len += 1;
            if s.get(at + 1) == Some(&b':') {
                at += 2;
                len += 1;
                break;
            }
            at += 1;
        }
        let (value, digits) = hex_digits(&s[at..]);
        if digits == 0 {
            return None;
        }
        if prefix == 12 && s.get(at + digits) == Some(&b'.') {
            let (v4, n) = scan4(&s[at..])?;
            ip[12..].copy_from_slice(&v4);
            return Some((ip, n + len));
        }
        ip[prefix] = (value >> 8) as u8;
        ip[prefix + 1] = value as u8;
        prefix += 2;
        at += digits;
        len += digits;
        if prefix == 16 {
            return Some((ip, len));
        }
    }
    // Part 2: groups after "::".
    let mut suffix = [0u8; 16];
    let mut suffix_len = 0;
    loop {
        if s.get(at) == Some(&b':') {
            if suffix_len == 0 {
                break;
            }
            at += 1;
            len += 1;
        } else if suffix_len != 0 {
            break;
        }
        let (value, digits) = hex_digits(&s[at..]);
        if digits == 0 {
            // Give back a trailing ':' (the patch also gives back one of "::" when nothing
            // follows it, so that "::" and "1::" fail to parse there; here they parse).
            if suffix_len > 0 {
                len -= 1;
            }
            break;
        }
        if suffix_len + prefix <= 12 && s.get(at + digits) == Some(&b'.') {
            if let Some((v4, n)) = scan4(&s[at..]) {
                suffix[suffix_len..suffix_len + 4].copy_from_slice(&v4);
                suffix_len += 4;
                len += n;
                break;
            }
            prefix = 12 - suffix_len;
        }
        suffix[suffix_len] = (value >> 8) as u8;
        suffix[suffix_len + 1] = value as u8;
        suffix_len += 2;
        at += digits;
        len += digits;
        if prefix + suffix_len == 16 {
            break;
        }
    }
    ip[16 - suffix_len..].copy_from_slice(&suffix[..suffix_len]);
    Some((ip, len))
}

/// `s` as an address when it is exactly one IPv4 or IPv6 address.
pub fn parse(s: &[u8]) -> Option<Ip> {
    scan6(s).and_then(|(ip, len)| (len == s.len()).then_some(ip))
}

/// The IPv6 patch's `ip6_fmt` (a mapped address prints as `::ffff:a.b.c.d`).
pub fn push6(out: &mut Vec<u8>, ip: &Ip) {
    // The longest run of zero groups (first of equal runs), in bytes.
    let (mut best_at, mut best_len, mut run_at, mut in_run) = (0, 0, 0, false);
    for k in (0..=16).step_by(2) {
        let zero = k < 16 && ip[k] == 0 && ip[k + 1] == 0;
        if zero && !in_run {
            in_run = true;
            run_at = k;
        } else if !zero && in_run {
            in_run = false;
            if k - run_at > best_len {
                best_len = k - run_at;
                best_at = run_at;
            }
        }
    }
    let mut k = 0;
    while k < 16 {
        if k == 12 && is_mapped(ip) {
            push4(out, v4_of(ip));
            return;
        }
        if k == best_at && best_len > 0 {
            out.extend_from_slice(if k == 0 { b"::" } else { b":" });
            k += best_len;
            continue;
        }
        let group = u16::from_be_bytes([ip[k], ip[k + 1]]);
        push_hex(out, group);
        if k < 14 {
            out.push(b':');
        }
        k += 2;
    }
}

fn push_hex(out: &mut Vec<u8>, group: u16) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut started = false;
    for shift in [12, 8, 4, 0] {
        let d = (group >> shift) & 15;
        if d != 0 || started || shift == 0 {
            started = true;
            out.push(HEX[d as usize]);
        }
    }
}

/// An address in the text tcpserver puts in its environment: dotted decimal for a mapped
/// address when `as_v4` is set, else the IPv6 form.
pub fn text(ip: &Ip, as_v4: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(40);
    if as_v4 {
        push4(&mut out, v4_of(ip));
    } else {
        push6(&mut out, ip);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt6(ip: &Ip) -> String {
        let mut out = Vec::new();
        push6(&mut out, ip);
        String::from_utf8(out).unwrap()
    }

    fn parse6(s: &str) -> Option<(String, usize)> {
        scan6(s.as_bytes()).map(|(ip, n)| (fmt6(&ip), n))
    }

    #[test]
    fn ipv4_scan_and_format() {
        assert_eq!(scan4(b"127.0.0.1"), Some(([127, 0, 0, 1], 9)));
        assert_eq!(scan4(b"1.2.3.4:allow"), Some(([1, 2, 3, 4], 7)));
        assert_eq!(scan4(b"1.2.3.260"), Some(([1, 2, 3, 4], 9)));
        assert_eq!(scan4(b"1.2.3"), None);
        assert_eq!(scan4(b"1.2..3"), None);
        assert_eq!(scan4(b"a.b.c.d"), None);
        let mut out = Vec::new();
        push4(&mut out, [10, 0, 255, 7]);
        assert_eq!(out, b"10.0.255.7");
    }

    #[test]
    fn ipv6_format_as_the_patch_does() {
        let cases: &[(&str, &str)] = &[
            ("::", "::"),
            ("::1", "::1"),
            ("1::", "1::"),
            ("1:0:0:0:0:0:0:1", "1::1"),
            ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("1:0:2:3:4:5:6:7", "1::2:3:4:5:6:7"),
            ("fe80::ABCD:1", "fe80::abcd:1"),
            ("::ffff:1.2.3.4", "::ffff:1.2.3.4"),
            ("1.2.3.4", "::ffff:1.2.3.4"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("::1.2.3.4", "::102:304"),
        ];
        for (input, want) in cases {
            assert_eq!(
                parse6(input),
                Some((want.to_string(), input.len())),
                "{input}"
            );
        }
    }

    #[test]
    fn ipv6_scan_edges() {
        assert_eq!(parse6(""), None);
        assert_eq!(parse6("x"), None);
        assert_eq!(parse6("1:2"), None);
        // Reads as far as an address goes; the caller checks what follows.
        assert_eq!(parse6("::1:deny"), Some(("::1:de".to_string(), 6)));
        assert_eq!(parse6("1::/"), Some(("1::".to_string(), 3)));
        assert_eq!(parse6("::1 "), Some(("::1".to_string(), 3)));
    }

    #[test]
    fn whole_addresses() {
        assert_eq!(parse(b"10.1.2.3"), Some(mapped([10, 1, 2, 3])));
        assert_eq!(parse(b"::"), Some(V6_ANY));
        assert_eq!(parse(b"10.1.2.3x"), None);
        assert_eq!(parse(b"host"), None);
        assert_eq!(parse(b""), None);
    }

    #[test]
    fn environment_text() {
        let ip = mapped([127, 0, 0, 1]);
        assert_eq!(text(&ip, true), b"127.0.0.1");
        assert_eq!(text(&ip, false), b"::ffff:127.0.0.1");
        assert!(is_mapped(&ip));
        assert!(!is_mapped(&V6_ANY));
    }
}
