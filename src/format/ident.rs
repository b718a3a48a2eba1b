//! The ident (RFC 1413) exchange of tcpserver's `-r` and tcpclient, as 0.88 does it (pure).
//!
//! The request is `REMOTEPORT , LOCALPORT\r\n`. In the reply, blanks and CRs are dropped,
//! the answer starts after the third colon and ends at the newline or once it is longer
//! than 256 bytes; a reply that ends without a newline is a failure.

/// An answer longer than this ends the reply early.
pub const INFO_MAX: usize = 256;

/// The request for a connection from `remote_port` to `local_port`.
pub fn request(remote_port: u16, local_port: u16) -> Vec<u8> {
    let mut line = Vec::with_capacity(16);
    super::num::push_ulong(&mut line, u64::from(remote_port));
    line.extend_from_slice(b" , ");
    super::num::push_ulong(&mut line, u64::from(local_port));
    line.extend_from_slice(b"\r\n");
    line
}

/// Reads reply bytes as they arrive.
#[derive(Debug, Default)]
pub struct Reply {
    colons: usize,
    info: Vec<u8>,
    done: bool,
}

impl Reply {
    /// Takes more of the reply; returns true once the answer is complete.
    pub fn feed(&mut self, bytes: &[u8]) -> bool {
        for &c in bytes {
            if self.done {
                break;
            }
            match c {
                b' ' | b'\t' | b'\r' => {}
                b'\n' => self.done = true,
                b':' if self.colons < 3 => self.colons += 1,
                _ if self.colons < 3 => {}
                _ => {
                    self.info.push(c);
                    self.done = self.info.len() > INFO_MAX;
                }
            }
        }
        self.done
    }

    /// The answer, if the reply was complete.
    pub fn answer(self) -> Option<Vec<u8>> {
        self.done.then_some(self.info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(chunks: &[&[u8]]) -> Option<Vec<u8>> {
        let mut reply = Reply::default();
        for chunk in chunks {
            if reply.feed(chunk) {
                break;
            }
        }
        reply.answer()
    }

    #[test]
    fn request_line() {
        assert_eq!(request(6191, 23), b"6191 , 23\r\n");
    }

    #[test]
    fn replies() {
        assert_eq!(
            parse(&[b"6191, 23 : USERID : UNIX : stjohns\r\n"]),
            Some(b"stjohns".to_vec())
        );
        assert_eq!(
            parse(&[b"6191,23:USER", b"ID:UNIX:a b:c\td\r", b"\nignored"]),
            Some(b"ab:cd".to_vec())
        );
        assert_eq!(
            parse(&[b"6191, 23 : ERROR : NO-USER\r\n"]),
            Some(b"".to_vec())
        );
        assert_eq!(parse(&[b"6191, 23 : USERID : UNIX : cut"]), None);
        assert_eq!(parse(&[]), None);
        let long = [&b"1,2:USERID:UNIX:"[..], &[b'x'; 300]].concat();
        assert_eq!(parse(&[&long]), Some(vec![b'x'; 257]));
    }
}
