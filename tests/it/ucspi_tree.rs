//! A qmail-style service tree on daemonbox alone: svscan starts supervise for an smtpd
//! service whose `run` execs tcpserver (rules in a cdb built by tcprules, rblsmtpd in front
//! of the SMTP program) and whose logger is multilog. Clients are allowed, relayed,
//! blocked and denied by the rules; rebuilding the rules takes effect at the next
//! connection; everything shows up in the log with TAI64N labels.

use crate::common::net::*;
use crate::common::*;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::Stdio;

const RUN: &str = "#!/bin/sh\nexec 2>&1\n\
    exec tcpserver -1 -v -c40 -x./tcp.cdb -HRl0 127.0.0.1 0 rblsmtpd -t5 ./smtpd\n";
const LOG_RUN: &str = "#!/bin/sh\nexec multilog t ./main\n";
/// A stand-in for qmail-smtpd: greets, logs who it talks to, answers one command.
const SMTPD: &str = "#!/bin/sh\nprintf '220 fake ESMTP\\r\\n'\n\
    echo \"smtpd: relay=${RELAYCLIENT-no} from=$TCPREMOTEIP\" >&2\n\
    read line\nprintf '221 bye\\r\\n'\n";

/// Rules: this host may relay, the block net gets rblsmtpd's permanent refusal.
fn rules(block: Ipv4Addr) -> String {
    let [a, b, _, _] = block.octets();
    format!("127.0.0.1:allow,RELAYCLIENT=\"\"\n{a}.{b}.:allow,RBLSMTPD=\"-go away\"\n:allow\n")
}

fn build_rules(sb: &Sandbox, text: &str) {
    sb.write("service/smtpd/tcp", text);
    let mut cmd = sb.command("tcprules");
    cmd.current_dir(sb.join("service/smtpd"))
        .args(["tcp.cdb", "tcp.tmp"]);
    let out = run_with_input(&mut cmd, text.as_bytes());
    assert_output(&out, 0, b"", b"");
}

fn log(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.join("service/smtpd/log/main/current")).unwrap_or_default()
}

/// Waits until the log holds a line containing `text`; returns the log.
fn wait_log(sb: &Sandbox, text: &str) -> String {
    poll_until(NET_TIMEOUT, text, || {
        let log = log(sb);
        log.contains(text).then_some(log)
    })
}

#[test]
fn a_qmail_style_smtpd_tree_runs_on_daemonbox_alone() {
    let sb = Sandbox::new();
    let block = private_loopback();
    sb.script("service/smtpd/run", RUN);
    sb.script("service/smtpd/smtpd", SMTPD);
    sb.script("service/smtpd/log/run", LOG_RUN);
    build_rules(&sb, &rules(block));
    let services = [sb.join("service/smtpd"), sb.join("service/smtpd/log")];
    let _tree = ProcessGuard::spawn(sb.command("svscan").arg("service").stdout(Stdio::null()))
        .with_services(sb.bin("svc"), &services);
    // tcpserver -1 prints its port first; multilog labels it like every other line.
    let port: u16 = poll_until(NET_TIMEOUT, "the port in the log", || {
        let first = log(&sb).lines().next()?.to_string();
        assert!(first.starts_with('@') && first.len() > 26, "{first}");
        first[26..].parse().ok()
    });
    let server = SocketAddr::from(([127, 0, 0, 1], port));

    // A relay client reaches the SMTP program with RELAYCLIENT set.
    assert_eq!(
        show(&exchange(server, b"QUIT\r\n")),
        "220 fake ESMTP\r\n221 bye\r\n"
    );
    let text = wait_log(&sb, "smtpd: relay= from=127.0.0.1");
    assert!(text.contains("tcpserver: ok "), "{text}");
    assert!(text.lines().all(|l| l.starts_with('@')), "{text}");

    // A client in the block net talks to rblsmtpd instead.
    let answer = talk(
        connect_from(block, server),
        b"HELO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nQUIT\r\n",
    );
    assert_eq!(
        show(&answer),
        "220 rblsmtpd.local\r\n250 rblsmtpd.local\r\n250 rblsmtpd.local\r\n553 go away\r\n221 rblsmtpd.local\r\n"
    );
    wait_log(&sb, &format!("rblsmtpd: {block} pid "));

    // New rules take effect at the next connection, without a restart.
    let [a, b, _, _] = block.octets();
    build_rules(&sb, &format!("{a}.{b}.:deny\n:allow\n"));
    let mut denied = connect_from(block, server);
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut denied, &mut out).unwrap();
    assert_eq!(out, b"", "closed at once");
    let text = wait_log(&sb, "status 25600");
    assert!(text.contains("tcpserver: deny "), "{text}");

    // supervise reports the service up.
    let out = sb.run("svstat", &["service/smtpd", "service/smtpd/log"]);
    let status = show(&out.stdout);
    assert_eq!(status.matches(": up (pid ").count(), 2, "{status}");
}
