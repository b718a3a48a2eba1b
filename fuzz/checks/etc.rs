//! The files and replies the ucspi tools read beside DNS: /etc/hosts, /etc/services,
//! /etc/resolv.conf (and its variables), ident answers, /etc/group.

use super::{Input, pieces};
use crate::format::hosts;
use crate::format::ident::{self, INFO_MAX, Reply};
use crate::format::ip::{self, Ip};
use crate::format::passwd::group_gid;
use crate::format::resolvconf::{self, MAX_SERVERS, Options};

/// A name that can stand as a field of these files: not empty, no blank, no comment.
fn is_field(name: &[u8]) -> bool {
    !name.is_empty() && !name.iter().any(|&b| b.is_ascii_whitespace() || b == b'#')
}

/// Every line of `file` turned into a comment.
fn commented(file: &[u8]) -> Vec<u8> {
    let mut out = vec![b'#'];
    for &b in file {
        out.push(b);
        if b == b'\n' {
            out.push(b'#');
        }
    }
    out
}

/// 16 bytes of the input as an address.
fn address(input: &mut Input<'_>) -> Ip {
    let mut addr = [0; 16];
    let bytes = input.take(16);
    addr[..bytes.len()].copy_from_slice(bytes);
    addr
}

/// Host names compare without regard to case and only as whole fields; a line added at
/// the end adds its address at the end; a file of comments lists nothing.
fn hosts_file(input: &mut Input<'_>) {
    let name = input.sized(32);
    let addr = address(input);
    let file = input.rest();
    let got = hosts::addresses(file, name);
    assert_eq!(hosts::addresses(file, &name.to_ascii_uppercase()), got);
    assert_eq!(hosts::addresses(file, &name.to_ascii_lowercase()), got);
    assert!(hosts::addresses(&commented(file), name).is_empty());
    if !is_field(name) {
        assert!(got.is_empty());
        return;
    }
    let line = [&ip::text(&addr, false)[..], b" \t", name, b"\n"].concat();
    let more = [file, b"\n", &line].concat();
    let want: Vec<Ip> = got.iter().copied().chain([addr]).collect();
    assert_eq!(hosts::addresses(&more, name), want);
}

/// The first line for a service and protocol wins, and only whole fields name them.
fn services_file(input: &mut Input<'_>) {
    let name = input.sized(32);
    let protocol: &[u8] = match input.byte() % 3 {
        0 => b"tcp",
        1 => b"udp",
        _ => input.sized(8),
    };
    let number = u16::from_le_bytes([input.byte(), input.byte()]);
    let file = input.rest();
    let got = hosts::port(file, name, protocol);
    assert_eq!(hosts::port(&commented(file), name, protocol), None);
    if !is_field(name) {
        assert_eq!(got, None);
        return;
    }
    if !is_field(protocol) {
        return;
    }
    let line = format!("{number}/").into_bytes();
    let more = [file, b"\n", name, b"\t", &line, protocol, b" alias\n"].concat();
    assert_eq!(hosts::port(&more, name, protocol), got.or(Some(number)));
}

/// Servers, search list and options: at most 16 servers, a server line added where there
/// is room is the last server; the first search line wins; later options win.
fn resolv_conf(input: &mut Input<'_>) {
    let addr = address(input);
    let name = input.sized(32);
    let (timeout, attempts) = (input.byte(), input.byte());
    let conf = input.rest();
    let servers = resolvconf::nameservers(conf);
    assert!(servers.len() <= MAX_SERVERS);
    let line = [b"\nnameserver \t", &ip::text(&addr, false)[..], b" # x\n"].concat();
    let more = resolvconf::nameservers(&[conf, &line].concat());
    if servers.len() < MAX_SERVERS {
        assert_eq!(more, [&servers[..], &[addr]].concat());
    } else {
        assert_eq!(more, servers);
    }
    assert!(resolvconf::servers_from_env(conf).len() <= MAX_SERVERS);
    let v4: Vec<[u8; 4]> = conf
        .chunks_exact(4)
        .take(20)
        .map(|c| c.try_into().unwrap())
        .collect();
    let mut dotted = Vec::new();
    for part in &v4 {
        dotted.extend_from_slice(b"..");
        ip::push4(&mut dotted, *part);
    }
    let want: Vec<Ip> = v4
        .iter()
        .take(MAX_SERVERS)
        .map(|&a| ip::mapped(a))
        .collect();
    assert_eq!(resolvconf::servers_from_env(&dotted), want);
    let search = resolvconf::search(conf);
    let added = resolvconf::search(&[conf, b"\nsearch x.example\n"].concat());
    assert_eq!(
        added,
        Some(search.clone().unwrap_or(vec![b"x.example".to_vec()]))
    );
    let list = search.unwrap_or_else(|| resolvconf::search_from_env(name));
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r');
    assert!(list.iter().all(|w| !w.is_empty() && !w.iter().any(blank)));
    let names = resolvconf::qualify(name, &list);
    if name.iter().all(|b| !b".:[]".contains(b)) && !list.is_empty() {
        let want: Vec<Vec<u8>> = list.iter().map(|s| [name, b".", s].concat()).collect();
        assert_eq!(names, want);
    } else {
        assert_eq!(names, [name.strip_suffix(b".").unwrap_or(name)]);
    }
    let options = format!("\noptions  timeout:{timeout}\tattempts:{attempts}\n");
    assert_eq!(
        Options::from_conf(&[conf, options.as_bytes()].concat()),
        Options {
            timeout: Some(timeout.into()),
            attempts: Some(attempts.into())
        }
    );
}

/// The ident rule written plainly on the whole reply: up to the first newline, blanks
/// and CRs dropped, the answer after the third colon; complete at the newline, or once
/// the answer passes its limit.
fn reference_answer(reply: &[u8]) -> Option<Vec<u8>> {
    let end = reply.iter().position(|&b| b == b'\n');
    let line = &reply[..end.unwrap_or(reply.len())];
    let kept: Vec<u8> = line
        .iter()
        .copied()
        .filter(|b| !matches!(b, b' ' | b'\t' | b'\r'))
        .collect();
    let info = kept.splitn(4, |&b| b == b':').nth(3).unwrap_or_default();
    if info.len() > INFO_MAX {
        return Some(info[..=INFO_MAX].to_vec());
    }
    end.map(|_| info.to_vec())
}

/// An ident reply read in pieces gives what the plain rule gives; a request is the ports
/// in 0.88's words.
fn ident_reply(input: &mut Input<'_>) {
    let (remote, local) = (input.byte(), input.byte());
    let cuts = input.cuts();
    let reply = input.rest();
    let mut reader = Reply::default();
    for piece in pieces(reply, &cuts) {
        if reader.feed(piece) {
            break;
        }
    }
    assert_eq!(reader.answer(), reference_answer(reply));
    let (remote, local) = (u16::from(remote) * 257, u16::from(local));
    let request = format!("{remote} , {local}\r\n");
    assert_eq!(ident::request(remote, local), request.as_bytes());
}

/// The C library's "files" lookup of a group written plainly.
fn reference_gid(group: &[u8], name: &[u8]) -> Option<u32> {
    group.split(|&b| b == b'\n').find_map(|line| {
        let line = line.trim_ascii_start();
        if name.is_empty() || line.first() == Some(&b'#') {
            return None;
        }
        let fields: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        let gid = *fields.get(2)?;
        if fields[0] != name || gid.is_empty() || !gid.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(gid).ok()?.parse().ok()
    })
}

/// A group's gid is what the plain lookup finds.
fn group_file(input: &mut Input<'_>) {
    let name = input.sized(16);
    let file = input.rest();
    assert_eq!(group_gid(file, name), reference_gid(file, name));
}

/// One of the files, chosen by the first byte.
pub fn etc_files(data: &[u8]) {
    let mut input = Input::new(data);
    match input.byte() % 5 {
        0 => hosts_file(&mut input),
        1 => services_file(&mut input),
        2 => resolv_conf(&mut input),
        3 => ident_reply(&mut input),
        _ => group_file(&mut input),
    }
}
