//! Integration tests for tai64nlocal: the spec's byte-exact table, time zones (TZ, TZDIR,
//! /etc/localtime, rule strings, leap seconds, DST changes), labels where the reference
//! crashes, partial input, exit codes, and many labels compared with the reference.

use crate::common::*;
use crate::tai64n::{check_read_error, run_into_broken_pipe, run_into_dev_full, run_with_closed};
use std::io::{BufRead, BufReader, Write};
use std::process::{Output, Stdio};
use std::time::Duration;

/// TAI64 seconds of the Unix epoch (2^62 + 10).
const EPOCH_TAI: u64 = (1 << 62) + 10;

/// The label for Unix time `secs` and `nanos`.
fn label(secs: i64, nanos: u32) -> String {
    format!("@{:016x}{nanos:08x}", EPOCH_TAI.wrapping_add_signed(secs))
}

/// Runs tai64nlocal (ours or the reference) with `tz` (None: unset) on `input`.
fn convert(sb: &Sandbox, program: &str, tz: Option<&str>, input: &[u8]) -> Output {
    let mut cmd = if program == "ours" {
        sb.command("tai64nlocal")
    } else {
        sb.command(reference("tai64nlocal"))
    };
    match tz {
        Some(tz) => cmd.env("TZ", tz),
        None => cmd.env_remove("TZ"),
    };
    run_with_input(&mut cmd, input)
}

#[test]
fn spec_table_in_utc() {
    let sb = Sandbox::new();
    let cases: &[(&[u8], &[u8])] = &[
        (
            b"@400000006b03ca5d13621ad4 hello\n",
            b"2026-11-23 05:08:35.325196500 hello\n",
        ),
        (
            b"@400000006b03ca5d13621ad4\n",
            b"2026-11-23 05:08:35.325196500\n",
        ),
        (
            b"@4000000037c219bf2ef02e94 old\n",
            b"1999-08-24 04:04:05.787492500 old\n",
        ),
        (
            b"@400000000000000a00000000 epoch\n",
            b"1970-01-01 00:00:00.000000000 epoch\n",
        ),
        (
            b"@3fffffffffffffff00000000 x\n",
            b"1969-12-31 23:59:49.000000000 x\n",
        ),
        (
            b"@400000006b03ca5d13621ad4\tX\n",
            b"2026-11-23 05:08:35.325196500\tX\n",
        ),
        (
            b"@400000006b03ca5d3b9aca00 x\n",
            b"2026-11-23 05:08:35.1000000000 x\n",
        ),
        (
            b"@400000006b03ca5dffffffff x\n",
            b"2026-11-23 05:08:35.4294967295 x\n",
        ),
        (b"no label\n", b"no label\n"),
        (
            b"x@400000006b03ca5d13621ad4 mid\n",
            b"x@400000006b03ca5d13621ad4 mid\n",
        ),
        (
            b" @400000006b03ca5d13621ad4 sp\n",
            b" @400000006b03ca5d13621ad4 sp\n",
        ),
        (b"\n", b"\n"),
    ];
    for (input, want) in cases {
        assert_output(&convert(&sb, "ours", Some("UTC"), input), 0, want, b"");
    }
}

#[test]
fn kolkata_and_arguments_ignored() {
    let sb = Sandbox::new();
    let mut cmd = sb.command("tai64nlocal");
    cmd.args(["-v", "arg"]).env("TZ", "Asia/Kolkata");
    let out = run_with_input(&mut cmd, b"@4000000037c219bf2ef02e94 old\n");
    assert_output(&out, 0, b"1999-08-24 09:34:05.787492500 old\n", b"");
}

#[test]
fn new_york_across_both_dst_changes() {
    let sb = Sandbox::new();
    // 2026-03-08 06:59:59 and 07:00:00 UTC; 2026-11-01 05:59:59 and 06:00:00 UTC.
    let input = [1_772_953_199, 1_772_953_200, 1_793_512_799, 1_793_512_800]
        .map(|t| format!("{} x\n", label(t, 0)))
        .concat();
    let want = "2026-03-08 01:59:59.000000000 x\n2026-03-08 03:00:00.000000000 x\n\
                2026-11-01 01:59:59.000000000 x\n2026-11-01 01:00:00.000000000 x\n";
    let out = convert(&sb, "ours", Some("America/New_York"), input.as_bytes());
    assert_output(&out, 0, want.as_bytes(), b"");
    let theirs = convert(&sb, "reference", Some("America/New_York"), input.as_bytes());
    assert_output(&theirs, 0, want.as_bytes(), b"");
}

#[test]
fn leap_second_zones_show_second_60() {
    let sb = Sandbox::new();
    // In a right/ zone the label counts the 27 inserted seconds: 2016-12-31 23:59:60. The
    // second after it comes first once, so that a remembered offset cannot cover the leap.
    let input = [1_483_228_827, 1_483_228_826, 1_483_228_827, 1_483_228_825]
        .map(|t| format!("{} x\n", label(t, 0)))
        .concat();
    let want = "2017-01-01 00:00:00.000000000 x\n2016-12-31 23:59:60.000000000 x\n\
                2017-01-01 00:00:00.000000000 x\n2016-12-31 23:59:59.000000000 x\n";
    for program in ["ours", "reference"] {
        let out = convert(&sb, program, Some("right/UTC"), input.as_bytes());
        assert_output(&out, 0, want.as_bytes(), b"");
    }
}

#[test]
fn rule_strings_without_rules_borrow_posixrules() {
    let sb = Sandbox::new();
    // New York's 1979 change back to standard time, moved to CET-1CEST the C library's
    // way: the same label gives daylight time as the first conversion, standard after.
    let input = format!("{0} x\n{0} x\n", label(309_942_000, 0));
    let want = "1979-10-28 09:00:00.000000000 x\n1979-10-28 08:00:00.000000000 x\n";
    for program in ["ours", "reference"] {
        let out = convert(&sb, program, Some("CET-1CEST"), input.as_bytes());
        assert_output(&out, 0, want.as_bytes(), b"");
    }
}

/// A small deterministic generator (xorshift64*), so failures can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Labels spread over everything the reference can show: recent decades densely, every
/// minute around DST changes, far past and future, the edges of the C library's year range,
/// and raw 64-bit values; nanoseconds valid, over 999999999, or zero.
fn many_labels(count: usize) -> Vec<u8> {
    let mut rng = Rng(0x5eed_1234_abcd_ef01);
    let mut text = Vec::new();
    let edges = [67_768_036_191_676_799i64, -67_768_040_609_740_800];
    for i in 0..count {
        let secs: i64 = match i % 8 {
            0 | 1 => rng.below(8_000_000_000) as i64 - 2_000_000_000,
            2 => (rng.below(4_000_000) as i64) * 900 - 200_000_000 + rng.below(3) as i64 - 1,
            3 => rng.below(2_000_000_000_000) as i64 - 1_000_000_000_000,
            4 => rng.below(140_000_000_000_000_000) as i64 - 70_000_000_000_000_000,
            5 => edges[i % 2] + rng.below(200_001) as i64 - 100_000,
            6 => rng.next() as i64,
            _ => 1_600_000_000 + (i as i64) * 7919,
        };
        let nanos = match rng.below(3) {
            0 => rng.below(1_000_000_000) as u32,
            1 => rng.next() as u32,
            _ => 0,
        };
        let tail = [" x", "", "\tX", " ", " @4000 not a label"][i % 5];
        text.extend_from_slice(format!("{}{tail}\n", label(secs, nanos)).as_bytes());
    }
    text
}

/// Converts `input` with ours and the reference under `tz`; lines ours copied unchanged
/// (where the reference crashes) are checked to crash it, one sample at a time, and the
/// rest must come out identical.
fn compare_with_reference(sb: &Sandbox, tz: Option<&str>, input: &[u8]) {
    let ours = convert(sb, "ours", tz, input);
    assert_eq!(
        (ours.status.code(), show(&ours.stderr)),
        (Some(0), String::new())
    );
    let in_lines: Vec<&[u8]> = input.split_inclusive(|&b| b == b'\n').collect();
    let out_lines: Vec<&[u8]> = ours.stdout.split_inclusive(|&b| b == b'\n').collect();
    assert_eq!(in_lines.len(), out_lines.len());
    let (mut valid_in, mut valid_out, mut crashing) = (Vec::new(), Vec::new(), Vec::new());
    for (line, out) in in_lines.iter().zip(&out_lines) {
        if line == out {
            crashing.push(*line);
        } else {
            valid_in.extend_from_slice(line);
            valid_out.extend_from_slice(out);
        }
    }
    let theirs = convert(sb, "reference", tz, &valid_in);
    assert_eq!(
        theirs.status.code(),
        Some(0),
        "the reference failed under TZ={tz:?}"
    );
    if theirs.stdout != valid_out {
        let first = theirs
            .stdout
            .split(|&b| b == b'\n')
            .zip(valid_out.split(|&b| b == b'\n'))
            .find(|(a, b)| a != b)
            .map(|(a, b)| (show(a), show(b)));
        panic!("TZ={tz:?}: first difference (reference, ours): {first:?}");
    }
    for line in crashing.iter().step_by(crashing.len() / 8 + 1) {
        let status = convert(sb, "reference", tz, line).status;
        assert_eq!(
            status.code(),
            None,
            "the reference did not crash on {}",
            show(line)
        );
    }
}

#[test]
fn many_labels_match_the_reference_in_many_zones() {
    let sb = Sandbox::new();
    let input = many_labels(4000);
    for tz in [
        Some("UTC"),
        Some("Asia/Kolkata"),
        Some("America/New_York"),
        Some("Australia/Sydney"),
        Some("Europe/London"),
        Some("America/St_Johns"),
        Some("Pacific/Chatham"),
        Some("right/UTC"),
        Some("right/Europe/Berlin"),
        Some("EST5EDT,M3.2.0,M11.1.0"),
        Some("AEST-10AEDT,M10.1.0,M4.1.0/3"),
        Some("<+0330>-3:30"),
        Some("EST5"),
        Some("CET-1CEST"),
        Some("EST5 EDT"),
        Some("XXX-14YYY-13,"),
        // Numbers as sscanf and strtoul read them: blanks, signs, no 16-bit wrap of days.
        Some("EST+ 5EDT,M 3. 2. 0,M+11.1.0/ 1"),
        Some("EST5EDT,J65596,J300"),
        Some("EST5EDT+"),
        Some("EST5: 30:  5"),
        Some(""),
        Some(":"),
        Some(":Asia/Tokyo"),
        Some("/usr/share/zoneinfo/America/Sao_Paulo"),
        Some("No/Such/Zone"),
        Some("/dev/zero"),
        Some("/usr/share/zoneinfo"),
        None,
    ] {
        compare_with_reference(&sb, tz, &input);
    }
}

/// The six counts of the TZif header at `at`.
fn tzif_counts(data: &[u8], at: usize) -> Vec<usize> {
    (0..6)
        .map(|i| {
            u32::from_be_bytes(data[at + 20 + 4 * i..at + 24 + 4 * i].try_into().unwrap()) as usize
        })
        .collect()
}

/// Bytes of data after a header with counts `c`, for `time`-byte transition times.
fn tzif_size(c: &[usize], time: usize) -> usize {
    c[3] * (time + 1) + c[4] * 6 + c[5] + c[2] * (time + 4) + c[1] + c[0]
}

/// Where the version 2+ header of a TZif file starts.
fn tzif_v2_header(data: &[u8]) -> usize {
    44 + tzif_size(&tzif_counts(data, 0), 4)
}

/// Where the 64-bit data of a version 2+ TZif file ends (its footer starts).
fn tzif_data_end(data: &[u8]) -> usize {
    let v2 = tzif_v2_header(data);
    v2 + 44 + tzif_size(&tzif_counts(data, v2), 8)
}

/// Where the first local time type record of the 64-bit data starts.
fn tzif_first_type(data: &[u8]) -> usize {
    let v2 = tzif_v2_header(data);
    v2 + 44 + tzif_counts(data, v2)[3] * 9
}

#[test]
fn damaged_zone_files_are_judged_like_the_reference() {
    let sb = Sandbox::new();
    let zone = std::fs::read("/usr/share/zoneinfo/America/New_York").unwrap();
    let end = tzif_data_end(&zone);
    assert_eq!(
        zone[end], b'\n',
        "unexpected layout of the New York zone file"
    );
    let patched = |at: usize, bytes: &[u8]| {
        let mut data = zone.clone();
        data[at..at + bytes.len()].copy_from_slice(bytes);
        data
    };
    let first_type = tzif_first_type(&zone);
    let chars = tzif_counts(&zone, tzif_v2_header(&zone))[5];
    let variants: [(&str, Vec<u8>); 11] = [
        ("no-footer", zone[..end].to_vec()),
        ("newline-only", zone[..=end].to_vec()),
        ("empty-footer", [&zone[..end], b"\n\n"].concat()),
        ("footer-cut", zone[..zone.len() - 1].to_vec()),
        ("truncated", zone[..end / 2].to_vec()),
        ("bad-magic", [b"TZiF", &zone[4..]].concat()),
        // The library refuses these files (and falls back to the TZ value as a rule).
        ("dst-flag-2", patched(first_type + 4, &[2])),
        (
            "abbrev-past-end",
            patched(first_type + 5, &[chars as u8 + 1]),
        ),
        ("flags-over-types", patched(24, &[0, 0, 0, 99])),
        // Accepted: an abbreviation index just at the end; a footer cut short by a NUL.
        ("abbrev-at-end", patched(first_type + 5, &[chars as u8])),
        (
            "footer-nul",
            [&zone[..end], b"\nEST5\0EDT,M3.2.0,M11.1.0\n"].concat(),
        ),
    ];
    let input = many_labels(600);
    for (name, data) in variants {
        let path = sb.write(name, data);
        compare_with_reference(&sb, Some(path.to_str().unwrap()), &input);
    }
}

#[test]
fn tzdir_names_the_zone_directory() {
    let sb = Sandbox::new();
    sb.mkdir("zones");
    std::fs::copy("/usr/share/zoneinfo/Asia/Kolkata", sb.join("zones/Here")).unwrap();
    let input = b"@4000000037c219bf2ef02e94 old\n";
    for program in ["ours", "reference"] {
        let mut cmd = if program == "ours" {
            sb.command("tai64nlocal")
        } else {
            sb.command(reference("tai64nlocal"))
        };
        cmd.env("TZ", "Here").env("TZDIR", sb.join("zones"));
        assert_output(
            &run_with_input(&mut cmd, input),
            0,
            b"1999-08-24 09:34:05.787492500 old\n",
            b"",
        );
    }
}

#[test]
fn labels_from_both_tai64n_convert_alike() {
    let sb = Sandbox::new();
    let input: Vec<u8> = (0..300)
        .flat_map(|i| format!("event {i}\n").into_bytes())
        .collect();
    for stamper in [sb.bin("tai64n"), reference("tai64n")] {
        let labelled = sb.run_input(&stamper, &[], &input).stdout;
        for tz in [Some("UTC"), Some("America/New_York"), None] {
            let ours = convert(&sb, "ours", tz, &labelled);
            let theirs = convert(&sb, "reference", tz, &labelled);
            assert_output(&ours, 0, &theirs.stdout, b"");
            assert!(ours.stdout.ends_with(b" event 299\n"));
        }
    }
}

#[test]
fn lines_that_crash_the_reference_are_copied_unchanged() {
    let sb = Sandbox::new();
    let bad: &[&[u8]] = &[
        b"@\n",
        b"@zz\n",
        b"@ hello\n",
        b"@40000000 short\n",
        b"@4000000000000000 x\n",
        b"@0000000000000000 x\n",
        b"@4000000000000000000000000 x\n",
        b"@ffffffffffffffffffffffff x\n",
        b"@400000006B03CA5D13621AD4 upper\n",
        b"@400000006b03ca5d13621ad4extra\n",
    ];
    for line in bad {
        let theirs = convert(&sb, "reference", Some("UTC"), line);
        assert_eq!(
            theirs.status.code(),
            None,
            "the reference survived {}",
            show(line)
        );
        let mut input = line.to_vec();
        input.extend_from_slice(b"@400000006b03ca5d13621ad4 next\n");
        let mut want = line.to_vec();
        want.extend_from_slice(b"2026-11-23 05:08:35.325196500 next\n");
        assert_output(&convert(&sb, "ours", Some("UTC"), &input), 0, &want, b"");
    }
}

#[test]
fn extra_leading_digits_fall_off_like_the_reference() {
    let sb = Sandbox::new();
    let mut input = b"@".to_vec();
    input.extend(std::iter::repeat_n(b'0', 100_000));
    input.extend_from_slice(b"400000006b03ca5d13621ad4 long\n@");
    input.extend(std::iter::repeat_n(b'f', 100_000));
    input.extend_from_slice(b" kept\n");
    let ours = convert(&sb, "ours", Some("UTC"), &input);
    // A run that names no time (the reference crashes) keeps its last 4096 digits only.
    let mut want = b"2026-11-23 05:08:35.325196500 long\n@".to_vec();
    want.extend(std::iter::repeat_n(b'f', 4096));
    want.extend_from_slice(b" kept\n");
    assert_output(&ours, 0, &want, b"");
    let first_line = input.split_inclusive(|&b| b == b'\n').next().unwrap();
    let theirs = convert(&sb, "reference", Some("UTC"), first_line);
    assert_output(&theirs, 0, b"2026-11-23 05:08:35.325196500 long\n", b"");
}

#[test]
fn partial_input_at_the_end() {
    let sb = Sandbox::new();
    let cases: &[(&[u8], &[u8])] = &[
        (b"@400000006b03ca5d13621ad4", b""),
        (b"@", b""),
        (b"@4000", b""),
        (b"x\n@400000006b03ca5d", b"x\n"),
        (
            b"@400000006b03ca5d13621ad4 hel",
            b"2026-11-23 05:08:35.325196500 hel",
        ),
        (
            b"@400000006b03ca5d13621ad4 ",
            b"2026-11-23 05:08:35.325196500 ",
        ),
        (b"no newline", b"no newline"),
        (b"", b""),
    ];
    for (input, want) in cases {
        assert_output(&convert(&sb, "ours", Some("UTC"), input), 0, want, b"");
        let theirs = convert(&sb, "reference", Some("UTC"), input);
        assert_output(&theirs, 0, want, b"");
    }
}

#[test]
fn bytes_after_the_label_pass_unchanged() {
    let sb = Sandbox::new();
    let mut input = b"@400000006b03ca5d13621ad4\0nul\r\n@400000006b03ca5d13621ad4 ".to_vec();
    input.extend(vec![b'y'; 200_000]);
    input.extend_from_slice(b"\n\xff\xfe@400000006b03ca5d13621ad4\n");
    let ours = convert(&sb, "ours", Some("UTC"), &input);
    let theirs = convert(&sb, "reference", Some("UTC"), &input);
    assert_eq!(ours.status.code(), Some(0));
    assert!(ours.stdout == theirs.stdout, "long or binary lines differ");
    assert!(
        ours.stdout
            .starts_with(b"2026-11-23 05:08:35.325196500\0nul\r\n2026-11-23")
    );
}

#[test]
fn a_label_split_between_reads_is_joined() {
    let sb = Sandbox::new();
    let mut guard = ProcessGuard::spawn(
        sb.command("tai64nlocal")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped()),
    );
    let mut stdin = guard.child.stdin.take().unwrap();
    let mut stdout = BufReader::new(guard.child.stdout.take().unwrap());
    let mut line = Vec::new();
    // "x" comes out before the next read, so the label's first half was read alone.
    stdin.write_all(b"x\n@400000006b03").unwrap();
    stdin.flush().unwrap();
    stdout.read_until(b'\n', &mut line).unwrap();
    assert_eq!(line, b"x\n");
    stdin.write_all(b"ca5d13621ad4 joined\n").unwrap();
    stdin.flush().unwrap();
    line.clear();
    stdout.read_until(b'\n', &mut line).unwrap();
    assert_eq!(show(&line), "2026-11-23 05:08:35.325196500 joined\n");
    drop(stdin);
    assert_eq!(guard.wait_exit(Duration::from_secs(20)).code(), Some(0));
}

#[test]
fn read_error_exits_111_silently() {
    check_read_error("tai64nlocal");
}

#[test]
fn write_error_exits_111_silently() {
    let sb = Sandbox::new();
    for program in [sb.bin("tai64nlocal"), reference("tai64nlocal")] {
        let out = run_into_dev_full(&sb, &program, b"@400000006b03ca5d13621ad4 x\n");
        assert_output(&out, 111, b"", b"");
    }
}

#[test]
fn closed_descriptors_and_broken_pipes_like_the_reference() {
    let sb = Sandbox::new();
    let input = b"@400000006b03ca5d13621ad4 x\n".repeat(10_000);
    for program in [sb.bin("tai64nlocal"), reference("tai64nlocal")] {
        assert_output(&run_with_closed(&sb, &program, "<&-"), 111, b"", b"");
        assert_output(&run_with_closed(&sb, &program, ">&-"), 111, b"", b"");
        assert_eq!(run_into_broken_pipe(&sb, &program, &input), Some(13));
    }
}
