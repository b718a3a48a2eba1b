//! Lines through the script (pure): splits input into lines, applies the selection walk and
//! says which bytes go to which directory, to stderr and to the status files.
//!
//! Owns the line in hand across reads. Only the first 1000 bytes of a line (label included)
//! are examined (spec §5–§7); once a line is decided, the rest of it streams straight to the
//! selected directories, so no more than the undecided head (< 1000 bytes) is ever held back
//! after a chunk has been routed. When the script has no patterns, `e` or `=`, every line goes
//! to every directory undecided-free and only the labels need inserting. Does no I/O.

use super::pattern;
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
    /// Bytes for each directory; with a script that does not examine lines, only entry 0 is
    /// filled and every directory gets it.
    pub dirs: Vec<Vec<u8>>,
    /// Lines for stderr, one write each.
    pub stderr: Vec<Vec<u8>>,
    /// The latest record for each `=` file (empty: no selected line in this chunk).
    pub status: Vec<Vec<u8>>,
    shared: bool,
}

impl Outputs {
    /// The bytes directory `index` must get.
    pub fn for_dir(&self, index: usize) -> &[u8] {
        &self.dirs[if self.shared { 0 } else { index }]
    }

    /// Forgets everything (keeps the allocations).
    pub fn clear(&mut self) {
        self.dirs.iter_mut().for_each(Vec::clear);
        self.stderr.clear();
        self.status.iter_mut().for_each(Vec::clear);
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
            decided: false,
            selected: vec![false; script.dirs.len()],
        }
    }

    /// Empty outputs shaped for this script.
    pub fn outputs(&self) -> Outputs {
        let dirs = if self.examines {
            self.script.dirs.len()
        } else {
            1
        };
        Outputs {
            dirs: vec![Vec::new(); dirs],
            stderr: Vec::new(),
            status: vec![Vec::new(); self.script.status_files.len()],
            shared: !self.examines,
        }
    }

    /// Is a line begun and not finished?
    pub fn in_line(&self) -> bool {
        self.in_line
    }

    /// Routes one chunk; `label` (`@…` and a space) starts every line that begins in it
    /// when the script timestamps.
    pub fn feed(&mut self, input: &[u8], label: &[u8], out: &mut Outputs) {
        if !self.examines && !self.script.timestamp {
            out.dirs[0].extend_from_slice(input);
            if let Some(&last) = input.last() {
                self.in_line = last != b'\n';
            }
            return;
        }
        let mut rest = input;
        while !rest.is_empty() {
            if !self.in_line {
                self.in_line = true;
                if self.script.timestamp {
                    self.take(label, out);
                }
            }
            match rest.iter().position(|&b| b == b'\n') {
                Some(at) => {
                    self.take(&rest[..at], out);
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

    /// End of input: a line in hand is finished as if its newline had arrived.
    pub fn finish(&mut self, out: &mut Outputs) {
        if self.in_line {
            self.end_line(out);
        }
    }

    fn take(&mut self, bytes: &[u8], out: &mut Outputs) {
        if !self.examines {
            out.dirs[0].extend_from_slice(bytes);
            return;
        }
        let mut bytes = bytes;
        if !self.decided {
            let room = MATCH_MAX - self.head.len();
            let (now, later) = bytes.split_at(bytes.len().min(room));
            self.head.extend_from_slice(now);
            if self.head.len() < MATCH_MAX {
                return;
            }
            self.decide(out);
            bytes = later;
        }
        self.send(bytes, out);
    }

    fn end_line(&mut self, out: &mut Outputs) {
        if self.examines {
            if !self.decided {
                self.decide(out);
            }
            self.send(b"\n", out);
            self.decided = false;
        } else {
            out.dirs[0].push(b'\n');
        }
        self.in_line = false;
    }

    /// Walks the script with the head of the line, acting on `e` and `=`, and sends the head
    /// to the directories that selected it.
    fn decide(&mut self, out: &mut Outputs) {
        let head = &self.head[..];
        let mut selected = true;
        for action in &self.script.actions {
            match *action {
                Action::Select(p) => selected = selected || pattern::matches(p, head),
                Action::Deselect(p) => selected = selected && !pattern::matches(p, head),
                Action::Stderr if selected => out.stderr.push(stderr_line(head)),
                Action::Status(i) if selected => status_record(head, &mut out.status[i]),
                Action::Dir(i) => self.selected[i] = selected,
                Action::Stderr | Action::Status(_) => {}
            }
        }
        self.decided = true;
        let head = std::mem::take(&mut self.head);
        self.send(&head, out);
        self.head = head;
        self.head.clear();
    }

    fn send(&self, bytes: &[u8], out: &mut Outputs) {
        if bytes.is_empty() {
            return;
        }
        for (dir, _) in out.dirs.iter_mut().zip(&self.selected).filter(|(_, s)| **s) {
            dir.extend_from_slice(bytes);
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
fn status_record(head: &[u8], record: &mut Vec<u8>) {
    record.clear();
    record.extend_from_slice(head);
    record.resize(STATUS_LEN, b'\n');
}

#[cfg(test)]
mod tests;
