//! Proleptic Gregorian calendar arithmetic (pure): Unix seconds plus a UTC offset to a
//! broken-down time, and the first second of a year.
//!
//! It reproduces the C library's `localtime` limits exactly, because tai64nlocal must print
//! what the reference prints: a time whose `year - 1900` does not fit a C `int` has no
//! broken-down form (`None`), everything else does, however far from today.

/// Seconds in a day.
pub const SECS_PER_DAY: i64 = 86_400;
/// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const DAYS_0000_03_01_TO_EPOCH: i64 = 719_468;
/// Days in a 400-year cycle.
const DAYS_PER_ERA: i64 = 146_097;
/// The C `struct tm` counts years from this one.
pub const TM_YEAR_BASE: i64 = 1900;

/// A broken-down time, as `struct tm` holds it (month 1-12, second 0-60).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// Years since 1900 (`tm_year`), always within a C `int`.
    pub tm_year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

/// Is `year` a Gregorian leap year?
pub fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31) (Hinnant's days-to-civil).
fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = days + DAYS_0000_03_01_TO_EPOCH;
    let era = z.div_euclid(DAYS_PER_ERA);
    let doe = z.rem_euclid(DAYS_PER_ERA);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Unix time of January 1st, 00:00:00 UTC, of `year`.
pub fn year_start(year: i64) -> i64 {
    let y = year - 1;
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    // 306 days from March 1st to January 1st of the next year.
    let doe = 365 * yoe + yoe / 4 - yoe / 100 + 306;
    (era * DAYS_PER_ERA + doe - DAYS_0000_03_01_TO_EPOCH) * SECS_PER_DAY
}

/// The broken-down form of Unix time `t` shifted by `offset` seconds (east of UTC), or
/// `None` when its year is out of the C library's range.
pub fn breakdown(t: i64, offset: i64) -> Option<Civil> {
    let mut days = t / SECS_PER_DAY;
    let mut rem = t % SECS_PER_DAY + offset;
    days += rem.div_euclid(SECS_PER_DAY);
    rem = rem.rem_euclid(SECS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    let tm_year = i32::try_from(year - TM_YEAR_BASE).ok()?;
    Some(Civil {
        tm_year,
        month,
        day,
        hour: (rem / 3600) as u8,
        minute: (rem / 60 % 60) as u8,
        second: (rem % 60) as u8,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn civil(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Civil {
        Civil {
            tm_year: year - 1900,
            month,
            day,
            hour,
            minute,
            second,
        }
    }

    #[test]
    fn known_moments() {
        let cases = [
            (0, 0, civil(1970, 1, 1, 0, 0, 0)),
            (-1, 0, civil(1969, 12, 31, 23, 59, 59)),
            (-11, 0, civil(1969, 12, 31, 23, 59, 49)),
            (951_782_400, 0, civil(2000, 2, 29, 0, 0, 0)),
            (1_795_410_515, 0, civil(2026, 11, 23, 5, 8, 35)),
            (935_467_445, 19_800, civil(1999, 8, 24, 9, 34, 5)),
            (4_294_967_295, 0, civil(2106, 2, 7, 6, 28, 15)),
            (-5_364_662_400, 0, civil(1800, 1, 1, 0, 0, 0)),
            (-62_167_219_200, 0, civil(0, 1, 1, 0, 0, 0)),
            (-62_167_219_201, 0, civil(-1, 12, 31, 23, 59, 59)),
            (59, -60, civil(1969, 12, 31, 23, 59, 59)),
        ];
        for (t, offset, want) in cases {
            assert_eq!(breakdown(t, offset), Some(want), "t={t} offset={offset}");
        }
    }

    #[test]
    fn year_range_is_a_c_int_after_1900() {
        // 67768036191676799 is 2147485547-12-31 23:59:59, the last second glibc accepts.
        let last = breakdown(67_768_036_191_676_799, 0).unwrap();
        assert_eq!(last.tm_year, i32::MAX);
        assert_eq!(breakdown(67_768_036_191_676_800, 0), None);
        let first = breakdown(-67_768_040_609_740_800, 0).unwrap();
        assert_eq!((first.tm_year, first.month, first.day), (i32::MIN, 1, 1));
        assert_eq!(breakdown(-67_768_040_609_740_801, 0), None);
        assert_eq!(breakdown(i64::MIN, 0), None);
        assert_eq!(breakdown(i64::MAX, 0), None);
    }

    #[test]
    fn year_starts() {
        assert_eq!(year_start(1970), 0);
        assert_eq!(year_start(2026), 1_767_225_600);
        assert_eq!(year_start(1969), -31_536_000);
        assert_eq!(year_start(0), -62_167_219_200);
        assert_eq!(year_start(2_147_485_548), 67_768_036_191_676_800);
    }

    #[test]
    fn leap_years() {
        assert!(is_leap(2000) && is_leap(2024) && is_leap(-4) && is_leap(0));
        assert!(!is_leap(1900) && !is_leap(2023) && !is_leap(-1));
    }
}
