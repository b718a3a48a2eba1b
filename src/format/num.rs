//! Decimal numbers as djb's `scan_ulong` reads them and `fmt_ulong` writes them (pure).
//!
//! Reading takes the leading decimal digits and wraps on overflow, as the C original does;
//! writing avoids the standard formatting machinery, which costs time in per-connection
//! paths and space in the static binary.

/// The value of the leading decimal digits of `s` (wrapping at 2^64) and how many there
/// were; `(0, 0)` when `s` does not start with a digit.
pub fn scan_ulong(s: &[u8]) -> (u64, usize) {
    let digits = s.iter().take_while(|b| b.is_ascii_digit()).count();
    let value = s[..digits].iter().fold(0u64, |n, &d| {
        n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
    });
    (value, digits)
}

/// `s` as a number when it is entirely decimal digits (the empty string reads as 0, as
/// `!x[scan_ulong(x,&u)]` accepts it).
pub fn all_digits(s: &[u8]) -> Option<u64> {
    let (value, len) = scan_ulong(s);
    (len == s.len()).then_some(value)
}

/// Appends the decimal digits of `n` to `out`.
pub fn push_ulong(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The decimal digits of `n`.
pub fn fmt_ulong(n: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(20);
    push_ulong(&mut out, n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanning() {
        assert_eq!(scan_ulong(b"123abc"), (123, 3));
        assert_eq!(scan_ulong(b"abc"), (0, 0));
        assert_eq!(scan_ulong(b""), (0, 0));
        assert_eq!(scan_ulong(b"18446744073709551616"), (0, 20));
        assert_eq!(all_digits(b"42"), Some(42));
        assert_eq!(all_digits(b""), Some(0));
        assert_eq!(all_digits(b"4x"), None);
        assert_eq!(all_digits(b"-4"), None);
    }

    #[test]
    fn formatting() {
        for n in [0, 7, 10, 65535, u64::MAX] {
            assert_eq!(fmt_ulong(n), n.to_string().into_bytes());
        }
    }
}
