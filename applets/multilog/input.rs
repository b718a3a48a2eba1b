//! Where multilog's bytes come from, and when they may leave the input.
//!
//! When stdin is a pipe (as under svscan, which holds both of its ends), input is read
//! without being consumed: `tee` copies the front of the pipe into a private pipe, the copy
//! is read, routed and written, and only then are as many bytes dropped from the input
//! (`splice` to /dev/null) as are in files now. A SIGKILL at any moment leaves every byte
//! not yet written in the input pipe for the next multilog: nothing is lost, and at most
//! the chunk being written (64 KiB) is written twice. Bytes routed but held undecided (the
//! start of a line that patterns, `e` or `=` must see whole) stay in the pipe as well; the
//! next chunk is copied from the front again and those bytes are skipped ([`Input::held`]).
//!
//! Any other stdin (a file, a socket, a terminal) is read as before: what is read is gone.
//!
//! Since nothing leaves the pipe until it is written, the writer could only go on while a
//! chunk is written if the pipe had room to spare, so its capacity is raised to
//! [`PIPE_CAPACITY`] (the pipe is shared with svscan, which keeps it: more room for a
//! logger that is down, never less).

use crate::sys::{self, Errno, OwnedFd};

/// Capacity the input pipe is raised to (where the system allows): room for the writer to
/// go on writing while multilog writes the chunk it copied out (up to 64 KiB), instead of
/// waiting for it to be consumed.
const PIPE_CAPACITY: usize = 256 * 1024;
/// Where unconsumed bytes are dropped once written.
const DISCARD: &[u8] = b"/dev/null";

/// Bytes read at a time to drop them where /dev/null cannot be had.
const SCRATCH: usize = 4096;

/// What a fill found.
#[derive(Debug, PartialEq, Eq)]
pub enum Fill {
    /// New bytes follow the held ones in the buffer.
    New,
    /// End of input: no writer is left and nothing new is there.
    End,
    /// Nothing new yet.
    Nothing,
}

/// stdin, read either plainly or without consuming.
pub struct Input {
    peek: Option<Peek>,
}

/// The private pipe `tee` copies into, and where consumed bytes go.
struct Peek {
    read: OwnedFd,
    write: OwnedFd,
    /// /dev/null, or `None` where it cannot be opened (bytes are then read to drop them).
    discard: Option<OwnedFd>,
    /// Bytes at the front of stdin that were routed but are still held undecided.
    held: usize,
}

impl Input {
    /// Reads stdin without consuming it if it is a pipe and a private pipe can be made.
    pub fn new() -> Input {
        let stdin = sys::fd::stdin();
        let is_pipe = sys::pipe::is_pipe(stdin);
        if is_pipe {
            sys::pipe::grow(stdin, PIPE_CAPACITY);
        }
        let peek = is_pipe
            .then(sys::fd::pipe)
            .and_then(Result::ok)
            .map(|(read, write)| Peek {
                read,
                write,
                discard: sys::fd::open_write(DISCARD).ok(),
                held: 0,
            });
        Input { peek }
    }

    /// Input bytes at the front of the buffer of the last fill that were routed before.
    pub fn held(&self) -> usize {
        self.peek.as_ref().map_or(0, |p| p.held)
    }

    /// While bytes are held (stdin stays readable): is there more than those, or has the
    /// input ended? Polling cannot tell, so callers ask this now and then.
    pub fn has_more(&self) -> bool {
        let held = self.held();
        sys::pipe::queued(sys::fd::stdin()).is_ok_and(|n| n > held) || hung_up()
    }

    /// Fills `buf` (empty, with spare capacity) from the front of the input: the held
    /// bytes first, then new ones. `one_byte`: a plain read takes a single byte, so that
    /// nothing past the line in hand leaves the input (a copy may take more: only what is
    /// then consumed leaves).
    pub fn fill(&mut self, buf: &mut Vec<u8>, one_byte: bool) -> sys::Result<Fill> {
        let stdin = sys::fd::stdin();
        let Some(peek) = &mut self.peek else {
            let read = if one_byte {
                let mut byte = [0u8; 1];
                let n = sys::fd::read(stdin, &mut byte);
                buf.extend_from_slice(&byte[..*n.as_ref().unwrap_or(&0)]);
                n
            } else {
                sys::fd::read_spare(stdin, buf)
            };
            return match read {
                Ok(0) => Ok(Fill::End),
                Ok(_) => Ok(Fill::New),
                Err(Errno::AGAIN) => Ok(Fill::Nothing),
                Err(e) => Err(e),
            };
        };
        let copied = match sys::pipe::tee(stdin, &peek.write, buf.capacity()) {
            Ok(n) => n,
            Err(Errno::AGAIN) => return Ok(Fill::Nothing),
            Err(e) => return Err(e),
        };
        while buf.len() < copied {
            if sys::fd::read_spare(&peek.read, buf)? == 0 {
                return Err(Errno::IO);
            }
        }
        if copied < peek.held {
            // Another reader took bytes from the front: start over from what is there.
            peek.held = 0;
        }
        Ok(match copied {
            0 => Fill::End,
            n if n > peek.held => Fill::New,
            _ if hung_up() => Fill::End,
            _ => Fill::Nothing,
        })
    }

    /// The first `written` bytes of the last fill are in files (or were dropped on
    /// purpose) and `held` after them are still held: drops the written ones from stdin.
    pub fn consume(&mut self, written: usize, held: usize) -> sys::Result<()> {
        let Some(peek) = &mut self.peek else {
            return Ok(());
        };
        peek.held = held;
        let stdin = sys::fd::stdin();
        let mut left = written;
        let mut scratch = [0u8; SCRATCH];
        while left > 0 {
            let n = match &peek.discard {
                Some(null) => match sys::pipe::splice(stdin, null, left) {
                    Ok(n) => n,
                    // Drop them by reading from now on.
                    Err(_) => {
                        peek.discard = None;
                        continue;
                    }
                },
                None => sys::fd::read(stdin, &mut scratch[..left.min(SCRATCH)])?,
            };
            if n == 0 {
                return Err(Errno::IO);
            }
            left -= n;
        }
        Ok(())
    }
}

/// Has every writer of stdin gone?
fn hung_up() -> bool {
    use sys::poll::{PollFd, PollFlags};
    let stdin = sys::fd::stdin();
    let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
    sys::poll::poll(&mut fds, Some(std::time::Duration::ZERO)).is_ok()
        && fds[0].revents().contains(PollFlags::HUP)
}
