//! recordio side by side with Debian's: the record of both directions, partial lines,
//! end-of-file marks, usage and a program that cannot run.

use crate::common::net::*;
use crate::common::*;
use crate::tcprules::same_as_reference_ucspi;

/// Replaces the leading pid of every record line with PID.
fn without_pids(text: &[u8]) -> String {
    show(text)
        .lines()
        .map(|l| match l.split_once(' ') {
            Some((pid, rest)) if pid.chars().all(|c| c.is_ascii_digit()) => format!("PID {rest}\n"),
            _ => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn records_match_debian() {
    let sb = Sandbox::new();
    // cat passes each chunk on in one write, so both recordings cut the data alike.
    let input = b"line one\n\nno newline";
    let ours = sb.run_input("recordio", &["cat"], input);
    let theirs = sb.run_input(ucspi_reference("recordio"), &["cat"], input);
    assert_eq!(ours.status.code(), Some(0));
    assert_eq!(ours.stdout, theirs.stdout);
    assert_eq!(ours.stdout, input);
    assert_eq!(without_pids(&ours.stderr), without_pids(&theirs.stderr));
    assert_eq!(
        without_pids(&ours.stderr),
        "PID < line one \nPID <  \nPID < no newline+\nPID < [EOF]\nPID > line one \nPID >  \n\
         PID > no newline+\nPID > [EOF]\n"
    );
}

#[test]
fn output_after_input_ends_is_recorded_and_the_pid_is_the_programs() {
    let sb = Sandbox::new();
    let out = sb.run_input(
        "recordio",
        &["sh", "-c", "cat >/dev/null; echo $$; printf tail"],
        b"in\n",
    );
    let pid = show(&out.stdout).lines().next().unwrap().to_string();
    let records = show(&out.stderr);
    assert!(
        records.lines().all(|l| l.starts_with(&format!("{pid} "))),
        "{records}"
    );
    // The output records, pieces put back together, are the output.
    let mut rebuilt = String::new();
    for line in records
        .lines()
        .filter_map(|l| l.split_once(" > ").map(|(_, r)| r))
    {
        if line == "[EOF]" {
            break;
        }
        match line.strip_suffix('+') {
            Some(piece) => rebuilt.push_str(piece),
            None => {
                rebuilt.push_str(line.strip_suffix(' ').unwrap());
                rebuilt.push('\n');
            }
        }
    }
    assert_eq!(rebuilt, show(&out.stdout));
    assert!(records.ends_with(&format!("{pid} > [EOF]\n")), "{records}");
    assert!(records.contains(&format!("{pid} < [EOF]\n")), "{records}");
}

#[test]
fn long_input_moves_in_chunks_of_256() {
    let sb = Sandbox::new();
    let input = vec![b'x'; 600];
    let out = sb.run_input("recordio", &["cat"], &input);
    assert_eq!(out.stdout, input);
    let lines: Vec<String> = without_pids(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("PID <"))
        .map(|l| l.to_string())
        .collect();
    assert_eq!(lines.len(), 4, "{lines:?}");
    assert_eq!(lines[0], format!("PID < {}+", "x".repeat(256)));
    assert_eq!(lines[2], format!("PID < {}+", "x".repeat(88)));
}

#[test]
fn usage_and_failures_match_debian() {
    let sb = Sandbox::new();
    let out = same_as_reference_ucspi(&sb, "recordio", &[]);
    assert_output(
        &out,
        100,
        b"",
        b"recordio: usage: recordio program [ arg ... ]\n",
    );
    for program in [sb.bin("recordio"), ucspi_reference("recordio")] {
        let out = sb.run(&program, &["no-such-program"]);
        assert_eq!(out.status.code(), Some(111));
        let text = show(&out.stderr);
        assert!(
            text.contains("recordio: fatal: unable to run no-such-program: file does not exist\n"),
            "{text}"
        );
        assert!(text.contains(" > [EOF]\n"), "{text}");
    }
}
