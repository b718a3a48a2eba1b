//! tcpclient side by side with Debian's: usage and errors, the environment and
//! descriptors 6 and 7, refused connections, name lookups, IPv6.

use crate::common::net::*;
use crate::common::*;
use crate::tcprules::same_as_reference_ucspi;
use std::net::TcpListener;

/// Reads the server's line, answers, closes the connection, prints the variables.
const SHOW: &str = "read line <&6; echo $line; echo to-server >&7; exec 6<&- 7>&-; \
    env | grep -E '^(TCP|PROTO)' | sort";

#[test]
fn usage_and_errors_match_debian() {
    let sb = Sandbox::new();
    let usage = "tcpclient: usage: tcpclient [ -hHrRdDqQv ] [ -i localip ] [ -p localport ] \
        [ -T timeoutconn ] [ -l localname ] [ -t timeoutinfo ] host port program\n";
    let refused = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = refused.local_addr().unwrap().port().to_string();
    drop(refused);
    let cases: &[(&[&str], i32, String)] = &[
        (&[], 100, usage.into()),
        (&["0"], 100, usage.into()),
        (&["0", "1"], 100, usage.into()),
        (
            &["-z"],
            100,
            format!("tcpclient: illegal option -- z\n{usage}"),
        ),
        (&["-i", "not-an-ip", "0", "1", "true"], 100, usage.into()),
        (
            &["0", "no-such-service", "true"],
            111,
            "tcpclient: fatal: unable to figure out port number for no-such-service\n".into(),
        ),
        (
            &["-RH", "127.0.0.1", &port, "true"],
            111,
            format!("tcpclient: unable to connect to 127.0.0.1 port {port}: connection refused\n"),
        ),
        (
            &["-q", "-RH", "127.0.0.1", &port, "true"],
            111,
            String::new(),
        ),
    ];
    for (args, code, stderr) in cases {
        let out = same_as_reference_ucspi(&sb, "tcpclient", args);
        assert_output(&out, *code, b"", stderr.as_bytes());
    }
}

#[test]
fn environment_and_descriptors_match_debian() {
    let sb = Sandbox::new();
    let server = serve(
        &sb,
        "tcpserver",
        &[
            "-HRl0",
            "127.0.0.1",
            "0",
            "sh",
            "-c",
            "echo from-server; cat > got",
        ],
    );
    let port = server.port.to_string();
    let mut outputs = Vec::new();
    for program in [sb.bin("tcpclient"), ucspi_reference("tcpclient")] {
        let out = sb.run(
            &program,
            &[
                "-v",
                "-RH",
                "-l",
                "me",
                "127.0.0.1",
                &port,
                "sh",
                "-c",
                SHOW,
            ],
        );
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(
            show(&out.stderr),
            format!("tcpclient: connected to 127.0.0.1 port {port}\n")
        );
        let pairs = env_lines(&out.stdout, |k| k != "TCPLOCALPORT");
        assert!(
            show(&out.stdout).starts_with("from-server\n"),
            "{}",
            show(&out.stdout)
        );
        outputs.push(pairs);
        let got = poll_until(NET_TIMEOUT, "server's copy", || {
            std::fs::read(sb.join("got")).ok().filter(|g| !g.is_empty())
        });
        assert_eq!(got, b"to-server\n");
        std::fs::remove_file(sb.join("got")).unwrap();
    }
    assert_eq!(outputs[0], outputs[1]);
    assert!(outputs[0].contains(&("TCPREMOTEPORT".into(), port.clone())));
    assert!(outputs[0].contains(&("TCPLOCALHOST".into(), "me".into())));
}

#[test]
fn names_and_ident_answers() {
    let client = private_loopback();
    let dns = FakeDns::start(
        DnsMode::Answer,
        vec![("server.example".into(), 1, vec![127, 0, 0, 1])],
    );
    let server_ip = private_loopback();
    fake_identd(server_ip, |request| {
        format!("{request}:USERID:UNIX:daemon\r\n")
    });
    let sb = Sandbox::new();
    let server = serve(
        &sb,
        "tcpserver",
        &["-HRl0", &server_ip.to_string(), "0", "true"],
    );
    let mut outputs = Vec::new();
    for program in [sb.bin("tcpclient"), ucspi_reference("tcpclient")] {
        // The name is found by DNS; no reverse names exist, so the names are empty.
        let dns_host = sb
            .command(&program)
            .env("DNSCACHEIP", dns.addr.to_string())
            .args(["-i", &client.to_string(), "server.example", "1", "true"])
            .output()
            .unwrap();
        assert_eq!(
            show(&dns_host.stderr),
            "tcpclient: unable to connect to 127.0.0.1 port 1: connection refused\n"
        );
        let out = sb
            .command(&program)
            .env("DNSCACHEIP", dns.addr.to_string())
            .args([
                &server_ip.to_string(),
                &server.port.to_string(),
                "sh",
                "-c",
                "env | grep -E '^TCP(REMOTE|LOCAL)(HOST|INFO)' | sort",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", show(&out.stderr));
        outputs.push(show(&out.stdout));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(
        outputs[0],
        "TCPLOCALHOST=\nTCPREMOTEHOST=\nTCPREMOTEINFO=daemon\n"
    );
}

#[test]
fn ipv6_matches_debians_ipv6_build() {
    let sb = Sandbox::new();
    let server = serve(&sb, "tcpserver", &["-HRl0", "::1", "0", "true"]);
    let port = server.port.to_string();
    let mut outputs = Vec::new();
    for program in [sb.bin("tcpclient"), ipv6_reference("tcpclient")] {
        let out = sb.run(&program, &["-RHl0", "::1", &port, "sh", "-c", SHOW]);
        assert_eq!(out.status.code(), Some(0), "{}", show(&out.stderr));
        outputs.push(env_lines(&out.stdout, |k| k != "TCPLOCALPORT"));
    }
    assert_eq!(outputs[0], outputs[1]);
    assert!(
        outputs[0].contains(&("PROTO".into(), "TCP6".into())),
        "{:?}",
        outputs[0]
    );
    assert!(outputs[0].contains(&("TCPREMOTEIP".into(), "::1".into())));
}
