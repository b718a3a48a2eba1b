//! Unit tests for POSIX rule strings, checked against the C library's results.

use super::*;

const NEW_YORK: &[u8] = b"EST5EDT,M3.2.0,M11.1.0";

#[test]
fn parses_offsets_east_of_utc() {
    assert_eq!(Rules::parse(b"UTC0").span(0).unwrap().offset, 0);
    assert_eq!(Rules::parse(b"IST-5:30").span(0).unwrap().offset, 19_800);
    assert_eq!(
        Rules::parse(b"<+0545>-5:45").span(0).unwrap().offset,
        20_700
    );
    assert_eq!(Rules::parse(b"ABC+1:02:03").span(0).unwrap().offset, -3723);
    assert_eq!(Rules::parse(b"XYZ99").span(0).unwrap().offset, -24 * 3600);
}

#[test]
fn malformed_strings_are_utc() {
    for text in [&b""[..], b"Asia/Kolkata", b"AB5", b"EST", b"<AB>5", b"5EST"] {
        assert_eq!(Rules::parse(text), Rules::UTC, "{:?}", text);
    }
}

#[test]
fn new_york_2026_changes() {
    let r = Rules::parse(NEW_YORK);
    // 2026-03-08 07:00 UTC and 2026-11-01 06:00 UTC.
    let (on, off) = (1_772_953_200, 1_793_512_800);
    assert_eq!(r.span(on - 1).unwrap().offset, -5 * 3600);
    let summer = r.span(on).unwrap();
    assert_eq!(
        summer,
        Span {
            offset: -4 * 3600,
            start: on,
            end: off
        }
    );
    assert_eq!(r.span(off).unwrap().offset, -5 * 3600);
    assert_eq!(r.span(off).unwrap().end, 1_798_761_600);
}

#[test]
fn default_rules_and_dst_offset() {
    let missing = Rules::parse(b"EST5EDT");
    assert_eq!(
        missing.offsets_without_rules(),
        Some((-5 * 3600, -4 * 3600))
    );
    assert_eq!(
        Rules::parse(b"EST5EDT,").offsets_without_rules(),
        Some((-18_000, -14_400))
    );
    assert_eq!(Rules::parse(NEW_YORK).offsets_without_rules(), None);
    for t in [0, 1_772_953_200, 1_793_512_800, 1_790_000_000] {
        assert_eq!(missing.span(t), Rules::parse(NEW_YORK).span(t));
    }
    let r = Rules::parse(b"AAA3BBB2,J60/0,300/-1:30");
    // 2025 (not leap): J60 is March 1st, day 300 is October 28th.
    assert_eq!(r.span(1_740_787_200 + 3 * 3600).unwrap().offset, -2 * 3600);
    assert_eq!(
        r.span(1_740_787_200 + 3 * 3600 - 1).unwrap().offset,
        -3 * 3600
    );
}

#[test]
fn an_unreadable_daylight_name_means_offset_zero() {
    // The library goes on to the (absent) rules with daylight offset 0, and the
    // resulting change times put nearly the whole year in "daylight" time.
    let r = Rules::parse(b"EST5 EDT");
    assert_eq!(r.span(1_782_907_200).unwrap().offset, 0);
    assert_eq!(r.offsets_without_rules(), None);
}

#[test]
fn southern_hemisphere() {
    // Sydney: daylight time from October to April.
    let r = Rules::parse(b"AEST-10AEDT,M10.1.0,M4.1.0/3");
    assert_eq!(r.span(1_767_225_600).unwrap().offset, 11 * 3600);
    assert_eq!(
        r.span(1_767_225_600 + 180 * SECS_PER_DAY).unwrap().offset,
        10 * 3600
    );
}

#[test]
fn years_before_1970_use_the_1970_base() {
    let r = Rules::parse(NEW_YORK);
    // The library computes the changes from 1970-01-01 for any year up to 1970,
    // so a July day of 1950 is not in daylight time.
    assert_eq!(r.span(-616_000_000).unwrap().offset, -5 * 3600);
}

#[test]
fn out_of_range_has_no_span() {
    assert_eq!(Rules::UTC.span(i64::MAX), None);
}

#[test]
fn a_rule_cut_short_keeps_the_fields_read() {
    // "M11.1." stores month 11 and week 1 (weekday stays 0, the time 0:00) before failing.
    let cut = Rules::parse(b"EST5EDT,M3.2.0,M11.1.");
    let whole = Rules::parse(b"EST5EDT,M3.2.0,M11.1.0/0");
    for t in [1_793_498_399, 1_793_498_400, 1_793_505_600, 1_790_000_000] {
        assert_eq!(
            cut.span(t).map(|s| s.offset),
            whole.span(t).map(|s| s.offset)
        );
    }
}

#[test]
fn numbers_are_read_as_scanf_and_strtoul_read_them() {
    let same = |a: &[u8], b: &[u8]| {
        let (a, b) = (Rules::parse(a), Rules::parse(b));
        for t in [1_700_000_000, 1_720_000_000, 1_735_000_000] {
            assert_eq!(a.span(t), b.span(t), "{t}");
        }
    };
    // %hu skips blanks and takes a sign (a minus wraps to 65531, clamped to 24 hours).
    same(b"EST+ 5", b"EST5");
    same(b"EST5EDT,M 3. 2. 0,M11.1.0", b"EST5EDT,M3.2.0,M11.1.0");
    same(b"EST5EDT,M+3.2.0,M11.1.0", b"EST5EDT,M3.2.0,M11.1.0");
    same(b"EST5EDT,M3.2.0/ 5,M11.1.0", b"EST5EDT,M3.2.0/5,M11.1.0");
    same(b"EST5: 30:  5", b"EST5:30:5");
    same(b"EST+-5", b"EST24");
    // ... but the standard offset itself must start with a sign or a digit.
    same(b"EST 5", b"UTC0");
    // Day numbers go through strtoul: no wrapping to 16 bits, so 65596 is over 365.
    same(b"EST5EDT,J65596,J300", b"EST5EDT,J0,J300");
    same(b"EST5EDT,65601,300", b"EST5EDT,366,300");
    // The sign of a daylight offset is consumed even with no number after it, so the rules
    // are found missing ("EST5EDT+" is "EST5EDT").
    assert_eq!(
        Rules::parse(b"EST5EDT+").offsets_without_rules(),
        Some((-5 * 3600, -4 * 3600))
    );
}
