//! YAML loading with the semantics of `js-yaml` 4 (the loader of the official Akash SDK), so that an
//! SDL means here exactly what it means there: YAML 1.2 core schema scalars (`yes` is a string,
//! `1.0` is the number 1), merge keys `<<`, anchors and aliases, duplicate keys refused, mapping keys
//! turned into strings, one document only.
//!
//! Two parsers build the same tree. [`fast`] is a hand-written scanner for the block-style subset
//! SDL files are written in (block mappings and sequences, plain, quoted and block scalars,
//! one-line flow collections, comments); it borrows strings from the input and gives up on
//! anything else, including every error. [`full`] runs the complete YAML parser (`saphyr-parser`)
//! and is used whenever the fast path gives up, so the fast path changes speed, never meaning:
//! the tests and the `yaml_diff` fuzz target check that both give the same tree.
//!
//! The input size is checked before parsing and alias expansion is bounded, so a small hostile
//! document cannot make us build a huge tree.

use std::borrow::Cow;

mod fast;
mod full;

/// A loaded YAML value, in the shape JavaScript sees it. Strings borrow from the input text where
/// they appear in it verbatim.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    /// A JavaScript number (integers are numbers too).
    Number(f64),
    String(Cow<'a, str>),
    Seq(Vec<Node<'a>>),
    /// Keys in JavaScript property order: integer-like keys ascending first, then insertion order.
    Map(Vec<(Cow<'a, str>, Node<'a>)>),
    /// A YAML timestamp (`2024-01-01`): js-yaml makes it a `Date`, which no SDL field accepts.
    Timestamp(Cow<'a, str>),
    /// Binary data (`!!binary`): a `Buffer` in js-yaml, which no SDL field accepts.
    Binary,
}

/// A value with the line it starts on (1-based), for error messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    pub value: Value<'a>,
    pub line: usize,
}

impl<'a> Node<'a> {
    /// The mapping's entry for `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The JavaScript type name used in error messages ("object", "array", "string", ...).
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.fract() == 0.0 && n.is_finite() => "integer",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
            Value::Timestamp(_) => "date",
            Value::Binary => "binary",
        }
    }

    /// Whether two trees are the same, numbers compared bit for bit (so that `.nan` equals
    /// itself): how the tests and the fuzzer compare the fast parser with the full one.
    pub fn same_as(&self, other: &Node<'_>) -> bool {
        if self.line != other.line {
            return false;
        }
        match (&self.value, &other.value) {
            (Value::Number(a), Value::Number(b)) => a.to_bits() == b.to_bits(),
            (Value::Seq(a), Value::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y)),
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka == kb && va.same_as(vb))
            }
            (a, b) => a == b,
        }
    }
}

/// Why a document could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlError {
    /// The input is larger than the limit given to [`load`].
    TooLarge { size: usize, limit: usize },
    /// Not well-formed YAML.
    Syntax { line: usize, column: usize, message: String },
    /// The same key twice in one mapping.
    DuplicateKey { line: usize, key: String },
    /// An alias to an anchor that was not defined before it.
    UnknownAnchor { line: usize },
    /// A mapping or sequence used as a mapping key.
    ComplexKey { line: usize },
    /// A merge key (`<<`) whose value is not a mapping or a list of mappings.
    BadMerge { line: usize },
    /// More than one document in the stream.
    MultipleDocuments,
    /// Alias expansion or nesting beyond the limits.
    TooComplex,
    /// A tag we do not resolve (or a value that does not fit its explicit tag).
    BadTag { line: usize, tag: String },
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            YamlError::TooLarge { size, limit } => {
                write!(f, "document is {size} bytes, more than the limit of {limit} bytes")
            }
            YamlError::Syntax { line, column, message } => {
                write!(f, "YAML syntax error at line {line}, column {column}: {message}")
            }
            YamlError::DuplicateKey { line, key } => {
                write!(f, "duplicated mapping key {key:?} at line {line}")
            }
            YamlError::UnknownAnchor { line } => write!(f, "unknown alias at line {line}"),
            YamlError::ComplexKey { line } => {
                write!(f, "a mapping or sequence cannot be a mapping key (line {line})")
            }
            YamlError::BadMerge { line } => {
                write!(f, "merge key `<<` must take a mapping or a list of mappings (line {line})")
            }
            YamlError::MultipleDocuments => {
                write!(f, "expected a single document in the stream, found more")
            }
            YamlError::TooComplex => {
                write!(f, "document too complex (alias expansion or nesting beyond limits)")
            }
            YamlError::BadTag { line, tag } => write!(f, "unsupported tag {tag} at line {line}"),
        }
    }
}

impl std::error::Error for YamlError {}

/// Most nodes a document may expand to (aliases included): far above any real SDL, far below
/// what would hurt.
pub const MAX_NODES: usize = 200_000;
/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// Loads one YAML document of at most `max_bytes` bytes. An empty document is `Null`.
pub fn load(text: &str, max_bytes: usize) -> Result<Node<'_>, YamlError> {
    check_size(text, max_bytes)?;
    match fast::parse(text) {
        Some(node) => Ok(node),
        None => full::parse(text),
    }
}

/// The fast parser alone: `None` where it gives up (and [`load`] would use the full parser).
/// Public for the differential fuzz target and tests, which check it against [`load_full`].
#[doc(hidden)]
pub fn load_fast(text: &str, max_bytes: usize) -> Option<Result<Node<'_>, YamlError>> {
    if let Err(e) = check_size(text, max_bytes) {
        return Some(Err(e));
    }
    fast::parse(text).map(Ok)
}

/// The full parser alone, bypassing the fast path. Public for the differential fuzz target and
/// tests, which check the fast path against it.
#[doc(hidden)]
pub fn load_full(text: &str, max_bytes: usize) -> Result<Node<'_>, YamlError> {
    check_size(text, max_bytes)?;
    full::parse(text)
}

fn check_size(text: &str, max_bytes: usize) -> Result<(), YamlError> {
    if text.len() > max_bytes {
        return Err(YamlError::TooLarge { size: text.len(), limit: max_bytes });
    }
    Ok(())
}

/// Mapping entries of a mapping being built.
type Entries<'a> = Vec<(Cow<'a, str>, Node<'a>)>;

/// Mapping sizes from which duplicate keys are looked up in a hash set rather than by scanning
/// the entries (which would be quadratic in a hostile document with thousands of keys).
const KEY_SET_FROM_ENTRIES: usize = 16;

/// The keys of a mapping being built, for duplicate detection in time linear overall.
#[derive(Default)]
struct KeySet<'a> {
    set: Option<std::collections::HashSet<Cow<'a, str>>>,
}

impl<'a> KeySet<'a> {
    /// Whether `entries` already has `key`.
    fn contains(&mut self, entries: &[(Cow<'a, str>, Node<'a>)], key: &str) -> bool {
        match &mut self.set {
            Some(set) => set.contains(key),
            None if entries.len() < KEY_SET_FROM_ENTRIES => entries.iter().any(|(k, _)| k == key),
            None => {
                let set: std::collections::HashSet<Cow<'a, str>> = entries.iter().map(|(k, _)| k.clone()).collect();
                let found = set.contains(key);
                self.set = Some(set);
                found
            }
        }
    }

    /// Records a key just pushed to the entries (a `Cow`, so that a borrowed key stays borrowed).
    #[allow(clippy::ptr_arg)]
    fn insert(&mut self, key: &Cow<'a, str>) {
        if let Some(set) = &mut self.set {
            set.insert(key.clone());
        }
    }
}

/// JavaScript orders an object's own keys: array indices (canonical integers below 2^32 - 1)
/// ascending, then the other keys in insertion order.
fn js_property_order(mut entries: Entries<'_>) -> Entries<'_> {
    fn index(k: &str) -> Option<u32> {
        let b = k.as_bytes();
        if b.is_empty() || !b[0].is_ascii_digit() || (b.len() > 1 && b[0] == b'0') || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        k.parse::<u32>().ok().filter(|&n| n != u32::MAX)
    }
    if entries.iter().any(|(k, _)| index(k).is_some()) {
        // Stable sort: indices first (ascending), the rest keep their order.
        entries.sort_by_key(|(k, _)| match index(k) {
            Some(n) => (0u8, n),
            None => (1u8, 0),
        });
    }
    entries
}

/// `String(key)` as JavaScript turns a scalar mapping key into a property name; strings are moved,
/// not copied.
fn js_key<'a>(value: Value<'a>) -> Cow<'a, str> {
    match value {
        Value::String(s) => s,
        other => Cow::Owned(js_string(&other)),
    }
}

/// JavaScript's `String(value)` for a loaded value.
pub fn js_string(value: &Value<'_>) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number_string(*n),
        Value::String(s) => s.to_string(),
        Value::Seq(items) => items
            .iter()
            .map(|n| match n.value {
                Value::Null => String::new(),
                ref v => js_string(v),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Map(_) | Value::Binary => "[object Object]".to_string(),
        Value::Timestamp(s) => s.to_string(),
    }
}

/// JavaScript's `Number.prototype.toString()`: the shortest digits that round-trip, in plain
/// notation from 1e-6 to below 1e21 and exponent notation outside.
pub fn js_number_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_string();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if n == 0.0 {
        return "0".to_string();
    }
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        // Below 2^53 an integral double prints as its exact digits, as in JavaScript.
        return format!("{}", n as i128);
    }
    let sign = if n < 0.0 { "-" } else { "" };
    // Rust's `{:e}` gives the shortest round-trip digits: "d.ddde±x".
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let point = exp + 1; // position of the decimal point relative to the digits
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        format!("{}.{}", &digits[..point as usize], &digits[point as usize..])
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let e = point - 1;
        let esign = if e < 0 { '-' } else { '+' };
        if k == 1 {
            format!("{digits}e{esign}{}", e.abs())
        } else {
            format!("{}.{}e{esign}{}", &digits[..1], &digits[1..], e.abs())
        }
    };
    format!("{sign}{body}")
}

/// The core schema's tags that a scalar may carry explicitly (`!!str 12`), or the non-specific `!`.
fn resolve_tagged<'a>(text: Cow<'a, str>, handle: &str, suffix: &str, line: usize) -> Result<Value<'a>, YamlError> {
    let bad = || YamlError::BadTag { line, tag: format!("{handle}{suffix}") };
    if handle == "!" && suffix.is_empty() {
        // The non-specific tag `!`: a string.
        return Ok(Value::String(text));
    }
    if handle != "tag:yaml.org,2002:" {
        return Err(bad());
    }
    match suffix {
        "str" => Ok(Value::String(text)),
        "null" if is_null(&text) => Ok(Value::Null),
        "bool" => is_bool(&text).map(Value::Bool).ok_or_else(bad),
        "int" => parse_int(&text).map(Value::Number).ok_or_else(bad),
        "float" => parse_int(&text).or_else(|| parse_float(&text)).map(Value::Number).ok_or_else(bad),
        "timestamp" if is_timestamp(&text) => Ok(Value::Timestamp(text)),
        "binary" => Ok(Value::Binary),
        _ => Err(bad()),
    }
}

fn is_null(s: &str) -> bool {
    matches!(s, "" | "~" | "null" | "Null" | "NULL")
}

fn is_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Plain-scalar resolution in js-yaml's implicit order: null, bool, int, float, timestamp, string.
fn resolve_plain(s: Cow<'_, str>) -> Value<'_> {
    // Null, booleans, numbers and timestamps all start with one of these bytes (`~`, `n`/`N`,
    // `t`/`T`, `f`/`F`, a sign, a dot or a digit): any other first byte means a string, which
    // is most keys and values.
    match s.as_bytes().first() {
        None => return Value::Null,
        Some(b'~' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'+' | b'-' | b'.' | b'0'..=b'9') => {}
        Some(_) => return Value::String(s),
    }
    if is_null(&s) {
        return Value::Null;
    }
    if let Some(b) = is_bool(&s) {
        return Value::Bool(b);
    }
    if let Some(n) = parse_int(&s) {
        return Value::Number(n);
    }
    if let Some(n) = parse_float(&s) {
        return Value::Number(n);
    }
    if is_timestamp(&s) {
        return Value::Timestamp(s);
    }
    Value::String(s)
}

/// js-yaml's integer: decimal, `0b`, `0x`, `0o` forms, `_` separators allowed inside; the value
/// as JavaScript's `parseInt` gives it (a double).
fn parse_int(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut i = 0;
    let mut negative = false;
    if b[0] == b'-' || b[0] == b'+' {
        negative = b[0] == b'-';
        i = 1;
    }
    let rest = &s[i..];
    if rest == "0" {
        // js-yaml returns 0 for "0", "-0" and "+0" alike.
        return Some(0.0);
    }
    let (radix, digits) = if let Some(d) = rest.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = rest.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = rest.strip_prefix("0o") {
        (8, d)
    } else {
        if rest.starts_with('_') {
            return None;
        }
        (10, rest)
    };
    if digits.is_empty() || digits.ends_with('_') {
        return None;
    }
    let mut has_digit = false;
    let mut value = 0f64;
    for c in digits.chars() {
        if c == '_' {
            continue;
        }
        let d = c.to_digit(radix)?;
        has_digit = true;
        value = value * radix as f64 + d as f64;
    }
    if !has_digit {
        return None;
    }
    if radix == 10 {
        // parseInt of a long decimal string rounds once, not at every step.
        value = if digits.contains('_') {
            digits.chars().filter(|c| *c != '_').collect::<String>().parse::<f64>().ok()?
        } else {
            digits.parse::<f64>().ok()?
        };
    }
    Some(if negative { -value } else { value })
}

/// js-yaml's float: `1.5`, `1.5e3`, `.5`, `.inf`, `.nan` (with `_` separators in the digits).
fn parse_float(s: &str) -> Option<f64> {
    if s.ends_with('_') || !float_pattern(s) {
        return None;
    }
    let v = s.replace('_', "").to_ascii_lowercase();
    let (sign, body) = match v.as_bytes().first() {
        Some(b'-') => (-1.0, &v[1..]),
        Some(b'+') => (1.0, &v[1..]),
        _ => (1.0, &v[..]),
    };
    if body == ".inf" {
        return Some(sign * f64::INFINITY);
    }
    if body == ".nan" {
        return Some(f64::NAN);
    }
    js_parse_float(body).map(|x| sign * x)
}

/// `^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`
fn float_pattern(s: &str) -> bool {
    let b = s.as_bytes();
    let exponent_ok = |rest: &[u8]| -> bool {
        if rest.is_empty() {
            return true;
        }
        if rest[0] != b'e' && rest[0] != b'E' {
            return false;
        }
        let mut r = &rest[1..];
        if !r.is_empty() && (r[0] == b'-' || r[0] == b'+') {
            r = &r[1..];
        }
        !r.is_empty() && r.iter().all(u8::is_ascii_digit)
    };
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let unsigned = if !b.is_empty() && (b[0] == b'-' || b[0] == b'+') { &b[1..] } else { b };
    if matches!(unsigned, b".inf" | b".Inf" | b".INF") {
        return true;
    }
    // Form 2: `\.[0-9_]+` exponent? — no sign allowed.
    if !b.is_empty() && b[0] == b'.' {
        let mut i = 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
        return i > 1 && exponent_ok(&b[i..]);
    }
    // Form 1.
    let r = unsigned;
    if r.is_empty() || !r[0].is_ascii_digit() {
        return false;
    }
    let mut i = 1;
    while i < r.len() && (r[i].is_ascii_digit() || r[i] == b'_') {
        i += 1;
    }
    if i < r.len() && r[i] == b'.' {
        i += 1;
        while i < r.len() && (r[i].is_ascii_digit() || r[i] == b'_') {
            i += 1;
        }
    }
    exponent_ok(&r[i..])
}

/// JavaScript's `parseFloat` on a string already known to be numeric-looking: the longest prefix
/// that is a decimal literal.
fn js_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut end = 0;
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    if end < b.len() && b[end] == b'.' {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
        let mut j = end + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let start = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > start {
            end = j;
        }
    }
    let lit = &s[..end];
    if lit.is_empty() || lit == "." {
        return None;
    }
    let lit = lit.strip_suffix('.').unwrap_or(lit);
    let lit = if lit.starts_with('.') { format!("0{lit}") } else { lit.to_string() };
    lit.parse::<f64>().ok()
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| i < b.len() && b[i].is_ascii_digit());
    // YYYY-MM-DD
    if b.len() == 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10) {
        return true;
    }
    // YYYY-M(M)-D(D)(T| +)H(H):MM:SS(.f*)? (Z|±H(H)(:MM)?)?
    if b.len() < 4 + 1 + 1 + 1 + 1 + 1 + 1 + 3 + 3 || !digits(0..4) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let take_digits = |i: &mut usize, min: usize, max: usize| -> bool {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start >= min
    };
    if !take_digits(&mut i, 1, 2) || i >= b.len() || b[i] != b'-' {
        return false;
    }
    i += 1;
    if !take_digits(&mut i, 1, 2) || i >= b.len() {
        return false;
    }
    if b[i] == b'T' || b[i] == b't' {
        i += 1;
    } else if b[i] == b' ' || b[i] == b'\t' {
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
    } else {
        return false;
    }
    if !take_digits(&mut i, 1, 2) || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    if !take_digits(&mut i, 2, 2) || i >= b.len() || b[i] != b':' {
        return false;
    }
    i += 1;
    if !take_digits(&mut i, 2, 2) {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    if i == b.len() {
        return true;
    }
    if b[i] == b'Z' {
        return i + 1 == b.len();
    }
    if b[i] == b'+' || b[i] == b'-' {
        i += 1;
        if !take_digits(&mut i, 1, 2) {
            return false;
        }
        if i < b.len() && b[i] == b':' {
            i += 1;
            if !take_digits(&mut i, 2, 2) {
                return false;
            }
        }
        return i == b.len();
    }
    false
}


#[cfg(test)]
mod tests;
