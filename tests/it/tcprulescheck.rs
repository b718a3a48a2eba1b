//! tcprulescheck: the rule that applies to a client, as Debian's tcprulescheck shows it,
//! on databases built by either tcprules; garbage and missing databases.

use crate::common::net::*;
use crate::common::*;
use crate::tcprules::{RULES, same_as_reference_ucspi};
use std::ffi::OsStr;
use std::fs;

/// (TCPREMOTEIP, TCPREMOTEHOST, TCPREMOTEINFO) cases covering every kind of key.
const CLIENTS: &[(Option<&str>, Option<&str>, Option<&str>)] = &[
    (Some("127.0.0.1"), None, None),
    (Some("10.1.2.3"), None, None),
    (Some("10.1.2.7"), Some("mail.example.com"), None),
    (Some("10.3.9.9"), None, None),
    (Some("10.9.9.9"), Some("mail.example.com"), None),
    (Some("10.9.9.9"), Some("a.b.example.net"), None),
    (Some("10.9.9.9"), Some("unknown.example"), None),
    (Some("10.9.9.9"), Some(""), None),
    (Some("10.1.9.9"), None, Some("joe")),
    (Some("10.9.9.9"), Some("host.example.org"), Some("joe")),
    (Some("192.168.1.1"), None, None),
    (Some("8.8.8.8"), None, None),
    (None, None, None),
];

fn check(
    sb: &Sandbox,
    program: impl AsRef<OsStr>,
    cdb: &str,
    client: &(Option<&str>, Option<&str>, Option<&str>),
) -> std::process::Output {
    let mut cmd = sb.command(program);
    cmd.arg(cdb);
    for (name, value) in [
        ("TCPREMOTEIP", client.0),
        ("TCPREMOTEHOST", client.1),
        ("TCPREMOTEINFO", client.2),
    ] {
        if let Some(v) = value {
            cmd.env(name, v);
        }
    }
    cmd.output().unwrap()
}

#[test]
fn every_rule_kind_reads_as_debian_reads_it_both_ways() {
    let sb = Sandbox::new();
    for (program, cdb) in [
        (sb.bin("tcprules"), "ours.cdb"),
        (ucspi_reference("tcprules"), "theirs.cdb"),
    ] {
        let out = sb.run_input(&program, &[cdb, "tmp"], RULES);
        assert_output(&out, 0, b"", b"");
    }
    for client in CLIENTS {
        for cdb in ["ours.cdb", "theirs.cdb"] {
            let ours = check(&sb, "tcprulescheck", cdb, client);
            let theirs = check(&sb, ucspi_reference("tcprulescheck"), cdb, client);
            assert_output(&ours, 0, &theirs.stdout, b"");
            assert_output(&theirs, 0, &ours.stdout, b"");
        }
    }
    // Spot checks of the text itself.
    let out = check(&sb, "tcprulescheck", "ours.cdb", &CLIENTS[0]);
    assert_output(
        &out,
        0,
        b"rule 127.:\nset environment variable RELAYCLIENT=\nallow connection\n",
        b"",
    );
    let out = check(&sb, "tcprulescheck", "ours.cdb", &CLIENTS[1]);
    assert_output(&out, 0, b"rule 10.1.2.3:\ndeny connection\n", b"");
    let out = check(&sb, "tcprulescheck", "ours.cdb", &CLIENTS[12]);
    assert_output(
        &out,
        0,
        b"rule :\nset environment variable DEFAULT=yes\nallow connection\n",
        b"",
    );
}

#[test]
fn no_rule_means_default_allow() {
    let sb = Sandbox::new();
    assert_output(
        &sb.run_input("tcprules", &["r.cdb", "r.tmp"], b"1.2.3.4:deny\n"),
        0,
        b"",
        b"",
    );
    for program in [sb.bin("tcprulescheck"), ucspi_reference("tcprulescheck")] {
        let out = check(&sb, program, "r.cdb", &(Some("5.6.7.8"), None, None));
        assert_output(&out, 0, b"default:\nallow connection\n", b"");
    }
}

#[test]
fn the_address_may_be_given_as_an_argument() {
    let sb = Sandbox::new();
    assert_output(
        &sb.run_input("tcprules", &["r.cdb", "r.tmp"], b"1.2.3.4:deny\n"),
        0,
        b"",
        b"",
    );
    let out = sb
        .command("tcprulescheck")
        .args(["r.cdb", "1.2.3.4"])
        .env("TCPREMOTEIP", "9.9.9.9")
        .output()
        .unwrap();
    assert_output(&out, 0, b"rule 1.2.3.4:\ndeny connection\n", b"");
}

#[test]
fn usage_missing_and_garbage_databases() {
    let sb = Sandbox::new();
    let out = same_as_reference_ucspi(&sb, "tcprulescheck", &[]);
    assert_output(
        &out,
        100,
        b"",
        b"tcprulescheck: usage: tcprulescheck rules.cdb\n",
    );
    let out = same_as_reference_ucspi(&sb, "tcprulescheck", &["missing.cdb"]);
    assert_output(
        &out,
        111,
        b"",
        b"tcprulescheck: fatal: unable to read missing.cdb: file does not exist\n",
    );
    // Shorter than a header, empty, and a header pointing past the end.
    fs::write(sb.join("short.cdb"), b"garbage").unwrap();
    fs::write(sb.join("empty.cdb"), b"").unwrap();
    fs::write(sb.join("far.cdb"), vec![0xee; 4096]).unwrap();
    for (cdb, error) in [
        ("short.cdb", "protocol error"),
        ("empty.cdb", "invalid argument"),
        ("far.cdb", "protocol error"),
    ] {
        let out = same_as_reference_ucspi(&sb, "tcprulescheck", &[cdb]);
        let message = format!("tcprulescheck: fatal: unable to read {cdb}: {error}\n");
        assert_output(&out, 111, b"", message.as_bytes());
    }
    // A database cut in the middle of its tables.
    assert_output(
        &sb.run_input("tcprules", &["r.cdb", "r.tmp"], RULES),
        0,
        b"",
        b"",
    );
    let whole = fs::read(sb.join("r.cdb")).unwrap();
    fs::write(sb.join("cut.cdb"), &whole[..whole.len() - 40]).unwrap();
    for client in CLIENTS {
        let ours = check(&sb, "tcprulescheck", "cut.cdb", client);
        let theirs = check(&sb, ucspi_reference("tcprulescheck"), "cut.cdb", client);
        assert_output(
            &ours,
            theirs.status.code().unwrap(),
            &theirs.stdout,
            &theirs.stderr,
        );
    }
}
