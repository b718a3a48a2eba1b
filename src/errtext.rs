//! errno -> daemontools wording (Linux x86-64 numbering).
//!
//! Pure table lookup; every message that carries an errno gets its text from here, never
//! from `Display` of an error type, so the words match daemontools 0.76 byte for byte.

use crate::sys::Errno;

/// The text for any value not in the table.
pub const UNKNOWN: &str = "unknown error";

/// (errno number, text), sorted by number.
const TABLE: &[(i32, &str)] = &[
    (0, "no error"),
    (1, "permission denied"),
    (2, "file does not exist"),
    (3, "no such process"),
    (4, "interrupted system call"),
    (5, "input/output error"),
    (6, "device not configured"),
    (7, "argument list too long"),
    (8, "exec format error"),
    (9, "file descriptor not open"),
    (10, "no child processes"),
    (11, "temporary failure"),
    (12, "out of memory"),
    (13, "access denied"),
    (14, "bad address"),
    (15, "not a block device"),
    (16, "device busy"),
    (17, "file already exists"),
    (18, "cross-device link"),
    (19, "device does not support operation"),
    (20, "not a directory"),
    (21, "is a directory"),
    (22, "invalid argument"),
    (23, "system cannot open more files"),
    (24, "process cannot open more files"),
    (25, "not a tty"),
    (26, "text busy"),
    (27, "file too big"),
    (28, "out of disk space"),
    (29, "unseekable descriptor"),
    (30, "read-only file system"),
    (31, "too many links"),
    (32, "broken pipe"),
    (33, "input out of range"),
    (34, "output out of range"),
    (35, "operation would cause deadlock"),
    (36, "file name too long"),
    (37, "no locks available"),
    (38, "system call not available"),
    (39, "directory not empty"),
    (40, "symbolic link loop"),
    (42, "no message of desired type"),
    (43, "identifier removed"),
    (60, "not a stream device"),
    (62, "timer expired"),
    (63, "out of stream resources"),
    (64, "machine not on network"),
    (66, "too many levels of remote in path"),
    (67, "link severed"),
    (68, "advertise error"),
    (69, "srmount error"),
    (70, "communication error"),
    (71, "protocol error"),
    (72, "multihop attempted"),
    (74, "bad message type"),
    (78, "remote address changed"),
    (87, "too many users"),
    (88, "not a socket"),
    (89, "destination address required"),
    (90, "message too long"),
    (91, "incorrect protocol type"),
    (92, "protocol not available"),
    (93, "protocol not supported"),
    (94, "socket type not supported"),
    (95, "operation not supported"),
    (96, "protocol family not supported"),
    (97, "address family not supported"),
    (98, "address already used"),
    (99, "address not available"),
    (100, "network down"),
    (101, "network unreachable"),
    (102, "network reset"),
    (103, "connection aborted"),
    (104, "connection reset"),
    (105, "out of buffer space"),
    (106, "already connected"),
    (107, "not connected"),
    (108, "socket shut down"),
    (109, "too many references"),
    (110, "timed out"),
    (111, "connection refused"),
    (112, "host down"),
    (113, "host unreachable"),
    (114, "operation already in progress"),
    (115, "operation in progress"),
    (116, "stale NFS file handle"),
    (122, "disk quota exceeded"),
];

/// daemontools' text for a raw errno number.
pub fn text_of(raw: i32) -> &'static str {
    match TABLE.binary_search_by_key(&raw, |&(n, _)| n) {
        Ok(i) => TABLE[i].1,
        Err(_) => UNKNOWN,
    }
}

/// daemontools' text for an errno value.
pub fn text(errno: Errno) -> &'static str {
    text_of(errno.raw_os_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted() {
        assert!(TABLE.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn common_texts() {
        assert_eq!(text(Errno::NOENT), "file does not exist");
        assert_eq!(text(Errno::ACCESS), "access denied");
        assert_eq!(text(Errno::AGAIN), "temporary failure");
        assert_eq!(text(Errno::NXIO), "device not configured");
        assert_eq!(text(Errno::LOOP), "symbolic link loop");
        assert_eq!(text(Errno::NOEXEC), "exec format error");
        assert_eq!(text(Errno::STALE), "stale NFS file handle");
        assert_eq!(text(Errno::DQUOT), "disk quota exceeded");
        assert_eq!(text_of(0), "no error");
    }

    #[test]
    fn unknown_values() {
        for raw in [41, 44, 59, 61, 65, 73, 75, 79, 86, 117, 121, 123, 133, 9999] {
            assert_eq!(text_of(raw), UNKNOWN, "errno {raw}");
        }
        assert_eq!(text(Errno::OVERFLOW), UNKNOWN);
        assert_eq!(text(Errno::ILSEQ), UNKNOWN);
    }
}
