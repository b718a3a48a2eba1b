//! tcprules: databases byte-identical to Debian's tcprules (IPv4 and the IPv6 build), its
//! messages and exit codes for usage, unparsable lines and system errors, and the old
//! database kept whenever a run fails.

use crate::common::net::*;
use crate::common::*;
use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::process::Output;

/// Runs `program CDB CDB.tmp` (in the sandbox) with `rules` on stdin.
fn compile(sb: &Sandbox, program: impl AsRef<OsStr>, rules: &[u8], cdb: &str) -> Output {
    let tmp = format!("{cdb}.tmp");
    sb.run_input(program, &[cdb, &tmp], rules)
}

/// Compiles `rules` with ours and with `reference`, asserts the same exit code, stderr and
/// database bytes, and returns our database.
#[track_caller]
fn same_database(sb: &Sandbox, reference: &Path, rules: &[u8]) -> Vec<u8> {
    let ours = compile(sb, "tcprules", rules, "ours.cdb");
    let theirs = compile(sb, reference, rules, "theirs.cdb");
    assert_output(
        &ours,
        theirs.status.code().unwrap(),
        &theirs.stdout,
        &theirs.stderr,
    );
    assert_output(&ours, 0, b"", b"");
    let (a, b) = (
        fs::read(sb.join("ours.cdb")).unwrap(),
        fs::read(sb.join("theirs.cdb")).unwrap(),
    );
    assert!(
        a == b,
        "databases differ ({} and {} bytes)",
        a.len(),
        b.len()
    );
    assert!(!sb.join("ours.cdb.tmp").exists());
    a
}

/// A rules file using every feature of the language.
pub const RULES: &[u8] = b"# qmail-smtpd rules\n\
    127.:allow,RELAYCLIENT=\"\"\n\
    10.1.2.3:deny\n\
    10.1.2.4-9:allow,A=\"x\",B='y z',C=/with\"quote/\n\
    10.2-4.:allow,NET=\"range\"\n\
    \n\
    =mail.example.com:allow,RELAYCLIENT=\"\",TCPREMOTEHOST=\"fixed\"\n\
    =.example.net:deny\n\
    =:allow,HASNAME=\"1\"\n\
    joe@10.1.:allow,WHO=\"joe\"\n\
    joe@=host.example.org:deny\n\
    no colon on this line\n\
    192.168.:deny   \t \n\
    192.168.:allow,SECOND=\"dup\"\n\
    :allow,DEFAULT=\"yes\"\n";

#[test]
fn usage() {
    let sb = Sandbox::new();
    for args in [&[][..], &["only.cdb"]] {
        let out = same_as_reference_ucspi(&sb, "tcprules", args);
        assert_output(
            &out,
            100,
            b"",
            b"tcprules: usage: tcprules rules.cdb rules.tmp\n",
        );
    }
}

/// `same_as_reference` for ucspi-tcp programs.
#[track_caller]
pub fn same_as_reference_ucspi(sb: &Sandbox, applet: &str, args: &[&str]) -> Output {
    same_as(sb, applet, ucspi_reference(applet), args)
}

#[test]
fn databases_are_byte_identical() {
    let sb = Sandbox::new();
    let db = same_database(&sb, &ucspi_reference("tcprules"), RULES);
    assert!(db.len() > 2048);
    same_database(&sb, &ucspi_reference("tcprules"), b"");
    same_database(&sb, &ucspi_reference("tcprules"), b"1.2.3.4:allow");
    same_database(&sb, &ucspi_reference("tcprules"), b"\n\n#only comments\n");
}

#[test]
fn a_hundred_thousand_rules_are_byte_identical() {
    let sb = Sandbox::new();
    let mut rules = Vec::new();
    for i in 0..100_000u32 {
        let [a, b, c, d] = i.to_be_bytes();
        let line = match i % 4 {
            0 => format!("{b}.{c}.{d}.{a}:allow,N=\"{i}\"\n"),
            1 => format!("10.{c}.{d}.:deny\n"),
            2 => format!("=h{i}.example.com:allow,RELAYCLIENT=\"\"\n"),
            _ => format!("u{i}@172.{c}.{d}.1-3:allow\n"),
        };
        rules.extend_from_slice(line.as_bytes());
    }
    let db = same_database(&sb, &ucspi_reference("tcprules"), &rules);
    assert!(db.len() > 4_000_000, "{} bytes", db.len());
}

#[test]
fn lines_longer_than_a_read_are_byte_identical() {
    // Input is read in pieces: lines across piece boundaries, longer than a piece, and a
    // last line without its newline.
    let sb = Sandbox::new();
    let mut rules = format!("1.2.3.4:allow,X=\"{}\"\n", "v".repeat(200_000)).into_bytes();
    for i in 0..5000 {
        rules.extend_from_slice(format!("10.0.{}.{}:deny\n", i / 256, i % 256).as_bytes());
    }
    rules.extend_from_slice(format!("9.9.9.9:allow,Y=\"{}\"", "w".repeat(70_000)).as_bytes());
    let db = same_database(&sb, &ucspi_reference("tcprules"), &rules);
    assert!(db.len() > 270_000, "{} bytes", db.len());
}

#[test]
fn ipv6_rules_are_byte_identical_to_the_ipv6_build() {
    let sb = Sandbox::new();
    // The IPv6 build loops forever on a line without an instruction colon, so only good
    // lines are given to it.
    let rules = b"::1:allow,LOOP=\"6\"\n2001:db8::deny\nfe80::1:2:allow\n\
        ::ffff:10.0.0.1:deny\n1.2.3.4:allow,X=\"y\"\n:allow\n";
    same_database(&sb, &ipv6_reference("tcprules"), rules);
}

#[test]
fn unparsable_lines_keep_the_old_database() {
    let sb = Sandbox::new();
    let bad: &[&[u8]] = &[
        b"1.2.3.4:\n",
        b"1.2.3.4:permit\n",
        b"1.2.3.4: allow\n",
        b"1.2.3.4:allowed\n",
        b"1.2.3.4:allow,\n",
        b"1.2.3.4:allow,X\n",
        b"1.2.3.4:allow,X=\n",
        b"1.2.3.4:allow,X=\"open   \n",
        b"1.2.3.4:deny,X=\"v\"junk\n",
        b"1.2.3-x:allow\n",
        b"1.2.y-3:allow\n",
        b"1.2.3.4:allow\nx:y:z\n",
    ];
    for line in bad {
        for (program, cdb) in [
            (sb.bin("tcprules"), "ours.cdb"),
            (ucspi_reference("tcprules"), "theirs.cdb"),
        ] {
            fs::write(sb.join(cdb), b"old database").unwrap();
            let out = compile(&sb, &program, line, cdb);
            let last = show(line).lines().last().unwrap().trim_end().to_string();
            let message = format!("tcprules: fatal: unable to parse this line: {last}\n");
            assert_output(&out, 100, b"", message.as_bytes());
            assert_eq!(
                fs::read(sb.join(cdb)).unwrap(),
                b"old database",
                "{}",
                show(line)
            );
        }
    }
}

#[test]
fn system_errors() {
    let sb = Sandbox::new();
    let rules = b"1.2.3.4:allow\n";
    // The temporary file cannot be created.
    for program in [sb.bin("tcprules"), ucspi_reference("tcprules")] {
        let out = sb.run_input(&program, &["x.cdb", "missing/x.tmp"], rules);
        assert_output(
            &out,
            111,
            b"",
            b"tcprules: fatal: unable to create missing/x.tmp: file does not exist\n",
        );
    }
    // The database's name is a directory that is not empty: the rename fails.
    sb.write("busy.cdb/file", "x");
    for program in [sb.bin("tcprules"), ucspi_reference("tcprules")] {
        let out = sb.run_input(&program, &["busy.cdb", "busy.tmp"], rules);
        assert_output(
            &out,
            111,
            b"",
            b"tcprules: fatal: unable to move busy.tmp to busy.cdb: is a directory\n",
        );
    }
    // Standard input cannot be read.
    for program in [sb.bin("tcprules"), ucspi_reference("tcprules")] {
        let dir = fs::File::open(sb.path()).unwrap();
        let out = sb
            .command(&program)
            .args(["in.cdb", "in.tmp"])
            .stdin(dir)
            .output()
            .unwrap();
        assert_output(
            &out,
            111,
            b"",
            b"tcprules: fatal: unable to read input: is a directory\n",
        );
        assert!(!sb.join("in.cdb").exists());
    }
}

#[test]
fn the_database_replaces_the_old_one_by_rename() {
    let sb = Sandbox::new();
    fs::write(sb.join("r.cdb"), b"old").unwrap();
    let before = fs::File::open(sb.join("r.cdb")).unwrap();
    assert_output(&compile(&sb, "tcprules", b":deny\n", "r.cdb"), 0, b"", b"");
    // A reader that opened the old file still sees it whole.
    let mut old = Vec::new();
    use std::io::Read;
    (&before).read_to_end(&mut old).unwrap();
    assert_eq!(old, b"old");
    assert_eq!(mode_of(sb.join("r.cdb")), 0o644 & !umask());
}

/// The process umask, read from /proc.
fn umask() -> u32 {
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
    u32::from_str_radix(line.split_whitespace().nth(1).unwrap(), 8).unwrap()
}
