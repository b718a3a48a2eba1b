//! POSIX `TZ` rule strings (`EST5EDT,M3.2.0,M11.1.0`, `<+0530>-5:30`) parsed and evaluated
//! the way the GNU C library does (pure).
//!
//! tai64nlocal must print exactly what the reference (built on that library) prints, so the
//! library's choices are kept where POSIX leaves room: a malformed string means UTC from the
//! point of failure, hours are clamped to 24 in offsets, a missing rule means the US rules
//! `M3.2.0,M11.1.0`, and the daylight-saving changes are computed for the UTC year of the
//! time being converted with 32-bit year arithmetic (which wraps for years in the millions).
//! Not followed: a rule with a month outside 1-12 (`M13.1.0`, or `Mx`, whose unread month the
//! library leaves at 0) makes the library read outside its month table, so its result depends
//! on the library build; here such a rule is dropped like any other rejected rule.

use super::civil::{self, SECS_PER_DAY};

/// Which day a rule names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Day {
    /// `n`: zero-based day of the year, counting February 29th.
    Zero(i64),
    /// `Jn`: one-based day of the year, never counting February 29th.
    Julian(i64),
    /// `Mm.w.d`: day `d` (0 = Sunday) of week `w` (5 = last) of month `m`.
    Month {
        month: usize,
        week: u16,
        weekday: i32,
    },
}

/// One side of the rule pair: the offset in force and when it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rule {
    /// Seconds east of UTC.
    offset: i64,
    day: Day,
    /// Local time of day of the change, in seconds (may be negative or above a day).
    secs: i64,
}

const DEFAULT_CHANGE_SECS: i64 = 2 * 3600;
/// The largest day number a `Jn` or `n` rule may give.
const DAY_MAX: u64 = 365;

impl Rule {
    const UNSET: Rule = Rule {
        offset: 0,
        day: Day::Zero(0),
        secs: 0,
    };
}

/// A parsed `TZ` string: standard time and daylight-saving time, each with its rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    rules: [Rule; 2],
    /// Daylight time was named without a rule.
    rules_missing: bool,
}

/// An offset and the stretch of Unix time it holds for (`start <= t < end`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub offset: i64,
    pub start: i64,
    pub end: i64,
}

/// Cumulative days before each month, plain and leap years (index 0 is before January).
const MONTH_STARTS: [[i64; 13]; 2] = [
    [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
    [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
];

/// Leading decimal digits as `strtoul` reads them (saturating at 2^64 - 1) and the rest;
/// `None` if there is no digit.
fn digits(s: &[u8]) -> Option<(u64, &[u8])> {
    let len = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let value = s[..len].iter().try_fold(0u64, |n, d| {
        n.checked_mul(10)?.checked_add(u64::from(d - b'0'))
    });
    (len > 0).then(|| (value.unwrap_or(u64::MAX), &s[len..]))
}

/// Reads a number as `sscanf`'s `%hu` does: blanks skipped, an optional sign, digits
/// converted by `strtoul` (a minus negates modulo 2^64, an overflow gives 2^64 - 1), then cut
/// to 16 bits. `None` (nothing consumed) if no digit follows.
fn number(s: &mut &[u8]) -> Option<i64> {
    let blanks = s
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .count();
    let mut t = &s[blanks..];
    let negative = t.first() == Some(&b'-');
    if matches!(t.first(), Some(b'-' | b'+')) {
        t = &t[1..];
    }
    let (value, rest) = digits(t)?;
    let value = if negative && value != u64::MAX {
        value.wrapping_neg()
    } else {
        value
    };
    *s = rest;
    Some(i64::from(value as u16))
}

/// A day number as the library reads it with `strtoul` (no blanks or sign: the caller has
/// seen a digit), if it is at most `max`.
fn day(s: &mut &[u8], max: u64) -> Option<i64> {
    let (value, rest) = digits(s)?;
    *s = rest;
    (value <= max).then_some(value as i64)
}

/// `hh[:mm[:ss]]`: the parts found (missing ones are `None`), consuming what was used.
fn clock(s: &mut &[u8]) -> Option<(i64, Option<i64>, Option<i64>)> {
    let hours = number(s)?;
    let mut rest = *s;
    let mut part = || {
        let mut after = rest.strip_prefix(b":")?;
        let value = number(&mut after)?;
        rest = after;
        Some(value)
    };
    let minutes = part();
    let seconds = minutes.and_then(|_| part());
    *s = rest;
    Some((hours, minutes, seconds))
}

/// A zone abbreviation: 3+ letters, or `<...>` holding 3+ letters, digits or signs.
fn name(s: &mut &[u8]) -> bool {
    let letters = s.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    if letters >= 3 {
        *s = &s[letters..];
        return true;
    }
    let Some(quoted) = s.strip_prefix(b"<") else {
        return false;
    };
    let len = quoted
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'+' || **b == b'-')
        .count();
    if len < 3 || quoted.get(len) != Some(&b'>') {
        return false;
    }
    *s = &quoted[len + 1..];
    true
}

/// `[+-]hh[:mm[:ss]]` as seconds east of UTC (POSIX counts west), each part clamped. The
/// sign is consumed even when no number follows, as in the library.
fn offset(s: &mut &[u8]) -> Option<i64> {
    let sign = match s.first() {
        Some(b'-') => 1,
        _ => -1,
    };
    if matches!(s.first(), Some(b'-' | b'+')) {
        *s = &s[1..];
    }
    let (h, m, sec) = clock(s)?;
    Some(sign * (h.min(24) * 3600 + m.unwrap_or(0).min(59) * 60 + sec.unwrap_or(0).min(59)))
}

/// `,date[/time]` for one rule, filling `rule` as far as the text allows.
fn rule(s: &mut &[u8], rule: &mut Rule, which: usize) -> bool {
    let mut t = s.strip_prefix(b",").unwrap_or(s);
    match t.first() {
        Some(b'J') => {
            t = &t[1..];
            rule.day = Day::Julian(0);
            if !t.first().is_some_and(u8::is_ascii_digit) {
                return false;
            }
            match day(&mut t, DAY_MAX) {
                Some(d @ 1..) => rule.day = Day::Julian(d),
                _ => return false,
            }
        }
        Some(b'0'..=b'9') => match day(&mut t, DAY_MAX) {
            Some(d) => rule.day = Day::Zero(d),
            None => return false,
        },
        Some(b'M') => {
            t = &t[1..];
            // Fields are stored as they are read (the library's sscanf): a rule cut short
            // or out of range still leaves its month, week and day behind.
            let mut fields = [0i64; 3];
            let mut read = 0;
            for (i, field) in fields.iter_mut().enumerate() {
                let mut rest = t;
                if i > 0 {
                    let Some(after_dot) = rest.strip_prefix(b".") else {
                        break;
                    };
                    rest = after_dot;
                }
                let Some(value) = number(&mut rest) else {
                    break;
                };
                *field = value;
                t = rest;
                read += 1;
            }
            let [month, week, weekday] = fields;
            let month_ok = (1..=12).contains(&month);
            if month_ok {
                rule.day = Day::Month {
                    month: month as usize,
                    week: week as u16,
                    weekday: weekday as i32,
                };
            }
            if read < 3 || !month_ok || !(1..=5).contains(&week) || weekday > 6 {
                return false;
            }
        }
        None => {
            let (month, week) = if which == 0 { (3, 2) } else { (11, 1) };
            rule.day = Day::Month {
                month,
                week,
                weekday: 0,
            };
        }
        Some(_) => return false,
    }
    rule.secs = DEFAULT_CHANGE_SECS;
    match t.first() {
        None | Some(b',') => {}
        Some(b'/') => {
            t = &t[1..];
            if t.is_empty() {
                return false;
            }
            let negative = t[0] == b'-';
            t = &t[usize::from(negative)..];
            let (h, m, sec) = clock(&mut t).unwrap_or((2, None, None));
            let secs = h * 3600 + m.unwrap_or(0) * 60 + sec.unwrap_or(0);
            rule.secs = if negative { -secs } else { secs };
        }
        Some(_) => return false,
    }
    *s = t;
    true
}

impl Rules {
    /// Coordinated Universal Time: what a missing or unusable zone means.
    pub const UTC: Rules = Rules {
        rules: [Rule::UNSET; 2],
        rules_missing: false,
    };

    /// Parses a `TZ` string; whatever cannot be parsed leaves UTC's values in place.
    pub fn parse(text: &[u8]) -> Rules {
        let mut r = Rules::UTC;
        let mut s = text;
        if !name(&mut s) {
            return r;
        }
        // The standard offset must start with a sign or a digit (blanks are not skipped).
        if !s
            .first()
            .is_some_and(|&b| b == b'+' || b == b'-' || b.is_ascii_digit())
        {
            return r;
        }
        let Some(std) = offset(&mut s) else {
            return r;
        };
        r.rules[0].offset = std;
        if s.is_empty() {
            r.rules[1].offset = std;
            return r;
        }
        // A daylight name that does not parse leaves its offset at zero, as in the library.
        if name(&mut s) {
            r.rules[1].offset = offset(&mut s).unwrap_or(std + 3600);
            r.rules_missing = s.is_empty() || s == b",";
        }
        let [first, second] = &mut r.rules;
        if rule(&mut s, first, 0) {
            rule(&mut s, second, 1);
        }
        r
    }

    /// For a string naming daylight time but no rule (`CET-1CEST`): the standard and
    /// daylight offsets, which the C library applies to the `posixrules` zone's
    /// transitions instead of using these rules, if that zone can be read.
    pub fn offsets_without_rules(&self) -> Option<(i64, i64)> {
        self.rules_missing
            .then_some((self.rules[0].offset, self.rules[1].offset))
    }

    /// The offset in force at Unix time `t`, or `None` if `t` has no UTC broken-down form.
    pub fn span(&self, t: i64) -> Option<Span> {
        let utc = civil::breakdown(t, 0)?;
        // The library's year is a C int computed as 1900 + tm_year, wrapping on overflow.
        let year = utc.tm_year.wrapping_add(civil::TM_YEAR_BASE as i32);
        let full_year = i64::from(utc.tm_year) + civil::TM_YEAR_BASE;
        let year_start = civil::year_start(full_year);
        let year_end = civil::year_start(full_year + 1);
        let [dst_on, dst_off] = self.rules.map(|r| change(&r, year));
        let (is_dst, start, end) = if dst_on > dst_off {
            // Southern hemisphere: daylight time spans the new year.
            if t < dst_off {
                (true, year_start, dst_off)
            } else if t >= dst_on {
                (true, dst_on, year_end)
            } else {
                (false, dst_off, dst_on)
            }
        } else if t < dst_on {
            (false, year_start, dst_on)
        } else if t < dst_off {
            (true, dst_on, dst_off)
        } else {
            (false, dst_off, year_end)
        };
        Some(Span {
            offset: self.rules[usize::from(is_dst)].offset,
            start: start.max(year_start),
            end: end.min(year_end),
        })
    }
}

/// Unix time at which `rule` takes effect in `year` (the library's `compute_change`).
fn change(rule: &Rule, year: i32) -> i64 {
    let leap = civil::is_leap(i64::from(year));
    let mut t = if year > 1970 {
        let days = (year.wrapping_sub(1970))
            .wrapping_mul(365)
            .wrapping_add(year.wrapping_sub(1969) / 4)
            .wrapping_sub(year.wrapping_sub(1901) / 100)
            .wrapping_add(year.wrapping_sub(1601) / 400);
        i64::from(days) * SECS_PER_DAY
    } else {
        0
    };
    match rule.day {
        Day::Julian(d) => {
            t += (d - 1) * SECS_PER_DAY;
            if d >= 60 && leap {
                t += SECS_PER_DAY;
            }
        }
        Day::Zero(d) => t += d * SECS_PER_DAY,
        Day::Month {
            month,
            week,
            weekday,
        } => {
            let starts = &MONTH_STARTS[usize::from(leap)];
            t += starts[month - 1] * SECS_PER_DAY;
            // Zeller's congruence: the weekday of the month's first day.
            let m1 = (month as i32 + 9) % 12 + 1;
            let yy0 = if month <= 2 {
                year.wrapping_sub(1)
            } else {
                year
            };
            let (yy1, yy2) = (yy0 / 100, yy0 % 100);
            let mut dow = ((26 * m1 - 2) / 10 + 1 + yy2 + yy2 / 4 + yy1 / 4 - 2 * yy1) % 7;
            if dow < 0 {
                dow += 7;
            }
            let mut d = weekday - dow;
            if d < 0 {
                d += 7;
            }
            let month_len = (starts[month] - starts[month - 1]) as i32;
            for _ in 1..week {
                if d + 7 >= month_len {
                    break;
                }
                d += 7;
            }
            t += i64::from(d) * SECS_PER_DAY;
        }
    }
    t - rule.offset + rule.secs
}

#[cfg(test)]
mod tests;
