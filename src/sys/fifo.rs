//! Named pipes (supervise/control and supervise/ok).

use super::Result;
use rustix::fs::{CWD, FileType, Mode};

/// Mode of the FIFOs supervise creates.
pub const FIFO_MODE: u32 = 0o600;

/// mknod(path, S_IFIFO|0600); EEXIST is reported like any other error.
pub fn mkfifo(path: &[u8]) -> Result<()> {
    rustix::fs::mknodat(CWD, path, FileType::Fifo, Mode::from_raw_mode(FIFO_MODE), 0)
}
