//! tai64nlocal: turns the TAI64N label at the start of each line into local time
//! (spec: multilog.md §1, §3).
//!
//! `tai64nlocal` (arguments ignored, no messages). Exit 0 at end of input, 111 if reading
//! stdin or writing stdout fails. A line starting with `@` has its label (lowercase hex
//! digits, any number) replaced by `YYYY-MM-DD HH:MM:SS.NNNNNNNNN` in the zone of `TZ` or
//! `/etc/localtime`; the byte that ended the label and the rest of the line follow
//! unchanged. Other lines pass through. A label cut short by the end of input prints
//! nothing.
//!
//! Deviation (spec README §12 item 17): where daemontools crashes because the label names
//! a time the C library cannot break down (`@` alone, too few digits, uppercase hex, a
//! label running into hex letters), the line is copied unchanged and work goes on.
//!
//! The zone is read once at start; each stretch of time with one offset is remembered so
//! that consecutive labels cost no zone lookup. A label's digits are held until the byte
//! after them arrives (the line may have to be copied unchanged), the last
//! [`LABEL_DIGITS_MAX`] of them only, so memory never grows with the input: a longer run
//! converts as the reference converts it (leading digits fall off), and one that names no
//! time is copied with only its last [`LABEL_DIGITS_MAX`] digits.

use crate::buffer;
use crate::exit;
use crate::format::lines::{self, Stage};
use crate::format::tai::{self, Digits, NANOS_MAX, SECONDS_MAX};
use crate::format::tzif::{Local, Zone};
use crate::sys::localtime;
use std::ffi::CStr;

/// Bytes asked for per read; the output for each chunk is written at once.
const INPUT_CHUNK: usize = 64 * 1024;

/// Digits of a label held (24 make a TAI64N label; earlier ones fall off the top anyway).
const LABEL_DIGITS_MAX: usize = 4096;

/// Where the filter stands between two bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// The next byte starts a line.
    LineStart,
    /// Inside a line's label digits.
    Label,
    /// Copying the rest of a line.
    Copy,
}

/// The conversion state carried from one chunk of input to the next.
pub(crate) struct Filter {
    zone: Zone,
    /// The zone for the first label only, where it differs (see `localtime::zone`).
    first_zone: Option<Zone>,
    /// The stretch of time whose offset was looked up last.
    cached: Option<Local>,
    state: State,
    digits: Digits,
    /// Digits of the current label that arrived in earlier chunks.
    carried: Vec<u8>,
    /// The Unix second rendered last, and its rendering (`YYYY-MM-DD HH:MM:SS.`).
    seconds: Option<(i64, usize, [u8; SECONDS_MAX])>,
}

impl Filter {
    /// Renders the seconds of Unix time `t`, or `None` if the zone cannot place it.
    fn render_seconds(&mut self, t: i64) -> Option<(usize, [u8; SECONDS_MAX])> {
        let mut text = [0; SECONDS_MAX];
        if let Some(first) = &self.first_zone {
            // Not remembered: later labels of the same second use the other zone.
            let civil = first.local(t).and_then(|local| local.breakdown(t));
            self.first_zone = None;
            return civil.map(|civil| (tai::render_seconds(&civil, &mut text), text));
        }
        if let Some((last, len, text)) = self.seconds
            && last == t
        {
            return Some((len, text));
        }
        let local = match self.cached {
            Some(local) if local.start <= t && t < local.end => local,
            _ => {
                let local = self.zone.local(t)?;
                self.cached = Some(local);
                local
            }
        };
        let len = tai::render_seconds(&local.breakdown(t)?, &mut text);
        self.seconds = Some((t, len, text));
        Some((len, text))
    }

    /// Ends the label whose last digits are `digits`; the rest of the line is copied next.
    fn finish_label(&mut self, digits: &[u8], out: &mut Stage) {
        let stamp = self.digits.stamp();
        match self.render_seconds(stamp.unix_secs()) {
            Some((len, seconds)) => {
                let mut text = [0; SECONDS_MAX + NANOS_MAX];
                text[..SECONDS_MAX].copy_from_slice(&seconds);
                let nanos = (&mut text[len..len + NANOS_MAX]).try_into();
                let nanos_len = nanos.map_or(0, |nanos| tai::render_nanos(stamp.nanos, nanos));
                out.put(&text[..len + nanos_len]);
            }
            None => {
                // At most the last LABEL_DIGITS_MAX digits, however the run was read.
                let over = (self.carried.len() + digits.len()).saturating_sub(LABEL_DIGITS_MAX);
                let carried_over = over.min(self.carried.len());
                out.push(b'@');
                out.put(&self.carried[carried_over..]);
                out.put(&digits[over - carried_over..]);
            }
        }
        self.carried.clear();
        self.state = State::Copy;
    }

    /// Converts one chunk of input.
    pub(crate) fn feed(&mut self, mut rest: &[u8], out: &mut Stage) {
        while let Some(&first) = rest.first() {
            match self.state {
                State::LineStart if first == b'@' => {
                    self.state = State::Label;
                    self.digits = Digits::default();
                    rest = &rest[1..];
                }
                State::LineStart | State::Copy => {
                    let end = lines::find_newline(rest);
                    let (line, tail) = rest.split_at(end.map_or(rest.len(), |i| i + 1));
                    out.put(line);
                    self.state = if end.is_some() {
                        State::LineStart
                    } else {
                        State::Copy
                    };
                    rest = tail;
                }
                State::Label => {
                    let n = self.digits.scan(rest);
                    let (digits, tail) = rest.split_at(n);
                    if tail.is_empty() {
                        self.carried.extend_from_slice(digits);
                        let over = self.carried.len().saturating_sub(LABEL_DIGITS_MAX);
                        self.carried.drain(..over);
                    } else {
                        self.finish_label(digits, out);
                    }
                    rest = tail;
                }
            }
        }
    }
}

impl Filter {
    pub(crate) fn new((zone, first_zone): (Zone, Option<Zone>)) -> Self {
        Filter {
            zone,
            first_zone,
            cached: None,
            state: State::LineStart,
            digits: Digits::default(),
            carried: Vec::new(),
            seconds: None,
        }
    }
}

/// Entry point.
pub fn main(_args: &[&CStr]) -> u8 {
    let mut filter = Filter::new(localtime::zone());
    let done = buffer::filter(INPUT_CHUNK, |input, stage| filter.feed(input, stage));
    // 0.76 exits 111 without a word when a read or a write fails.
    done.map_or(exit::TEMP, |()| exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    const INPUT: &[u8] = b"@400000006b03ca5d13621ad4 hello\nplain\n@zz bad\n\n\
        @400000006b03ca5d13621ad4\n @4000 not at start\n@4000000037c219bf2ef02e94\tend";
    const OUTPUT: &[u8] = b"2026-11-23 05:08:35.325196500 hello\nplain\n@zz bad\n\n\
        2026-11-23 05:08:35.325196500\n @4000 not at start\n1999-08-24 04:04:05.787492500\tend";

    fn convert(pieces: &[&[u8]]) -> Vec<u8> {
        let mut filter = Filter::new((Zone::UTC, None));
        let mut stage = Stage::new(16);
        for piece in pieces {
            filter.feed(piece, &mut stage);
        }
        stage.as_slice().to_vec()
    }

    #[test]
    fn whole_input() {
        assert_eq!(convert(&[INPUT]), OUTPUT);
    }

    #[test]
    fn every_split_between_reads() {
        for at in 0..=INPUT.len() {
            let (head, tail) = INPUT.split_at(at);
            assert_eq!(convert(&[head, tail]), OUTPUT, "split at {at}");
        }
    }

    #[test]
    fn one_byte_per_read() {
        let bytes: Vec<&[u8]> = INPUT.chunks(1).collect();
        assert_eq!(convert(&bytes), OUTPUT);
    }

    #[test]
    fn a_label_cut_by_the_end_of_input_prints_nothing() {
        assert_eq!(convert(&[b"x\n@400000006b03", b"ca5d13621ad4"]), b"x\n");
    }

    #[test]
    fn long_digit_runs_are_held_only_in_part() {
        let mut input = b"@".to_vec();
        input.extend(std::iter::repeat_n(b'0', 3 * LABEL_DIGITS_MAX));
        input.extend_from_slice(b"400000006b03ca5d13621ad4 x\n@");
        input.extend(std::iter::repeat_n(b'f', 3 * LABEL_DIGITS_MAX));
        input.extend_from_slice(b" y\n");
        let mut want = b"2026-11-23 05:08:35.325196500 x\n@".to_vec();
        want.extend(std::iter::repeat_n(b'f', LABEL_DIGITS_MAX));
        want.extend_from_slice(b" y\n");
        let mut filter = Filter::new((Zone::UTC, None));
        let mut stage = Stage::new(16);
        for piece in input.chunks(100) {
            filter.feed(piece, &mut stage);
            assert!(filter.carried.len() <= LABEL_DIGITS_MAX);
        }
        assert_eq!(stage.as_slice(), &want[..]);
        assert_eq!(convert(&[&input]), want);
    }
}
