//! Directories and names in them: chdir, getcwd, listing, stat, mkdir, rename, link, unlink.

use super::Result;
use rustix::fd::{AsFd, OwnedFd};
use rustix::fs::{AtFlags, CWD, Mode, OFlags};
use rustix::io::Errno;

/// What `stat` tells the applets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    pub dev: u64,
    pub ino: u64,
    pub mode: u32,
    pub nlink: u64,
    pub size: u64,
    /// The owner's user id.
    pub uid: u32,
}

impl Meta {
    /// Is it a directory?
    pub fn is_dir(&self) -> bool {
        self.mode & 0o170000 == 0o040000
    }

    /// Is it a regular file?
    pub fn is_file(&self) -> bool {
        self.mode & 0o170000 == 0o100000
    }

    /// Is it a symbolic link (as `lstat` reports it)?
    pub fn is_symlink(&self) -> bool {
        self.mode & 0o170000 == 0o120000
    }

    /// Is it a regular file with an execute bit set?
    pub fn is_executable_file(&self) -> bool {
        self.mode & 0o170000 == 0o100000 && self.mode & 0o111 != 0
    }

    /// Is the owner-execute bit set?
    pub fn owner_executable(&self) -> bool {
        self.mode & 0o100 != 0
    }

    fn from(st: rustix::fs::Stat) -> Self {
        Meta {
            dev: st.st_dev,
            ino: st.st_ino,
            mode: st.st_mode,
            nlink: st.st_nlink,
            size: st.st_size as u64,
            uid: st.st_uid,
        }
    }
}

/// chdir(2).
pub fn chdir(path: &[u8]) -> Result<()> {
    rustix::process::chdir(path)
}

/// fchdir(2).
pub fn fchdir(fd: impl AsFd) -> Result<()> {
    rustix::process::fchdir(fd)
}

/// getcwd(3): the working directory.
pub fn getcwd() -> Result<Vec<u8>> {
    rustix::process::getcwd(Vec::new()).map(|c| c.into_bytes())
}

/// open(".", O_RDONLY|O_DIRECTORY): a handle to come back to with `fchdir`.
pub fn open_cwd() -> Result<OwnedFd> {
    rustix::fs::open(
        ".",
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// open(path, O_RDONLY|O_DIRECTORY): a directory to look into with `fd::open_read_at`.
pub fn open_dir(path: &[u8]) -> Result<OwnedFd> {
    rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
}

/// fstat(2).
pub fn fstat(fd: impl AsFd) -> Result<Meta> {
    rustix::fs::fstat(fd).map(Meta::from)
}

/// stat(2) (follows symbolic links).
pub fn stat(path: &[u8]) -> Result<Meta> {
    rustix::fs::statat(CWD, path, AtFlags::empty()).map(Meta::from)
}

/// lstat(2) (does not follow a final symbolic link).
pub fn lstat(path: &[u8]) -> Result<Meta> {
    rustix::fs::statat(CWD, path, AtFlags::SYMLINK_NOFOLLOW).map(Meta::from)
}

/// stat(2) reduced to "does it exist": ENOENT (and a dangling symlink) is `Ok(false)`.
pub fn exists(path: &[u8]) -> Result<bool> {
    match stat(path) {
        Ok(_) => Ok(true),
        Err(Errno::NOENT) => Ok(false),
        Err(e) => Err(e),
    }
}

/// mkdir(2).
pub fn mkdir(path: &[u8], mode: u32) -> Result<()> {
    rustix::fs::mkdir(path, Mode::from_raw_mode(mode))
}

/// mkdir(2) of `path` and of every missing directory above it (`mkdir -p`), each with
/// `mode`; on failure, how much of `path` names the directory that could not be made.
pub fn mkdir_all(path: &[u8], mode: u32) -> std::result::Result<(), (usize, Errno)> {
    let ends = path
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'/' && i > 0);
    for end in ends.map(|(i, _)| i).chain([path.len()]) {
        match mkdir(&path[..end], mode) {
            Ok(()) | Err(Errno::EXIST) => {}
            Err(e) => return Err((end, e)),
        }
    }
    Ok(())
}

/// rename(2).
pub fn rename(from: &[u8], to: &[u8]) -> Result<()> {
    rustix::fs::rename(from, to)
}

/// renameat2(2) with RENAME_EXCHANGE: `a` and `b` swap names atomically (both must exist).
pub fn exchange(a: &[u8], b: &[u8]) -> Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)
}

/// link(2).
pub fn link(from: &[u8], to: &[u8]) -> Result<()> {
    rustix::fs::link(from, to)
}

/// unlink(2).
pub fn unlink(path: &[u8]) -> Result<()> {
    rustix::fs::unlink(path)
}

/// chmod(2).
pub fn chmod(path: &[u8], mode: u32) -> Result<()> {
    rustix::fs::chmod(path, Mode::from_raw_mode(mode))
}

/// readlink(2).
pub fn readlink(path: &[u8]) -> Result<Vec<u8>> {
    rustix::fs::readlink(path, Vec::new()).map(|c| c.into_bytes())
}

/// symlink(2).
pub fn symlink(target: &[u8], path: &[u8]) -> Result<()> {
    rustix::fs::symlink(target, path)
}

/// The names in directory `path` in readdir order, `.` and `..` included as the kernel
/// returns them (callers skip dot names by their own rules).
pub fn names(path: &[u8]) -> Result<Vec<Vec<u8>>> {
    let fd = rustix::fs::open(
        path,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    names_of(fd)
}

/// The names in an open directory, in readdir order.
pub fn names_of(fd: OwnedFd) -> Result<Vec<Vec<u8>>> {
    let mut dir = rustix::fs::Dir::new(fd)?;
    let mut out = Vec::new();
    while let Some(entry) = dir.read() {
        out.push(entry?.file_name().to_bytes().to_vec());
    }
    Ok(out)
}
