//! A minimal JSON object writer (pure): one flat object per call, keys in the order given.
//!
//! Strings are byte strings (directory names are not always UTF-8): valid UTF-8 passes
//! through, `"` `\` and control characters are escaped, and every byte that is not part of
//! valid UTF-8 becomes `\u00XX` (its Latin-1 reading), so the output is always valid JSON.

/// A JSON object being written.
pub struct Object {
    out: Vec<u8>,
    empty: bool,
}

impl Default for Object {
    fn default() -> Self {
        Object {
            out: vec![b'{'],
            empty: true,
        }
    }
}

impl Object {
    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        string(&mut self.out, key.as_bytes());
        self.out.push(b':');
    }

    /// `"key":"value"`.
    pub fn string(&mut self, key: &str, value: &[u8]) -> &mut Self {
        self.key(key);
        string(&mut self.out, value);
        self
    }

    /// `"key":N`.
    pub fn number(&mut self, key: &str, value: i64) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(value.to_string().as_bytes());
        self
    }

    /// `"key":true` or `false`.
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    /// `"key":null`.
    pub fn null(&mut self, key: &str) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(b"null");
        self
    }

    /// `"key":{...}`: a finished object inside this one.
    pub fn object(&mut self, key: &str, value: Object) -> &mut Self {
        self.key(key);
        self.out.extend_from_slice(&value.finish());
        self
    }

    /// The object's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

/// Appends `bytes` as a JSON string.
pub fn string(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.extend_from_slice(b"\\\""),
                '\\' => out.extend_from_slice(b"\\\\"),
                '\n' => out.extend_from_slice(b"\\n"),
                '\t' => out.extend_from_slice(b"\\t"),
                '\r' => out.extend_from_slice(b"\\r"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => {
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(c as usize) >> 4]);
                    out.push(HEX[(c as usize) & 15]);
                }
                c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            }
        }
        for &b in chunk.invalid() {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 15)]);
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(bytes: &[u8]) -> String {
        let mut out = Vec::new();
        string(&mut out, bytes);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings() {
        assert_eq!(quoted(b"web"), r#""web""#);
        assert_eq!(quoted(b"a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(quoted(b"l\ni\tn\re"), r#""l\ni\tn\re""#);
        assert_eq!(quoted(b"\x01\x1f\x7f"), r#""\u0001\u001f\u007f""#);
        assert_eq!(quoted("café ☃".as_bytes()), "\"café ☃\"");
        assert_eq!(quoted(b"bad\xff\xc3"), r#""bad\u00ff\u00c3""#);
        assert_eq!(quoted(b""), r#""""#);
    }

    #[test]
    fn objects() {
        let mut inner = Object::default();
        inner.number("code", 3);
        let mut o = Object::default();
        o.string("dir", b"/service/x")
            .bool("up", true)
            .number("pid", 42)
            .null("want")
            .object("last_exit", inner);
        assert_eq!(
            String::from_utf8(o.finish()).unwrap(),
            r#"{"dir":"/service/x","up":true,"pid":42,"want":null,"last_exit":{"code":3}}"#
        );
        assert_eq!(Object::default().finish(), b"{}");
    }
}
