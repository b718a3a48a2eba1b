//! The JSON object writer (`svstat -j`), read back by a strict JSON reader written here.

use super::Input;
use crate::format::json::Object;

/// A value as the reader sees it.
#[derive(Debug, PartialEq)]
enum Value {
    Str(String),
    Num(i64),
    Bool(bool),
    Null,
    Obj(Vec<(String, Value)>),
}

/// A strict reader for what the writer may produce (RFC 8259, no whitespace).
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn eat(&mut self, b: u8) -> Option<()> {
        let (&first, rest) = self.0.split_first()?;
        (first == b).then(|| self.0 = rest)
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.0.get(..4)?).ok()?;
        self.0 = &self.0[4..];
        u32::from_str_radix(digits, 16).ok()
    }

    fn string(&mut self) -> Option<String> {
        self.eat(b'"')?;
        let mut out = String::new();
        loop {
            let text = std::str::from_utf8(self.0).ok()?;
            let c = text.chars().next()?;
            self.0 = &self.0[c.len_utf8()..];
            match c {
                '"' => return Some(out),
                '\\' => {
                    let (&e, rest) = self.0.split_first()?;
                    self.0 = rest;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'u' => char::from_u32(self.hex4()?)?,
                        _ => return None,
                    });
                }
                c if (c as u32) < 0x20 => return None,
                c => out.push(c),
            }
        }
    }

    fn value(&mut self) -> Option<Value> {
        match *self.0.first()? {
            b'"' => self.string().map(Value::Str),
            b'{' => self.object().map(Value::Obj),
            b't' | b'f' | b'n' => {
                for (word, value) in [
                    (&b"true"[..], Value::Bool(true)),
                    (b"false", Value::Bool(false)),
                    (b"null", Value::Null),
                ] {
                    if let Some(rest) = self.0.strip_prefix(word) {
                        self.0 = rest;
                        return Some(value);
                    }
                }
                None
            }
            _ => {
                let len = self
                    .0
                    .iter()
                    .take_while(|b| b"-0123456789".contains(b))
                    .count();
                let text = std::str::from_utf8(&self.0[..len]).ok()?;
                self.0 = &self.0[len..];
                let leading_zero = text.trim_start_matches('-').len() > 1
                    && text.trim_start_matches('-').starts_with('0');
                (!leading_zero).then(|| text.parse().ok().map(Value::Num))?
            }
        }
    }

    fn object(&mut self) -> Option<Vec<(String, Value)>> {
        self.eat(b'{')?;
        let mut fields = Vec::new();
        if self.eat(b'}').is_some() {
            return Some(fields);
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            fields.push((key, self.value()?));
            if self.eat(b'}').is_some() {
                return Some(fields);
            }
            self.eat(b',')?;
        }
    }
}

/// What a byte string should read back as: its valid UTF-8 as is, every other byte as the
/// character with that code (its Latin-1 reading).
fn expected(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        out.extend(chunk.invalid().iter().map(|&b| char::from(b)));
    }
    out
}

/// Whatever the values, the writer's output is valid UTF-8 and strict JSON, and reads back
/// as the fields given, in order.
pub fn json(data: &[u8]) {
    let mut input = Input::new(data);
    let keys = ["dir", "pid", "paused", "want", "ready", "\"odd\\key\""];
    let (mut outer, mut inner) = (Object::default(), Object::default());
    let (mut want_outer, mut want_inner) = (Vec::new(), Vec::new());
    while !input.is_empty() {
        let op = input.byte();
        let key = keys[usize::from(op >> 4) % keys.len()];
        let (object, want) = if op & 8 == 0 {
            (&mut outer, &mut want_outer)
        } else {
            (&mut inner, &mut want_inner)
        };
        let value = match op % 4 {
            0 => {
                let bytes = input.sized(32);
                object.string(key, bytes);
                Value::Str(expected(bytes))
            }
            1 => {
                let n = input.u64() as i64;
                object.number(key, n);
                Value::Num(n)
            }
            2 => {
                let b = input.byte() & 1 == 1;
                object.bool(key, b);
                Value::Bool(b)
            }
            _ => {
                object.null(key);
                Value::Null
            }
        };
        want.push((key.to_owned(), value));
    }
    outer.object("inner", inner);
    want_outer.push(("inner".to_owned(), Value::Obj(want_inner)));
    let bytes = outer.finish();
    assert!(std::str::from_utf8(&bytes).is_ok(), "not UTF-8");
    let mut reader = Reader(&bytes);
    let read = reader.object();
    assert!(reader.0.is_empty(), "trailing bytes");
    assert_eq!(read, Some(want_outer));
}
