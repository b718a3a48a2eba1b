//! readproctitle: show the most recent bytes of stdin in the process's own command line.
//!
//! `readproctitle args... D`: the last argument `D` is the display area. It is filled with
//! dots at once (all its bytes); then every non-NUL input byte shifts the area left by one and
//! lands at its end, the first three bytes staying `...` (window = length - 3). The area is
//! the real argument memory, so `ps` and /proc/PID/cmdline show it. Nothing is ever printed.
//!
//! Exit codes: 0 at end of input; 100 (silent) with no argument or when `D` is shorter than
//! 5 bytes; 111 (silent) on a read error.

use crate::exit;
use crate::sys;
use std::ffi::CStr;

/// Bytes at the start of the area that always stay dots.
const KEPT_DOTS: usize = 3;
/// The shortest usable area.
const MIN_AREA: usize = 5;
/// Input bytes taken per read.
const READ_SIZE: usize = 1024;

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let [_, .., area] = args else {
        return exit::USAGE;
    };
    let mut title = vec![b'.'; area.to_bytes().len()];
    show(area, &title);
    if title.len() < MIN_AREA {
        return exit::USAGE;
    }
    let mut input = [0u8; READ_SIZE];
    loop {
        match sys::fd::read(sys::fd::stdin(), &mut input) {
            Ok(0) => return exit::OK,
            Ok(n) => {
                push_input(&mut title, &input[..n]);
                show(area, &title);
            }
            Err(_) => return exit::TEMP,
        }
    }
}

fn show(area: &CStr, title: &[u8]) {
    // SAFETY: `area` comes straight from the process's argv (see `sys::args`), and `title`
    // never holds a NUL, so the string keeps its length.
    unsafe { sys::args::overwrite_in_place(area, title) }
}

/// Appends the non-NUL bytes of `input` to the window after the kept dots, dropping the
/// oldest bytes so the length stays the same.
fn push_input(title: &mut [u8], input: &[u8]) {
    let fresh: Vec<u8> = input.iter().copied().filter(|&b| b != 0).collect();
    let window = &mut title[KEPT_DOTS..];
    let take = fresh.len().min(window.len());
    window.rotate_left(take);
    let end = window.len();
    window[end - take..].copy_from_slice(&fresh[fresh.len() - take..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_from_the_spec() {
        let mut title = vec![b'.'; 20];
        push_input(&mut title, b"hello\n");
        assert_eq!(title, b"..............hello\n");
        push_input(&mut title, b"abcdefghijklmnopqrstuvwxyz0123");
        assert_eq!(title, b"...nopqrstuvwxyz0123");
        push_input(&mut title, b"\0\0Z");
        assert_eq!(title, b"...opqrstuvwxyz0123Z");
    }

    #[test]
    fn smallest_area_keeps_two_bytes() {
        let mut title = vec![b'.'; MIN_AREA];
        push_input(&mut title, b"xyz");
        assert_eq!(title, b"...yz");
        push_input(&mut title, b"");
        assert_eq!(title, b"...yz");
    }
}
