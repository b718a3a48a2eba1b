//! Integration tests for softlimit: every option letter, `=`, capping at the hard limit,
//! wrapping numbers, usage and getopt errors, programs that cannot be run, and the same
//! command lines through the reference. Each run starts from known limits set by prlimit.

use crate::common::*;
use crate::envdir::check_unrunnable;
use std::collections::BTreeMap;
use std::process::Output;

const USAGE: &[u8] = b"softlimit: usage: softlimit [-a allbytes] [-c corebytes] [-d databytes] \
[-f filebytes] [-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] \
[-s stackbytes] [-t cpusecs] child\n";

/// The limits every run starts from (soft:hard), so results do not depend on the machine.
const BASE: &[&str] = &[
    "--cpu=100:200",
    "--fsize=1000000000:2000000000",
    "--data=1000000000:2000000000",
    "--stack=8388608:16777216",
    "--core=0:1000000",
    "--rss=1000000000:2000000000",
    "--nproc=1000:2000",
    "--nofile=1000:2000",
    "--memlock=65536:131072",
    "--as=4000000000:8000000000",
];

/// The starting limits as /proc/PID/limits names them: name -> (soft, hard).
fn base_limits() -> BTreeMap<String, (String, String)> {
    [
        ("Max cpu time", "100", "200"),
        ("Max file size", "1000000000", "2000000000"),
        ("Max data size", "1000000000", "2000000000"),
        ("Max stack size", "8388608", "16777216"),
        ("Max core file size", "0", "1000000"),
        ("Max resident set", "1000000000", "2000000000"),
        ("Max processes", "1000", "2000"),
        ("Max open files", "1000", "2000"),
        ("Max locked memory", "65536", "131072"),
        ("Max address space", "4000000000", "8000000000"),
    ]
    .into_iter()
    .map(|(n, s, h)| (n.to_owned(), (s.to_owned(), h.to_owned())))
    .collect()
}

/// Runs `prlimit BASE softlimit ARGS`, where ARGS end in the child.
fn run_limited(sb: &Sandbox, softlimit: &str, args: &[&str]) -> Output {
    let mut full: Vec<&str> = BASE.to_vec();
    full.push(softlimit);
    full.extend_from_slice(args);
    sb.run("prlimit", &full)
}

/// The limits the child sees, for the resources in [`base_limits`].
fn limits_with(
    sb: &Sandbox,
    softlimit: &str,
    options: &[&str],
) -> BTreeMap<String, (String, String)> {
    let mut args = options.to_vec();
    args.extend_from_slice(&["cat", "/proc/self/limits"]);
    let out = run_limited(sb, softlimit, &args);
    assert_eq!(
        (out.status.code(), show(&out.stderr)),
        (Some(0), String::new())
    );
    let base = base_limits();
    show(&out.stdout)
        .lines()
        .filter_map(|line| {
            let name = line.get(..26)?.trim_end().to_owned();
            let mut rest = line[26..].split_whitespace();
            let limit = (rest.next()?.to_owned(), rest.next()?.to_owned());
            base.contains_key(&name).then_some((name, limit))
        })
        .collect()
}

/// Checks our limits and the reference's for `options` against the base with `changes`.
fn check(options: &[&str], changes: &[(&str, &str)]) {
    let sb = Sandbox::new();
    let mut expected = base_limits();
    for (name, soft) in changes {
        expected.get_mut(*name).unwrap().0 = (*soft).to_owned();
    }
    for softlimit in [sb.bin("softlimit"), reference("softlimit")] {
        let got = limits_with(&sb, softlimit.to_str().unwrap(), options);
        assert_eq!(got, expected, "{} {options:?}", softlimit.display());
    }
}

/// Runs `softlimit ARGS` (no prlimit) through daemonbox and the reference; both must agree.
#[test]
fn every_option_sets_its_resource() {
    let options = [
        "-a",
        "3000000000",
        "-c",
        "1000",
        "-d",
        "500000000",
        "-f",
        "100000",
        "-l",
        "4096",
        "-o",
        "100",
        "-p",
        "500",
        "-r",
        "300000000",
        "-s",
        "2000000",
        "-t",
        "60",
    ];
    check(
        &options,
        &[
            ("Max address space", "3000000000"),
            ("Max core file size", "1000"),
            ("Max data size", "500000000"),
            ("Max file size", "100000"),
            ("Max locked memory", "4096"),
            ("Max open files", "100"),
            ("Max processes", "500"),
            ("Max resident set", "300000000"),
            ("Max stack size", "2000000"),
            ("Max cpu time", "60"),
        ],
    );
}

#[test]
fn m_sets_data_stack_memlock_and_address_space_capped() {
    check(
        &["-m", "500000000"],
        &[
            ("Max data size", "500000000"),
            ("Max stack size", "16777216"),
            ("Max locked memory", "131072"),
            ("Max address space", "500000000"),
        ],
    );
}

#[test]
fn equals_raises_the_soft_limit_to_the_hard_one() {
    check(
        &["-o", "=", "-c=", "-t", "="],
        &[
            ("Max open files", "2000"),
            ("Max core file size", "1000000"),
            ("Max cpu time", "200"),
        ],
    );
}

#[test]
fn values_above_the_hard_limit_are_capped() {
    check(
        &[
            "-o",
            "999999999",
            "-l",
            "18446744073709551615",
            "-p2001",
            "-s",
            "16777216",
        ],
        &[
            ("Max stack size", "16777216"),
            ("Max open files", "2000"),
            ("Max locked memory", "131072"),
            ("Max processes", "2000"),
        ],
    );
}

#[test]
fn numbers_wrap_and_empty_is_zero() {
    check(
        &[
            "-c",
            "18446744073709551616",
            "-f",
            "",
            "-o",
            "18446744073709551626",
        ],
        &[
            ("Max core file size", "0"),
            ("Max file size", "0"),
            ("Max open files", "10"),
        ],
    );
}

#[test]
fn later_options_override_earlier_ones() {
    check(
        &["-o50", "-o", "60", "-m", "600000000", "-d", "700000000"],
        &[
            ("Max open files", "60"),
            ("Max data size", "700000000"),
            ("Max stack size", "16777216"),
            ("Max locked memory", "131072"),
            ("Max address space", "600000000"),
        ],
    );
}

#[test]
fn double_dash_ends_the_options() {
    check(&["-o", "70", "--"], &[("Max open files", "70")]);
}

#[test]
fn usage_errors() {
    let sb = Sandbox::new();
    let cases: &[&[&str]] = &[
        &[],
        &["-o", "5"],
        &["-o", "1k", "true"],
        &["-o", "-5", "true"],
        &["-o", "=5", "true"],
        &["-o", "==", "true"],
        &["-o", " 5", "true"],
        &["-o", "5 ", "true"],
        &["--"],
    ];
    for args in cases {
        assert_output(&sb.run("softlimit", args), 100, b"", USAGE);
        same_as_reference(&sb, "softlimit", args);
    }
}

#[test]
fn getopt_errors() {
    let sb = Sandbox::new();
    let illegal = [&b"softlimit: illegal option -- z\n"[..], USAGE].concat();
    let missing = [&b"softlimit: option requires an argument -- o\n"[..], USAGE].concat();
    let m_illegal = [&b"softlimit: illegal option -- x\n"[..], USAGE].concat();
    let cases: &[(&[&str], &[u8])] = &[
        (&["-z", "true"], &illegal),
        (&["-o"], &missing),
        (&["-c", "5", "-o"], &missing),
        (&["-c5x", "true"], USAGE),
        (&["-x", "-o", "5", "true"], &m_illegal),
    ];
    for (args, stderr) in cases {
        assert_output(&sb.run("softlimit", args), 100, b"", stderr);
        same_as_reference(&sb, "softlimit", args);
    }
}

#[test]
fn zero_processes_still_runs_the_program() {
    let sb = Sandbox::new();
    let out = sb.run("softlimit", &["-p0", "echo", "./nonexistent"]);
    assert_output(&out, 0, b"./nonexistent\n", b"");
    same_as_reference(&sb, "softlimit", &["-p0", "echo", "./nonexistent"]);
}

#[test]
fn program_that_cannot_be_run() {
    let sb = Sandbox::new();
    check_unrunnable(&sb, "softlimit", &["-o", "5", "--"]);
    // A lone `-` ends the options and is the program name.
    let out = same_as_reference(&sb, "softlimit", &["-"]);
    assert_output(
        &out,
        111,
        b"",
        b"softlimit: fatal: unable to run -: file does not exist\n",
    );
}

#[test]
fn a_word_starting_with_two_dashes_ends_the_options_too() {
    check(&["-o", "70", "--x"], &[("Max open files", "70")]);
    let sb = Sandbox::new();
    let out = same_as_reference(&sb, "softlimit", &["---", "-o", "echo"]);
    assert_output(
        &out,
        111,
        b"",
        b"softlimit: fatal: unable to run -o: file does not exist\n",
    );
}
