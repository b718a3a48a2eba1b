//! The properties the fuzz targets check, one function per target, each taking the raw
//! fuzz input and panicking when a property fails. Shared by the fuzz crate (one libFuzzer
//! target per entry of [`TARGETS`]) and by daemonbox's own unit tests, which replay every
//! file of `fuzz/corpus/TARGET/` through the same function (see `tests` below).
//!
//! Only pure code is exercised: nothing here makes a system call.

mod args;
mod etc;
mod files;
mod json;
mod multilog;
mod net;
mod supervise;
mod svscan;
mod time;
mod ucspi;

/// A target's check: panics when a property fails for the input.
pub type Check = fn(&[u8]);

/// Every target: its name (the fuzz target and corpus directory) and its check.
pub const TARGETS: &[(&str, Check)] = &[
    ("cdb", ucspi::cdb),
    ("dns", net::dns),
    ("envfile", files::envfile),
    ("etc_files", etc::etc_files),
    ("getopt", args::getopt),
    ("ip", net::ip),
    ("json", json::json),
    ("multilog_pattern", multilog::pattern),
    ("multilog_route", multilog::route),
    ("passwd", files::passwd),
    ("rules", ucspi::rules),
    ("runline", args::runline),
    ("status", files::status),
    ("supervise_state", supervise::state),
    ("svscan_table", svscan::table),
    ("tai", time::tai),
    ("tai64nlocal", time::tai64nlocal),
    ("tzif", time::tzif),
    ("tzrule", time::tzrule),
];

/// Runs target `name`'s check on `data`.
pub fn run(name: &str, data: &[u8]) {
    match TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, check)) => check(data),
        None => panic!("no fuzz target {name}"),
    }
}

/// Reads a fuzz input as a sequence of small decisions; past the end every read gives 0.
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// The next byte (0 once the input is used up).
    pub fn byte(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    /// The next `n` bytes (fewer at the end).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (now, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        now
    }

    /// The next little-endian `u64` (zero-padded at the end).
    pub fn u64(&mut self) -> u64 {
        let mut word = [0u8; 8];
        let bytes = self.take(8);
        word[..bytes.len()].copy_from_slice(bytes);
        u64::from_le_bytes(word)
    }

    /// Up to 15 cut lengths for [`pieces`].
    pub fn cuts(&mut self) -> Vec<u8> {
        let count = usize::from(self.byte() % 16);
        self.take(count).to_vec()
    }

    /// A length byte, then that many bytes.
    pub fn sized(&mut self, modulo: u8) -> &'a [u8] {
        let len = usize::from(self.byte() % modulo);
        self.take(len)
    }

    /// Everything not read yet.
    pub fn rest(&mut self) -> &'a [u8] {
        self.take(self.data.len())
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// `data` cut into pieces whose lengths come from `cuts` (each 1..=256), the rest last.
pub fn pieces<'a>(data: &'a [u8], cuts: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    for &cut in cuts {
        if rest.is_empty() {
            break;
        }
        let (piece, tail) = rest.split_at((usize::from(cut) + 1).min(rest.len()));
        out.push(piece);
        rest = tail;
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// NUL-separated words as C strings (the way argv arrives).
pub fn words(data: &[u8]) -> Vec<std::ffi::CString> {
    data.split(|&b| b == 0)
        .map(|w| std::ffi::CString::new(w).unwrap_or_default())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::TARGETS;
    use std::path::Path;

    /// Every committed corpus file (seeds, and every input that once found a bug) passes
    /// its target's check.
    #[test]
    fn fuzz_corpus_replays() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
        for (name, check) in TARGETS {
            let dir = root.join(name);
            let entries =
                std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("corpus {}: {e}", dir.display()));
            let mut count = 0;
            for entry in entries {
                let path = entry.unwrap().path();
                let data = std::fs::read(&path).unwrap();
                if std::panic::catch_unwind(|| check(&data)).is_err() {
                    panic!("{name}: {} fails its check", path.display());
                }
                count += 1;
            }
            assert!(count > 0, "corpus {} is empty", dir.display());
        }
    }
}
