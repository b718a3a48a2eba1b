//! Time: TAI64N labels (encode, decode, render), tai64nlocal's label rewriting, TZif files
//! and POSIX `TZ` rule strings.

use super::{Input, pieces};
use crate::applets::tai64nlocal::Filter;
use crate::format::civil;
use crate::format::lines::Stage;
use crate::format::tai::{self, Digits, LabelWriter, Stamp};
use crate::format::tzif::{Tzif, Zone};
use crate::format::tzrule::Rules;

/// Packing, labels and reading labels back agree; rendering never fails.
pub fn tai(data: &[u8]) {
    let mut input = Input::new(data);
    let stamp = Stamp {
        secs: input.u64(),
        nanos: input.u64() as u32,
    };
    assert_eq!(Stamp::unpack(&stamp.pack()), stamp);
    let label = stamp.label();
    assert_eq!(label[0], b'@');
    let mut writer = LabelWriter::new();
    let previous = Stamp {
        secs: input.u64(),
        nanos: 7,
    };
    writer.label(previous);
    assert_eq!(writer.label(stamp), &label);
    let mut digits = Digits::default();
    assert_eq!(digits.scan(&label[1..]), tai::LABEL_LEN - 1);
    assert_eq!(digits.stamp(), stamp);
    // Any split of any digit string reads the same.
    let text = input.rest();
    let at = usize::from(text.first().copied().unwrap_or(0)).min(text.len());
    let (mut whole, mut split) = (Digits::default(), Digits::default());
    let n = whole.scan(text);
    let first = split.scan(&text[..at]);
    if first == at {
        assert_eq!(first + split.scan(&text[at..]), n);
    } else {
        assert_eq!(first, n);
    }
    assert_eq!(whole, split);
    if let Some(civil) = civil::breakdown(stamp.unix_secs(), 0) {
        let mut seconds = [0; tai::SECONDS_MAX];
        let len = tai::render_seconds(&civil, &mut seconds);
        assert!(len <= tai::SECONDS_MAX && seconds[len - 1] == b'.');
    }
    let mut nanos = [0; tai::NANOS_MAX];
    let len = tai::render_nanos(stamp.nanos, &mut nanos);
    assert!(nanos[..len].iter().all(u8::is_ascii_digit));
}

/// tai64nlocal's output does not depend on where reads end, and lines without a label
/// pass unchanged.
pub fn tai64nlocal(data: &[u8]) {
    let mut input = Input::new(data);
    let cuts = input.cuts();
    let text = input.rest();
    let convert = |chunks: &[&[u8]]| {
        let mut filter = Filter::new((Zone::UTC, None));
        let mut stage = Stage::new(16);
        for chunk in chunks {
            filter.feed(chunk, &mut stage);
        }
        stage.as_slice().to_vec()
    };
    let whole = convert(&[text]);
    assert_eq!(
        whole,
        convert(&pieces(text, &cuts)),
        "depends on read boundaries"
    );
    if !text.contains(&b'@') {
        assert_eq!(whole, text);
    }
}

/// A parsed zone places every time in a stretch that contains it.
pub fn tzif(data: &[u8]) {
    let mut input = Input::new(data);
    let times = [input.u64() as i64, input.u64() as i64 % (1 << 40), 0, -1];
    let (std, dst) = (
        i64::from(input.byte() as i8) * 900,
        i64::from(input.byte() as i8) * 900,
    );
    let Some(tzif) = Tzif::parse(input.rest()) else {
        return;
    };
    let mut zones = vec![Zone::File(tzif.clone())];
    zones.extend(tzif.with_offsets(std, dst, 0).map(Zone::File));
    zones.extend(tzif.with_offsets(std, dst, dst).map(Zone::File));
    for zone in &zones {
        for t in times {
            spans(zone, t);
        }
    }
}

fn spans(zone: &Zone, t: i64) {
    if let Some(local) = zone.local(t) {
        // `end` is exclusive, and i64::MAX stands for "no end": it holds for i64::MAX too.
        let before_end = t < local.end || local.end == i64::MAX;
        assert!(local.start <= t && before_end, "{t} outside {local:?}");
        if let Some(civil) = local.breakdown(t) {
            assert!(civil.second <= 61 && (1..=12).contains(&civil.month));
        }
    }
}

/// A rule string places every time in a stretch that contains it.
pub fn tzrule(data: &[u8]) {
    let mut input = Input::new(data);
    let times = [input.u64() as i64, input.u64() as i64 % (1 << 40), 0];
    let rules = Rules::parse(input.rest());
    for t in times {
        spans(&Zone::Rules(rules), t);
    }
}
