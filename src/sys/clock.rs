//! Clocks: wall-clock time for labels and status stamps, monotonic time for deadlines.

use rustix::time::{ClockId, clock_gettime};
use std::time::Duration;

/// clock_gettime(CLOCK_REALTIME): seconds and nanoseconds since the Unix epoch.
pub fn realtime() -> (i64, u32) {
    let ts = clock_gettime(ClockId::Realtime);
    (ts.tv_sec, ts.tv_nsec as u32)
}

/// clock_gettime(CLOCK_MONOTONIC) as a duration since an arbitrary origin.
pub fn monotonic() -> Duration {
    let ts = clock_gettime(ClockId::Monotonic);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
