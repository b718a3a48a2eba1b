//! Time zones: TZif files (RFC 8536, versions 1-4) and POSIX rule strings, and the local
//! offset they give at a moment (pure; reading the file is `sys::localtime`'s job).
//!
//! Lookups follow the GNU C library, the reference's `localtime`: before the first
//! transition the first standard-time type applies; after the last one the footer rule
//! string does (or the last type, if there is no footer or the rule cannot place the time);
//! leap-second records (the `right/` zones) correct the offset and give second 60.

use super::civil::{self, Civil};
use super::tzrule::{Rules, Span};

const MAGIC: &[u8; 4] = b"TZif";
const HEADER_LEN: usize = 44;
/// Fewest bytes a version 2+ file may have after its data: a newline and one more.
const FOOTER_MIN: usize = 2;
/// Size of one local time type record: offset (4), is-DST flag (1), name index (1).
const TYPE_LEN: usize = 6;

/// A local time type: its offset east of UTC, whether it is daylight time, and whether
/// transitions into it were given in standard time or in UT (which matters only when
/// `with_offsets` moves them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Type {
    offset: i64,
    is_dst: bool,
    is_std: bool,
    is_ut: bool,
}

/// A leap-second record: from `at` on, `correction` seconds have been inserted in total.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Leap {
    at: i64,
    correction: i64,
}

/// The contents of a TZif file that matter for converting times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tzif {
    transitions: Vec<i64>,
    type_of: Vec<u8>,
    types: Vec<Type>,
    leaps: Vec<Leap>,
    footer: Option<Rules>,
}

/// A time zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Zone {
    File(Tzif),
    Rules(Rules),
}

/// Where a local time conversion stands for a stretch of time: `breakdown(t, offset)`
/// plus `extra` seconds is the local time for every `t` in `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Local {
    pub offset: i64,
    pub extra: u8,
    pub start: i64,
    pub end: i64,
}

/// The six counts of a TZif header.
struct Counts {
    isut: usize,
    isstd: usize,
    leap: usize,
    time: usize,
    types: usize,
    chars: usize,
}

fn be(bytes: &[u8]) -> i64 {
    match bytes.len() {
        4 => i64::from(i32::from_be_bytes(bytes.try_into().unwrap_or_default())),
        _ => i64::from_be_bytes(bytes.try_into().unwrap_or_default()),
    }
}

fn header(data: &[u8]) -> Option<(u8, Counts)> {
    if data.len() < HEADER_LEN || &data[..4] != MAGIC {
        return None;
    }
    let count = |i: usize| usize::try_from(be(&data[20 + 4 * i..24 + 4 * i])).ok();
    let counts = Counts {
        isut: count(0)?,
        isstd: count(1)?,
        leap: count(2)?,
        time: count(3)?,
        types: count(4)?,
        chars: count(5)?,
    };
    // The library refuses more flags than types in either header.
    (counts.isstd <= counts.types && counts.isut <= counts.types).then_some((data[4], counts))
}

impl Counts {
    fn data_len(&self, time_len: usize) -> usize {
        self.time * (time_len + 1)
            + self.types * TYPE_LEN
            + self.chars
            + self.leap * (time_len + 4)
            + self.isstd
            + self.isut
    }
}

impl Tzif {
    /// Parses a TZif file; `None` if it is not one or is inconsistent.
    pub fn parse(data: &[u8]) -> Option<Tzif> {
        let (version, v1) = header(data)?;
        // Any version mark but NUL means 64-bit data follows (the library's test).
        let (body, counts, time_len) = if version != 0 {
            let rest = data.get(HEADER_LEN + v1.data_len(4)..)?;
            let (_, v2) = header(rest)?;
            (&rest[HEADER_LEN..], v2, 8)
        } else {
            (&data[HEADER_LEN..], v1, 4)
        };
        let mut rest = body.get(..counts.data_len(time_len))?;
        let mut take = |n: usize| {
            let (head, tail) = rest.split_at(n);
            rest = tail;
            head
        };
        let transitions: Vec<i64> = take(counts.time * time_len)
            .chunks(time_len)
            .map(be)
            .collect();
        let type_of = take(counts.time).to_vec();
        let type_records = take(counts.types * TYPE_LEN);
        // As the library: a daylight flag other than 0 or 1, or an abbreviation index past
        // the end of the abbreviations, makes the file unusable.
        if type_records
            .chunks(TYPE_LEN)
            .any(|t| t[4] > 1 || usize::from(t[5]) > counts.chars)
        {
            return None;
        }
        let mut types: Vec<Type> = type_records
            .chunks(TYPE_LEN)
            .map(|t| Type {
                offset: be(&t[..4]),
                is_dst: t[4] != 0,
                is_std: false,
                is_ut: false,
            })
            .collect();
        take(counts.chars);
        let leaps = take(counts.leap * (time_len + 4))
            .chunks(time_len + 4)
            .map(|l| Leap {
                at: be(&l[..time_len]),
                correction: be(&l[time_len..]),
            })
            .collect();
        for (ty, &flag) in types.iter_mut().zip(take(counts.isstd)) {
            ty.is_std = flag != 0;
        }
        for (ty, &flag) in types.iter_mut().zip(take(counts.isut)) {
            ty.is_ut = flag != 0;
        }
        if types.is_empty() || type_of.iter().any(|&i| usize::from(i) >= types.len()) {
            return None;
        }
        // The footer is what lies between a newline and the file's last byte. The library
        // rejects a version 2+ file with less than two bytes there.
        let after = &body[counts.data_len(time_len)..];
        if time_len == 8 && after.len() < FOOTER_MIN {
            return None;
        }
        let footer = match after {
            // The library reads the footer as a C string: it ends at a NUL.
            [b'\n', text @ .., _] if time_len == 8 => {
                let text = text.split(|&b| b == 0).next().unwrap_or_default();
                (!text.is_empty()).then(|| Rules::parse(text))
            }
            _ => None,
        };
        Some(Tzif {
            transitions,
            type_of,
            types,
            leaps,
            footer,
        })
    }

    /// This zone's transitions carried over to the standard and daylight offsets `std` and
    /// `dst` (seconds east), as the C library does with `posixrules` for a `TZ` string that
    /// names daylight time without rules; `None` if the zone has fewer than two types.
    ///
    /// Transitions written in standard wall-clock time move by the change of standard
    /// offset. Those written in daylight wall-clock time move by `dst - dst_before`, where
    /// the library's `dst_before` is the daylight offset it handled last: 0 for its very
    /// first conversion, the user's own `dst` (no move at all) for every later one.
    pub fn with_offsets(&self, std: i64, dst: i64, dst_before: i64) -> Option<Tzif> {
        if self.types.len() < 2 {
            return None;
        }
        let type_at = |i: usize| self.types[usize::from(self.type_of[i])];
        // The standard offset the file's rules were written in: the latest one used.
        let rule_std = (0..self.transitions.len())
            .rev()
            .map(type_at)
            .find(|t| !t.is_dst)
            .map_or(self.types[0].offset, |t| t.offset);
        let mut zone = self.clone();
        let mut in_dst = false;
        for i in 0..zone.transitions.len() {
            let ty = type_at(i);
            zone.type_of[i] = u8::from(ty.is_dst);
            if !ty.is_ut {
                zone.transitions[i] += if in_dst && !ty.is_std {
                    dst - dst_before
                } else {
                    std - rule_std
                };
            }
            in_dst = ty.is_dst;
        }
        zone.types = vec![
            Type {
                offset: std,
                is_dst: false,
                ..self.types[0]
            },
            Type {
                offset: dst,
                is_dst: true,
                ..self.types[1]
            },
        ];
        Some(zone)
    }

    /// The type in force before the first transition: the first standard-time one.
    fn initial_type(&self) -> Type {
        let first = self.types.iter().find(|t| !t.is_dst);
        *first.unwrap_or(&self.types[0])
    }

    /// Offset from the transitions (or footer) alone, with the stretch it covers.
    fn span(&self, t: i64) -> Span {
        let n = self.transitions.len();
        let after = self.transitions.partition_point(|&at| at <= t);
        if after == 0 {
            let end = self.transitions.first().copied().unwrap_or(i64::MAX);
            return Span {
                offset: self.initial_type().offset,
                start: i64::MIN,
                end,
            };
        }
        let last = Span {
            offset: self.types[usize::from(self.type_of[after - 1])].offset,
            start: self.transitions[after - 1],
            end: self.transitions.get(after).copied().unwrap_or(i64::MAX),
        };
        if after < n {
            return last;
        }
        match self.footer.as_ref().and_then(|rules| rules.span(t)) {
            Some(span) => Span {
                start: span.start.max(last.start),
                ..span
            },
            // Only this one second is known to be beyond the rule's reach.
            None => Span {
                start: t,
                end: t.saturating_add(1),
                ..last
            },
        }
    }

    /// Applies leap seconds: the correction in force, and whether `t` is an inserted second.
    fn leap(&self, t: i64, span: Span) -> Local {
        let count = self.leaps.partition_point(|l| l.at <= t);
        let mut local = Local {
            offset: span.offset,
            extra: 0,
            start: span.start,
            end: span.end,
        };
        let Some(i) = count.checked_sub(1) else {
            if let Some(first) = self.leaps.first() {
                local.end = local.end.min(first.at);
            }
            return local;
        };
        let leap = self.leaps[i];
        let before = if i == 0 {
            0
        } else {
            self.leaps[i - 1].correction
        };
        let inserted = leap.correction > before;
        local.offset -= leap.correction;
        // An inserted second is a stretch of its own.
        local.start = local.start.max(leap.at.saturating_add(i64::from(inserted)));
        if let Some(next) = self.leaps.get(i + 1) {
            local.end = local.end.min(next.at);
        }
        if t == leap.at && inserted {
            // Consecutive one-second records make a longer run of 60, 61, ...
            let mut j = i;
            let mut extra = 1;
            while j > 0
                && self.leaps[j].at == self.leaps[j - 1].at + 1
                && self.leaps[j].correction == self.leaps[j - 1].correction + 1
            {
                extra += 1;
                j -= 1;
            }
            local.extra = extra;
            local.start = t;
            // At the end of time, "no end" (i64::MAX) holds the second too.
            local.end = t.saturating_add(1);
        }
        local
    }
}

impl Zone {
    /// UTC, for when no zone can be found.
    pub const UTC: Zone = Zone::Rules(Rules::UTC);

    /// The local time conversion in force at Unix time `t`, or `None` if the zone cannot
    /// place `t` (only rule strings, for times whose UTC year is out of range).
    pub fn local(&self, t: i64) -> Option<Local> {
        match self {
            Zone::File(tzif) => Some(tzif.leap(t, tzif.span(t))),
            Zone::Rules(rules) => rules.span(t).map(|span| Local {
                offset: span.offset,
                extra: 0,
                start: span.start,
                end: span.end,
            }),
        }
    }
}

impl Local {
    /// The broken-down local time of `t` (which must lie in `start..end`).
    pub fn breakdown(&self, t: i64) -> Option<Civil> {
        let mut civil = civil::breakdown(t, self.offset)?;
        civil.second += self.extra;
        Some(civil)
    }
}

#[cfg(test)]
mod tests;
