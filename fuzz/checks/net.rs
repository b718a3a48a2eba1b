//! The resolver's wire format (DNS messages) and addresses as text.

use super::Input;
use crate::format::dns::{self, Malformed, T_A, T_AAAA, T_PTR, T_TXT, Verdict};
use crate::format::ip::{self, Ip};

/// Longest name on the wire, and longest label.
const NAME_MAX: usize = 255;
const LABEL_MAX: usize = 63;
/// Positions of a packet whose names are decoded at most.
const NAME_STARTS: usize = 128;

/// `name` is labels of at most 63 bytes ending with the root, 255 bytes at most.
fn assert_wire_name(name: &[u8]) {
    assert!(name.len() <= NAME_MAX, "name of {} bytes", name.len());
    let mut at = 0;
    while name[at] != 0 {
        assert!(usize::from(name[at]) <= LABEL_MAX);
        at += 1 + usize::from(name[at]);
    }
    assert_eq!(at + 1, name.len(), "bytes after the root");
}

/// Text of a wire name reads back as the name in lower case.
fn assert_text_round_trip(name: &[u8]) {
    let text = dns::to_dot(name);
    assert_eq!(dns::from_dot(&text), Some(name.to_ascii_lowercase()));
}

/// djb's `dns_packet_getname` written as the C code reads: every byte read counts
/// towards the bound of 1000, pointers included.
fn reference_get_name(packet: &[u8], mut pos: usize) -> Result<(Vec<u8>, usize), Malformed> {
    let (mut reads, mut left, mut after) = (0, 0u8, None);
    let mut name = Vec::new();
    let mut next = |pos: &mut usize| -> Result<u8, Malformed> {
        let ch = *packet.get(*pos).ok_or(Malformed)?;
        *pos += 1;
        reads += 1;
        if reads >= 1000 {
            Err(Malformed)
        } else {
            Ok(ch)
        }
    };
    loop {
        let mut ch = next(&mut pos)?;
        if left > 0 {
            if name.len() + 1 > NAME_MAX {
                return Err(Malformed);
            }
            name.push(ch);
            left -= 1;
            continue;
        }
        while ch >= 192 {
            let high = usize::from(ch - 192) << 8;
            let low = *packet.get(pos).ok_or(Malformed)?;
            after.get_or_insert(pos + 1);
            pos = high + usize::from(low);
            ch = next(&mut pos)?;
        }
        if ch >= 64 || name.len() + 1 > NAME_MAX {
            return Err(Malformed);
        }
        name.push(ch);
        if ch == 0 {
            return Ok((name, after.unwrap_or(pos)));
        }
        left = ch;
    }
}

/// Any bytes as a response: nothing panics or loops; every name decoded is well formed
/// and ends inside the packet; what the answers give is what their records can hold.
fn response(packet: &[u8]) {
    for pos in 0..packet.len().min(NAME_STARTS) {
        let got = dns::get_name(packet, pos);
        assert_eq!(got, reference_get_name(packet, pos), "name at {pos}");
        if let Ok((name, after)) = got {
            assert_wire_name(&name);
            assert_text_round_trip(&name);
            assert!(after > pos && after <= packet.len());
        }
    }
    let answers = packet
        .get(6..8)
        .map_or(0, |c| u16::from_be_bytes([c[0], c[1]]));
    let (v4, v6) = (dns::addresses(packet, false), dns::addresses(packet, true));
    if let Ok(v4) = &v4 {
        assert!(v4.len() <= usize::from(answers) && v4.iter().all(ip::is_mapped));
    }
    if let Ok(v6) = &v6 {
        assert!(v6.len() <= usize::from(answers));
        assert!(v4.as_ref().is_ok_and(|v4| v4.len() <= v6.len()));
    }
    if let Ok(Some(text)) = dns::ptr_name(packet) {
        let name = dns::from_dot(&text).expect("a PTR name that does not read back");
        assert_wire_name(&name);
    }
    if let Ok(text) = dns::txt(packet) {
        assert!(text.iter().all(|&c| (32..=126).contains(&c) || c == b'?'));
    }
    if let Ok((name, at)) = dns::get_name(packet, 12)
        && let Some(qtype) = packet.get(at..at + 2)
    {
        let q = dns::query(
            u16::from_be_bytes([packet[0], packet[1]]),
            &name,
            u16::from_be_bytes([qtype[0], qtype[1]]),
        );
        if dns::verdict(&q, packet) != Verdict::Irrelevant {
            assert!(packet[..2] == q[..2] && packet[4..6] == [0, 1]);
            assert_eq!(packet.get(at + 2..at + 4), Some(&[0, 1][..]));
        }
    }
}

/// An answer record to encode, and what decoding it must give.
enum Record {
    /// An A record (`v4` set) or an AAAA record.
    Address {
        v4: bool,
        ip: Ip,
    },
    Text(Vec<u8>, Vec<u8>),
    /// A PTR name: its labels, compressed onto the question's name when `tail` is set.
    Pointer {
        labels: Vec<u8>,
        tail: bool,
    },
}

/// A query from the input, and a response to it built from records of the input: the
/// query reads back, answers itself, and the response's addresses, PTR name and text are
/// the records that went in.
fn round_trip(input: &mut Input<'_>) {
    let id = u16::from_le_bytes([input.byte(), input.byte()]);
    let qtype = [T_A, T_PTR, T_TXT, T_AAAA, u16::from(input.byte())][usize::from(input.byte() % 5)];
    let Some(qname) = dns::from_dot(input.sized(255)) else {
        return;
    };
    assert_wire_name(&qname);
    assert_text_round_trip(&qname);
    let q = dns::query(id, &qname, qtype);
    assert_eq!(dns::get_name(&q, 12), Ok((qname.clone(), 12 + qname.len())));
    assert_eq!(dns::verdict(&q, &q), Verdict::Answer);
    let records: Vec<Record> = (0..input.byte() % 8)
        .map(|_| match input.byte() % 4 {
            0 => Record::Address {
                v4: true,
                ip: ip::mapped(input.take(4).try_into().unwrap_or_default()),
            },
            1 => Record::Address {
                v4: false,
                ip: input.take(16).try_into().unwrap_or_default(),
            },
            2 => {
                let strings: Vec<&[u8]> = (0..input.byte() % 4).map(|_| input.sized(64)).collect();
                let wire = strings
                    .iter()
                    .flat_map(|s| [&[s.len() as u8], *s].concat())
                    .collect();
                Record::Text(wire, strings.concat())
            }
            _ => Record::Pointer {
                labels: dns::from_dot(input.sized(64)).unwrap_or_else(|| vec![0]),
                tail: input.byte() & 1 == 1,
            },
        })
        .collect();
    let mut r = q.clone();
    r[2] |= 0x80;
    r[6..8].copy_from_slice(&(records.len() as u16).to_be_bytes());
    let (mut want_v4, mut want_v6, mut want_txt, mut want_ptr) = (vec![], vec![], vec![], None);
    for record in &records {
        let (kind, data) = match record {
            Record::Address { v4: true, ip } => {
                want_v4.push(*ip);
                want_v6.push(*ip);
                (T_A, ip::v4_of(ip).to_vec())
            }
            Record::Address { v4: false, ip } => {
                want_v6.push(*ip);
                (T_AAAA, ip.to_vec())
            }
            Record::Text(wire, text) => {
                want_txt.extend(
                    text.iter()
                        .map(|&c| if (32..=126).contains(&c) { c } else { b'?' }),
                );
                (T_TXT, wire.clone())
            }
            Record::Pointer { labels, tail } => {
                let (data, full) = if *tail {
                    let stem = &labels[..labels.len() - 1];
                    ([stem, b"\xc0\x0c"].concat(), [stem, &qname].concat())
                } else {
                    (labels.clone(), labels.clone())
                };
                let text = (full.len() <= NAME_MAX)
                    .then(|| dns::to_dot(&full))
                    .ok_or(Malformed);
                want_ptr.get_or_insert(text);
                (T_PTR, data)
            }
        };
        r.extend_from_slice(&[0xc0, 12]);
        r.extend_from_slice(&kind.to_be_bytes());
        r.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        r.extend_from_slice(&(data.len() as u16).to_be_bytes());
        r.extend_from_slice(&data);
    }
    assert_eq!(dns::verdict(&q, &r), Verdict::Answer);
    assert_eq!(dns::addresses(&r, false), Ok(want_v4));
    assert_eq!(dns::addresses(&r, true), Ok(want_v6));
    assert_eq!(dns::txt(&r), Ok(want_txt));
    assert_eq!(dns::ptr_name(&r), want_ptr.transpose());
    response(&r);
}

/// Any bytes as a DNS response; or a query and a response built and read back.
pub fn dns(data: &[u8]) {
    let mut input = Input::new(data);
    if input.byte() & 1 == 0 {
        response(input.rest());
    } else {
        round_trip(&mut input);
    }
}

/// Any 16 bytes format as text that reads back as them, and that the standard library
/// reads the same; the whole input as text: what scans reads back the same from the bytes
/// it used and from its own text, and text the standard library takes as one address is
/// one address here too, the same.
pub fn ip(data: &[u8]) {
    let mut addr: Ip = [0; 16];
    let head = &data[..data.len().min(16)];
    addr[..head.len()].copy_from_slice(head);
    let text = ip::text(&addr, false);
    assert_eq!(
        ip::parse(&text),
        Some(addr),
        "{:?}",
        String::from_utf8_lossy(&text)
    );
    let std: std::net::Ipv6Addr = std::str::from_utf8(&text).unwrap().parse().unwrap();
    assert_eq!(std.octets(), addr);
    if ip::is_mapped(&addr) {
        assert_eq!(ip::parse(&ip::text(&addr, true)), Some(addr));
        let reverse = dns::reverse_name(&addr);
        let v4 = ip::v4_of(&addr);
        let want = format!("{}.{}.{}.{}.in-addr.arpa", v4[3], v4[2], v4[1], v4[0]);
        assert_eq!(dns::to_dot(&reverse), want.as_bytes());
    } else {
        assert_wire_name(&dns::reverse_name(&addr));
    }
    if let Some((v4, len)) = ip::scan4(data) {
        assert!(len > 0 && len <= data.len());
        let mut text = Vec::new();
        ip::push4(&mut text, v4);
        assert_eq!(ip::scan4(&text), Some((v4, text.len())));
        assert_eq!(ip::scan6(data), Some((ip::mapped(v4), len)));
    }
    if let Some((addr, len)) = ip::scan6(data) {
        assert!(len > 0 && len <= data.len());
        assert_eq!(ip::parse(&data[..len]), Some(addr), "scanned {len}");
        assert_eq!(ip::parse(&ip::text(&addr, false)), Some(addr));
    }
    let parsed = ip::parse(data);
    assert_eq!(
        parsed.is_some(),
        ip::scan6(data).is_some_and(|(_, n)| n == data.len())
    );
    if let Some(std) = std::str::from_utf8(data)
        .ok()
        .and_then(|t| t.parse::<std::net::IpAddr>().ok())
    {
        let want = match std {
            std::net::IpAddr::V4(v4) => ip::mapped(v4.octets()),
            std::net::IpAddr::V6(v6) => v6.octets(),
        };
        assert_eq!(parsed, Some(want), "{std}");
    }
}
