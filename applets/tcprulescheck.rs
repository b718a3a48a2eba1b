//! tcprulescheck: shows which rule of a tcprules database applies to a client.
//!
//! `tcprulescheck rules.cdb [ip]`: the client is described as tcpserver would describe it,
//! by `TCPREMOTEIP` (default `0.0.0.0`), `TCPREMOTEHOST` and `TCPREMOTEINFO`. Prints
//! `rule KEY:`, the variables the rule sets and `allow connection` or `deny connection`,
//! or `default:` and `allow connection` when no rule applies. Exit 0; 100 for usage; 111
//! when the database cannot be read. Beyond 0.88 (which ignores further arguments), a
//! second argument gives the address in place of `TCPREMOTEIP`.

use crate::buffer::Buffer;
use crate::exit;
use crate::format::rules::{self, Instruction};
use crate::sys;
use crate::ucspi;
use std::ffi::CStr;

const PROG: &str = "tcprulescheck";
const USAGE: &str = "tcprulescheck rules.cdb";

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let Some(path) = args.get(1).map(|a| a.to_bytes()) else {
        exit::usage(PROG, USAGE, exit::USAGE)
    };
    let ip = match args.get(2) {
        Some(ip) => ip.to_bytes().to_vec(),
        None => sys::env::get(b"TCPREMOTEIP").unwrap_or_else(|| b"0.0.0.0".to_vec()),
    };
    let info = sys::env::get(b"TCPREMOTEINFO");
    let host = sys::env::get(b"TCPREMOTEHOST");
    let found = ucspi::rule_for(path, &ip, host.as_deref(), info.as_deref())
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"unable to read ", path], e, exit::TEMP));
    let mut out = Buffer::new(sys::fd::stdout(), 4096);
    match found {
        None => {
            let _ = out.put(b"default:\nallow connection\n");
        }
        Some((key, data)) => {
            let _ = out.put(&[b"rule ", &key[..], b":\n"].concat());
            let mut verdict: &[u8] = b"allow connection\n";
            for instruction in rules::decode(&data) {
                match instruction {
                    Instruction::Deny => {
                        verdict = b"deny connection\n";
                        break;
                    }
                    Instruction::Set(var) => {
                        let _ = out.put(&[b"set environment variable ", var, b"\n"].concat());
                    }
                }
            }
            let _ = out.put(verdict);
        }
    }
    let _ = out.flush();
    exit::OK
}
