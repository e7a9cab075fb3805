//! YAML loading with the semantics of `js-yaml` 4 (the loader of the official Akash SDK), so that an
//! SDL means here exactly what it means there: YAML 1.2 core schema scalars (`yes` is a string,
//! `1.0` is the number 1), merge keys `<<`, anchors and aliases, duplicate keys refused, mapping keys
//! turned into strings, one document only.
//!
//! The input size is checked before parsing and alias expansion is bounded, so a small hostile
//! document cannot make us build a huge tree.

use saphyr_parser::{Event, Parser, ScalarStyle as TScalarStyle, Span, StrInput, Tag};

/// A loaded YAML value, in the shape JavaScript sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    /// A JavaScript number (integers are numbers too).
    Number(f64),
    String(String),
    Seq(Vec<Node>),
    /// Keys in JavaScript property order: integer-like keys ascending first, then insertion order.
    Map(Vec<(String, Node)>),
    /// A YAML timestamp (`2024-01-01`): js-yaml makes it a `Date`, which no SDL field accepts.
    Timestamp(String),
    /// Binary data (`!!binary`): a `Buffer` in js-yaml, which no SDL field accepts.
    Binary,
}

/// A value with the line it starts on (1-based), for error messages.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub line: usize,
}

impl Node {
    /// The mapping's entry for `key`, if this is a mapping that has it.
    pub fn get(&self, key: &str) -> Option<&Node> {
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
pub fn load(text: &str, max_bytes: usize) -> Result<Node, YamlError> {
    if text.len() > max_bytes {
        return Err(YamlError::TooLarge { size: text.len(), limit: max_bytes });
    }
    Loader::new(text).run()
}

enum Frame {
    Seq { items: Vec<Node>, line: usize, anchor: usize },
    Map(MapFrame),
}

struct MapFrame {
    entries: Vec<(String, Node)>,
    /// Keys that came from a merge and may still be overridden by an explicit key.
    overridable: Vec<String>,
    pending_key: Option<(Key, usize)>,
    line: usize,
    anchor: usize,
}

enum Key {
    Plain(String),
    Merge,
}

struct Loader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    anchors: Vec<(usize, Node)>,
    stack: Vec<Frame>,
    nodes: usize,
}

fn line_of(span: &Span) -> usize {
    span.start.line()
}

impl<'a> Loader<'a> {
    fn new(text: &'a str) -> Self {
        Loader { parser: Parser::new_from_str(text), anchors: Vec::new(), stack: Vec::new(), nodes: 0 }
    }

    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.parser.next_event() {
            None => Ok((Event::StreamEnd, Span::default())),
            Some(r) => r.map_err(|e| YamlError::Syntax {
                line: e.marker().line(),
                column: e.marker().col() + 1,
                message: e.info().to_string(),
            }),
        }
    }

    fn run(mut self) -> Result<Node, YamlError> {
        let mut doc: Option<Node> = None;
        let mut documents = 0usize;
        loop {
            let (event, mark) = self.next()?;
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => break,
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents > 1 {
                        return Err(YamlError::MultipleDocuments);
                    }
                    self.anchors.clear();
                }
                Event::DocumentEnd => {}
                Event::Alias(id) => {
                    let node = self
                        .anchors
                        .iter()
                        .rev()
                        .find(|(a, _)| *a == id)
                        .map(|(_, n)| n.clone())
                        .ok_or(YamlError::UnknownAnchor { line: line_of(&mark) })?;
                    self.count(count_nodes(&node))?;
                    self.push_value(node, &mut doc)?;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    self.count(1)?;
                    let value = resolve_scalar(&text, style, tag.as_deref(), line_of(&mark))?;
                    let node = Node { value, line: line_of(&mark) };
                    if anchor > 0 {
                        self.anchors.push((anchor, node.clone()));
                    }
                    if let Some(Frame::Map(m)) = self.stack.last_mut() {
                        if m.pending_key.is_none() {
                            let key = if style == TScalarStyle::Plain && text == "<<" && tag.is_none() {
                                Key::Merge
                            } else {
                                Key::Plain(js_key_string(&node))
                            };
                            m.pending_key = Some((key, node.line));
                            continue;
                        }
                    }
                    self.push_value(node, &mut doc)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    self.check_collection_tag(tag.as_deref(), "seq", &mark)?;
                    self.open(&mark)?;
                    self.stack.push(Frame::Seq { items: Vec::new(), line: line_of(&mark), anchor });
                }
                Event::MappingStart(anchor, tag) => {
                    self.check_collection_tag(tag.as_deref(), "map", &mark)?;
                    self.open(&mark)?;
                    self.stack.push(Frame::Map(MapFrame {
                        entries: Vec::new(),
                        overridable: Vec::new(),
                        pending_key: None,
                        line: line_of(&mark),
                        anchor,
                    }));
                }
                Event::SequenceEnd => {
                    let Some(Frame::Seq { items, line, anchor }) = self.stack.pop() else {
                        return Err(syntax(&mark, "unbalanced sequence end"));
                    };
                    let node = Node { value: Value::Seq(items), line };
                    if anchor > 0 {
                        self.anchors.push((anchor, node.clone()));
                    }
                    self.push_value(node, &mut doc)?;
                }
                Event::MappingEnd => {
                    let Some(Frame::Map(m)) = self.stack.pop() else {
                        return Err(syntax(&mark, "unbalanced mapping end"));
                    };
                    let node = Node { value: Value::Map(js_property_order(m.entries)), line: m.line };
                    if m.anchor > 0 {
                        self.anchors.push((m.anchor, node.clone()));
                    }
                    self.push_value(node, &mut doc)?;
                }
            }
        }
        Ok(doc.unwrap_or(Node { value: Value::Null, line: 1 }))
    }

    fn check_collection_tag(&self, tag: Option<&Tag>, kind: &str, mark: &Span) -> Result<(), YamlError> {
        match tag {
            None => Ok(()),
            Some(t) if t.handle == "tag:yaml.org,2002:" && t.suffix == kind => Ok(()),
            Some(t) if t.handle == "!" && t.suffix.is_empty() => Ok(()),
            Some(t) => Err(YamlError::BadTag { line: line_of(mark), tag: format!("{}{}", t.handle, t.suffix) }),
        }
    }

    fn open(&mut self, mark: &Span) -> Result<(), YamlError> {
        self.count(1)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError::TooComplex);
        }
        if let Some(Frame::Map(m)) = self.stack.last() {
            if m.pending_key.is_none() {
                return Err(YamlError::ComplexKey { line: line_of(mark) });
            }
        }
        Ok(())
    }

    fn count(&mut self, n: usize) -> Result<(), YamlError> {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            return Err(YamlError::TooComplex);
        }
        Ok(())
    }

    fn push_value(&mut self, node: Node, doc: &mut Option<Node>) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => {
                *doc = Some(node);
                Ok(())
            }
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(())
            }
            Some(Frame::Map(m)) => match m.pending_key.take() {
                // A collection or alias in key position.
                None => Err(YamlError::ComplexKey { line: node.line }),
                Some((Key::Merge, line)) => merge_into(m, node, line),
                Some((Key::Plain(key), line)) => {
                    if let Some(pos) = m.entries.iter().position(|(k, _)| *k == key) {
                        if let Some(o) = m.overridable.iter().position(|k| *k == key) {
                            m.overridable.swap_remove(o);
                            m.entries[pos].1 = node;
                            return Ok(());
                        }
                        return Err(YamlError::DuplicateKey { line, key });
                    }
                    m.entries.push((key, node));
                    Ok(())
                }
            },
        }
    }
}

fn syntax(span: &Span, message: &str) -> YamlError {
    YamlError::Syntax { line: span.start.line(), column: span.start.col() + 1, message: message.to_string() }
}

fn count_nodes(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        Value::Map(entries) => 1 + entries.iter().map(|(_, v)| count_nodes(v)).sum::<usize>(),
        _ => 1,
    }
}

/// js-yaml's merge: keys of the source(s) that the mapping does not have yet are added, and stay
/// overridable by a later explicit key.
fn merge_into(m: &mut MapFrame, source: Node, line: usize) -> Result<(), YamlError> {
    let sources = match source.value {
        Value::Map(entries) => vec![entries],
        Value::Seq(items) => {
            let mut all = Vec::with_capacity(items.len());
            for item in items {
                match item.value {
                    Value::Map(entries) => all.push(entries),
                    _ => return Err(YamlError::BadMerge { line }),
                }
            }
            all
        }
        _ => return Err(YamlError::BadMerge { line }),
    };
    for entries in sources {
        for (k, v) in entries {
            if !m.entries.iter().any(|(e, _)| *e == k) {
                m.overridable.push(k.clone());
                m.entries.push((k, v));
            }
        }
    }
    Ok(())
}

/// JavaScript orders an object's own keys: array indices (canonical integers below 2^32 - 1)
/// ascending, then the other keys in insertion order.
fn js_property_order(mut entries: Vec<(String, Node)>) -> Vec<(String, Node)> {
    fn index(k: &str) -> Option<u32> {
        if k.is_empty() || (k.len() > 1 && k.starts_with('0')) || !k.bytes().all(|b| b.is_ascii_digit()) {
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

/// `String(key)` as JavaScript turns a scalar mapping key into a property name.
fn js_key_string(node: &Node) -> String {
    js_string(&node.value)
}

/// JavaScript's `String(value)` for a loaded value.
pub fn js_string(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => js_number_string(*n),
        Value::String(s) => s.clone(),
        Value::Seq(items) => items
            .iter()
            .map(|n| match n.value {
                Value::Null => String::new(),
                ref v => js_string(v),
            })
            .collect::<Vec<_>>()
            .join(","),
        Value::Map(_) | Value::Binary => "[object Object]".to_string(),
        Value::Timestamp(s) => s.clone(),
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

/// Resolves a scalar as js-yaml's default schema does.
fn resolve_scalar(text: &str, style: TScalarStyle, tag: Option<&Tag>, line: usize) -> Result<Value, YamlError> {
    if let Some(tag) = tag {
        return resolve_tagged(text, tag, line);
    }
    if style != TScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    Ok(resolve_plain(text))
}

fn resolve_tagged(text: &str, tag: &Tag, line: usize) -> Result<Value, YamlError> {
    let bad = || YamlError::BadTag { line, tag: format!("{}{}", tag.handle, tag.suffix) };
    if tag.handle == "!" && tag.suffix.is_empty() {
        // The non-specific tag `!`: a string.
        return Ok(Value::String(text.to_string()));
    }
    if tag.handle != "tag:yaml.org,2002:" {
        return Err(bad());
    }
    match tag.suffix.as_str() {
        "str" => Ok(Value::String(text.to_string())),
        "null" if is_null(text) => Ok(Value::Null),
        "bool" => is_bool(text).map(Value::Bool).ok_or_else(bad),
        "int" => parse_int(text).map(Value::Number).ok_or_else(bad),
        "float" => parse_int(text).or_else(|| parse_float(text)).map(Value::Number).ok_or_else(bad),
        "timestamp" if is_timestamp(text) => Ok(Value::Timestamp(text.to_string())),
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
fn resolve_plain(s: &str) -> Value {
    if is_null(s) {
        return Value::Null;
    }
    if let Some(b) = is_bool(s) {
        return Value::Bool(b);
    }
    if let Some(n) = parse_int(s) {
        return Value::Number(n);
    }
    if let Some(n) = parse_float(s) {
        return Value::Number(n);
    }
    if is_timestamp(s) {
        return Value::Timestamp(s.to_string());
    }
    Value::String(s.to_string())
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
        let clean: String = digits.chars().filter(|c| *c != '_').collect();
        value = clean.parse::<f64>().ok()?;
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
    let lit = if lit.ends_with('.') { &lit[..lit.len() - 1] } else { lit };
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
mod tests {
    use super::*;

    fn v(text: &str) -> Value {
        load(text, 1 << 20).unwrap().value
    }

    fn num(text: &str) -> f64 {
        match v(&format!("x: {text}")) {
            Value::Map(e) => match e[0].1.value {
                Value::Number(n) => n,
                ref other => panic!("{text}: {other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    fn scalar(text: &str) -> Value {
        match v(&format!("x: {text}")) {
            Value::Map(mut e) => e.remove(0).1.value,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn core_schema_scalars() {
        assert_eq!(num("1"), 1.0);
        assert_eq!(num("1.0"), 1.0);
        assert_eq!(num("0.5"), 0.5);
        assert_eq!(num("-3"), -3.0);
        assert_eq!(num("0x1F"), 31.0);
        assert_eq!(num("0o17"), 15.0);
        assert_eq!(num("0b101"), 5.0);
        assert_eq!(num("1_000"), 1000.0);
        assert_eq!(num("1e3"), 1000.0);
        assert_eq!(num(".5"), 0.5);
        assert_eq!(num(".inf"), f64::INFINITY);
        assert!(num(".nan").is_nan());
        assert_eq!(scalar("yes"), Value::String("yes".into()));
        assert_eq!(scalar("on"), Value::String("on".into()));
        assert_eq!(scalar("True"), Value::Bool(true));
        assert_eq!(scalar("~"), Value::Null);
        assert_eq!(scalar(""), Value::Null);
        assert_eq!(scalar("'1'"), Value::String("1".into()));
        assert_eq!(scalar("\"true\""), Value::String("true".into()));
        assert_eq!(scalar("512Mi"), Value::String("512Mi".into()));
        assert_eq!(scalar("1_"), Value::String("1_".into()));
        assert_eq!(scalar("2024-01-02"), Value::Timestamp("2024-01-02".into()));
        assert_eq!(scalar("!!str 12"), Value::String("12".into()));
        assert_eq!(scalar("0777"), Value::Number(777.0));
    }

    #[test]
    fn keys_are_strings_in_js_order() {
        let Value::Map(e) = v("b: 1\n80: 2\na: 3\n3: 4\ntrue: 5\n1.0: 6\n") else { panic!() };
        let keys: Vec<_> = e.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["1", "3", "80", "b", "a", "true"]);
    }

    #[test]
    fn duplicates_and_merges() {
        assert!(matches!(load("a: 1\na: 2\n", 1000), Err(YamlError::DuplicateKey { .. })));
        let Value::Map(e) = v("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n") else { panic!() };
        let Value::Map(m) = &e[1].1.value else { panic!() };
        assert_eq!(m.len(), 2);
        assert_eq!(m[1], ("y".to_string(), Node { value: Value::Number(3.0), line: 4 }));
        assert!(matches!(load("a: &x 1\nb:\n  <<: *x\n", 1000), Err(YamlError::BadMerge { .. })));
    }

    #[test]
    fn limits_and_errors() {
        assert_eq!(load("a: 1", 3), Err(YamlError::TooLarge { size: 4, limit: 3 }));
        assert!(matches!(load("--\nversion: '2.0'\n", 1000), Err(YamlError::Syntax { .. })));
        assert_eq!(load("a: 1\n---\nb: 2\n", 1000), Err(YamlError::MultipleDocuments));
        assert!(matches!(load("? [a]\n: 1\n", 1000), Err(YamlError::ComplexKey { .. })));
        // Billion laughs: each level doubles.
        let mut doc = String::from("a0: &a0 [x, x]\n");
        for i in 1..40 {
            doc.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
        }
        assert_eq!(load(&doc, 1 << 20), Err(YamlError::TooComplex));
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(load(&deep, 1 << 20), Err(YamlError::TooComplex));
        assert_eq!(load("", 10).unwrap().value, Value::Null);
    }

    #[test]
    fn js_number_formatting() {
        for (n, s) in [
            (1.0, "1"),
            (0.5, "0.5"),
            (1000.5, "1000.5"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-7"),
            (0.000001, "0.000001"),
            (123456789012345680000.0, "123456789012345680000"),
            (-2.25, "-2.25"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(js_number_string(n), s);
        }
    }
}
