//! Integration tests for svreload: certbot's deploy-hook environment, the `certificates`
//! lists, each service's reload signal sent exactly once, and the exit codes.

use crate::common::*;
use std::fs;

/// A service under `sv/NAME` that logs the signals it gets to `sig-NAME`.
fn logging_service(sb: &Sandbox, name: &str) -> ProcessGuard {
    let run = format!(
        "#!/bin/sh\nfor s in HUP USR1 PWR; do trap \"echo $s >> ../../sig-{name}\" $s; done\n\
         : > ../../ready-{name}\nwhile :; do sleep 1 & wait $!; done\n"
    );
    service(sb, &format!("sv/{name}"), &run);
    let guard = spawn_supervise(sb, "supervise", &format!("sv/{name}"));
    // The run script can get this far before supervise has recorded its pid.
    wait_up(sb, &format!("sv/{name}"));
    wait_for(SOON, "traps set", || {
        sb.join(format!("ready-{name}")).exists()
    });
    guard
}

fn signals(sb: &Sandbox, name: &str) -> String {
    fs::read_to_string(sb.join(format!("sig-{name}"))).unwrap_or_default()
}

#[test]
fn certbot_deploy_hook_reloads_exactly_the_services_using_the_certificate() {
    let sb = Sandbox::new();
    let _web = logging_service(&sb, "web");
    sb.write("sv/web/certificates", "example.com\n");
    let _mail = logging_service(&sb, "mail");
    sb.write(
        "sv/mail/certificates",
        "# smtp and imap\n\n  mx.example.com  \nexample.com\n",
    );
    sb.write("sv/mail/reload-signal", "SIGUSR1\n");
    let _other = logging_service(&sb, "other");
    sb.write("sv/other/certificates", "other.org\n");
    service(&sb, "sv/plain", "#!/bin/sh\nexec sleep 100\n");
    let out = sb
        .command("svreload")
        .arg("sv")
        .env("RENEWED_LINEAGE", "/etc/letsencrypt/live/example.com")
        .env("RENEWED_DOMAINS", "example.com mx.example.com")
        .output()
        .unwrap();
    assert_output(
        &out,
        0,
        b"reloaded mail (SIGUSR1)\nreloaded web (SIGHUP)\n",
        b"",
    );
    wait_for(SOON, "signals", || {
        signals(&sb, "web") == "HUP\n" && signals(&sb, "mail") == "USR1\n"
    });
    assert_eq!(signals(&sb, "other"), "");
    let out = sb.run("svreload", &["sv", "OTHER.org"]);
    assert_output(&out, 0, b"reloaded other (SIGHUP)\n", b"");
    wait_for(SOON, "other", || signals(&sb, "other") == "HUP\n");
    assert_eq!(signals(&sb, "web"), "HUP\n", "exactly once");
}

#[test]
fn a_signal_without_a_control_letter_goes_to_the_pid() {
    let sb = Sandbox::new();
    let _web = logging_service(&sb, "web");
    sb.write("sv/web/certificates", "example.com\n");
    sb.write("sv/web/reload-signal", "PWR\n");
    let out = sb.run("svreload", &["sv", "example.com"]);
    assert_output(&out, 0, b"reloaded web (SIGPWR)\n", b"");
    wait_for(SOON, "signal", || signals(&sb, "web") == "PWR\n");
}

#[test]
fn bad_input_and_failures() {
    let sb = Sandbox::new();
    sb.mkdir("sv");
    assert_output(
        &sb.run("svreload", &[]),
        100,
        b"",
        b"svreload: usage: svreload scandir [name ...]\n",
    );
    assert_output(
        &sb.run("svreload", &["sv"]),
        100,
        b"",
        b"svreload: usage: svreload scandir [name ...]\n",
    );
    assert_output(
        &sb.run("svreload", &["missing", "x"]),
        111,
        b"",
        b"svreload: fatal: unable to read missing: file does not exist\n",
    );
    service(&sb, "sv/down", "#!/bin/sh\nexec sleep 100\n");
    sb.write("sv/down/certificates", "example.com\n");
    assert_output(
        &sb.run("svreload", &["sv", "nothing.example"]),
        0,
        b"",
        b"svreload: warning: no service in sv lists nothing.example\n",
    );
    assert_output(
        &sb.run("svreload", &["sv", "example.com"]),
        111,
        b"",
        b"svreload: warning: unable to control sv/down: file does not exist\n",
    );
}
