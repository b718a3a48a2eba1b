//! tai64nlocal: not built yet.

use crate::exit;
use std::ffi::CStr;

/// Entry point.
pub fn main(_args: &[&CStr]) -> u8 {
    exit::die("tai64nlocal", &[b"not built yet"], exit::TEMP)
}
