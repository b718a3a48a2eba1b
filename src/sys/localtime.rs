//! The local time zone, found the way the GNU C library finds it (and with no NSS).
//!
//! `TZ` unset: `/etc/localtime`. `TZ` empty: `Universal`. A leading `:` is dropped. A name
//! not starting with `/` is looked up under `$TZDIR` (default `/usr/share/zoneinfo`). If no
//! usable TZif file is there, the value is read as a POSIX rule string, except that a
//! missing `/etc/localtime` means UTC; a rule string naming daylight time without rules
//! borrows the transitions of the `posixrules` zone, moved to its own offsets. The zone is read once; callers keep it. A file over
//! 1 MiB is not read to its end (nor taken for a zone).

use super::{env, fd};
use crate::format::tzif::{Tzif, Zone};
use crate::format::tzrule::Rules;

/// Used when `TZ` is unset, and compared against to decide that a missing file means UTC.
const DEFAULT_ZONE: &[u8] = b"/etc/localtime";
/// What an empty `TZ` names.
const EMPTY_TZ_ZONE: &[u8] = b"Universal";
/// The zone whose transitions a rule string without rules borrows (`CET-1CEST`).
const DEFAULT_RULES_ZONE: &[u8] = b"posixrules";
/// The daylight offset the C library measures borrowed transitions against on its first
/// conversion (see `Tzif::with_offsets`).
const FIRST_DST_BEFORE: i64 = 0;
/// Where relative zone names are looked up when `TZDIR` is unset or empty.
const DEFAULT_TZDIR: &[u8] = b"/usr/share/zoneinfo";

/// No zone file comes near this size (the largest have a few thousand transitions); a
/// longer file, or an endless one such as `TZ=/dev/zero`, is not a zone.
const ZONE_FILE_MAX: usize = 1 << 20;

/// Reads the local time zone (getenv TZ and TZDIR, then open and read the TZif files).
///
/// The second zone, when there is one, is for the very first conversion only: the C
/// library places that one differently for a rule string without rules (`CET-1CEST`).
pub fn zone() -> (Zone, Option<Zone>) {
    let tz = env::get(b"TZ");
    let name = match tz.as_deref() {
        None => DEFAULT_ZONE,
        Some(b"") => EMPTY_TZ_ZONE,
        Some(value) => value.strip_prefix(b":").unwrap_or(value),
    };
    if name.is_empty() {
        return (Zone::UTC, None);
    }
    if let Some(tzif) = read_zone(name) {
        return (Zone::File(tzif), None);
    }
    if name == DEFAULT_ZONE {
        return (Zone::UTC, None);
    }
    let rules = Rules::parse(name);
    let borrowed = rules.offsets_without_rules().and_then(|(std, dst)| {
        let tzif = read_zone(DEFAULT_RULES_ZONE)?;
        let later = tzif.with_offsets(std, dst, dst)?;
        let first = tzif.with_offsets(std, dst, FIRST_DST_BEFORE)?;
        Some((Zone::File(later), Some(Zone::File(first))))
    });
    borrowed.unwrap_or((Zone::Rules(rules), None))
}

/// Reads the TZif file `name` names (relative names under `$TZDIR`).
fn read_zone(name: &[u8]) -> Option<Tzif> {
    let path = if name.starts_with(b"/") {
        name.to_vec()
    } else {
        let dir = env::get(b"TZDIR").filter(|d| !d.is_empty());
        let mut path = dir.unwrap_or_else(|| DEFAULT_TZDIR.to_vec());
        path.push(b'/');
        path.extend_from_slice(name);
        path
    };
    Tzif::parse(&fd::read_file_max(&path, ZONE_FILE_MAX).ok()?)
}
