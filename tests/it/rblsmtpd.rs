//! rblsmtpd side by side with Debian's: the RBLSMTPD variable, the fake SMTP dialogue,
//! `-t 0`, block and allow lists through a fake DNS server, failed lookups open and
//! closed, usage.

use crate::common::net::*;
use crate::common::*;
use crate::tcprules::same_as_reference_ucspi;

const SESSION: &[u8] = b"HELO x\r\nEHLO y\r\nmail from:<a@b>\r\nRCPT TO:<c@d>\r\nnoop\r\nrset\r\nDATA\r\n\0junk\r\nQUIT\r\n";

fn run(
    sb: &Sandbox,
    program: impl AsRef<std::ffi::OsStr>,
    env: &[(&str, &str)],
    args: &[&str],
) -> std::process::Output {
    let mut cmd = sb.command(program);
    cmd.env("TCPREMOTEIP", "192.0.2.7");
    for (k, v) in env {
        cmd.env(k, v);
    }
    run_with_input(cmd.args(args), SESSION)
}

/// The log line with its pid replaced by PID.
fn without_pid(text: &[u8]) -> String {
    let text = show(text);
    match text.split_once(" pid ") {
        Some((head, rest)) => format!("{head} pid PID{}", &rest[rest.find(':').unwrap_or(0)..]),
        None => text,
    }
}

/// Variables set for one run.
type Env<'a> = &'a [(&'a str, &'a str)];

#[test]
fn the_variable_decides_as_in_debian() {
    let sb = Sandbox::new();
    let cases: &[(Env, &[&str])] = &[
        (&[("RBLSMTPD", "listed at example")], &["cat"]),
        (&[("RBLSMTPD", "-permanently listed")], &["cat"]),
        (&[("RBLSMTPD", "bad\x01text")], &["-t", "0", "cat"]),
        (&[("RBLSMTPD", "")], &["echo", "smtpd runs"]),
        (&[], &["echo", "smtpd runs"]),
    ];
    for (env, args) in cases {
        let ours = run(&sb, "rblsmtpd", env, args);
        let theirs = run(&sb, ucspi_reference("rblsmtpd"), env, args);
        assert_eq!(ours.status.code(), Some(0));
        assert_eq!(
            (show(&ours.stdout), without_pid(&ours.stderr)),
            (show(&theirs.stdout), without_pid(&theirs.stderr)),
            "{env:?}"
        );
    }
    let out = run(
        &sb,
        "rblsmtpd",
        &[("RBLSMTPD", "listed at example")],
        &["cat"],
    );
    assert_eq!(
        show(&out.stdout),
        "220 rblsmtpd.local\r\n250 rblsmtpd.local\r\n250 rblsmtpd.local\r\n250 rblsmtpd.local\r\n\
         451 listed at example\r\n250 rblsmtpd.local\r\n250 rblsmtpd.local\r\n451 listed at example\r\n\
         451 listed at example\r\n221 rblsmtpd.local\r\n"
    );
    assert_eq!(
        without_pid(&out.stderr),
        "rblsmtpd: 192.0.2.7 pid PID: 451 listed at example\n"
    );
}

#[test]
fn lists_are_looked_up_in_dns_as_debian_does() {
    let dns = FakeDns::start(
        DnsMode::Answer,
        vec![
            (
                "7.2.0.192.bl.example".into(),
                16,
                b"\x0bspam source".to_vec(),
            ),
            ("7.2.0.192.ok.example".into(), 1, vec![127, 0, 0, 2]),
        ],
    );
    let sb = Sandbox::new();
    let dnsip = dns.addr.to_string();
    let cases: &[&[&str]] = &[
        &["-r", "bl.example", "echo", "in"],
        &["-b", "-r", "bl.example", "echo", "in"],
        &["-a", "ok.example", "-r", "bl.example", "echo", "in"],
        &["-r", "clean.example", "echo", "in"],
    ];
    for args in cases {
        let ours = run(&sb, "rblsmtpd", &[("DNSCACHEIP", &dnsip)], args);
        let theirs = run(
            &sb,
            ucspi_reference("rblsmtpd"),
            &[("DNSCACHEIP", &dnsip)],
            args,
        );
        assert_eq!(
            (show(&ours.stdout), without_pid(&ours.stderr)),
            (show(&theirs.stdout), without_pid(&theirs.stderr)),
            "{args:?}"
        );
    }
    let out = run(
        &sb,
        "rblsmtpd",
        &[("DNSCACHEIP", &dnsip)],
        &["-b", "-r", "bl.example", "-t0", "true"],
    );
    assert_eq!(show(&out.stdout), "553 spam source\r\n");
}

#[test]
fn failed_lookups_let_clients_in_unless_closed() {
    let dns = FakeDns::start(DnsMode::Silent, Vec::new());
    let sb = Sandbox::new();
    let env = [
        ("DNSCACHEIP", &*dns.addr.to_string()),
        ("RES_OPTIONS", "timeout:1 attempts:1"),
    ];
    let out = run(&sb, "rblsmtpd", &env, &["-r", "bl.example", "echo", "in"]);
    assert_output(&out, 0, b"in\n", b"");
    let out = run(
        &sb,
        "rblsmtpd",
        &env,
        &["-c", "-b", "-r", "bl.example", "-t0", "true"],
    );
    assert_eq!(show(&out.stdout), "451 temporary RBL lookup error\r\n");
}

#[test]
fn usage_and_failures_match_debian() {
    let sb = Sandbox::new();
    let usage = b"rblsmtpd: usage: rblsmtpd [ -b ] [ -R ] [ -t timeout ] [ -r base ] [ -a base ] smtpd [ arg ... ]\n";
    assert_output(
        &same_as_reference_ucspi(&sb, "rblsmtpd", &[]),
        100,
        b"",
        usage,
    );
    let out = same_as_reference_ucspi(&sb, "rblsmtpd", &["-R", "x"]);
    assert_output(
        &out,
        100,
        b"",
        &[&b"rblsmtpd: illegal option -- R\n"[..], usage].concat(),
    );
    let out = same_as_reference_ucspi(&sb, "rblsmtpd", &["no-such-smtpd"]);
    assert_output(
        &out,
        111,
        b"",
        b"rblsmtpd: fatal: unable to run no-such-smtpd: file does not exist\n",
    );
}
