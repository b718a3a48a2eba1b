//! tcpserver under stress and faults: clients that vanish, a burst of 10,000 connections
//! against `-c 40`, and running out of descriptors while accepting.

use crate::common::net::*;
use crate::common::*;
use std::io::Read;
use std::net::TcpStream;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

#[test]
fn clients_that_vanish_do_not_stop_the_server() {
    let sb = Sandbox::new();
    let server = serve(
        &sb,
        "tcpserver",
        &["-HRl0", "-Bbanner\n", "127.0.0.1", "0", "echo", "served"],
    );
    for _ in 0..200 {
        let stream = TcpStream::connect(server.addr()).unwrap();
        // Reset at once (linger 0), before the child can write its banner.
        let raw = std::os::fd::AsRawFd::as_raw_fd(&stream);
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: setsockopt with a valid linger struct on a socket we own.
        unsafe {
            libc::setsockopt(
                raw,
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                (&linger as *const libc::linger).cast(),
                std::mem::size_of::<libc::linger>() as u32,
            );
        }
        drop(stream);
    }
    assert_eq!(show(&exchange(server.addr(), b"")), "banner\nserved\n");
    // Children whose client was gone may have failed to write; the server itself did not.
    let log = server.log();
    assert!(!log.contains("tcpserver: fatal"), "{log}");
    assert_eq!(show(&exchange(server.addr(), b"")), "banner\nserved\n");
}

#[test]
fn a_burst_of_ten_thousand_connections_against_a_limit_of_40() {
    const CONNECTIONS: usize = 10_000;
    const CLIENTS: usize = 48;
    let sb = Sandbox::new();
    let list = sb.bin("daemonbox");
    // Up to 48 connections wait at once (a client reconnects as soon as its child ends,
    // perhaps before tcpserver has reaped it), so the listen queue must hold 48: with the
    // default 20 the kernel drops handshakes, and any tcpserver loses those clients.
    let server = serve(
        &sb,
        "tcpserver",
        &[
            "-v",
            "-c40",
            "-b100",
            "-HRl0",
            "127.0.0.1",
            "0",
            list.to_str().unwrap(),
            "--list",
        ],
    );
    let next = Arc::new(AtomicUsize::new(0));
    let served = Arc::new(AtomicUsize::new(0));
    let addr = server.addr();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (next, served) = (next.clone(), served.clone());
            // Each client from an address of its own, so that 10,000 connections in a few
            // seconds do not run out of client ports next to the server's TIME_WAITs.
            let from = private_loopback();
            std::thread::spawn(move || {
                while next.fetch_add(1, Ordering::SeqCst) < CONNECTIONS {
                    let mut stream = connect_from(from, addr);
                    stream.set_read_timeout(Some(NET_TIMEOUT)).unwrap();
                    let mut out = Vec::new();
                    stream.read_to_end(&mut out).unwrap();
                    if out.starts_with(b"envdir\n") {
                        served.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(served.load(Ordering::SeqCst), CONNECTIONS);
    let log = server.wait_log("every child reaped", |l| {
        l.matches(" end ").count() == CONNECTIONS && l.ends_with("status: 0/40\n")
    });
    let most = log
        .lines()
        .filter_map(|l| l.strip_prefix("tcpserver: status: "))
        .map(|s| s.split('/').next().unwrap().parse::<u32>().unwrap())
        .max();
    assert_eq!(most, Some(40), "the limit was reached but never passed");
    assert!(
        log.lines()
            .filter(|l| l.contains(" end "))
            .all(|l| l.ends_with(" status 0")),
        "a child failed"
    );
}

/// Seconds of CPU time `pid` has used (user + system), from /proc.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

#[test]
fn out_of_descriptors_pauses_accepting_without_spinning() {
    let sb = Sandbox::new();
    let server = serve(
        &sb,
        "tcpserver",
        &["-HRl0", "127.0.0.1", "0", "echo", "served"],
    );
    let pid = server.guard.pid().to_string();
    let limit = |value: &str| {
        let out = Command::new("prlimit")
            .args(["--pid", &pid, &format!("--nofile={value}")])
            .output()
            .unwrap();
        assert!(out.status.success(), "prlimit: {}", show(&out.stderr));
    };
    limit("0:4096");
    let mut waiting = TcpStream::connect(server.addr()).unwrap();
    let log = server.wait_log("the warning", |l| !l.is_empty());
    assert_eq!(
        log,
        "tcpserver: warning: unable to accept: process cannot open more files\n"
    );
    // While it cannot accept, tcpserver sleeps between tries: over a second it uses far
    // less than a second of processor time (a spinning loop would use all of it).
    let before = cpu_ticks(server.guard.pid());
    std::thread::sleep(std::time::Duration::from_secs(1));
    let used = cpu_ticks(server.guard.pid()) - before;
    assert!(used < 20, "{used} ticks of CPU in one second");
    assert_eq!(server.log(), log, "warned once");
    limit("1024:4096");
    waiting.set_read_timeout(Some(NET_TIMEOUT)).unwrap();
    let mut out = Vec::new();
    waiting.read_to_end(&mut out).unwrap();
    assert_eq!(out, b"served\n");
}
