//! TCP and UDP sockets for the ucspi-tcp applets (IPv4 and IPv6).
//!
//! Addresses travel as 16 bytes (IPv4 mapped, see `format::ip`) plus a port and, for IPv6
//! link-local addresses, a scope (interface index). A socket is IPv4 or IPv6 for life: an
//! IPv4 socket takes the IPv4 part of a mapped address, an IPv6 socket takes addresses as
//! they are (mapped ones reach IPv4 peers through a dual-stack socket). Sockets are created
//! non-blocking and close-on-exec; accepted connections are blocking and close-on-exec.

use super::Result;
use crate::format::ip::{self, Ip};
use rustix::fd::{AsFd, AsRawFd, OwnedFd};
use rustix::io::Errno;
use rustix::net::{
    AddressFamily, RecvFlags, SendFlags, SocketAddrAny, SocketFlags, SocketType, sockopt,
};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddrV4, SocketAddrV6};

/// Where a socket is bound or connected: address, port, scope (0 unless link-local).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub ip: Ip,
    pub port: u16,
    pub scope: u32,
}

fn family(v6: bool) -> AddressFamily {
    if v6 {
        AddressFamily::INET6
    } else {
        AddressFamily::INET
    }
}

fn to_any(v6: bool, at: &Endpoint) -> SocketAddrAny {
    if v6 {
        SocketAddrV6::new(Ipv6Addr::from(at.ip), at.port, 0, at.scope).into()
    } else {
        SocketAddrV4::new(Ipv4Addr::from(ip::v4_of(&at.ip)), at.port).into()
    }
}

fn from_any(addr: SocketAddrAny) -> Result<Endpoint> {
    if let Ok(v6) = SocketAddrV6::try_from(addr.clone()) {
        return Ok(Endpoint {
            ip: v6.ip().octets(),
            port: v6.port(),
            scope: v6.scope_id(),
        });
    }
    let v4 = SocketAddrV4::try_from(addr).map_err(|_| Errno::AFNOSUPPORT)?;
    Ok(Endpoint {
        ip: ip::mapped(v4.ip().octets()),
        port: v4.port(),
        scope: 0,
    })
}

fn socket(v6: bool, kind: SocketType) -> Result<OwnedFd> {
    rustix::net::socket_with(
        family(v6),
        kind,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )
}

/// socket(AF_INET or AF_INET6, SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC).
pub fn tcp(v6: bool) -> Result<OwnedFd> {
    socket(v6, SocketType::STREAM)
}

/// socket(AF_INET or AF_INET6, SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC).
pub fn udp(v6: bool) -> Result<OwnedFd> {
    socket(v6, SocketType::DGRAM)
}

/// setsockopt(SO_REUSEADDR, 1), so a listener can be restarted while old connections
/// linger.
pub fn set_reuseaddr(fd: impl AsFd) -> Result<()> {
    sockopt::set_socket_reuseaddr(fd, true)
}

/// setsockopt(IPV6_V6ONLY, 0): an IPv6 listener on `::` also takes IPv4 clients.
pub fn set_dual_stack(fd: impl AsFd) -> Result<()> {
    sockopt::set_ipv6_v6only(fd, false)
}

/// bind(2).
pub fn bind(fd: impl AsFd, v6: bool, at: &Endpoint) -> Result<()> {
    rustix::net::bind(fd, &to_any(v6, at))
}

/// listen(2).
pub fn listen(fd: impl AsFd, backlog: i32) -> Result<()> {
    rustix::net::listen(fd, backlog)
}

/// accept4(SOCK_CLOEXEC): a blocking connection and the client's address. EINTR retried.
pub fn accept(fd: impl AsFd) -> Result<(OwnedFd, Endpoint)> {
    let fd = fd.as_fd();
    loop {
        match rustix::net::acceptfrom_with(fd, SocketFlags::CLOEXEC) {
            Err(Errno::INTR) => continue,
            Err(e) => return Err(e),
            Ok((conn, Some(addr))) => return Ok((conn, from_any(addr)?)),
            Ok((_, None)) => return Err(Errno::AFNOSUPPORT),
        }
    }
}

/// getsockname(2).
pub fn local(fd: impl AsFd) -> Result<Endpoint> {
    from_any(rustix::net::getsockname(fd)?)
}

/// getpeername(2).
pub fn remote(fd: impl AsFd) -> Result<Endpoint> {
    from_any(rustix::net::getpeername(fd)?.ok_or(Errno::NOTCONN)?)
}

/// connect(2); on a non-blocking socket EINPROGRESS means "wait until writable, then ask
/// [`connect_result`]".
pub fn connect(fd: impl AsFd, v6: bool, at: &Endpoint) -> Result<()> {
    rustix::net::connect(fd, &to_any(v6, at))
}

/// getsockopt(SO_ERROR): how a non-blocking connect ended.
pub fn connect_result(fd: impl AsFd) -> Result<()> {
    sockopt::socket_error(fd)?
}

/// send(2) on a connected socket (EINTR retried).
pub fn send(fd: impl AsFd, buf: &[u8]) -> Result<usize> {
    let fd = fd.as_fd();
    loop {
        match rustix::net::send(fd, buf, SendFlags::NOSIGNAL) {
            Err(Errno::INTR) => continue,
            other => return other,
        }
    }
}

/// recv(2) on a connected socket (EINTR retried).
pub fn recv(fd: impl AsFd, buf: &mut [u8]) -> Result<usize> {
    let fd = fd.as_fd();
    loop {
        match rustix::net::recv(fd, &mut *buf, RecvFlags::empty()) {
            Err(Errno::INTR) => continue,
            Ok((n, _)) => return Ok(n),
            Err(e) => return Err(e),
        }
    }
}

/// setsockopt(TCP_NODELAY, 1).
pub fn set_nodelay(fd: impl AsFd) -> Result<()> {
    sockopt::set_tcp_nodelay(fd, true)
}

/// setsockopt(IPPROTO_IP, IP_OPTIONS, NULL, 0): drops IP options (source routes) a client
/// sent, as tcpserver does by default.
pub fn kill_ip_options(fd: impl AsFd) -> Result<()> {
    // SAFETY: a null option value of length 0 is valid for IP_OPTIONS.
    let ret = unsafe {
        libc::setsockopt(
            fd.as_fd().as_raw_fd(),
            libc::IPPROTO_IP,
            libc::IP_OPTIONS,
            std::ptr::null(),
            0,
        )
    };
    if ret == 0 {
        Ok(())
    } else {
        Err(Errno::from_raw_os_error(
            std::io::Error::last_os_error().raw_os_error().unwrap_or(0),
        ))
    }
}

/// if_nametoindex(3): the index of a network interface (0 when there is none).
pub fn interface_index(name: &[u8]) -> u32 {
    let Ok(name) = std::ffi::CString::new(name) else {
        return 0;
    };
    // SAFETY: `name` is a valid C string.
    unsafe { libc::if_nametoindex(name.as_ptr()) }
}

/// if_indextoname(3): the name of interface `index`, if there is one.
pub fn interface_name(index: u32) -> Option<Vec<u8>> {
    let mut buf = [0u8; libc::IF_NAMESIZE];
    // SAFETY: `buf` has the IF_NAMESIZE bytes the call may write.
    let p = unsafe { libc::if_indextoname(index, buf.as_mut_ptr().cast()) };
    if p.is_null() {
        return None;
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(buf[..len].to_vec())
}

/// connect(2) on a non-blocking socket, waiting until the monotonic `deadline` for it to
/// complete (ETIMEDOUT after; the attempt is abandoned with the socket).
pub fn connect_within(
    fd: impl AsFd,
    v6: bool,
    at: &Endpoint,
    deadline: std::time::Duration,
) -> Result<()> {
    let fd = fd.as_fd();
    match connect(fd, v6, at) {
        Err(Errno::INPROGRESS | Errno::AGAIN) => {}
        other => return other,
    }
    if !super::poll::wait_until(fd, super::poll::PollFlags::OUT, deadline)? {
        return Err(Errno::TIMEDOUT);
    }
    connect_result(fd)
}
