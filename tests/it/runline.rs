//! Integration tests for runline: scripts run through `#!`, the words as exec'd (quoting,
//! comments, continuation lines, no variables, no globbing), chains, appended arguments,
//! and every bad case with its message and exit code.

use crate::common::*;

/// Writes an executable script whose first line is `#!` + the sandbox's runline link.
fn script(sb: &Sandbox, name: &str, body: &str) {
    let line = format!("#!{}\n{body}", sb.bin("runline").display());
    sb.script(name, &line);
}

#[test]
fn usage() {
    let sb = Sandbox::new();
    let out = sb.run("runline", &[]);
    assert_output(&out, 100, b"", b"runline: usage: runline file [arg ...]\n");
}

#[test]
fn words_reach_the_program_as_written() {
    let sb = Sandbox::new();
    script(
        &sb,
        "run",
        "# no variables, no globbing: the bytes are passed on\n\n\
         printf '[%s]\\n' $HOME * 'a  b' \"c \\\"d\\\"\" e\\ f \\\n  g#h 2>&1 # a comment\n\
         # trailing comment\n",
    );
    let out = sb.run(sb.join("run"), &[]);
    assert_output(
        &out,
        0,
        b"[$HOME]\n[*]\n[a  b]\n[c \"d\"]\n[e f]\n[g#h]\n[2>&1]\n",
        b"",
    );
}

#[test]
fn chain_loaders_compose_and_arguments_are_appended() {
    let sb = Sandbox::new();
    sb.write("env/GREETING", "hello\n");
    script(
        &sb,
        "run",
        "envdir ./env \\\n  softlimit -o 50 \\\n  sh -c 'echo \"$GREETING|$0|$1|$2\"' zero\n",
    );
    let out = sb.run(sb.join("run"), &["one", "two words"]);
    assert_output(&out, 0, b"hello|zero|one|two words\n", b"");
}

#[test]
fn bad_files_are_refused_before_anything_runs() {
    let sb = Sandbox::new();
    for (body, why) in [
        ("", "no command"),
        ("# only comments\n\n", "no command"),
        ("echo one\necho two\n", "second command on line 3"),
        ("echo 'one\n\n", "unterminated quote on line 2"),
        ("echo one \\", "backslash at end of file on line 2"),
        ("echo o\0ne\n", "NUL byte on line 2"),
    ] {
        script(&sb, "bad", body);
        let out = sb.run(sb.join("bad"), &[]);
        let path = sb.join("bad").display().to_string();
        let want = format!("runline: fatal: unable to parse {path}: {why}\n");
        assert_output(&out, 100, b"", want.as_bytes());
    }
}

#[test]
fn missing_file_and_missing_program_exit_111() {
    let sb = Sandbox::new();
    let out = sb.run("runline", &["nofile"]);
    assert_output(
        &out,
        111,
        b"",
        b"runline: fatal: unable to read nofile: file does not exist\n",
    );
    sb.write("run", "nosuchprogram arg\n");
    let out = sb.run("runline", &["run"]);
    assert_output(
        &out,
        111,
        b"",
        b"runline: fatal: unable to run nosuchprogram: file does not exist\n",
    );
    sb.mkdir("dir");
    let out = sb.run("runline", &["dir"]);
    assert_output(
        &out,
        111,
        b"",
        b"runline: fatal: unable to read dir: is a directory\n",
    );
}
