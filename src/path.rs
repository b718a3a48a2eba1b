//! Pure path arithmetic on byte strings: the last component, its directory, and a path made
//! absolute against a working directory. No system calls and no normalisation of `..`.

/// Everything after the last `/`.
pub fn basename(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => &path[i + 1..],
        None => path,
    }
}

/// Everything before the last `/` (`/` for a name in the root, `.` for a bare name).
pub fn dirname(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(0) => b"/",
        Some(i) => &path[..i],
        None => b".",
    }
}

/// `path` if it is absolute, else `cwd/path` (a leading `./` dropped; `.` is `cwd`).
pub fn absolute(cwd: &[u8], path: &[u8]) -> Vec<u8> {
    if path.first() == Some(&b'/') {
        return path.to_vec();
    }
    if path == b"." {
        return cwd.to_vec();
    }
    let path = path.strip_prefix(b"./").unwrap_or(path);
    let sep: &[u8] = if cwd.ends_with(b"/") { b"" } else { b"/" };
    [cwd, sep, path].concat()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basename_cases() {
        assert_eq!(basename(b"/usr/bin/svc"), b"svc");
        assert_eq!(basename(b"svc"), b"svc");
        assert_eq!(basename(b"dir/"), b"");
    }

    #[test]
    fn dirname_cases() {
        assert_eq!(dirname(b"/usr/bin/svc"), b"/usr/bin");
        assert_eq!(dirname(b"/svc"), b"/");
        assert_eq!(dirname(b"bin/svc"), b"bin");
        assert_eq!(dirname(b"svc"), b".");
    }

    #[test]
    fn absolute_cases() {
        assert_eq!(absolute(b"/w", b"/bin/x"), b"/bin/x");
        assert_eq!(absolute(b"/w", b"bin/x"), b"/w/bin/x");
        assert_eq!(absolute(b"/w", b"./x"), b"/w/x");
        assert_eq!(absolute(b"/w", b"."), b"/w");
        assert_eq!(absolute(b"/", b"x"), b"/x");
        assert_eq!(absolute(b"/w", b"../x"), b"/w/../x");
    }
}
