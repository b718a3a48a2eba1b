//! DNS messages as ucspi-tcp's resolver (djb's dns library) builds and reads them (pure).
//!
//! Names go on the wire as labels; `from_dot` and `to_dot` convert text with djb's rules
//! (`\ooo` octal escapes; output lower-cased with bytes outside `a-z0-9-_` escaped).
//! A response is used only when it answers the query (same id, one question, same name,
//! type and class); truncated responses and server failures (rcode other than 0 and 3)
//! send the resolver to the next server. Reads past the end of a packet are errors.

use super::ip::{self, Ip};

/// Record types.
pub const T_A: u16 = 1;
pub const T_PTR: u16 = 12;
pub const T_TXT: u16 = 16;
pub const T_AAAA: u16 = 28;
const C_IN: u16 = 1;
/// Longest wire name, and longest label.
const NAME_MAX: usize = 255;
const LABEL_MAX: usize = 63;
/// Bound on the bytes read for one name, pointers and the final zero included, as djb
/// counts them (a pointer loop is an error).
const NAME_STEPS: usize = 1000;
const HEADER_LEN: usize = 12;

/// A malformed packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Malformed;

/// What a response means for the query it may answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not an answer to this query: keep waiting.
    Irrelevant,
    /// Truncated or a server failure: ask the next server.
    NextServer,
    /// The answer (possibly "no such name").
    Answer,
}

/// djb's `dns_domain_fromdot`: text to wire labels, or `None` when a label or the name is
/// too long.
pub fn from_dot(text: &[u8]) -> Option<Vec<u8>> {
    let mut name = Vec::with_capacity(text.len() + 2);
    let mut label = Vec::with_capacity(LABEL_MAX);
    let mut rest = text;
    let end_label = |name: &mut Vec<u8>, label: &mut Vec<u8>| -> Option<()> {
        if !label.is_empty() {
            if name.len() + label.len() + 1 > NAME_MAX {
                return None;
            }
            name.push(label.len() as u8);
            name.append(label);
        }
        Some(())
    };
    while let Some((&c, tail)) = rest.split_first() {
        rest = tail;
        let mut ch = c;
        if ch == b'.' {
            end_label(&mut name, &mut label)?;
            continue;
        }
        if ch == b'\\' {
            let Some((&e, tail)) = rest.split_first() else {
                break;
            };
            rest = tail;
            ch = e;
            if (b'0'..=b'7').contains(&ch) {
                ch -= b'0';
                for _ in 0..2 {
                    match rest.split_first() {
                        Some((&d, tail)) if (b'0'..=b'7').contains(&d) => {
                            ch = (ch << 3).wrapping_add(d - b'0');
                            rest = tail;
                        }
                        _ => break,
                    }
                }
            }
        }
        if label.len() >= LABEL_MAX {
            return None;
        }
        label.push(ch);
    }
    end_label(&mut name, &mut label)?;
    if name.len() + 1 > NAME_MAX {
        return None;
    }
    name.push(0);
    Some(name)
}

/// djb's `dns_domain_todot_cat`: wire labels to text (`.` for the root).
pub fn to_dot(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    let mut at = 0;
    while let Some(&len) = name.get(at).filter(|&&l| l != 0) {
        if !out.is_empty() {
            out.push(b'.');
        }
        for &c in name.iter().skip(at + 1).take(len as usize) {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_' {
                out.push(c);
            } else {
                out.extend_from_slice(&[
                    b'\\',
                    b'0' + (c >> 6),
                    b'0' + ((c >> 3) & 7),
                    b'0' + (c & 7),
                ]);
            }
        }
        at += 1 + len as usize;
    }
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// The PTR name of an address: `d.c.b.a.in-addr.arpa` for IPv4 (mapped) addresses, the
/// 32 nibbles under `ip6.arpa` for IPv6 ones.
pub fn reverse_name(addr: &Ip) -> Vec<u8> {
    let mut name = Vec::with_capacity(74);
    if ip::is_mapped(addr) {
        for &part in ip::v4_of(addr).iter().rev() {
            let mut digits = Vec::new();
            super::num::push_ulong(&mut digits, u64::from(part));
            name.push(digits.len() as u8);
            name.extend_from_slice(&digits);
        }
        name.extend_from_slice(b"\x07in-addr\x04arpa\0");
    } else {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        for &byte in addr.iter().rev() {
            name.extend_from_slice(&[
                1,
                HEX[usize::from(byte & 15)],
                1,
                HEX[usize::from(byte >> 4)],
            ]);
        }
        name.extend_from_slice(b"\x03ip6\x04arpa\0");
    }
    name
}

/// A recursive query for `name` (wire form) of type `qtype` with transaction `id`.
pub fn query(id: u16, name: &[u8], qtype: u16) -> Vec<u8> {
    let mut q = Vec::with_capacity(HEADER_LEN + name.len() + 4);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[1, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    q.extend_from_slice(name);
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&C_IN.to_be_bytes());
    q
}

fn get(packet: &[u8], pos: usize, len: usize) -> Result<&[u8], Malformed> {
    packet
        .get(pos..pos.checked_add(len).ok_or(Malformed)?)
        .ok_or(Malformed)
}

fn u16_at(packet: &[u8], pos: usize) -> Result<u16, Malformed> {
    let b = get(packet, pos, 2)?;
    Ok(u16::from_be_bytes([b[0], b[1]]))
}

/// djb's `dns_packet_getname`: the (decompressed) name at `pos` and the position after it.
pub fn get_name(packet: &[u8], mut pos: usize) -> Result<(Vec<u8>, usize), Malformed> {
    let mut name = Vec::new();
    let mut after = None;
    let mut steps = 0;
    loop {
        let mut len = *packet.get(pos).ok_or(Malformed)?;
        pos += 1;
        steps += 1;
        if steps >= NAME_STEPS {
            return Err(Malformed);
        }
        while len >= 192 {
            let low = *packet.get(pos).ok_or(Malformed)?;
            after.get_or_insert(pos + 1);
            pos = (usize::from(len - 192) << 8) + usize::from(low);
            len = *packet.get(pos).ok_or(Malformed)?;
            pos += 1;
            steps += 1;
            if steps >= NAME_STEPS {
                return Err(Malformed);
            }
        }
        if len >= 64 || name.len() + 1 + usize::from(len) > NAME_MAX {
            return Err(Malformed);
        }
        name.push(len);
        if len == 0 {
            return Ok((name, after.unwrap_or(pos)));
        }
        name.extend_from_slice(get(packet, pos, usize::from(len))?);
        pos += usize::from(len);
        steps += usize::from(len);
        if steps >= NAME_STEPS {
            return Err(Malformed);
        }
    }
}

/// djb's `dns_packet_skipname`: the position after the name at `pos`.
fn skip_name(packet: &[u8], mut pos: usize) -> Result<usize, Malformed> {
    loop {
        let len = *packet.get(pos).ok_or(Malformed)?;
        pos += 1;
        match len {
            192.. => return Ok(pos + 1),
            64.. => return Err(Malformed),
            0 => return Ok(pos),
            _ => pos += usize::from(len),
        }
    }
}

/// How `response` relates to `query` (both whole messages, without TCP length prefix).
pub fn verdict(query: &[u8], response: &[u8]) -> Verdict {
    let relevant = || -> Result<bool, Malformed> {
        let header = get(response, 0, HEADER_LEN)?;
        if header[..2] != query[..2] || header[4..6] != [0, 1] {
            return Ok(false);
        }
        let (name, pos) = get_name(response, HEADER_LEN)?;
        let asked = &query[HEADER_LEN..query.len() - 4];
        Ok(name.eq_ignore_ascii_case(asked) && get(response, pos, 4)? == &query[query.len() - 4..])
    };
    if !relevant().unwrap_or(false) {
        return Verdict::Irrelevant;
    }
    let rcode = response[3] & 15;
    if response[2] & 2 != 0 || (rcode != 0 && rcode != 3) {
        return Verdict::NextServer;
    }
    Verdict::Answer
}

/// The answer records of a response, in order: (type, class, data position, data length),
/// each checked only as far as djb's parsers read it.
fn answers(packet: &[u8]) -> Result<Vec<(u16, u16, usize, usize)>, Malformed> {
    let count = u16_at(packet, 6)?;
    get(packet, 0, HEADER_LEN)?;
    let mut pos = skip_name(packet, HEADER_LEN)? + 4;
    let mut found = Vec::new();
    for _ in 0..count {
        pos = skip_name(packet, pos)?;
        let header = get(packet, pos, 10)?;
        let len = usize::from(u16::from_be_bytes([header[8], header[9]]));
        let kind = u16::from_be_bytes([header[0], header[1]]);
        let class = u16::from_be_bytes([header[2], header[3]]);
        found.push((kind, class, pos + 10, len));
        pos += 10 + len;
    }
    Ok(found)
}

/// The addresses in a response: A records (mapped), and AAAA records when `v6` is set.
pub fn addresses(packet: &[u8], v6: bool) -> Result<Vec<Ip>, Malformed> {
    let mut out = Vec::new();
    for (kind, class, pos, len) in answers(packet)? {
        match (kind, class, len) {
            (T_A, C_IN, 4) => {
                let b = get(packet, pos, 4)?;
                out.push(ip::mapped([b[0], b[1], b[2], b[3]]));
            }
            (T_AAAA, C_IN, 16) if v6 => {
                let mut a = [0u8; 16];
                a.copy_from_slice(get(packet, pos, 16)?);
                out.push(a);
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The first PTR name in a response, as text (`None` when there is none).
pub fn ptr_name(packet: &[u8]) -> Result<Option<Vec<u8>>, Malformed> {
    for (kind, class, pos, _) in answers(packet)? {
        if kind == T_PTR && class == C_IN {
            return Ok(Some(to_dot(&get_name(packet, pos)?.0)));
        }
    }
    Ok(None)
}

/// The text of the TXT records in a response, strings joined, bytes outside 32-126
/// shown as `?` (djb's `dns_txt_packet`).
pub fn txt(packet: &[u8]) -> Result<Vec<u8>, Malformed> {
    let mut out = Vec::new();
    for (kind, class, pos, len) in answers(packet)? {
        if kind == T_TXT && class == C_IN {
            let mut left = 0u8;
            for &c in get(packet, pos, len)? {
                if left == 0 {
                    left = c;
                } else {
                    left -= 1;
                    out.push(if (32..=126).contains(&c) { c } else { b'?' });
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
