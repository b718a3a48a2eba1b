//! The ident lookup of tcpserver `-r` and tcpclient: asks the client's port 113 who owns
//! the connection, within a time limit (0.88's `remoteinfo`; the exchange is in
//! `format::ident`).

use crate::format::ident::{self, Reply};
use crate::format::ip;
use crate::sys::poll::PollFlags;
use crate::sys::socket::Endpoint;
use crate::sys::{self, Errno};
use std::time::Duration;

/// The ident service.
const IDENT_PORT: u16 = 113;

/// The answer for the connection `local` <- `remote`, from `remote`'s ident server, within
/// `timeout` in all; an error when there is no complete answer in time.
pub fn remote_info(
    local: &Endpoint,
    remote: &Endpoint,
    timeout: Duration,
) -> Result<Vec<u8>, Errno> {
    let deadline = sys::clock::monotonic() + timeout;
    let v6 = !(ip::is_mapped(&local.ip) && ip::is_mapped(&remote.ip));
    let fd = sys::socket::tcp(v6)?;
    sys::socket::bind(&fd, v6, &Endpoint { port: 0, ..*local })?;
    let server = Endpoint {
        port: IDENT_PORT,
        ..*remote
    };
    sys::socket::connect_within(&fd, v6, &server, deadline)?;
    let request = ident::request(remote.port, local.port);
    let mut sent = 0;
    while sent < request.len() {
        if !sys::poll::wait_until(&fd, PollFlags::OUT, deadline)? {
            return Err(Errno::TIMEDOUT);
        }
        match sys::socket::send(&fd, &request[sent..]) {
            Ok(n) => sent += n,
            Err(Errno::AGAIN) => {}
            Err(e) => return Err(e),
        }
    }
    let mut reply = Reply::default();
    let mut buf = [0u8; 128];
    loop {
        if !sys::poll::wait_until(&fd, PollFlags::IN, deadline)? {
            return Err(Errno::TIMEDOUT);
        }
        match sys::socket::recv(&fd, &mut buf) {
            Ok(0) => return Err(Errno::PROTO),
            Ok(n) => {
                if reply.feed(&buf[..n]) {
                    return reply.answer().ok_or(Errno::PROTO);
                }
            }
            Err(Errno::AGAIN) => {}
            Err(e) => return Err(e),
        }
    }
}
