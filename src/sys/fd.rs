//! Opening, reading, writing and arranging file descriptors.
//!
//! The open helpers mirror daemontools' `open_*` family (README §9 of the spec): all of them
//! add `O_NONBLOCK` and `O_CLOEXEC`; the creation modes are fixed by the helper.

use super::Result;
use rustix::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use std::mem::ManuallyDrop;

/// Creation mode of the "append" helper (locks, multilog `current`, setlock).
pub const MODE_APPEND: u32 = 0o600;
/// Creation mode of the "trunc" helper (status.new, multilog state files).
pub const MODE_TRUNC: u32 = 0o644;

/// Descriptor 0, whether or not it is open.
pub fn stdin() -> BorrowedFd<'static> {
    // SAFETY: a descriptor number is only borrowed; if 0 is closed, calls fail with EBADF.
    unsafe { BorrowedFd::borrow_raw(0) }
}

/// Descriptor 1, whether or not it is open.
pub fn stdout() -> BorrowedFd<'static> {
    // SAFETY: as for `stdin`.
    unsafe { BorrowedFd::borrow_raw(1) }
}

/// Descriptor 2, whether or not it is open.
pub fn stderr() -> BorrowedFd<'static> {
    // SAFETY: as for `stdin`.
    unsafe { BorrowedFd::borrow_raw(2) }
}

fn open(path: &[u8], flags: OFlags, mode: u32) -> Result<OwnedFd> {
    loop {
        match rustix::fs::open(
            path,
            flags | OFlags::NONBLOCK | OFlags::CLOEXEC,
            Mode::from_raw_mode(mode),
        ) {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// open(O_RDONLY|O_NONBLOCK): directories, FIFOs, files to read.
pub fn open_read(path: &[u8]) -> Result<OwnedFd> {
    open(path, OFlags::RDONLY, 0)
}

/// openat(dir, name, O_RDONLY|O_NOFOLLOW|O_NONBLOCK): a file inside an open directory,
/// never through a symbolic link.
pub fn open_read_at(dir: impl AsFd, name: &[u8]) -> Result<OwnedFd> {
    rustix::fs::openat(
        dir,
        name,
        OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// open(O_WRONLY|O_NONBLOCK): FIFOs (fails with ENXIO when nobody reads) and existing files.
pub fn open_write(path: &[u8]) -> Result<OwnedFd> {
    open(path, OFlags::WRONLY, 0)
}

/// open(O_WRONLY|O_APPEND|O_CREAT|O_NONBLOCK, 0600): lock files and append-only logs.
pub fn open_append(path: &[u8]) -> Result<OwnedFd> {
    open(
        path,
        OFlags::WRONLY | OFlags::APPEND | OFlags::CREATE,
        MODE_APPEND,
    )
}

/// open(O_WRONLY|O_TRUNC|O_CREAT|O_NONBLOCK, 0644): files rewritten whole.
pub fn open_trunc(path: &[u8]) -> Result<OwnedFd> {
    open(
        path,
        OFlags::WRONLY | OFlags::TRUNC | OFlags::CREATE,
        MODE_TRUNC,
    )
}

/// read(2), retrying EINTR. Returns 0 at end of file.
pub fn read(fd: impl AsFd, buf: &mut [u8]) -> Result<usize> {
    loop {
        match rustix::io::read(fd.as_fd(), &mut *buf) {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// write(2) once, retrying EINTR; may write less than asked.
pub fn write(fd: impl AsFd, buf: &[u8]) -> Result<usize> {
    loop {
        match rustix::io::write(fd.as_fd(), buf) {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// write(2) until every byte is written (a write of 0 bytes counts as EIO... never loops).
pub fn write_all(fd: impl AsFd, mut buf: &[u8]) -> Result<()> {
    let fd = fd.as_fd();
    while !buf.is_empty() {
        match write(fd, buf)? {
            0 => return Err(Errno::IO),
            n => buf = &buf[n..],
        }
    }
    Ok(())
}

/// Reads the whole file at `path` (open_read, then read until EOF).
pub fn read_file(path: &[u8]) -> Result<Vec<u8>> {
    let fd = open_read(path)?;
    set_nonblock(&fd, false)?;
    read_to_end(&fd)
}

/// Reads the whole file at `path` unless it is longer than `max` bytes (EFBIG then, after
/// reading `max + 1`): for files that must be held whole but never grow without bound
/// (`/dev/zero`, a huge file).
pub fn read_file_max(path: &[u8], max: usize) -> Result<Vec<u8>> {
    let file = open_read(path)?;
    set_nonblock(&file, false)?;
    let mut data = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match read(&file, &mut chunk)? {
            0 => return Ok(data),
            n if data.len() + n > max => return Err(Errno::FBIG),
            n => data.extend_from_slice(&chunk[..n]),
        }
    }
}

/// read(2) until end of file, in reads as large as the file (fstat(2) gives the size of
/// a regular file; other descriptors start at 8 KiB and double).
pub fn read_to_end(fd: impl AsFd) -> Result<Vec<u8>> {
    const FIRST_READ: usize = 8192;
    let fd = fd.as_fd();
    let hint = usize::try_from(size(fd).unwrap_or(0)).unwrap_or(0);
    // One byte more than the file, so that the read finding its end needs no growth.
    let mut data = Vec::with_capacity(hint.saturating_add(1).max(FIRST_READ));
    loop {
        if data.len() == data.capacity() {
            data.reserve(data.capacity());
        }
        if read_spare(fd, &mut data)? == 0 {
            return Ok(data);
        }
    }
}

/// pipe2(O_CLOEXEC): (read end, write end).
pub fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
}

/// fcntl(F_SETFD): sets or clears close-on-exec.
pub fn set_cloexec(fd: impl AsFd, on: bool) -> Result<()> {
    let flags = if on {
        rustix::io::FdFlags::CLOEXEC
    } else {
        rustix::io::FdFlags::empty()
    };
    rustix::io::fcntl_setfd(fd, flags)
}

/// fcntl(F_SETFL): sets or clears O_NONBLOCK, keeping the other status flags.
pub fn set_nonblock(fd: impl AsFd, on: bool) -> Result<()> {
    let fd = fd.as_fd();
    let mut flags = rustix::fs::fcntl_getfl(fd)?;
    flags.set(OFlags::NONBLOCK, on);
    rustix::fs::fcntl_setfl(fd, flags)
}

/// dup2(fd, target): makes `target` (0, 1, 2, ...) a copy of `fd`, without close-on-exec.
/// A no-op apart from clearing close-on-exec when they are already the same number.
pub fn dup_to(fd: impl AsFd, target: RawFd) -> Result<()> {
    use rustix::fd::{AsRawFd, FromRawFd};
    let fd = fd.as_fd();
    if fd.as_raw_fd() == target {
        return set_cloexec(fd, false);
    }
    // SAFETY: `target` is only named so dup2 can replace it; ManuallyDrop keeps us from
    // closing it, so ownership stays with whoever owned that number before.
    let mut new = ManuallyDrop::new(unsafe { OwnedFd::from_raw_fd(target) });
    rustix::io::dup2(fd, &mut new)
}

/// close_range(first, last, CLOSE_RANGE_CLOEXEC): every open descriptor in the range
/// is closed at the next exec. Where the kernel lacks it (before 5.11), the open
/// descriptors are read from /proc/self/fd and marked one by one.
pub fn cloexec_range(first: RawFd, last: RawFd) -> Result<()> {
    const CLOSE_RANGE_CLOEXEC: libc::c_uint = 1 << 2;
    // SAFETY: close_range takes plain integers.
    let ret = unsafe {
        libc::syscall(
            libc::SYS_close_range,
            first as libc::c_uint,
            last as libc::c_uint,
            CLOSE_RANGE_CLOEXEC,
        )
    };
    if ret == 0 {
        return Ok(());
    }
    for name in super::dir::names(b"/proc/self/fd")? {
        let Some(n) = std::str::from_utf8(&name)
            .ok()
            .and_then(|n| n.parse::<RawFd>().ok())
        else {
            continue;
        };
        if (first..=last).contains(&n) {
            // SAFETY: the number is only borrowed for one fcntl; a descriptor that was the
            // directory listing itself is gone by now and gives EBADF, which is ignored.
            let _ = set_cloexec(unsafe { BorrowedFd::borrow_raw(n) }, true);
        }
    }
    Ok(())
}

/// memfd_create(name, MFD_CLOEXEC), then `bytes` written and the offset back at 0: an
/// anonymous file to hand to a child (no file system needed).
pub fn memfd_with(name: &[u8], bytes: &[u8]) -> Result<OwnedFd> {
    let fd = rustix::fs::memfd_create(name, rustix::fs::MemfdFlags::CLOEXEC)?;
    write_all(&fd, bytes)?;
    rewind(&fd)?;
    Ok(fd)
}

/// fcntl(F_DUPFD_CLOEXEC, 0): a close-on-exec copy at the lowest free number.
pub fn dup(fd: impl AsFd) -> Result<OwnedFd> {
    rustix::io::fcntl_dupfd_cloexec(fd, 0)
}

/// The descriptor's number.
pub fn number(fd: impl AsFd) -> RawFd {
    use rustix::fd::AsRawFd;
    fd.as_fd().as_raw_fd()
}

/// fsync(2).
pub fn fsync(fd: impl AsFd) -> Result<()> {
    rustix::fs::fsync(fd)
}

/// fchmod(2).
pub fn fchmod(fd: impl AsFd, mode: u32) -> Result<()> {
    rustix::fs::fchmod(fd, Mode::from_raw_mode(mode))
}

/// fstat(2): the size in bytes.
pub fn size(fd: impl AsFd) -> Result<u64> {
    Ok(rustix::fs::fstat(fd)?.st_size as u64)
}

/// lseek(fd, 0, SEEK_SET).
pub fn rewind(fd: impl AsFd) -> Result<()> {
    rustix::fs::seek(fd, rustix::fs::SeekFrom::Start(0)).map(drop)
}

/// read(2) into the unused capacity of `buf` (EINTR retried), which grows by what was read.
/// Pages of the capacity that no read reaches are never touched.
pub fn read_spare(fd: impl AsFd, buf: &mut Vec<u8>) -> Result<usize> {
    let fd = fd.as_fd();
    loop {
        match rustix::io::read(fd, rustix::buffer::spare_capacity(buf)) {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// close(2), reporting its error (a file system may report a failed write only here).
pub fn close(fd: OwnedFd) -> Result<()> {
    use rustix::fd::IntoRawFd;
    let raw = fd.into_raw_fd();
    // SAFETY: `raw` came from an OwnedFd whose ownership ends here; it is closed once.
    if unsafe { libc::close(raw) } == 0 {
        Ok(())
    } else {
        Err(Errno::from_raw_os_error(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ))
    }
}

/// close(2) of a descriptor number no `OwnedFd` owns: the standard descriptors a server
/// gives up (tcpserver's 0 and 1), or, in a forked child about to exec or exit, a
/// descriptor it must stop sharing with its parent. Errors (EBADF) are ignored.
pub fn close_number(fd: RawFd) {
    // SAFETY: closing a number has no memory effects; callers keep no OwnedFd for it that
    // will be used (or dropped) afterwards in this process.
    unsafe { libc::close(fd) };
}
