//! Canonical JSON: object keys sorted by UTF-16 code units (as `json-stable-stringify` sorts them)
//! and no white space. The manifest hash and provider JWTs are computed over this form, so both use
//! this one writer: [`canonical`] for a `serde_json` value (it sorts itself, whatever map type
//! serde_json was built with), and [`write_str`] / [`write_u64`] for the manifest, which is written
//! directly in canonical order without building a value first.

use serde_json::Value;

/// `v` as canonical JSON.
pub fn canonical(v: &Value) -> String {
    let mut out = String::with_capacity(1024);
    write_value(v, &mut out, false);
    out
}

/// Appends `v` as canonical JSON; with `escape_html`, `<`, `>` and `&` in strings are written
/// `\u003c`, `\u003e`, `\u0026`, as Go's encoder (and the SDK's manifest JSON) writes them.
pub fn write_value(v: &Value, out: &mut String, escape_html: bool) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            for (i, k) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, k, escape_html);
                out.push(':');
                write_value(&map[k.as_str()], out, escape_html);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out, escape_html);
            }
            out.push(']');
        }
        Value::String(s) => write_str(out, s, escape_html),
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// How each byte is written inside a JSON string: 0 as itself, 1 as `\u00XX`, 2 as `\u00XX`
/// only when escaping HTML characters, anything else as a backslash and that character.
const ESCAPES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = 1;
        c += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0a] = b'n';
    t[0x0c] = b'f';
    t[0x0d] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[b'<' as usize] = 2;
    t[b'>' as usize] = 2;
    t[b'&' as usize] = 2;
    t
};

/// Appends `s` as a JSON string, escaped exactly as `serde_json` (and `JSON.stringify`) escape
/// it: `"`, `\`, `\b`, `\t`, `\n`, `\f`, `\r`, other control characters as lower-case `\u00xx`;
/// with `escape_html`, `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`.
pub fn write_str(out: &mut String, s: &str, escape_html: bool) {
    const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let e = ESCAPES[b as usize];
        if e == 0 || (e == 2 && !escape_html) {
            continue;
        }
        // Every escaped byte is ASCII, so `start..i` lies on character boundaries.
        out.push_str(&s[start..i]);
        start = i + 1;
        if e <= 2 {
            out.push_str("\\u00");
            out.push(HEX_DIGITS[(b >> 4) as usize] as char);
            out.push(HEX_DIGITS[(b & 0xf) as usize] as char);
        } else {
            out.push('\\');
            out.push(e as char);
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Appends the decimal digits of `n`.
pub fn write_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(d as char);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn keys_sorted_by_code_unit_without_spaces() {
        let v = json!({"b": 1, "a": [true, null, {"z": "x\"y", "B": 2.5}], "A": "<"});
        assert_eq!(super::canonical(&v), r#"{"A":"<","a":[true,null,{"B":2.5,"z":"x\"y"}],"b":1}"#);
    }

    #[test]
    fn strings_escaped_as_serde_json_does() {
        let mut s = String::from("<&>\"\\/\u{0}\u{1f}\u{8}\t\n\u{c}\r\u{7f} é ✓ 😀 end");
        for c in 0u8..0x20 {
            s.push(c as char);
        }
        let mut ours = String::new();
        super::write_str(&mut ours, &s, false);
        assert_eq!(ours, serde_json::Value::String(s.clone()).to_string());
        let mut html = String::new();
        super::write_str(&mut html, &s, true);
        assert_eq!(html, ours.replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026"));
    }

    #[test]
    fn integers() {
        for n in [0u64, 7, 10, 1_000_000, u32::MAX as u64, u64::MAX] {
            let mut out = String::new();
            super::write_u64(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }
}
