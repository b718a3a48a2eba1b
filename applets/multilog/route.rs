//! Lines through the script (pure): splits input into lines, applies the selection walk and
//! says which bytes go to which directory, to stderr and to the status files.
//!
//! Owns the line in hand across reads. Only the first 1000 bytes of a line (label included)
//! are examined (spec §5–§7); once a line is decided, the rest of it streams straight to the
//! selected directories, so no more than the undecided head (< 1000 bytes) is ever held back
//! after a chunk has been routed. When the script has no patterns, `e` or `=`, every line goes
//! to every directory undecided-free and only the labels need inserting. Does no I/O.

use super::pattern;
use super::pending::Pending;
use super::script::{Action, Script};

/// Bytes of a line (label included) that patterns, `e` and `=` see.
pub const MATCH_MAX: usize = 1000;
/// Bytes of a line that `e` prints before cutting it off with `...`.
pub const STDERR_MAX: usize = 200;
/// Length of every `=` file record: up to 1000 line bytes, then newlines.
pub const STATUS_LEN: usize = MATCH_MAX + 1;
/// What `e` appends to a line it cut off.
const ELLIPSIS: &[u8] = b"...\n";

/// What one chunk of input produced.
#[derive(Debug, Default)]
pub struct Outputs {
    /// Bytes for each directory, then for each forward; with a script that does not
    /// examine lines (and so has no forward), only entry 0 is filled and every directory
    /// gets it.
    pub dirs: Vec<Pending>,
    /// Lines for stderr, one write each.
    pub stderr: Vec<Vec<u8>>,
    /// The head of the latest selected line for each `=` file, if any in this chunk.
    pub status: Vec<Option<Vec<u8>>>,
    shared: bool,
}

impl Outputs {
    /// The bytes directory `index` must get.
    pub fn for_dir(&self, index: usize) -> &[u8] {
        self.dirs[if self.shared { 0 } else { index }].as_slice()
    }

    /// Forgets everything and gives the memory back.
    pub fn release(&mut self) {
        self.dirs.iter_mut().for_each(Pending::release);
        self.stderr = Vec::new();
    }

    /// Forgets everything (keeps the allocations).
    pub fn clear(&mut self) {
        self.dirs.iter_mut().for_each(Pending::clear);
        self.stderr.clear();
        self.status.iter_mut().for_each(|s| *s = None);
    }
}

/// The line splitter and selector.
pub struct Router<'s> {
    script: &'s Script<'s>,
    examines: bool,
    /// A line has begun and its newline has not been seen.
    in_line: bool,
    /// The undecided beginning of the line in hand (label included).
    head: Vec<u8>,
    /// Bytes of `head` that are the label rather than input.
    head_label: usize,
    /// The line in hand has been decided; `selected[i]` says where its remaining bytes go.
    decided: bool,
    selected: Vec<bool>,
}

impl<'s> Router<'s> {
    pub fn new(script: &'s Script<'s>) -> Self {
        Router {
            script,
            examines: script.examines_lines(),
            in_line: false,
            head: Vec::with_capacity(MATCH_MAX),
            head_label: 0,
            decided: false,
            selected: vec![false; script.targets()],
        }
    }

    /// Empty outputs shaped for this script.
    pub fn outputs(&self) -> Outputs {
        let dirs = if self.examines {
            self.script.targets()
        } else {
            1
        };
        Outputs {
            dirs: vec![Pending::default(); dirs],
            stderr: Vec::new(),
            status: vec![None; self.script.status_files.len()],
            shared: !self.examines,
        }
    }

    /// Is a line begun and not finished?
    pub fn in_line(&self) -> bool {
        self.in_line
    }

    /// How many of the input bytes fed so far are held undecided (not yet in any output):
    /// the end of the input up to the start of the line in hand.
    pub fn held_input(&self) -> usize {
        if self.decided {
            0
        } else {
            self.head.len() - self.head_label
        }
    }

    /// Routes one chunk; `label` (`@…` and a space) starts every line that begins in it
    /// when the script timestamps.
    pub fn feed(&mut self, input: &[u8], label: &[u8], out: &mut Outputs) {
        if input.is_empty() {
            return;
        }
        if !self.examines {
            self.feed_all(input, label, &mut out.dirs[0]);
            return;
        }
        let mut rest = input;
        while !rest.is_empty() {
            if !self.in_line {
                self.in_line = true;
                if self.script.timestamp {
                    self.take(label, out);
                    self.head_label = label.len();
                }
            }
            match find_newline(rest) {
                Some(at) => {
                    let line = &rest[..at];
                    if self.head.is_empty() && !self.decided {
                        // The whole line is here: match it where it lies.
                        let text = &line[..line.len().min(MATCH_MAX)];
                        walk(self.script, text, &mut self.selected, out);
                        self.decided = true;
                        self.send(line, out);
                    } else {
                        self.take(line, out);
                    }
                    self.end_line(out);
                    rest = &rest[at + 1..];
                }
                None => {
                    self.take(rest, out);
                    rest = &[];
                }
            }
        }
    }

    /// Every line goes to every directory: copy, inserting labels at line starts.
    fn feed_all(&mut self, input: &[u8], label: &[u8], out: &mut Pending) {
        if !self.script.timestamp {
            out.push(input);
            self.in_line = input.last() != Some(&b'\n');
            return;
        }
        out.reserve(input.len() + input.len() / 2);
        let mut rest = input;
        while !rest.is_empty() {
            if !self.in_line {
                out.push(label);
            }
            let (line, complete) = match find_newline(rest) {
                Some(at) => (&rest[..=at], true),
                None => (rest, false),
            };
            out.push(line);
            self.in_line = !complete;
            rest = &rest[line.len()..];
        }
    }

    /// End of input: a line in hand is finished as if its newline had arrived.
    pub fn finish(&mut self, out: &mut Outputs) {
        if self.in_line {
            self.end_line(out);
        }
    }

    fn take(&mut self, bytes: &[u8], out: &mut Outputs) {
        let mut bytes = bytes;
        if !self.decided {
            let room = MATCH_MAX - self.head.len();
            let (now, later) = bytes.split_at(bytes.len().min(room));
            self.head.extend_from_slice(now);
            if self.head.len() < MATCH_MAX {
                return;
            }
            self.decide_head(out);
            bytes = later;
        }
        self.send(bytes, out);
    }

    fn end_line(&mut self, out: &mut Outputs) {
        if !self.decided {
            self.decide_head(out);
        }
        self.send(b"\n", out);
        self.decided = false;
        self.in_line = false;
    }

    /// Decides the line in hand on its head and sends the head where it was selected.
    fn decide_head(&mut self, out: &mut Outputs) {
        walk(self.script, &self.head, &mut self.selected, out);
        self.decided = true;
        let head = std::mem::take(&mut self.head);
        self.send(&head, out);
        self.head = head;
        self.head.clear();
        self.head_label = 0;
    }

    fn send(&self, bytes: &[u8], out: &mut Outputs) {
        if bytes.is_empty() {
            return;
        }
        for (dir, _) in out.dirs.iter_mut().zip(&self.selected).filter(|(_, s)| **s) {
            dir.push(bytes);
        }
    }
}

/// Walks the script with `text` (the first bytes of a line), acting on `e` and `=` and
/// recording in `selected` which directories take the line.
fn walk(script: &Script<'_>, text: &[u8], selected: &mut [bool], out: &mut Outputs) {
    let mut on = true;
    for action in &script.actions {
        match *action {
            Action::Select(p) => on = on || pattern::matches(p, text),
            Action::Deselect(p) => on = on && !pattern::matches(p, text),
            Action::Stderr if on => out.stderr.push(stderr_line(text)),
            Action::Status(i) if on => {
                let record = out.status[i].get_or_insert_with(Vec::new);
                record.clear();
                record.extend_from_slice(text);
            }
            Action::Dir(i) => selected[i] = on,
            Action::Forward(i) => selected[script.dirs.len() + i] = on,
            Action::Stderr | Action::Status(_) => {}
        }
    }
}

/// What `e` prints for a line whose head is `head`.
fn stderr_line(head: &[u8]) -> Vec<u8> {
    if head.len() <= STDERR_MAX {
        [head, b"\n"].concat()
    } else {
        [&head[..STDERR_MAX], ELLIPSIS].concat()
    }
}

/// The `=` record for a line whose head is `head`: the head, then newlines up to 1001 bytes.
pub fn status_record(head: &[u8]) -> Vec<u8> {
    let mut record = head.to_vec();
    record.resize(STATUS_LEN, b'\n');
    record
}

/// The index of the first `\n` in `hay`, eight bytes at a time.
pub fn find_newline(hay: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const NEWLINES: u64 = ONES * b'\n' as u64;
    let mut words = hay.chunks_exact(8);
    let mut base = 0;
    for word in &mut words {
        let bytes: [u8; 8] = word.try_into().unwrap_or_default();
        // A byte of `x` is zero exactly where `word` holds a newline; the lowest flagged
        // byte is always a true zero (false flags only appear above one).
        let x = u64::from_le_bytes(bytes) ^ NEWLINES;
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            return Some(base + (zeros.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| base + i)
}

#[cfg(test)]
mod tests;
