//! tai64n: not built yet.

use crate::exit;
use std::ffi::CStr;

/// Entry point.
pub fn main(_args: &[&CStr]) -> u8 {
    exit::die("tai64n", &[b"not built yet"], exit::TEMP)
}
