//! A small protobuf wire codec: the simulated node reads transactions the way a Cosmos SDK node
//! does (strictly: unknown fields are refused where the SDK refuses them), without code
//! generation, and tests write the messages the core does not build yet.

use std::fmt;

/// Why bytes do not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError(pub String);

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, WireError> {
    Err(WireError(msg.into()))
}

/// One field's value as it sits on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value<'a> {
    Varint(u64),
    Fixed64(u64),
    Bytes(&'a [u8]),
    Fixed32(u32),
}

impl<'a> Value<'a> {
    pub fn varint(self, what: &str) -> Result<u64, WireError> {
        match self {
            Value::Varint(v) => Ok(v),
            _ => err(format!("{what}: wrong wire type, expected varint")),
        }
    }

    pub fn bytes(self, what: &str) -> Result<&'a [u8], WireError> {
        match self {
            Value::Bytes(b) => Ok(b),
            _ => err(format!("{what}: wrong wire type, expected length-delimited")),
        }
    }

    pub fn string(self, what: &str) -> Result<String, WireError> {
        let b = self.bytes(what)?;
        String::from_utf8(b.to_vec()).map_err(|_| WireError(format!("{what}: invalid UTF-8")))
    }

    pub fn bool(self, what: &str) -> Result<bool, WireError> {
        Ok(self.varint(what)? != 0)
    }
}

/// Iterates over the fields of one message.
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn read_varint(&mut self) -> Result<u64, WireError> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let Some(&b) = self.buf.get(self.pos) else { return err("truncated varint") };
            self.pos += 1;
            if i == 9 && b > 1 {
                return err("varint overflow");
            }
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        err("varint too long")
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], WireError> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.buf.len());
        let Some(end) = end else { return err("truncated field") };
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// The next `(field number, value)`, or `None` at the end.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Result<Option<(u32, Value<'a>)>, WireError> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let key = self.read_varint()?;
        let field = key >> 3;
        if field == 0 || field > u64::from(u32::MAX >> 3) {
            return err(format!("invalid field number {field}"));
        }
        let value = match key & 7 {
            0 => Value::Varint(self.read_varint()?),
            1 => {
                let b = self.take(8)?;
                Value::Fixed64(u64::from_le_bytes(b.try_into().expect("8 bytes")))
            }
            2 => {
                let n = self.read_varint()?;
                let n = usize::try_from(n).map_err(|_| WireError("length overflow".into()))?;
                Value::Bytes(self.take(n)?)
            }
            5 => {
                let b = self.take(4)?;
                Value::Fixed32(u32::from_le_bytes(b.try_into().expect("4 bytes")))
            }
            t => return err(format!("unsupported wire type {t}")),
        };
        Ok(Some((field as u32, value)))
    }

    /// Visits every field; `f` answers whether it knew the field.
    pub fn each(
        buf: &'a [u8],
        message: &str,
        strict: bool,
        mut f: impl FnMut(u32, Value<'a>) -> Result<bool, WireError>,
    ) -> Result<(), WireError> {
        let mut r = Reader::new(buf);
        while let Some((field, value)) = r.next()? {
            let known = f(field, value)?;
            // Cosmos SDK: unknown fields are an error unless the field number marks them
            // non-critical (bit 11 set, i.e. 1024 and above).
            if !known && strict && field < 1024 {
                return err(format!("errUnknownField \"{message}\": {{TagNum: {field}}}"));
            }
        }
        Ok(())
    }
}

/// Writes one message's fields (proto3: callers skip default values themselves, as prost does).
#[derive(Default)]
pub struct Writer {
    pub buf: Vec<u8>,
}

impl Writer {
    pub fn new() -> Self {
        Writer::default()
    }

    fn varint_raw(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    fn key(&mut self, field: u32, wire: u8) {
        self.varint_raw((u64::from(field) << 3) | u64::from(wire));
    }

    /// A varint field, omitted when zero.
    pub fn uint(&mut self, field: u32, v: u64) -> &mut Self {
        if v != 0 {
            self.key(field, 0);
            self.varint_raw(v);
        }
        self
    }

    /// A varint field written even when zero (repeated / packed-off enums).
    pub fn uint_always(&mut self, field: u32, v: u64) -> &mut Self {
        self.key(field, 0);
        self.varint_raw(v);
        self
    }

    /// A bytes field, omitted when empty.
    pub fn bytes(&mut self, field: u32, b: &[u8]) -> &mut Self {
        if !b.is_empty() {
            self.bytes_always(field, b);
        }
        self
    }

    /// A bytes field written even when empty (repeated bytes, present sub-messages).
    pub fn bytes_always(&mut self, field: u32, b: &[u8]) -> &mut Self {
        self.key(field, 2);
        self.varint_raw(b.len() as u64);
        self.buf.extend_from_slice(b);
        self
    }

    pub fn string(&mut self, field: u32, s: &str) -> &mut Self {
        self.bytes(field, s.as_bytes())
    }

    /// A sub-message (written even when its encoding is empty: it is present).
    pub fn message(&mut self, field: u32, m: &Writer) -> &mut Self {
        self.bytes_always(field, &m.buf)
    }

    pub fn finish(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        let mut inner = Writer::new();
        inner.string(1, "uakt").string(2, "5");
        let mut w = Writer::new();
        w.uint(1, 300).message(2, &inner).bytes(3, b"").uint(4, 0).uint_always(5, 0);
        let bytes = w.finish();
        let mut seen = Vec::new();
        Reader::each(&bytes, "T", true, |f, v| {
            seen.push((f, v));
            Ok(true)
        })
        .unwrap();
        assert_eq!(seen.len(), 3);
        assert_eq!(seen[0], (1, Value::Varint(300)));
        assert_eq!(seen[2], (5, Value::Varint(0)));
        assert!(Reader::each(&bytes, "T", true, |f, _| Ok(f != 2)).is_err());
        assert!(Reader::each(&bytes, "T", false, |f, _| Ok(f != 2)).is_ok());
        assert!(Reader::each(&[0x0a, 0x05, 1], "T", true, |_, _| Ok(true)).is_err());
        assert!(Reader::each(&[0xff; 11], "T", true, |_, _| Ok(true)).is_err());
    }
}
