use super::*;

fn rule(line: &str) -> Result<Vec<(String, Vec<u8>)>, BadLine> {
    let mut records = Vec::new();
    let mut data = Vec::new();
    if let Some(keys) = parse_line(line.as_bytes(), &mut data)? {
        keys.for_each(|k| {
            records.push((String::from_utf8(k.to_vec()).unwrap(), data.clone()));
            Ok::<(), ()>(())
        })
        .unwrap();
    }
    Ok(records)
}

fn one(line: &str) -> (String, Vec<u8>) {
    let mut records = rule(line).unwrap();
    assert_eq!(records.len(), 1, "{line}");
    records.remove(0)
}

#[test]
fn skipped_lines() {
    for line in ["", "\n", "# 1.2.3.4:deny", "no colon here", "   \n", "\t\n"] {
        assert_eq!(
            parse_line(line.as_bytes(), &mut Vec::new()),
            Ok(None),
            "{line:?}"
        );
    }
}

#[test]
fn allow_and_deny() {
    assert_eq!(one("1.2.3.4:allow\n"), ("1.2.3.4".into(), vec![]));
    assert_eq!(one("1.2.3.:deny"), ("1.2.3.".into(), b"D\0".to_vec()));
    assert_eq!(one(":allow"), ("".into(), vec![]));
    assert_eq!(
        one("=host.example:deny \t \n"),
        ("=host.example".into(), b"D\0".to_vec())
    );
    assert_eq!(one("joe@1.2.3.4:allow"), ("joe@1.2.3.4".into(), vec![]));
}

#[test]
fn instructions_are_recorded() {
    assert_eq!(
        one("127.:allow,RELAYCLIENT=\"\",X='a b',Y=/v\"/"),
        ("127.".into(), b"+RELAYCLIENT=\0+X=a b\0+Y=v\"\0".to_vec())
    );
    assert_eq!(one(":deny,A=\"1\""), ("".into(), b"D\0+A=1\0".to_vec()));
}

#[test]
fn bad_lines() {
    for line in [
        "1.2.3.4:",
        "1.2.3.4:permit",
        "1.2.3.4: allow",
        "1.2.3.4:allowx",
        "1.2.3.4:allow,",
        "1.2.3.4:allow,X",
        "1.2.3.4:allow,X=",
        "1.2.3.4:allow,X=\"open",
        "1.2.3.4:allow,X=\"v\"junk",
        "1.2.3.4:deny allow",
        "1.2.3-x:allow",
        "1.2.x-3:allow",
        "::1-5:allow",
    ] {
        assert_eq!(
            parse_line(line.as_bytes(), &mut Vec::new()),
            Err(BadLine),
            "{line}"
        );
    }
}

#[test]
fn ipv6_addresses_end_at_the_colon_before_the_instruction() {
    assert_eq!(one("::1:allow"), ("::1".into(), vec![]));
    assert_eq!(one("2001:db8::deny"), ("2001:db8:".into(), b"D\0".to_vec()));
    assert_eq!(
        one("fe80::1:deny,A=\"b\""),
        ("fe80::1".into(), b"D\0+A=b\0".to_vec())
    );
}

#[test]
fn ranges_expand() {
    let keys =
        |line: &str| -> Vec<String> { rule(line).unwrap().into_iter().map(|r| r.0).collect() };
    assert_eq!(keys("1.2.3.4-6:allow"), ["1.2.3.4", "1.2.3.5", "1.2.3.6"]);
    assert_eq!(keys("10.1-3.:deny"), ["10.1.", "10.2.", "10.3."]);
    assert_eq!(keys("5-7:allow"), ["5", "6", "7"]);
    assert_eq!(keys("1.2.3.254-999:allow"), ["1.2.3.254", "1.2.3.255"]);
    assert_eq!(keys("1.2.3.9-4:allow"), Vec::<String>::new());
    assert_eq!(keys("1.2.-1:allow"), ["1.2.0", "1.2.1"]);
    // `=` or `@` turn range expansion off.
    assert_eq!(keys("=a-b.example:allow"), ["=a-b.example"]);
    assert_eq!(keys("x-y@1.2.3.4:allow"), ["x-y@1.2.3.4"]);
    let records = rule("1.2.3.1-2:deny,A=\"b\"").unwrap();
    assert!(records.iter().all(|r| r.1 == b"D\0+A=b\0"));
}

#[test]
fn records_decode() {
    let got: Vec<Instruction> = decode(b"D\0+A=b\0+NOEQ\0xjunk\0+tail").collect();
    assert_eq!(
        got,
        [
            Instruction::Deny,
            Instruction::Set(b"A=b"),
            Instruction::Set(b"NOEQ")
        ]
    );
    assert_eq!(decode(b"").count(), 0);
}

fn keys(ip: &[u8], host: Option<&[u8]>, info: Option<&[u8]>) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    visit_keys(ip, host, info, &mut |k| {
        all.push(k.to_vec());
        false
    });
    all
}

#[test]
fn key_order() {
    let show = |keys: Vec<Vec<u8>>| -> Vec<String> {
        keys.into_iter()
            .map(|k| String::from_utf8(k).unwrap())
            .collect()
    };
    assert_eq!(
        show(keys(b"1.2.3.4", Some(b"a.b.example"), Some(b"joe"))),
        [
            "joe@1.2.3.4",
            "joe@=a.b.example",
            "1.2.3.4",
            "=a.b.example",
            "1.2.3.",
            "1.2.",
            "1.",
            "=.b.example",
            "=.example",
            "=",
            ""
        ]
    );
    assert_eq!(
        show(keys(b"1.2.3.4", None, None)),
        ["1.2.3.4", "1.2.3.", "1.2.", "1.", ""]
    );
    assert_eq!(show(keys(b"::1", None, None)), ["::1", "::", ":", ""]);
    assert_eq!(
        show(keys(b"1.2.3.4", Some(b""), None)),
        ["1.2.3.4", "=", "1.2.3.", "1.2.", "1.", "=", ""]
    );
}

#[test]
fn lookup_finds_the_most_specific_rule() {
    let mut maker = cdb::Maker::default();
    let mut body = Vec::new();
    for line in [
        "1.2.3.4:deny",
        "1.2.:allow,A=\"net\"",
        "=.example:allow,H=\"x\"",
        ":deny",
    ] {
        let mut data = Vec::new();
        let Ok(Some(keys)) = parse_line(line.as_bytes(), &mut data) else {
            panic!()
        };
        keys.for_each(|k| maker.add(k, &data, &mut body)).unwrap();
    }
    let header = maker.finish(&mut body).unwrap();
    let db = [&header[..], &body].concat();
    let found = |ip: &[u8], host: Option<&[u8]>| {
        lookup(&db, ip, host, None)
            .unwrap()
            .map(|(k, d)| (k, d.to_vec()))
    };
    assert_eq!(
        found(b"1.2.3.4", None),
        Some((b"1.2.3.4".to_vec(), b"D\0".to_vec()))
    );
    assert_eq!(
        found(b"1.2.9.9", None),
        Some((b"1.2.".to_vec(), b"+A=net\0".to_vec()))
    );
    assert_eq!(
        found(b"9.9.9.9", Some(b"h.example")),
        Some((b"=.example".to_vec(), b"+H=x\0".to_vec()))
    );
    assert_eq!(
        found(b"9.9.9.9", None),
        Some((b"".to_vec(), b"D\0".to_vec()))
    );
    assert_eq!(lookup(&db[..10], b"1.2.3.4", None, None), Err(Truncated));
}
