//! tcpserver's command line (pure): 0.88's options plus the IPv6 patch's `-4`, `-6` and
//! `-I`, read with djb's getopt. Numbers are read as 0.88 reads them (leading digits, no
//! error for trailing junk); `-u` and `-g` also take an account or group name.

use crate::format::num::scan_ulong;
use crate::getopt::{Getopt, GetoptError};
use std::ffi::CStr;

/// The option string (0.88's letters and the IPv6 patch's).
pub const OPTIONS: &[u8] = b"46dDvqQhHrR1UXx:t:u:g:l:b:B:c:I:pPoO";

/// How much tcpserver says on stderr.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// `-q`: nothing at all, not even fatal errors.
    Quiet,
    /// `-Q` (default): errors and warnings.
    Errors,
    /// `-v`: also the status, pid, ok/deny and end lines.
    Verbose,
}

/// A user or group given to `-u`/`-g`: a number, or a name to look up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Id<'a> {
    Number(u32),
    Name(&'a [u8]),
}

impl<'a> Id<'a> {
    fn read(value: &'a [u8]) -> Id<'a> {
        if value.first().is_some_and(u8::is_ascii_digit) || value.is_empty() {
            Id::Number(scan_ulong(value).0 as u32)
        } else {
            Id::Name(value)
        }
    }
}

/// Everything the command line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config<'a> {
    pub verbosity: Verbosity,
    /// `-d`/`-D`: leave Nagle's algorithm on (default) or turn it off.
    pub delay: bool,
    /// `-o`/`-O`: keep or kill (default) IP options.
    pub kill_options: bool,
    pub banner: &'a [u8],
    /// `-r`/`-R`: ident lookup (default on).
    pub remote_info: bool,
    /// `-h`/`-H`: reverse DNS of the client (default on).
    pub remote_host: bool,
    /// `-p`/`-P`: drop a reverse name that does not map back to the client.
    pub paranoid: bool,
    /// `-t`: seconds for the ident lookup.
    pub timeout: u64,
    pub rules: Option<&'a [u8]>,
    /// `-X`: a missing rules file allows everything.
    pub allow_no_rules: bool,
    pub limit: u64,
    pub backlog: u64,
    pub uid: Option<Id<'a>>,
    pub gid: Option<Id<'a>>,
    /// `-1`: print the local port on stdout.
    pub print_port: bool,
    /// `-l`: the local host name, instead of a lookup.
    pub local_name: Option<&'a [u8]>,
    /// `-I`: the interface for link-local addresses.
    pub interface: Option<&'a [u8]>,
    /// `-4`: IPv4 addresses only.
    pub only_v4: bool,
    /// `-6`: IPv6 socket and IPv6 environment even for IPv4 clients.
    pub force_v6: bool,
    pub host: &'a [u8],
    pub port: &'a [u8],
    pub program: &'a [&'a CStr],
}

/// Why the command line was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// A getopt error (its line is printed before the usage).
    Getopt(GetoptError),
    /// Host or port missing.
    Usage,
}

/// Reads the arguments (without argv[0]). `env` gives `UID` and `GID` for `-U`.
pub fn parse<'a>(
    args: &'a [&'a CStr],
    env: impl Fn(&[u8]) -> Option<&'a [u8]>,
) -> Result<Config<'a>, Refused> {
    let mut c = Config {
        verbosity: Verbosity::Errors,
        delay: true,
        kill_options: true,
        banner: b"",
        remote_info: true,
        remote_host: true,
        paranoid: false,
        timeout: 26,
        rules: None,
        allow_no_rules: false,
        limit: 40,
        backlog: 20,
        uid: None,
        gid: None,
        print_port: false,
        local_name: None,
        interface: None,
        only_v4: false,
        force_v6: false,
        host: b"",
        port: b"",
        program: &[],
    };
    let mut opts = Getopt::new(args, OPTIONS);
    for opt in opts.by_ref() {
        let opt = opt.map_err(Refused::Getopt)?;
        let value = opt.value.unwrap_or_default();
        let number = || scan_ulong(value).0;
        match opt.letter {
            b'b' => c.backlog = number(),
            b'c' => c.limit = number(),
            b'X' => c.allow_no_rules = true,
            b'x' => c.rules = Some(value),
            b'B' => c.banner = value,
            b'd' => c.delay = true,
            b'D' => c.delay = false,
            b'v' => c.verbosity = Verbosity::Verbose,
            b'q' => c.verbosity = Verbosity::Quiet,
            b'Q' => c.verbosity = Verbosity::Errors,
            b'P' => c.paranoid = false,
            b'p' => c.paranoid = true,
            b'O' => c.kill_options = true,
            b'o' => c.kill_options = false,
            b'H' => c.remote_host = false,
            b'h' => c.remote_host = true,
            b'R' => c.remote_info = false,
            b'r' => c.remote_info = true,
            b't' => c.timeout = number(),
            b'U' => {
                if let Some(uid) = env(b"UID") {
                    c.uid = Some(Id::Number(scan_ulong(uid).0 as u32));
                }
                if let Some(gid) = env(b"GID") {
                    c.gid = Some(Id::Number(scan_ulong(gid).0 as u32));
                }
            }
            b'u' => c.uid = Some(Id::read(value)),
            b'g' => c.gid = Some(Id::read(value)),
            b'1' => c.print_port = true,
            b'l' => c.local_name = Some(value),
            b'I' => c.interface = Some(value),
            b'4' => c.only_v4 = true,
            _ => c.force_v6 = true,
        }
    }
    // A missing program is checked by the caller, after the port (0.88's order).
    let [host, port, program @ ..] = opts.operands() else {
        return Err(Refused::Usage);
    };
    c.host = host.to_bytes();
    c.port = port.to_bytes();
    c.program = program;
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CString;

    fn parse_words(words: &[&str], uid: Option<&'static str>) -> Result<String, Refused> {
        let owned: Vec<CString> = words.iter().map(|w| CString::new(*w).unwrap()).collect();
        let args: Vec<&CStr> = owned.iter().map(|c| c.as_c_str()).collect();
        let env = |name: &[u8]| -> Option<&[u8]> {
            match name {
                b"UID" => uid.map(str::as_bytes),
                b"GID" => Some(b"77"),
                _ => None,
            }
        };
        parse(&args, env).map(|c| format!("{c:?}"))
    }

    #[test]
    fn defaults_and_operands() {
        let c = parse_words(&["0", "smtp", "qmail-smtpd", "-x"], None).unwrap();
        assert!(c.contains("verbosity: Errors"), "{c}");
        assert!(c.contains("remote_info: true, remote_host: true, paranoid: false, timeout: 26"));
        assert!(c.contains("limit: 40, backlog: 20"));
        assert!(c.contains("host: [48], port: [115, 109, 116, 112]"));
    }

    #[test]
    fn flags_and_values() {
        let c = parse_words(
            &[
                "-vR",
                "-c40",
                "-x./tcp.cdb",
                "-u",
                "7791",
                "-g2108",
                "-HpDob5",
                "-t3x",
                "-l0",
                "::",
                "25",
                "p",
            ],
            None,
        )
        .unwrap();
        assert!(c.contains("verbosity: Verbose"));
        assert!(c.contains("remote_info: false, remote_host: false, paranoid: true, timeout: 3"));
        assert!(c.contains("delay: false, kill_options: false"));
        assert!(c.contains("limit: 40, backlog: 5"));
        assert!(c.contains("uid: Some(Number(7791)), gid: Some(Number(2108))"));
        assert!(c.contains("local_name: Some([48])"));
        let c = parse_words(
            &["-u", "qmaild", "-gnofiles", "-U", "0", "1", "p"],
            Some("12"),
        )
        .unwrap();
        assert!(
            c.contains("uid: Some(Number(12)), gid: Some(Number(77))"),
            "{c}"
        );
        let c = parse_words(&["-unobody", "0", "1", "p"], None).unwrap();
        assert!(
            c.contains("uid: Some(Name([110, 111, 98, 111, 100, 121]))"),
            "{c}"
        );
        let c = parse_words(&["-I", "lo", "-46", "::", "1", "p"], None).unwrap();
        assert!(
            c.contains("interface: Some([108, 111]), only_v4: true, force_v6: true"),
            "{c}"
        );
    }

    #[test]
    fn refusals() {
        assert!(
            parse_words(&["0", "1"], None)
                .unwrap()
                .contains("program: []")
        );
        assert_eq!(parse_words(&["0"], None), Err(Refused::Usage));
        assert_eq!(parse_words(&[], None), Err(Refused::Usage));
        assert_eq!(
            parse_words(&["-z", "0", "1", "p"], None),
            Err(Refused::Getopt(GetoptError::Illegal(b'z')))
        );
        assert_eq!(
            parse_words(&["-c"], None),
            Err(Refused::Getopt(GetoptError::MissingValue(b'c')))
        );
    }
}
