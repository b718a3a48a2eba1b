//! Network test support for the ucspi-tcp applets: servers started on a free port, clients,
//! a fake DNS server and a fake ident server on private loopback addresses, and the
//! reference binaries (Debian's ucspi-tcp in /usr/bin, ucspi-tcp-ipv6 in /opt).

use super::*;
use std::io::{BufRead, BufReader, Read};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::FromRawFd;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::thread::JoinHandle;

/// Where setup.sh unpacks Debian's ucspi-tcp-ipv6 (it conflicts with ucspi-tcp).
pub const IPV6_ROOT: &str = "/opt/ucspi-tcp-ipv6/usr/bin";
/// How long a network exchange in a test may take before it fails.
pub const NET_TIMEOUT: Duration = Duration::from_secs(20);

/// Debian's ucspi-tcp program `name`; fails the test if it is missing.
pub fn ucspi_reference(name: &str) -> PathBuf {
    let path = Path::new("/usr/bin").join(name);
    assert!(
        path.exists(),
        "reference {} is missing: install Debian's ucspi-tcp (scripts/setup.sh does)",
        path.display()
    );
    path
}

/// Debian's ucspi-tcp-ipv6 program `name`; fails the test if it is missing.
pub fn ipv6_reference(name: &str) -> PathBuf {
    let path = Path::new(IPV6_ROOT).join(name);
    assert!(
        path.exists(),
        "reference {} is missing: unpack Debian's ucspi-tcp-ipv6 there (scripts/setup.sh does)",
        path.display()
    );
    path
}

static ADDRESS: AtomicUsize = AtomicUsize::new(1);

/// A loopback address of its own for one test (127.53.P.N), so that servers on fixed
/// ports (DNS 53, ident 113) of parallel tests never meet.
pub fn private_loopback() -> Ipv4Addr {
    let n = ADDRESS.fetch_add(1, Ordering::SeqCst);
    Ipv4Addr::new(
        127,
        53,
        (std::process::id() % 200) as u8 + 1,
        (n % 250) as u8 + 1,
    )
}

/// A server (tcpserver or a reference) started with `-1` on port 0: its guard, the port it
/// printed and the file its stderr goes to.
pub struct Served {
    pub guard: ProcessGuard,
    pub port: u16,
    pub log: PathBuf,
}

static LOGS: AtomicUsize = AtomicUsize::new(0);

/// Starts `cmd` (which must pass `-1` and port 0) and reads the port it prints.
pub fn serve_cmd(sb: &Sandbox, cmd: &mut Command) -> Served {
    let log = sb.join(format!(
        "server-{}.log",
        LOGS.fetch_add(1, Ordering::SeqCst)
    ));
    let file = std::fs::File::create(&log).unwrap();
    let mut guard = ProcessGuard::spawn(cmd.stdout(Stdio::piped()).stderr(file));
    let mut line = String::new();
    let stdout = guard.child.stdout.take().unwrap();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let port = line.trim().parse().unwrap_or_else(|_| {
        panic!(
            "no port printed: {line:?}; log: {}",
            show(&std::fs::read(&log).unwrap_or_default())
        )
    });
    Served { guard, port, log }
}

/// `program -1 ARGS` where ARGS hold host, port 0 and the program to run.
pub fn serve(sb: &Sandbox, program: impl AsRef<OsStr>, args: &[&str]) -> Served {
    serve_cmd(sb, sb.command(program).arg("-1").args(args))
}

impl Served {
    /// Everything the server wrote to stderr so far.
    pub fn log(&self) -> String {
        show(&std::fs::read(&self.log).unwrap_or_default())
    }

    /// Waits until the log satisfies `pred`, returns it.
    pub fn wait_log(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        poll_until(NET_TIMEOUT, what, || {
            let log = self.log();
            pred(&log).then_some(log)
        })
    }

    /// The address of the server on IPv4 loopback.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }
}

/// Connects to `addr`, sends `input`, closes the sending side and reads until the server
/// closes.
pub fn exchange(addr: SocketAddr, input: &[u8]) -> Vec<u8> {
    let stream = TcpStream::connect_timeout(&addr, NET_TIMEOUT).unwrap();
    talk(stream, input)
}

/// `exchange` over an already connected stream.
pub fn talk(mut stream: TcpStream, input: &[u8]) -> Vec<u8> {
    stream.set_read_timeout(Some(NET_TIMEOUT)).unwrap();
    stream.write_all(input).unwrap();
    let _ = stream.shutdown(Shutdown::Write);
    let mut out = Vec::new();
    stream.read_to_end(&mut out).unwrap();
    out
}

/// A TCP connection to `to` from the local address `from` (port chosen by the kernel).
pub fn connect_from(from: Ipv4Addr, to: SocketAddr) -> TcpStream {
    // SAFETY: plain socket calls on a descriptor this function owns until it is wrapped.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
        assert!(fd >= 0);
        let mut sa: libc::sockaddr_in = std::mem::zeroed();
        sa.sin_family = libc::AF_INET as _;
        sa.sin_addr.s_addr = u32::from_ne_bytes(from.octets());
        let len = std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t;
        assert_eq!(
            libc::bind(fd, (&sa as *const libc::sockaddr_in).cast(), len),
            0
        );
        let stream = TcpStream::from_raw_fd(fd);
        let SocketAddr::V4(to) = to else {
            panic!("IPv4 only")
        };
        let mut sa: libc::sockaddr_in = std::mem::zeroed();
        sa.sin_family = libc::AF_INET as _;
        sa.sin_port = to.port().to_be();
        sa.sin_addr.s_addr = u32::from_ne_bytes(to.ip().octets());
        let r = libc::connect(fd, (&sa as *const libc::sockaddr_in).cast(), len);
        assert_eq!(r, 0, "connect from {from} to {to}");
        stream
    }
}

/// Splits `KEY=VALUE` lines (as `env` prints them) into sorted pairs, keeping only names
/// for which `keep` is true.
pub fn env_lines(text: &[u8], keep: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = show(text)
        .lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| keep(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.sort();
    pairs
}

/// How the fake DNS server treats queries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DnsMode {
    /// Answers from its records (NXDOMAIN for names it does not know).
    Answer,
    /// Reads queries and never answers.
    Silent,
    /// Answers every query with bytes that are not a DNS answer to it.
    Garbage,
}

/// One record the fake server knows: lower-case name, type, data.
pub type DnsRecord = (String, u16, Vec<u8>);

/// A fake DNS server on `addr`:53 (root needed), in a thread until dropped.
pub struct FakeDns {
    pub addr: Ipv4Addr,
    pub queries: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// A PTR record's data: a name in wire form.
pub fn wire_name(name: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in name.split('.').filter(|l| !l.is_empty()) {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

fn question(query: &[u8]) -> Option<(String, u16, usize)> {
    let mut pos = 12;
    let mut labels = Vec::new();
    loop {
        let len = *query.get(pos)? as usize;
        pos += 1;
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(query.get(pos..pos + len)?).to_lowercase());
        pos += len;
    }
    let qtype = u16::from_be_bytes([*query.get(pos)?, *query.get(pos + 1)?]);
    Some((labels.join("."), qtype, pos + 4))
}

fn answer(query: &[u8], records: &[DnsRecord]) -> Option<Vec<u8>> {
    let (name, qtype, end) = question(query)?;
    let found: Vec<&DnsRecord> = records
        .iter()
        .filter(|r| r.0 == name && r.1 == qtype)
        .collect();
    let mut r = query[..end].to_vec();
    r[2] = 0x81;
    r[3] = if found.is_empty() && !records.iter().any(|r| r.0 == name) {
        0x83
    } else {
        0x80
    };
    r[6..8].copy_from_slice(&(found.len() as u16).to_be_bytes());
    for (_, kind, data) in found {
        r.extend_from_slice(&[0xc0, 12]);
        r.extend_from_slice(&kind.to_be_bytes());
        r.extend_from_slice(&[0, 1, 0, 0, 0, 60]);
        r.extend_from_slice(&(data.len() as u16).to_be_bytes());
        r.extend_from_slice(data);
    }
    Some(r)
}

impl FakeDns {
    pub fn start(mode: DnsMode, records: Vec<DnsRecord>) -> FakeDns {
        assert!(
            is_root(),
            "DNS tests bind port 53 and need root (CI runs them as root)"
        );
        let addr = private_loopback();
        let socket = UdpSocket::bind((addr, 53)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let queries = Arc::new(AtomicUsize::new(0));
        let (stop2, queries2) = (stop.clone(), queries.clone());
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while !stop2.load(Ordering::SeqCst) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                queries2.fetch_add(1, Ordering::SeqCst);
                let reply = match mode {
                    DnsMode::Silent => continue,
                    DnsMode::Garbage => {
                        let mut g = buf[..n].to_vec();
                        g[0] ^= 0x55;
                        g.truncate(7);
                        g
                    }
                    DnsMode::Answer => match answer(&buf[..n], &records) {
                        Some(r) => r,
                        None => continue,
                    },
                };
                let _ = socket.send_to(&reply, from);
            }
        });
        FakeDns {
            addr,
            queries,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for FakeDns {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A fake ident server on `addr`:113 (root needed) answering every request with
/// `reply(request line)`, in a thread for as long as the test runs.
pub fn fake_identd(addr: Ipv4Addr, reply: fn(&str) -> String) {
    assert!(
        is_root(),
        "ident tests bind port 113 and need root (CI runs them as root)"
    );
    let listener = TcpListener::bind((addr, 113)).unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut line = String::new();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            if reader.read_line(&mut line).is_ok() {
                let mut stream = stream;
                let _ = stream.write_all(reply(line.trim_end()).as_bytes());
            }
        }
    });
}
