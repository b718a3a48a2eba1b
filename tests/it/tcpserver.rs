//! tcpserver side by side with Debian's: usage and start-up errors, the environment and
//! the `-v` lines, banner, limit, rules, exec failures, uid/gid, TERM, and IPv6 mode
//! against Debian's ucspi-tcp-ipv6.

use crate::common::net::*;
use crate::common::*;
use crate::tcprules::same_as_reference_ucspi;
use std::ffi::OsStr;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Stdio;

/// Prints the connection's variables.
pub const SHOW_ENV: &str = "env | grep -E '^(TCP|PROTO)' | sort";

/// Replaces pids (`pid N`, `ok N`, `deny N`, `end N`) with PID and the given port numbers
/// (as whole numbers) with their names.
pub fn normalise(log: &str, ports: &[(u16, &str)]) -> String {
    let mut out = String::new();
    for line in log.lines() {
        let mut words: Vec<String> = line.split(' ').map(str::to_string).collect();
        if words.len() > 2 && ["pid", "ok", "deny", "end"].contains(&words[1].as_str()) {
            words[2] = "PID".into();
        }
        let mut line = words.join(" ");
        for (port, name) in ports {
            line = replace_number(&line, &port.to_string(), name);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Replaces `number` where it stands alone (not part of a longer run of digits).
fn replace_number(text: &str, number: &str, name: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let digit = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_digit);
        if text[i..].starts_with(number) && (i == 0 || !digit(i - 1)) && !digit(i + number.len()) {
            out.push_str(name);
            i += number.len();
        } else {
            out.push(bytes[i] as char);
            i += 1;
        }
    }
    out
}

/// Connects to a server, returns what the program printed and the client's port.
pub fn visit(addr: SocketAddr) -> (Vec<u8>, u16) {
    let stream = TcpStream::connect(addr).unwrap();
    let port = stream.local_addr().unwrap().port();
    (talk(stream, b""), port)
}

#[test]
fn usage_and_start_up_errors_match_debian() {
    let sb = Sandbox::new();
    let usage = "tcpserver: usage: tcpserver [ -1UXpPhHrRoOdDqQv ] [ -c limit ] [ -x rules.cdb ] \
        [ -B banner ] [ -g gid ] [ -u uid ] [ -b backlog ] [ -l localname ] [ -t timeout ] \
        host port program\n";
    let cases: &[(&[&str], i32, String)] = &[
        (&[], 100, usage.to_string()),
        (&["0"], 100, usage.to_string()),
        (&["0", "smtp"], 100, usage.to_string()),
        (
            &["-z", "0", "1", "true"],
            100,
            format!("tcpserver: illegal option -- z\n{usage}"),
        ),
        (
            &["-c"],
            100,
            format!("tcpserver: option requires an argument -- c\n{usage}"),
        ),
        (
            &["0", "no-such-service", "true"],
            111,
            "tcpserver: fatal: unable to figure out port number for no-such-service\n".into(),
        ),
        (
            &["0", "no-such-service"],
            111,
            "tcpserver: fatal: unable to figure out port number for no-such-service\n".into(),
        ),
        (&["-q", "0", "no-such-service", "true"], 111, String::new()),
    ];
    for (args, code, stderr) in cases {
        let out = same_as_reference_ucspi(&sb, "tcpserver", args);
        assert_output(&out, *code, b"", stderr.as_bytes());
    }
}

#[test]
fn a_port_in_use_is_fatal() {
    let sb = Sandbox::new();
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let out = same_as_reference_ucspi(&sb, "tcpserver", &["127.0.0.1", &port, "true"]);
    assert_output(
        &out,
        111,
        b"",
        b"tcpserver: fatal: unable to bind: address already used\n",
    );
}

#[test]
fn port_names_come_from_etc_services() {
    assert!(
        is_root(),
        "binding a named (privileged) port needs root (CI runs as root)"
    );
    let sb = Sandbox::new();
    let host = private_loopback().to_string();
    for program in [sb.bin("tcpserver"), ucspi_reference("tcpserver")] {
        let mut server = ProcessGuard::spawn(
            sb.command(&program)
                .args(["-1", &host, "smtp", "true"])
                .stdout(Stdio::piped()),
        );
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(server.child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line, "25\n");
    }
    let out = sb.run("tcpserver", &["-1", "127.0.0.1", "no-such-name", "true"]);
    assert_output(
        &out,
        111,
        b"",
        b"tcpserver: fatal: unable to figure out port number for no-such-name\n",
    );
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    // 0.88 takes the number modulo 65536.
    let wrapped = (u32::from(port) + 65536).to_string();
    let out = sb.run("tcpserver", &["127.0.0.1", &wrapped, "true"]);
    assert_output(
        &out,
        111,
        b"",
        b"tcpserver: fatal: unable to bind: address already used\n",
    );
}

#[test]
fn environment_and_verbose_lines_match_debian() {
    let sb = Sandbox::new();
    let args = ["-v", "-HR", "-l0", "127.0.0.1", "0", "sh", "-c", SHOW_ENV];
    let ours = serve(&sb, "tcpserver", &args);
    let theirs = serve(&sb, ucspi_reference("tcpserver"), &args);
    let (our_env, our_client) = visit(ours.addr());
    let (their_env, their_client) = visit(theirs.addr());
    let keep = |_: &str| true;
    let fix = |pairs: Vec<(String, String)>, server: u16, client: u16| -> Vec<(String, String)> {
        pairs
            .into_iter()
            .map(|(k, v)| {
                let v = if v == server.to_string() {
                    "PORT".into()
                } else if v == client.to_string() {
                    "CLIENT".into()
                } else {
                    v
                };
                (k, v)
            })
            .collect()
    };
    let ours_env = fix(env_lines(&our_env, keep), ours.port, our_client);
    assert_eq!(
        ours_env,
        fix(env_lines(&their_env, keep), theirs.port, their_client)
    );
    let expected: Vec<(String, String)> = [
        ("PROTO", "TCP"),
        ("TCPLOCALHOST", "0"),
        ("TCPLOCALIP", "127.0.0.1"),
        ("TCPLOCALPORT", "PORT"),
        ("TCPREMOTEIP", "127.0.0.1"),
        ("TCPREMOTEPORT", "CLIENT"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    assert_eq!(ours_env, expected);
    let done = |log: &str| log.contains(" end ") && log.ends_with("status: 0/40\n");
    let our_log = normalise(
        &ours.wait_log("end line", done),
        &[(ours.port, "PORT"), (our_client, "CLIENT")],
    );
    let their_log = normalise(
        &theirs.wait_log("end line", done),
        &[(theirs.port, "PORT"), (their_client, "CLIENT")],
    );
    assert_eq!(our_log, their_log);
    assert_eq!(
        our_log,
        "tcpserver: status: 0/40\ntcpserver: status: 1/40\ntcpserver: pid PID from 127.0.0.1\n\
         tcpserver: ok PID 0:127.0.0.1:PORT :127.0.0.1::CLIENT\ntcpserver: end PID status 0\n\
         tcpserver: status: 0/40\n"
    );
}

#[test]
fn banner_comes_first_and_options_are_accepted() {
    let sb = Sandbox::new();
    let server = serve(
        &sb,
        "tcpserver",
        &[
            "-HRDo",
            "-l",
            "here",
            "-Bhello\r\n",
            "127.0.0.1",
            "0",
            "sh",
            "-c",
            "echo $TCPLOCALHOST",
        ],
    );
    assert_eq!(show(&visit(server.addr()).0), "hello\r\nhere\n");
}

#[test]
fn the_limit_holds_back_connections_until_a_child_ends() {
    let sb = Sandbox::new();
    let server = serve(
        &sb,
        "tcpserver",
        &[
            "-v",
            "-c2",
            "-HRl0",
            "127.0.0.1",
            "0",
            "sh",
            "-c",
            "echo go; cat",
        ],
    );
    let open = |n: usize| -> Vec<TcpStream> {
        (0..n)
            .map(|_| TcpStream::connect(server.addr()).unwrap())
            .collect()
    };
    let mut first = open(2);
    let third = open(1).remove(0);
    for s in &mut first {
        let mut line = [0u8; 3];
        std::io::Read::read_exact(s, &mut line).unwrap();
        assert_eq!(&line, b"go\n");
    }
    // The pid lines may follow the programs' first output (tcpserver writes them once the
    // program runs, where 0.88's child writes them just before).
    let log = server.wait_log("two children", |l| {
        l.contains("status: 2/2") && l.matches(" ok ").count() == 2
    });
    assert_eq!(log.matches(" pid ").count(), 2, "{log}");
    assert!(!log.contains("status: 3/2"), "{log}");
    drop(first.remove(0));
    assert_eq!(show(&talk(third, b"")), "go\n");
    drop(first);
    let log = server.wait_log("all ended", |l| {
        l.matches(" end ").count() == 3 && l.ends_with("status: 0/2\n")
    });
    assert!(!log.contains("status: 3/2"), "{log}");
}

/// Rules for the rules tests: the sandbox's client is 127.0.0.1.
const RULES: &[u8] = b"127.0.0.1:allow,GREETING=\"from rules\",TCPLOCALHOST=\"rule\"\n:deny\n";

#[test]
fn rules_from_either_tcprules_work_in_either_tcpserver() {
    let sb = Sandbox::new();
    // Each server reads databases built by the other implementation's tcprules.
    let pairs = [
        (sb.bin("tcpserver"), ucspi_reference("tcprules")),
        (ucspi_reference("tcpserver"), sb.bin("tcprules")),
    ];
    for (server_program, rules_program) in pairs {
        assert_output(
            &sb.run_input(&rules_program, &["ok.cdb", "ok.tmp"], RULES),
            0,
            b"",
            b"",
        );
        assert_output(
            &sb.run_input(&rules_program, &["no.cdb", "no.tmp"], b":deny\n"),
            0,
            b"",
            b"",
        );
        let server = serve(
            &sb,
            &server_program,
            &[
                "-v",
                "-HRl0",
                "-xok.cdb",
                "127.0.0.1",
                "0",
                "sh",
                "-c",
                "echo $GREETING $TCPLOCALHOST",
            ],
        );
        assert_eq!(show(&visit(server.addr()).0), "from rules rule\n");
        let server = serve(
            &sb,
            &server_program,
            &["-v", "-HRl0", "-xno.cdb", "127.0.0.1", "0", "echo", "never"],
        );
        let (out, client) = visit(server.addr());
        assert_eq!(show(&out), "");
        let log = server.wait_log("deny and end", |l| l.contains(" end "));
        let log = normalise(&log, &[(server.port, "PORT"), (client, "CLIENT")]);
        assert!(log.contains("tcpserver: deny PID 0:127.0.0.1:PORT :127.0.0.1::CLIENT\ntcpserver: end PID status 25600\n"), "{log}");
    }
}

#[test]
fn missing_and_garbage_rules_drop_connections_as_debian() {
    let sb = Sandbox::new();
    std::fs::write(sb.join("garbage.cdb"), vec![0xee; 3000]).unwrap();
    let cases: &[(&[&str], &str)] = &[
        (
            &["-xmissing.cdb"],
            "tcpserver: warning: dropping connection, unable to read missing.cdb: file does not exist\n",
        ),
        (
            &["-xgarbage.cdb"],
            "tcpserver: warning: dropping connection, unable to read garbage.cdb: protocol error\n",
        ),
        (&["-X", "-xmissing.cdb"], ""),
    ];
    for (extra, message) in cases {
        let mut logs = Vec::new();
        for program in [sb.bin("tcpserver"), ucspi_reference("tcpserver")] {
            let mut args: Vec<&str> = extra.to_vec();
            args.extend(["-HRl0", "127.0.0.1", "0", "echo", "served"]);
            let server = serve(&sb, &program, &args);
            let expected = if message.is_empty() { "served\n" } else { "" };
            assert_eq!(show(&visit(server.addr()).0), expected);
            // Still serving afterwards.
            assert_eq!(show(&visit(server.addr()).0), expected);
            if message.is_empty() {
                logs.push(server.log());
            } else {
                logs.push(server.wait_log("messages", |l| l.matches(message).count() == 2));
            }
        }
        assert_eq!(logs[0], logs[1]);
    }
}

#[test]
fn a_program_that_cannot_run_drops_the_connection_as_debian() {
    let sb = Sandbox::new();
    sb.write("not-executable", "#!/bin/sh\necho no\n");
    for (prog, error) in [
        ("no-such-program", "file does not exist"),
        ("./not-executable", "access denied"),
    ] {
        let mut logs = Vec::new();
        for program in [sb.bin("tcpserver"), ucspi_reference("tcpserver")] {
            let server = serve(&sb, &program, &["-v", "-HRl0", "127.0.0.1", "0", prog]);
            let (out, client) = visit(server.addr());
            assert_eq!(out, b"");
            let log = server.wait_log("end", |l| {
                l.ends_with("status: 0/40\n") && l.contains(" end ")
            });
            logs.push(normalise(
                &log,
                &[(server.port, "PORT"), (client, "CLIENT")],
            ));
        }
        assert_eq!(logs[0], logs[1]);
        let line = format!(
            "tcpserver: warning: dropping connection, unable to run {prog}: {error}\ntcpserver: end PID status 28416\n"
        );
        assert!(logs[0].contains(&line), "{}", logs[0]);
    }
}

#[test]
fn term_ends_the_server_with_zero() {
    let sb = Sandbox::new();
    let mut server = serve(&sb, "tcpserver", &["-HRl0", "127.0.0.1", "0", "true"]);
    server.guard.signal("TERM");
    assert_eq!(server.guard.wait_exit(NET_TIMEOUT).code(), Some(0));
}

#[test]
fn uid_and_gid_as_numbers_or_names() {
    assert!(is_root(), "uid tests need root (CI runs them as root)");
    let sb = Sandbox::new();
    for ids in [
        &["-u", "65534", "-g", "65534"][..],
        &["-unobody", "-gnogroup"],
    ] {
        let mut args = ids.to_vec();
        args.extend(["-HRl0", "127.0.0.1", "0", "sh", "-c", "id -u; id -g; id -G"]);
        let server = serve(&sb, "tcpserver", &args);
        assert_eq!(show(&visit(server.addr()).0), "65534\n65534\n65534\n");
    }
    let out = sb.run(
        "tcpserver",
        &["-u", "no-such-user", "127.0.0.1", "0", "true"],
    );
    assert_output(
        &out,
        111,
        b"",
        b"tcpserver: fatal: unknown account no-such-user\n",
    );
    let out = sb.run(
        "tcpserver",
        &["-g", "no-such-group", "127.0.0.1", "0", "true"],
    );
    assert_output(
        &out,
        111,
        b"",
        b"tcpserver: fatal: unknown group no-such-group\n",
    );
}

/// The variables a connection gets from a server, ports replaced by names.
fn env_via(
    sb: &Sandbox,
    program: impl AsRef<OsStr>,
    host: &str,
    client_to: &str,
) -> Vec<(String, String)> {
    let server = serve(sb, program, &["-HRl0", host, "0", "sh", "-c", SHOW_ENV]);
    let addr: SocketAddr = format!("{client_to}:{}", server.port).parse().unwrap();
    let (out, client) = visit(addr);
    env_lines(&out, |_| true)
        .into_iter()
        .map(|(k, v)| {
            let v = replace_number(
                &replace_number(&v, &server.port.to_string(), "PORT"),
                &client.to_string(),
                "CLIENT",
            );
            (k, v)
        })
        .collect()
}

#[test]
fn ipv6_mode_matches_debians_ipv6_build() {
    let sb = Sandbox::new();
    let six = ipv6_reference("tcpserver");
    // An IPv6 address.
    assert_eq!(
        env_via(&sb, "tcpserver", "::1", "[::1]"),
        env_via(&sb, &six, "::1", "[::1]")
    );
    // The IPv6 wildcard (Debian's build spells it 0 and refuses ::), IPv6 and IPv4 clients.
    assert_eq!(
        env_via(&sb, "tcpserver", "::", "[::1]"),
        env_via(&sb, &six, "0", "[::1]")
    );
    let v4 = env_via(&sb, "tcpserver", "::", "127.0.0.1");
    assert_eq!(v4, env_via(&sb, &six, "0", "127.0.0.1"));
    assert!(
        v4.contains(&("TCP6REMOTEIP".into(), "::ffff:127.0.0.1".into())),
        "{v4:?}"
    );
    assert!(v4.contains(&("PROTO".into(), "TCP".into())), "{v4:?}");
    // -6 keeps the IPv6 forms for an IPv4 client too.
    let server = serve(
        &sb,
        "tcpserver",
        &["-6", "-HRl0", "0", "0", "sh", "-c", SHOW_ENV],
    );
    let (out, _) = visit(server.addr());
    let pairs = env_lines(&out, |_| true);
    assert!(
        pairs.contains(&("PROTO".into(), "TCP6".into())),
        "{pairs:?}"
    );
    assert!(
        pairs.contains(&("TCPREMOTEIP".into(), "::ffff:127.0.0.1".into())),
        "{pairs:?}"
    );
}

#[test]
fn ipv6_verbose_lines_and_rules_match_debians_ipv6_build() {
    let sb = Sandbox::new();
    assert_output(
        &sb.run_input(
            "tcprules",
            &["r.cdb", "r.tmp"],
            b"::1:allow,SIX=\"yes\"\n:deny\n",
        ),
        0,
        b"",
        b"",
    );
    let mut logs = Vec::new();
    for program in [sb.bin("tcpserver"), ipv6_reference("tcpserver")] {
        let server = serve(
            &sb,
            &program,
            &[
                "-v",
                "-HRl0",
                "-xr.cdb",
                "::1",
                "0",
                "sh",
                "-c",
                "echo $SIX",
            ],
        );
        let addr: SocketAddr = format!("[::1]:{}", server.port).parse().unwrap();
        let (out, client) = visit(addr);
        assert_eq!(show(&out), "yes\n");
        let log = server.wait_log("end", |l| {
            l.contains(" end ") && l.ends_with("status: 0/40\n")
        });
        logs.push(normalise(
            &log,
            &[(server.port, "PORT"), (client, "CLIENT")],
        ));
    }
    assert_eq!(logs[0], logs[1]);
    assert!(
        logs[0].contains("tcpserver: ok PID 0:::1:PORT :::1::CLIENT\n"),
        "{}",
        logs[0]
    );
}
