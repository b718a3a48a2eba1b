//! svreload: sends its reload signal to every service that uses a renewed certificate.
//!
//! `svreload SCANDIR [NAME...]`. A service lists the certificate names it uses, one per line,
//! in `SCANDIR/SERVICE/certificates` (blank lines and `#` comments skipped, blanks around a
//! name ignored, compared without regard to case). The names default to certbot's deploy-hook
//! environment: every name in `RENEWED_DOMAINS` and the last component of `RENEWED_LINEAGE`
//! (certbot calls a deploy hook once per certificate, and one certificate can cover several
//! names). Each service that lists one of them gets its reload signal exactly once: s6's
//! `reload-signal` file if present (a name or a number), else HUP. One line on stdout per
//! service reloaded: `reloaded SERVICE (SIGNAL)`.
//!
//! The signal goes through supervise's control FIFO when supervise has a letter for it (`h`,
//! `a`, `i`, `t`, `k`, and s6's `q`, `1`, `2`, `b`, `y`); otherwise straight to the pid of the
//! status record, through a pidfd taken while the record still names it.
//!
//! Exit codes: 0 when every matching service was signalled (or none matched: a warning
//! says so); 100 usage (no scan directory, or no name given or found in the environment);
//! 111 when a matching service could not be signalled or SCANDIR cannot be read.

use crate::exit;
use crate::svdir::{self, ServiceDir};
use crate::sys::{self, signal};
use std::ffi::CStr;

const PROG: &str = "svreload";
const USAGE: &str = "svreload scandir [name ...]";
/// The list of certificate names a service uses.
const CERTIFICATES: &[u8] = b"certificates";
/// certbot's deploy-hook variables.
const RENEWED_DOMAINS: &[u8] = b"RENEWED_DOMAINS";
const RENEWED_LINEAGE: &[u8] = b"RENEWED_LINEAGE";
/// Signals supervise sends for a control letter.
const LETTERS: &[(i32, u8)] = &[
    (signal::SIGHUP, b'h'),
    (signal::SIGALRM, b'a'),
    (signal::SIGINT, b'i'),
    (signal::SIGTERM, b't'),
    (signal::SIGKILL, b'k'),
    (signal::SIGQUIT, b'q'),
    (signal::SIGUSR1, b'1'),
    (signal::SIGUSR2, b'2'),
    (signal::SIGABRT, b'b'),
    (signal::SIGWINCH, b'y'),
];

/// The certificate names from certbot's environment (pure): the words of `domains`, then
/// the last component of `lineage`.
fn names_from_env(domains: Option<&[u8]>, lineage: Option<&[u8]>) -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> = domains
        .unwrap_or_default()
        .split(u8::is_ascii_whitespace)
        .filter(|w| !w.is_empty())
        .map(<[u8]>::to_vec)
        .collect();
    if let Some(last) = lineage
        .unwrap_or_default()
        .split(|&b| b == b'/')
        .rfind(|w| !w.is_empty())
    {
        names.push(last.to_vec());
    }
    names
}

/// Does a `certificates` file list one of `names` (pure)?
fn lists_one_of(file: &[u8], names: &[Vec<u8>]) -> bool {
    file.split(|&b| b == b'\n')
        .map(|line| line.trim_ascii())
        .filter(|line| !line.is_empty() && !line.starts_with(b"#"))
        .any(|line| names.iter().any(|n| n.eq_ignore_ascii_case(line)))
}

/// The service's reload signal; a bad `reload-signal` is a warning and HUP.
fn reload_signal(service: &ServiceDir, name: &[u8]) -> i32 {
    let text = match service.read_setting(svdir::RELOAD_SIGNAL) {
        Ok(Some(text)) => text,
        Ok(None) => return signal::SIGHUP,
        Err(e) => {
            exit::warn_sys(
                PROG,
                &[b"unable to read ", name, b"/", svdir::RELOAD_SIGNAL],
                e,
            );
            return signal::SIGHUP;
        }
    };
    signal::by_name(text.trim_ascii()).unwrap_or_else(|| {
        let what: &[&[u8]] = &[
            b"ignoring ",
            name,
            b"/",
            svdir::RELOAD_SIGNAL,
            b": unknown signal",
        ];
        exit::warn(PROG, what);
        signal::SIGHUP
    })
}

/// Sends `sig` to the service in `service`; an error says why not, in svc's words.
fn send(service: &ServiceDir, name: &[u8], sig: i32) -> Result<(), Vec<u8>> {
    if let Some(&(_, letter)) = LETTERS.iter().find(|&&(s, _)| s == sig) {
        return service.control(&[letter]).map_err(|e| e.text());
    }
    let record = service.read_status().map_err(|e| e.text())?;
    let pid = i32::try_from(record.pid).ok().filter(|&p| p > 0);
    let Some(pid) = pid else {
        return Err([b"unable to signal ", name, b": it is down"].concat());
    };
    let failed = |e| {
        [
            b"unable to signal ",
            name,
            b": ",
            crate::errtext::text(e).as_bytes(),
        ]
        .concat()
    };
    let fd = sys::proc::pidfd_open(pid).map_err(failed)?;
    // Taken after the pidfd: the record still names this very process.
    if service.read_status().map_err(|e| e.text())? != record {
        return Err([b"unable to signal ", name, b": it restarted"].concat());
    }
    sys::proc::pidfd_send_signal(&fd, sig).map_err(failed)
}

/// Entry point.
pub fn main(args: &[&CStr]) -> u8 {
    let Some(scan_dir) = args.get(1).map(|a| a.to_bytes()) else {
        exit::usage(PROG, USAGE, exit::USAGE)
    };
    let mut names: Vec<Vec<u8>> = args[2..].iter().map(|a| a.to_bytes().to_vec()).collect();
    if names.is_empty() {
        let domains = sys::env::get(RENEWED_DOMAINS);
        let lineage = sys::env::get(RENEWED_LINEAGE);
        names = names_from_env(domains.as_deref(), lineage.as_deref());
    }
    if names.is_empty() {
        exit::usage(PROG, USAGE, exit::USAGE)
    }
    let mut entries = sys::dir::names(scan_dir)
        .unwrap_or_else(|e| exit::die_sys(PROG, &[b"unable to read ", scan_dir], e, exit::TEMP));
    entries.sort_unstable();
    let mut out = crate::buffer::Buffer::new(sys::fd::stdout(), 4096);
    let (mut code, mut matched) = (exit::OK, 0);
    for entry in entries.iter().filter(|e| svdir::is_service_name(e)) {
        let dir = [scan_dir, b"/", entry].concat();
        let service = ServiceDir::at(&dir);
        let listed = match service.read_setting(CERTIFICATES) {
            Ok(Some(file)) => lists_one_of(&file, &names),
            // Not a directory: not a service, as svscan sees it.
            Ok(None) | Err(sys::Errno::NOTDIR) => false,
            Err(e) => {
                exit::warn_sys(PROG, &[b"unable to read ", &dir, b"/", CERTIFICATES], e);
                false
            }
        };
        if !listed {
            continue;
        }
        matched += 1;
        let sig = reload_signal(&service, &dir);
        match send(&service, &dir, sig) {
            Ok(()) => {
                let sig_name = signal::name_of(sig).unwrap_or("?");
                let line = [
                    b"reloaded ",
                    &entry[..],
                    b" (SIG",
                    sig_name.as_bytes(),
                    b")\n",
                ];
                let _ = out.put(&line.concat());
            }
            Err(why) => {
                exit::warn(PROG, &[&why]);
                code = exit::TEMP;
            }
        }
    }
    let _ = out.flush();
    if matched == 0 {
        exit::warn(
            PROG,
            &[b"no service in ", scan_dir, b" lists ", &names.join(&b' ')],
        );
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_certbot_sets_them() {
        let names = names_from_env(
            Some(b"example.com www.example.com"),
            Some(b"/etc/letsencrypt/live/example.com"),
        );
        assert_eq!(
            names,
            [&b"example.com"[..], b"www.example.com", b"example.com"]
        );
        assert_eq!(names_from_env(None, Some(b"/x/y/")), [b"y".to_vec()]);
        assert!(names_from_env(Some(b"  "), None).is_empty());
    }

    #[test]
    fn certificates_files() {
        let names = vec![b"mx.example.com".to_vec()];
        assert!(lists_one_of(b"# mail\n\n  MX.Example.com  \n", &names));
        assert!(lists_one_of(b"web.example.com\nmx.example.com", &names));
        assert!(!lists_one_of(
            b"mx.example.com.evil\n#mx.example.com\n",
            &names
        ));
        assert!(!lists_one_of(b"", &names));
    }
}
