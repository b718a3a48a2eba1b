//! tcpserver's lookups against a fake DNS server (named by `DNSCACHEIP`, as 0.88 allows)
//! and a fake ident server: reverse names, the paranoid check, ident answers and rules on
//! them, side by side with Debian's; servers that never answer or answer garbage.

use crate::common::net::*;
use crate::common::*;
use crate::tcpserver::{SHOW_ENV, normalise};
use std::net::SocketAddr;
use std::time::Instant;

/// The reverse name of an IPv4 address, as the fake server's records spell it.
fn ptr(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}.in-addr.arpa", ip[3], ip[2], ip[1], ip[0])
}

/// Serves `SHOW_ENV` with `args` and returns the connection's variables (ports dropped),
/// for a client connecting from `from`.
fn env_for(
    sb: &Sandbox,
    program: &std::path::Path,
    dns: &FakeDns,
    args: &[&str],
    from: [u8; 4],
) -> Vec<(String, String)> {
    let mut all = vec!["127.0.0.1", "0", "sh", "-c", SHOW_ENV];
    all.splice(0..0, args.iter().copied());
    let server = serve_cmd(
        sb,
        sb.command(program)
            .env("DNSCACHEIP", dns.addr.to_string())
            .arg("-1")
            .args(&all),
    );
    let stream = connect_from(from.into(), server.addr());
    env_lines(&talk(stream, b""), |k| !k.ends_with("PORT"))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn reverse_names_and_the_paranoid_check_match_debian() {
    let client = private_loopback().octets();
    let records = vec![
        (ptr([127, 0, 0, 1]), 12, wire_name("Local.Example")),
        (ptr(client), 12, wire_name("client.example")),
        ("client.example".to_string(), 1, client.to_vec()),
    ];
    let dns = FakeDns::start(DnsMode::Answer, records);
    let sb = Sandbox::new();
    let ip = std::net::Ipv4Addr::from(client).to_string();
    let expected = pairs(&[
        ("PROTO", "TCP"),
        ("TCPLOCALHOST", "local.example"),
        ("TCPLOCALIP", "127.0.0.1"),
        ("TCPREMOTEHOST", "client.example"),
        ("TCPREMOTEIP", &ip),
    ]);
    for args in [&["-R"][..], &["-Rp"]] {
        let ours = env_for(&sb, &sb.bin("tcpserver"), &dns, args, client);
        assert_eq!(ours, expected, "{args:?}");
        assert_eq!(
            env_for(&sb, &ucspi_reference("tcpserver"), &dns, args, client),
            ours
        );
    }
    // A client whose name does not map back to it loses the name with -p only.
    let stranger = private_loopback().octets();
    let dns = FakeDns::start(
        DnsMode::Answer,
        vec![
            (ptr(stranger), 12, wire_name("client.example")),
            ("client.example".into(), 1, client.to_vec()),
        ],
    );
    for (args, named) in [(&["-Rl0"][..], true), (&["-Rpl0"], false)] {
        let ours = env_for(&sb, &sb.bin("tcpserver"), &dns, args, stranger);
        assert_eq!(
            ours.iter().any(|(k, _)| k == "TCPREMOTEHOST"),
            named,
            "{args:?} {ours:?}"
        );
        assert_eq!(
            env_for(&sb, &ucspi_reference("tcpserver"), &dns, args, stranger),
            ours
        );
    }
}

#[test]
fn rules_on_names_and_ident_answers_match_debian() {
    let client = private_loopback();
    let c = client.octets();
    let dns = FakeDns::start(
        DnsMode::Answer,
        vec![(ptr(c), 12, wire_name("mx.example.com"))],
    );
    fake_identd(client, |request| {
        format!("{request} : USERID : UNIX : joe\r\n")
    });
    let sb = Sandbox::new();
    let rules =
        b"joe@=mx.example.com:allow,WHO=\"joe at mx\"\n=.example.com:allow,WHO=\"domain\"\n:deny\n";
    assert_output(
        &sb.run_input("tcprules", &["r.cdb", "r.tmp"], rules),
        0,
        b"",
        b"",
    );
    let mut logs = Vec::new();
    for program in [sb.bin("tcpserver"), ucspi_reference("tcpserver")] {
        let cmd_args = [
            "-1",
            "-v",
            "-l0",
            "-xr.cdb",
            "127.0.0.1",
            "0",
            "sh",
            "-c",
            "echo $WHO; echo $TCPREMOTEINFO",
        ];
        let server = serve_cmd(
            &sb,
            sb.command(&program)
                .env("DNSCACHEIP", dns.addr.to_string())
                .args(cmd_args),
        );
        let stream = connect_from(client, server.addr());
        let port = stream.local_addr().unwrap().port();
        assert_eq!(show(&talk(stream, b"")), "joe at mx\njoe\n");
        let log = server.wait_log("end", |l| {
            l.contains(" end ") && l.ends_with("status: 0/40\n")
        });
        logs.push(normalise(&log, &[(server.port, "PORT"), (port, "CLIENT")]));
    }
    assert_eq!(logs[0], logs[1]);
    let line = format!("tcpserver: ok PID 0:127.0.0.1:PORT mx.example.com:{client}:joe:CLIENT\n");
    assert!(logs[0].contains(&line), "{}", logs[0]);
}

#[test]
fn no_ident_server_leaves_the_variable_unset() {
    let sb = Sandbox::new();
    let client = private_loopback();
    let mut outs = Vec::new();
    for program in [sb.bin("tcpserver"), ucspi_reference("tcpserver")] {
        let server = serve(
            &sb,
            &program,
            &[
                "-Hl0",
                "127.0.0.1",
                "0",
                "sh",
                "-c",
                "echo ${TCPREMOTEINFO-unset}",
            ],
        );
        outs.push(show(&talk(connect_from(client, server.addr()), b"")));
    }
    assert_eq!(outs, ["unset\n", "unset\n"]);
}

/// A server (ours) using `dns`, with the C library's resolver options bounding each lookup
/// to one second.
fn served_with_dead_dns(sb: &Sandbox, dns: &FakeDns) -> Served {
    serve_cmd(
        sb,
        sb.command("tcpserver")
            .env("DNSCACHEIP", dns.addr.to_string())
            .env("RES_OPTIONS", "timeout:1 attempts:1")
            .args([
                "-1",
                "-R",
                "127.0.0.1",
                "0",
                "sh",
                "-c",
                "echo ${TCPLOCALHOST-none} ${TCPREMOTEHOST-none}",
            ]),
    )
}

#[test]
fn a_dns_server_that_never_answers_is_given_up_after_the_timeout() {
    let dns = FakeDns::start(DnsMode::Silent, Vec::new());
    let sb = Sandbox::new();
    let server = served_with_dead_dns(&sb, &dns);
    let start = Instant::now();
    assert_eq!(show(&exchange(server.addr(), b"")), "none none\n");
    // Two lookups (local and remote name), one second each.
    assert!(
        start.elapsed().as_secs_f64() >= 1.9,
        "{:?}",
        start.elapsed()
    );
    assert!(dns.queries.load(std::sync::atomic::Ordering::SeqCst) >= 2);
}

#[test]
fn a_dns_server_that_answers_garbage_is_ignored() {
    let dns = FakeDns::start(DnsMode::Garbage, Vec::new());
    let sb = Sandbox::new();
    let server = served_with_dead_dns(&sb, &dns);
    assert_eq!(show(&exchange(server.addr(), b"")), "none none\n");
    assert!(dns.queries.load(std::sync::atomic::Ordering::SeqCst) >= 2);
}

#[test]
fn host_names_come_from_etc_hosts_and_dns() {
    let dns = FakeDns::start(
        DnsMode::Answer,
        vec![("listen.example".into(), 1, vec![127, 0, 0, 1])],
    );
    let sb = Sandbox::new();
    for host in ["localhost", "listen.example"] {
        let server = serve_cmd(
            &sb,
            sb.command("tcpserver")
                .env("DNSCACHEIP", dns.addr.to_string())
                .args(["-1", "-HRl0", host, "0", "echo", "up"]),
        );
        let addr: SocketAddr = format!("127.0.0.1:{}", server.port).parse().unwrap();
        assert_eq!(show(&exchange(addr, b"")), "up\n", "{host}");
    }
    let out = sb
        .command("tcpserver")
        .env("DNSCACHEIP", dns.addr.to_string())
        .args(["nowhere.example", "0", "true"])
        .output()
        .unwrap();
    assert_output(
        &out,
        111,
        b"",
        b"tcpserver: fatal: no IP address for nowhere.example\n",
    );
}
