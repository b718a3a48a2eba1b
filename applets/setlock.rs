//! setlock: not built yet.

use crate::exit;
use std::ffi::CStr;

/// Entry point.
pub fn main(_args: &[&CStr]) -> u8 {
    exit::die("setlock", &[b"not built yet"], exit::TEMP)
}
