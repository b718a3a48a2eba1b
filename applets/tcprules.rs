//! tcprules: compiles rules text on stdin into the cdb tcpserver's `-x` reads.
//!
//! `tcprules rules.cdb rules.tmp < rules`: writes `rules.tmp`, syncs it and renames it to
//! `rules.cdb`, so tcpserver sees the old or the new rules, never a mixture. The database
//! is byte-identical to ucspi-tcp 0.88's for the same input (see `format::rules` for the
//! language and the one IPv6 extension). Exit 0; 100 for usage or a line it cannot parse
//! (`unable to parse this line: LINE`, the old cdb kept); 111 for a system error.

use crate::exit;
use crate::format::cdb::{self, Maker};
use crate::format::lines::find_newline;
use crate::format::rules;
use crate::sys::{self, Errno};
use std::ffi::CStr;

const PROG: &str = "tcprules";
const USAGE: &str = "tcprules rules.cdb rules.tmp";
/// Records are written out whenever this much is pending.
const FLUSH_AT: usize = 1 << 16;
/// Input is read this much at a time.
const READ_SIZE: usize = 1 << 16;

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let (Some(cdb_name), Some(tmp)) = (args.get(1), args.get(2)) else {
        exit::usage(PROG, USAGE, exit::USAGE)
    };
    let (cdb_name, tmp) = (cdb_name.to_bytes(), tmp.to_bytes());
    let fd = sys::fd::open_trunc(tmp)
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"unable to create ", tmp], e, exit::TEMP));
    let die_write =
        |e: Errno| -> ! { exit::die_sys(PROG, &[b"unable to write to ", tmp], e, exit::TEMP) };
    let mut maker = Maker::default();
    let mut out = vec![0u8; cdb::HEADER_LEN];
    let mut data = Vec::new();
    // Input in pieces (a line longer than a piece makes the buffer grow), so memory follows
    // the longest line, not the whole input.
    let mut input = Vec::with_capacity(READ_SIZE);
    loop {
        if input.len() == input.capacity() {
            input.reserve(READ_SIZE);
        }
        let eof = sys::fd::read_spare(sys::fd::stdin(), &mut input)
            .unwrap_or_else(|e| exit::die_sys(PROG, &[b"unable to read input"], e, exit::TEMP))
            == 0;
        let mut done = 0;
        while done < input.len() {
            let rest = &input[done..];
            let end = match find_newline(rest) {
                Some(i) => i + 1,
                None if eof => rest.len(),
                None => break,
            };
            let line = &rest[..end];
            done += end;
            match rules::parse_line(line, &mut data) {
                Ok(None) => {}
                Ok(Some(keys)) => keys
                    .for_each(|key| maker.add(key, &data, &mut out))
                    .unwrap_or_else(|_| die_write(Errno::NOMEM)),
                Err(_) => {
                    let line = rules::trim(line);
                    let shown = line.split(|&b| b == 0).next().unwrap_or_default();
                    exit::die(PROG, &[b"unable to parse this line: ", shown], exit::USAGE)
                }
            }
            if out.len() >= FLUSH_AT {
                sys::fd::write_all(&fd, &out).unwrap_or_else(|e| die_write(e));
                out.clear();
            }
        }
        input.drain(..done);
        if eof {
            break;
        }
    }
    let header = maker
        .finish(&mut out)
        .unwrap_or_else(|_| die_write(Errno::NOMEM));
    sys::fd::write_all(&fd, &out)
        .and_then(|()| sys::fd::rewind(&fd))
        .and_then(|()| sys::fd::write_all(&fd, &header))
        .and_then(|()| sys::fd::fsync(&fd))
        .and_then(|()| sys::fd::close(fd))
        .unwrap_or_else(|e| die_write(e));
    if let Err(e) = sys::dir::rename(tmp, cdb_name) {
        exit::die_sys(
            PROG,
            &[b"unable to move ", tmp, b" to ", cdb_name],
            e,
            exit::TEMP,
        );
    }
    exit::OK
}
