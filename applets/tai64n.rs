//! tai64n: puts a TAI64N label and a space in front of every line (spec: multilog.md §2).
//!
//! `tai64n` (arguments ignored, no messages). Exit 0 at end of input, 111 if reading stdin
//! or writing stdout fails. Bytes pass through unchanged; a last line without a newline is
//! labelled and left without one; empty input gives empty output.
//!
//! Each label is taken when the first byte of its line is handled. Output is flushed before
//! every read, so lines from a slow writer come out at once, while a fast writer's lines
//! travel in large chunks.
//!
//! Resolution (spec README §12 item 9): labels carry the clock's full nanoseconds, where
//! daemontools wrote `microseconds * 1000 + 500`. Every reader of labels (tai64nlocal,
//! multilog's file names, s6 and runit tools) takes any nanosecond value, and finer labels
//! keep lines read in one chunk in order; the 10-second TAI offset is kept as it was.

use crate::buffer;
use crate::exit;
use crate::format::lines::{self, Stage};
use crate::format::tai::{LabelWriter, Stamp};
use crate::sys::clock;
use std::ffi::CStr;

/// Bytes asked for per read; the output for each chunk is written at once.
const INPUT_CHUNK: usize = 64 * 1024;

/// Labels the lines in `input`; `line_start` says whether its first byte starts a line.
fn label_lines(
    mut input: &[u8],
    line_start: &mut bool,
    labels: &mut LabelWriter,
    stage: &mut Stage,
) {
    while !input.is_empty() {
        if *line_start {
            let (secs, nanos) = clock::realtime();
            stage.put(labels.label(Stamp::from_unix(secs, nanos)));
            stage.push(b' ');
        }
        let end = lines::find_newline(input);
        *line_start = end.is_some();
        let (line, rest) = input.split_at(end.map_or(input.len(), |i| i + 1));
        stage.put(line);
        input = rest;
    }
}

/// Entry point.
pub fn main(_args: &[&CStr]) -> u8 {
    let mut line_start = true;
    let mut labels = LabelWriter::new();
    let done = buffer::filter(INPUT_CHUNK, |input, stage| {
        label_lines(input, &mut line_start, &mut labels, stage)
    });
    // 0.76 exits 111 without a word when a read or a write fails.
    done.map_or(exit::TEMP, |()| exit::OK)
}
