//! Unit tests for TZif parsing and lookups, on files built here byte by byte.

use super::*;

const HOUR: i64 = 3600;

/// A version-2 TZif file with an empty version-1 block.
fn build(
    transitions: &[(i64, u8)],
    types: &[(i32, bool)],
    leaps: &[(i64, i32)],
    footer: &str,
) -> Vec<u8> {
    let header = |counts: [usize; 6]| {
        let mut h = b"TZif2".to_vec();
        h.extend_from_slice(&[0; 15]);
        for c in counts {
            h.extend_from_slice(&(c as u32).to_be_bytes());
        }
        h
    };
    let mut out = header([0; 6]);
    out.extend(header([
        0,
        0,
        leaps.len(),
        transitions.len(),
        types.len(),
        4,
    ]));
    for (at, _) in transitions {
        out.extend_from_slice(&at.to_be_bytes());
    }
    out.extend(transitions.iter().map(|(_, ty)| ty));
    for (offset, dst) in types {
        out.extend_from_slice(&offset.to_be_bytes());
        out.extend_from_slice(&[u8::from(*dst), 0]);
    }
    out.extend_from_slice(b"ABC\0");
    for (at, correction) in leaps {
        out.extend_from_slice(&at.to_be_bytes());
        out.extend_from_slice(&correction.to_be_bytes());
    }
    out.push(b'\n');
    out.extend_from_slice(footer.as_bytes());
    out.push(b'\n');
    out
}

fn offset(zone: &Zone, t: i64) -> i64 {
    zone.local(t).unwrap().offset
}

#[test]
fn rejects_what_is_not_tzif() {
    assert_eq!(Tzif::parse(b""), None);
    assert_eq!(Tzif::parse(b"TZif2 but far too short"), None);
    let mut bad_index = build(&[(0, 1)], &[(0, false)], &[], "UTC0");
    assert!(Tzif::parse(&bad_index).is_none());
    bad_index.truncate(60);
    assert!(Tzif::parse(&bad_index).is_none());
}

#[test]
fn transitions_pick_the_type_in_force() {
    let file = build(
        &[(1000, 1), (2000, 0)],
        &[(-5 * 3600, false), (-4 * 3600, true)],
        &[],
        "",
    );
    let zone = Zone::File(Tzif::parse(&file).unwrap());
    assert_eq!(offset(&zone, 999), -5 * HOUR);
    assert_eq!(offset(&zone, 1000), -4 * HOUR);
    assert_eq!(offset(&zone, 1999), -4 * HOUR);
    assert_eq!(offset(&zone, 2000), -5 * HOUR);
    // No footer: the last type holds for ever.
    assert_eq!(offset(&zone, i64::MAX / 2), -5 * HOUR);
    let span = zone.local(1500).unwrap();
    assert_eq!((span.start, span.end), (1000, 2000));
}

#[test]
fn before_the_first_transition_the_first_standard_type_applies() {
    let file = build(&[(0, 1)], &[(3600, true), (7200, false)], &[], "");
    let zone = Zone::File(Tzif::parse(&file).unwrap());
    assert_eq!(offset(&zone, -1), 7200);
    assert_eq!(offset(&zone, 0), 7200);
}

#[test]
fn the_footer_rule_follows_the_last_transition() {
    let file = build(
        &[(0, 0)],
        &[(-5 * 3600, false)],
        &[],
        "EST5EDT,M3.2.0,M11.1.0",
    );
    let zone = Zone::File(Tzif::parse(&file).unwrap());
    // 2026-07-01 12:00 UTC is daylight time; 2026-12-01 is not.
    assert_eq!(offset(&zone, 1_782_907_200), -4 * HOUR);
    assert_eq!(offset(&zone, 1_795_176_000), -5 * HOUR);
    // Beyond the rule's range the last type is used.
    assert_eq!(offset(&zone, 67_768_036_191_676_800), -5 * HOUR);
}

#[test]
fn leap_seconds_shift_the_offset_and_give_second_60() {
    let file = build(&[], &[(0, false)], &[(60, 1), (200, 2)], "");
    let zone = Zone::File(Tzif::parse(&file).unwrap());
    assert_eq!(offset(&zone, 59), 0);
    let hit = zone.local(60).unwrap();
    assert_eq!((hit.offset, hit.extra, hit.start, hit.end), (-1, 1, 60, 61));
    assert_eq!(hit.breakdown(60).unwrap().second, 60);
    let after = zone.local(150).unwrap();
    assert_eq!(
        (after.offset, after.extra, after.start, after.end),
        (-1, 0, 61, 200)
    );
    assert_eq!(offset(&zone, 201), -2);
}

#[test]
fn version_one_files_use_32_bit_times() {
    let mut file = b"TZif\0".to_vec();
    file.extend_from_slice(&[0; 15]);
    for c in [0u32, 0, 0, 1, 2, 4] {
        file.extend_from_slice(&c.to_be_bytes());
    }
    file.extend_from_slice(&(-100i32).to_be_bytes());
    file.push(1);
    file.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0, 0x0e, 0x10, 0, 0]);
    file.extend_from_slice(b"ABC\0");
    let zone = Zone::File(Tzif::parse(&file).unwrap());
    assert_eq!(offset(&zone, -101), 0);
    assert_eq!(offset(&zone, -100), 3600);
}

#[test]
fn rule_zones_convert_directly() {
    let zone = Zone::Rules(Rules::parse(b"IST-5:30"));
    let local = zone.local(935_467_445).unwrap();
    let civil = local.breakdown(935_467_445).unwrap();
    assert_eq!((civil.hour, civil.minute, civil.second), (9, 34, 5));
    assert_eq!(Zone::UTC.local(i64::MAX), None);
}

#[test]
fn borrowed_transitions_follow_the_library() {
    let file = build(
        &[(100_000, 1), (200_000, 0)],
        &[(-5 * 3600, false), (-4 * 3600, true)],
        &[],
        "",
    );
    let tzif = Tzif::parse(&file).unwrap();
    let later = Zone::File(tzif.with_offsets(3600, 7200, 7200).unwrap());
    // Into daylight time: from standard wall-clock time, moved by 6 hours.
    assert_eq!(offset(&later, 121_599), 3600);
    assert_eq!(offset(&later, 121_600), 7200);
    // Out of it: written in daylight time, left where it was...
    assert_eq!(offset(&later, 199_999), 7200);
    assert_eq!(offset(&later, 200_000), 3600);
    // ...except on the library's first conversion, which moves it by the daylight offset.
    let first = Zone::File(tzif.with_offsets(3600, 7200, 0).unwrap());
    assert_eq!(offset(&first, 121_600), 7200);
    assert_eq!(offset(&first, 207_199), 7200);
    assert_eq!(offset(&first, 207_200), 3600);
    let one_type = build(&[], &[(0, false)], &[], "");
    assert!(
        Tzif::parse(&one_type)
            .unwrap()
            .with_offsets(0, 3600, 3600)
            .is_none()
    );
}

#[test]
fn version_two_files_need_room_for_a_footer() {
    let full = build(&[(0, 0)], &[(3600, false)], &[], "UTC0");
    let data_end = full.len() - "\nUTC0\n".len();
    assert!(Tzif::parse(&full[..data_end]).is_none());
    assert!(Tzif::parse(&full[..data_end + 1]).is_none());
    let bare = Tzif::parse(&[&full[..data_end], b"\n\n"].concat()).unwrap();
    assert_eq!(bare.footer, None);
    // The footer loses its last byte whatever it is.
    let cut = Tzif::parse(&full[..full.len() - 1]).unwrap();
    assert_eq!(cut.footer, Some(Rules::parse(b"UTC")));
}

/// Where the first type record of a file made by `build` starts.
fn first_type_at(transitions: usize) -> usize {
    2 * HEADER_LEN + transitions * 9
}

#[test]
fn bad_type_records_make_the_file_unusable_as_in_the_library() {
    let good = build(&[(0, 0)], &[(HOUR as i32, false)], &[], "");
    assert!(Tzif::parse(&good).is_some());
    let at = first_type_at(1);
    let with = |byte: usize, value: u8| {
        let mut file = good.clone();
        file[at + byte] = value;
        Tzif::parse(&file)
    };
    // The daylight flag must be 0 or 1.
    assert!(with(4, 1).is_some());
    assert!(with(4, 2).is_none());
    // The abbreviation index may point at the end of the 4 abbreviation bytes, not past it.
    assert!(with(5, 4).is_some());
    assert!(with(5, 5).is_none());
}

#[test]
fn more_flags_than_types_is_refused() {
    let mut file = build(&[], &[(0, false)], &[], "UTC0");
    // The version-2 header's standard/wall flag count (the second count) set to 2.
    file[HEADER_LEN + 24..HEADER_LEN + 28].copy_from_slice(&2u32.to_be_bytes());
    assert!(Tzif::parse(&file).is_none());
}

#[test]
fn the_footer_ends_at_a_nul() {
    // The footer applies after the last transition.
    let zone = |footer: &str| {
        Zone::File(Tzif::parse(&build(&[(0, 0)], &[(0, false)], &[], footer)).unwrap())
    };
    // "EST5" alone: five hours west all year, whatever follows the NUL.
    let cut = zone("EST5\0EDT,M3.2.0,M11.1.0");
    assert_eq!(offset(&cut, 1_720_000_000), -5 * HOUR);
    assert_eq!(
        offset(&zone("EST5EDT,M3.2.0,M11.1.0"), 1_720_000_000),
        -4 * HOUR
    );
}
