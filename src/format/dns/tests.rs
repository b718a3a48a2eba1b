use super::*;

/// A response to `q` with the given answer records (type, data), names compressed to the
/// question.
fn response(q: &[u8], flags: [u8; 2], records: &[(u16, &[u8])]) -> Vec<u8> {
    let mut r = q.to_vec();
    r[2] = 0x80 | flags[0];
    r[3] = 0x80 | flags[1];
    r[6..8].copy_from_slice(&(records.len() as u16).to_be_bytes());
    for (kind, data) in records {
        r.extend_from_slice(&[0xc0, 12]);
        r.extend_from_slice(&kind.to_be_bytes());
        r.extend_from_slice(&[0, 1, 0, 0, 1, 0]);
        r.extend_from_slice(&(data.len() as u16).to_be_bytes());
        r.extend_from_slice(data);
    }
    r
}

#[test]
fn names_from_text() {
    assert_eq!(
        from_dot(b"www.example.com"),
        Some(b"\x03www\x07example\x03com\0".to_vec())
    );
    assert_eq!(from_dot(b"a..b."), Some(b"\x01a\x01b\0".to_vec()));
    assert_eq!(from_dot(b""), Some(b"\0".to_vec()));
    assert_eq!(from_dot(b"a\\.b\\101"), Some(b"\x04a.bA\0".to_vec()));
    assert_eq!(from_dot(b"x\\0779"), Some(b"\x03x?9\0".to_vec()));
    assert_eq!(from_dot(&[b'a'; 63]).map(|n| n.len()), Some(65));
    assert_eq!(from_dot(&[b'a'; 64]), None);
    let long: Vec<u8> = std::iter::repeat_n(&b"abcdefg."[..], 32)
        .flatten()
        .copied()
        .collect();
    assert_eq!(from_dot(&long), None);
}

#[test]
fn names_to_text() {
    assert_eq!(to_dot(b"\x03WwW\x07example\x03com\0"), b"www.example.com");
    assert_eq!(to_dot(b"\0"), b".");
    assert_eq!(to_dot(b"\x03a.b\x02_-\0"), b"a\\056b._-");
    assert_eq!(to_dot(b"\x01\xff\0"), b"\\377");
}

#[test]
fn reverse_names() {
    let v4 = reverse_name(&ip::mapped([192, 0, 2, 10]));
    assert_eq!(v4, b"\x0210\x012\x010\x03192\x07in-addr\x04arpa\0");
    let mut v6 = [0u8; 16];
    v6[0] = 0x20;
    v6[1] = 0x01;
    v6[15] = 0xab;
    assert_eq!(
        to_dot(&reverse_name(&v6)),
        b"b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.2.ip6.arpa"
    );
}

#[test]
fn query_bytes() {
    assert_eq!(
        query(0x1234, b"\x01a\0", T_PTR),
        b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01a\x00\x00\x0c\x00\x01"
    );
}

#[test]
fn verdicts() {
    let q = query(7, b"\x01a\x02bc\0", T_A);
    assert_eq!(verdict(&q, &response(&q, [0, 0], &[])), Verdict::Answer);
    assert_eq!(verdict(&q, &response(&q, [0, 3], &[])), Verdict::Answer);
    assert_eq!(verdict(&q, &response(&q, [0, 2], &[])), Verdict::NextServer);
    assert_eq!(verdict(&q, &response(&q, [2, 0], &[])), Verdict::NextServer);
    let mut other_id = response(&q, [0, 0], &[]);
    other_id[1] = 8;
    assert_eq!(verdict(&q, &other_id), Verdict::Irrelevant);
    let mut upper = response(&q, [0, 0], &[]);
    upper[13] = b'A';
    assert_eq!(verdict(&q, &upper), Verdict::Answer);
    let other_type = response(&query(7, b"\x01a\x02bc\0", T_TXT), [0, 0], &[]);
    assert_eq!(verdict(&q, &other_type), Verdict::Irrelevant);
    for garbage in [&b""[..], b"\x00\x07", &[0xff; 40]] {
        assert_eq!(verdict(&q, garbage), Verdict::Irrelevant);
    }
}

#[test]
fn address_answers() {
    let q = query(1, b"\x01h\0", T_A);
    let r = response(
        &q,
        [0, 0],
        &[
            (T_A, &[1, 2, 3, 4]),
            (T_TXT, b"\x01x"),
            (T_A, &[5, 6, 7, 8]),
            (T_AAAA, &[9; 16]),
            (T_A, &[1, 2, 3]),
        ],
    );
    assert_eq!(
        addresses(&r, false),
        Ok(vec![ip::mapped([1, 2, 3, 4]), ip::mapped([5, 6, 7, 8])])
    );
    assert_eq!(addresses(&r, true).map(|a| a.len()), Ok(3));
    // A record whose data runs past the end.
    let mut cut = r.clone();
    cut.truncate(q.len() + 14);
    assert_eq!(addresses(&cut, false), Err(Malformed));
}

#[test]
fn ptr_answers() {
    let q = query(1, b"\x011\x010\x010\x03127\x07in-addr\x04arpa\0", T_PTR);
    let r = response(&q, [0, 0], &[(T_PTR, b"\x09localhost\0")]);
    assert_eq!(ptr_name(&r), Ok(Some(b"localhost".to_vec())));
    // A name compressed into the question.
    let r = response(&q, [0, 0], &[(T_PTR, b"\x02Hi\xc0\x0c")]);
    assert_eq!(
        ptr_name(&r),
        Ok(Some(b"hi.1.0.0.127.in-addr.arpa".to_vec()))
    );
    assert_eq!(ptr_name(&response(&q, [0, 3], &[])), Ok(None));
    // A pointer to itself.
    let looped = response(&q, [0, 0], &[(T_PTR, b"\xc0\x00")]);
    let at = looped.len() - 2;
    let mut looped = looped;
    looped[at + 1] = at as u8;
    assert_eq!(ptr_name(&looped), Err(Malformed));
    assert_eq!(
        ptr_name(&response(&q, [0, 0], &[(T_PTR, b"\x40x\0")])),
        Err(Malformed)
    );
}

#[test]
fn name_reads_are_bounded_as_djb_counts_them() {
    // A chain of pointers, each to the next, then the name "a": djb's getname gives up
    // at the 1000th byte it reads, the final zero included.
    let chain = |hops: usize| {
        let mut packet = vec![0u8; 12];
        for i in 1..=hops {
            let next = 12 + 2 * i;
            packet.extend_from_slice(&[0xc0 | (next >> 8) as u8, next as u8]);
        }
        packet.extend_from_slice(b"\x01a\0");
        packet
    };
    assert_eq!(get_name(&chain(996), 12), Ok((b"\x01a\0".to_vec(), 14)));
    assert_eq!(get_name(&chain(997), 12), Err(Malformed));
}

#[test]
fn txt_answers() {
    let q = query(1, b"\x011\x02bl\0", T_TXT);
    let r = response(
        &q,
        [0, 0],
        &[(T_TXT, b"\x05hello\x03\x01\xffz"), (T_TXT, b"\x02!!")],
    );
    assert_eq!(txt(&r), Ok(b"hello??z!!".to_vec()));
    assert_eq!(txt(&response(&q, [0, 3], &[])), Ok(vec![]));
}
