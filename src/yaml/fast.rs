//! The fast path: a hand-written scanner for the block-style YAML that SDL files are written in,
//! building the same tree as the full parser (`full.rs`) with strings borrowed from the input.
//!
//! It handles block mappings and sequences (indentless and compact ones included), plain scalars
//! (multi-line ones too), single- and double-quoted scalars (multi-line ones too), literal and folded block
//! scalars, flow sequences and mappings written on one line, comments and one leading `---`.
//! Everything else (anchors, aliases, tags, merge keys, `?` keys, directives, tabs, control
//! characters, flow collections over several lines, a second document...) and every error makes it
//! give up (`None`), and the caller runs the full parser, which then decides. So where this path
//! answers, its answer must be exactly the full parser's: each rule below follows the scanner
//! rules of `saphyr-parser` 0.3 (which the full path uses), and whenever a case is in doubt we give
//! up rather than guess.
//!
//! Columns are counted in bytes: they are only taken where everything before them on the line is
//! ASCII (indentation and `- ` indicators), where bytes and characters agree.

use super::{js_key, js_property_order, resolve_plain, Entries, KeySet, Node, Value, MAX_DEPTH, MAX_NODES};
use std::borrow::Cow;

/// Parses `text` if it is within the subset; `None` to let the full parser decide.
pub(super) fn parse(text: &str) -> Option<Node<'_>> {
    if !plain_bytes(text.as_bytes()) {
        return None;
    }
    Fast { text, b: text.as_bytes(), pos: 0, line: 1, line_start: 0, nodes: 0, depth: 0, entries: Vec::new(), items: Vec::new() }
        .document()
}

/// Longest simple key we take, in bytes: YAML (and saphyr) stop looking for the `:` of a simple key
/// after 1024 characters; well below that we leave the decision to the full parser.
const MAX_KEY_BYTES: usize = 1000;

/// Whether the bytes avoid everything the fast path does not handle at the character level: tabs,
/// control characters other than line feeds (a carriage return only before a line feed), DEL, and
/// the byte order mark (which saphyr treats specially anywhere in a document). Eight bytes at a
/// time: only words holding a byte below 0x20 or from 0x7f up (line feeds, non-ASCII text) are
/// looked at byte by byte.
pub(super) fn plain_bytes(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
    let mut start = 0;
    for chunk in b.chunks_exact(8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else { return false };
        let x = u64::from_le_bytes(bytes);
        // Some byte below 0x20 (exact as to whether there is one), or some byte of 0x7f or more
        // (with no byte above 0x7f, adding one to each carries into no other byte).
        let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGH_BITS;
        let del_or_above = (x | x.wrapping_add(ONES)) & HIGH_BITS;
        if (below_space | del_or_above) != 0 && !plain_range(b, start, start + 8) {
            return false;
        }
        start += 8;
    }
    plain_range(b, start, b.len())
}

/// [`plain_bytes`] for the bytes from `start` to `end` (looking past `end` for a `\r\n` or a byte
/// order mark that begins before it).
pub(super) fn plain_range(b: &[u8], start: usize, end: usize) -> bool {
    for i in start..end {
        let c = b[i];
        if c < 0x20 {
            if c == b'\r' {
                if b.get(i + 1) != Some(&b'\n') {
                    return false;
                }
            } else if c != b'\n' {
                return false;
            }
        } else if c == 0x7f || (c == 0xef && b.get(i + 1) == Some(&0xbb) && b.get(i + 2) == Some(&0xbf)) {
            return false;
        }
    }
    true
}

fn is_break(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// A blank, a line break or the end of input (read as 0: the input has no NUL bytes).
fn blank_or_end(c: u8) -> bool {
    matches!(c, b' ' | b'\n' | b'\r' | 0)
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

/// A scalar as read from the line, before resolution.
enum Scalar<'a> {
    /// Resolved by the core schema (`1` is a number, `~` is null).
    Plain(Cow<'a, str>),
    /// Single- or double-quoted: always a string.
    Quoted(Cow<'a, str>),
}

impl<'a> Scalar<'a> {
    fn value(self) -> Value<'a> {
        match self {
            Scalar::Plain(s) => resolve_plain(s),
            Scalar::Quoted(s) => Value::String(s),
        }
    }
}

struct Fast<'a> {
    text: &'a str,
    b: &'a [u8],
    pos: usize,
    /// 1-based line of `pos`.
    line: usize,
    /// Byte offset of the start of the line `pos` is on.
    line_start: usize,
    /// Nodes built so far (keys included), as the full parser counts them.
    nodes: usize,
    /// Collections open around `pos`.
    depth: usize,
    /// Entries of the mappings being read, innermost last: each mapping takes its own off the
    /// top when it ends, in one allocation of the exact size.
    entries: Entries<'a>,
    /// Items of the sequences being read, likewise.
    items: Vec<Node<'a>>,
}

impl<'a> Fast<'a> {
    fn peek(&self) -> u8 {
        self.b.get(self.pos).copied().unwrap_or(0)
    }

    fn peek_at(&self, ahead: usize) -> u8 {
        self.b.get(self.pos + ahead).copied().unwrap_or(0)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.b.len()
    }

    fn col(&self) -> usize {
        self.pos - self.line_start
    }

    fn slice(&self, start: usize, end: usize) -> Option<&'a str> {
        self.text.get(start..end)
    }

    /// Steps over the line break at `pos` (`\n` or `\r\n`).
    fn new_line(&mut self) {
        self.pos += if self.peek() == b'\r' { 2 } else { 1 };
        self.line += 1;
        self.line_start = self.pos;
    }

    /// Skips spaces; whether there were any.
    fn skip_spaces(&mut self) -> bool {
        let start = self.pos;
        while self.peek() == b' ' {
            self.pos += 1;
        }
        self.pos > start
    }

    fn skip_to_break(&mut self) {
        while !self.at_end() && !is_break(self.peek()) {
            self.pos += 1;
        }
    }

    /// Counts one more node.
    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= MAX_NODES).then_some(())
    }

    /// Opens a collection: counted, and nested no deeper than the full parser allows.
    fn enter(&mut self) -> Option<()> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        self.count()
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Whether `pos` starts a document marker (`---` or `...` then a blank or the end).
    fn at_document_marker(&self) -> bool {
        let c = self.peek();
        (c == b'-' || c == b'.') && self.peek_at(1) == c && self.peek_at(2) == c && blank_or_end(self.peek_at(3))
    }

    /// Skips blank lines, comment lines and indentation up to the next content (or the end).
    fn skip_lines(&mut self) {
        loop {
            self.skip_spaces();
            match self.peek() {
                b'\n' | b'\r' => self.new_line(),
                b'#' => self.skip_to_break(),
                _ => return,
            }
        }
    }

    /// [`Self::skip_lines`], giving up at a document marker (a second document, or `...`).
    fn skip_to_content(&mut self) -> Option<()> {
        self.skip_lines();
        if self.col() == 0 && self.at_document_marker() {
            return None;
        }
        Some(())
    }

    /// After a complete value: only spaces and a comment (after a space) may follow on the line.
    /// Moves to the next content.
    fn end_line(&mut self) -> Option<()> {
        let spaced = self.skip_spaces();
        match self.peek() {
            b'\n' | b'\r' => {}
            0 if self.at_end() => {}
            b'#' if spaced => self.skip_to_break(),
            _ => return None,
        }
        self.skip_to_content()
    }

    /// Just after a `:` or `-` indicator (followed by a blank or the end): if only a comment
    /// follows on the line, moves to the next content and says so; otherwise stays.
    fn line_done(&mut self) -> Option<bool> {
        let after = self.pos;
        self.skip_spaces();
        let done = matches!(self.peek(), b'\n' | b'\r' | b'#') || self.at_end();
        if done {
            self.pos = after;
            self.end_line()?;
        }
        Some(done)
    }

    fn document(mut self) -> Option<Node<'a>> {
        self.skip_lines();
        if self.col() == 0 && self.peek() == b'-' && self.at_document_marker() {
            self.pos += 3;
            // `--- # comment` is fine; content on the marker line is left to the full parser.
            self.end_line()?;
        } else if self.col() == 0 && self.at_document_marker() {
            return None;
        }
        if self.at_end() {
            // An empty document: rare, left to the full parser.
            return None;
        }
        let root = self.node(-1, true, true, None)?;
        self.at_end().then_some(root)
    }

    /// The node at `pos` (its first character, all indentation skipped). `parent` is the column
    /// of the enclosing block collection (-1 at the root): plain and block scalars continue on
    /// lines indented more than it. A quoted scalar may continue on lines indented at least
    /// `quoted_min_col`, if given: saphyr's scanner indent, one more than `parent` except right
    /// after a `- ` on its line. A block mapping starting here is allowed when `map_ok`, a block
    /// sequence when `seq_ok` (neither may start on the line of a mapping key). Returns with `pos`
    /// at the next content after the node, or at the end.
    fn node(&mut self, parent: isize, map_ok: bool, seq_ok: bool, quoted_min_col: Option<usize>) -> Option<Node<'a>> {
        let c = self.peek();
        let next = self.peek_at(1);
        match c {
            b'-' if blank_or_end(next) => {
                if !seq_ok {
                    return None;
                }
                let col = self.col();
                self.block_seq(col, false)
            }
            b'[' | b'{' => {
                let node = self.flow()?;
                self.end_line()?;
                Some(node)
            }
            b'|' | b'>' if parent >= 0 => self.block_scalar(parent as usize),
            b'|' | b'>' | b'&' | b'*' | b'!' | b',' | b']' | b'}' | b'%' | b'@' | b'`' | b'#' => None,
            b'?' | b':' if blank_or_end(next) => None,
            _ => {
                let col = self.col();
                let line = self.line;
                let start = self.pos;
                let scalar = self.inline_scalar(quoted_min_col)?;
                let after = self.pos;
                self.skip_spaces();
                if self.peek() == b':' && blank_or_end(self.peek_at(1)) {
                    // A key must be on one line.
                    if !map_ok || self.line != line || self.pos - start > MAX_KEY_BYTES {
                        return None;
                    }
                    return self.block_map(col, scalar, line);
                }
                self.pos = after;
                if parent < 0 {
                    // A scalar document: rare, left to the full parser.
                    return None;
                }
                self.count()?;
                match scalar {
                    Scalar::Plain(first) => self.plain_rest(first, parent, line),
                    Scalar::Quoted(s) => {
                        self.end_line()?;
                        Some(Node { value: Value::String(s), line })
                    }
                }
            }
        }
    }

    /// A quoted scalar (going on over lines indented at least `quoted_min_col`, if given), or the
    /// part of a plain scalar on this line (block context).
    fn inline_scalar(&mut self, quoted_min_col: Option<usize>) -> Option<Scalar<'a>> {
        match self.peek() {
            b'\'' => self.quoted(false, quoted_min_col).map(Scalar::Quoted),
            b'"' => self.quoted(true, quoted_min_col).map(Scalar::Quoted),
            _ => self.plain_line().map(|s| Scalar::Plain(Cow::Borrowed(s))),
        }
    }

    /// The plain scalar text from `pos` to the end of the line, a comment (` #`) or a mapping
    /// indicator (`: ` or `:` at the end of the line), trailing spaces excluded; `pos` is left
    /// just after the text. Flow indicators are ordinary characters in block context.
    fn plain_line(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let mut end = start;
        let mut i = start;
        while let Some(&c) = self.b.get(i) {
            match c {
                b'\n' | b'\r' => break,
                b'#' if i > start && self.b[i - 1] == b' ' => break,
                b':' if blank_or_end(self.b.get(i + 1).copied().unwrap_or(0)) => break,
                b' ' => {}
                _ => end = i + 1,
            }
            i += 1;
        }
        if end == start {
            return None;
        }
        self.pos = end;
        self.slice(start, end)
    }

    /// The rest of a plain scalar whose first line is `first`: continuation lines indented more
    /// than `parent` are folded in (a line break becomes a space, `n` empty lines `n` newlines).
    fn plain_rest(&mut self, first: Cow<'a, str>, parent: isize, line: usize) -> Option<Node<'a>> {
        let content_end = self.pos;
        let spaced = self.skip_spaces();
        match self.peek() {
            b'#' if spaced => {
                // A comment ends the scalar; a more indented line after it is refused by the
                // caller (saphyr refuses it too).
                self.pos = content_end;
                self.end_line()?;
                return Some(Node { value: resolve_plain(first), line });
            }
            b'\n' | b'\r' => {}
            0 if self.at_end() => return Some(Node { value: resolve_plain(first), line }),
            _ => return None,
        }
        let mut text = first;
        loop {
            // At the line break ending a line of the scalar.
            self.new_line();
            let mut breaks = 0usize;
            loop {
                self.skip_spaces();
                if is_break(self.peek()) {
                    breaks += 1;
                    self.new_line();
                } else {
                    break;
                }
            }
            if self.at_end() || self.col() as isize <= parent {
                break;
            }
            let c = self.peek();
            if c == b'#' {
                break;
            }
            if matches!(
                c,
                b'-' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`'
            ) {
                // Legal in places, but not worth the risk: the full parser decides.
                return None;
            }
            let more = self.plain_line()?;
            let s = text.to_mut();
            if breaks == 0 {
                s.push(' ');
            } else {
                s.extend(std::iter::repeat_n('\n', breaks));
            }
            s.push_str(more);
            self.skip_spaces();
            match self.peek() {
                b'\n' | b'\r' => {}
                0 if self.at_end() => break,
                // A comment or a `: ` inside a multi-line scalar.
                _ => return None,
            }
        }
        self.skip_to_content()?;
        Some(Node { value: resolve_plain(text), line })
    }

    /// A block mapping at column `indent` whose first key has been read (`pos` is after it,
    /// before the spaces and `:`).
    fn block_map(&mut self, indent: usize, first_key: Scalar<'a>, line: usize) -> Option<Node<'a>> {
        self.enter()?;
        let base = self.entries.len();
        let mut keys = KeySet::default();
        let mut key = first_key;
        loop {
            // At the spaces before the `:` that follows the key.
            self.skip_spaces();
            self.pos += 1;
            self.count()?;
            let colon_line = self.line;
            let name = match key {
                Scalar::Plain(s) if s == "<<" => return None,
                k => js_key(k.value()),
            };
            if keys.contains(&self.entries[base..], &name) {
                return None;
            }
            let value = if self.line_done()? {
                self.value_below(indent, colon_line)?
            } else {
                self.node(indent as isize, false, false, Some(indent + 1))?
            };
            keys.insert(&name);
            self.entries.push((name, value));
            if self.at_end() || self.col() < indent {
                break;
            }
            if self.col() > indent {
                return None;
            }
            let start = self.pos;
            key = match self.peek() {
                b'-' | b'?' | b':' if blank_or_end(self.peek_at(1)) => return None,
                b'[' | b'{' | b'|' | b'>' | b'&' | b'*' | b'!' | b',' | b']' | b'}' | b'%' | b'@' | b'`' => return None,
                _ => self.inline_scalar(None)?,
            };
            self.skip_spaces();
            if self.peek() != b':' || !blank_or_end(self.peek_at(1)) || self.pos - start > MAX_KEY_BYTES {
                return None;
            }
        }
        self.leave();
        let entries = self.entries.drain(base..).collect();
        Some(Node { value: Value::Map(js_property_order(entries)), line })
    }

    /// The value of a mapping key with nothing after its `:` on the line: what the next lines
    /// hold (`pos` at their content), or null (on the key's line) if they hold nothing for it.
    fn value_below(&mut self, indent: usize, colon_line: usize) -> Option<Node<'a>> {
        let empty = self.at_end()
            || self.col() < indent
            || (self.col() == indent && !(self.peek() == b'-' && blank_or_end(self.peek_at(1))));
        if empty {
            self.count()?;
            return Some(Node { value: Value::Null, line: colon_line });
        }
        if self.col() == indent {
            // An indentless sequence: `key:` then `- item` lines at the key's column.
            return self.block_seq(indent, true);
        }
        self.node(indent as isize, true, true, Some(indent + 1))
    }

    /// A block sequence whose entries start at column `indent`; `indentless` when it is the
    /// value of a mapping key at that same column (it then ends at the next key).
    fn block_seq(&mut self, indent: usize, indentless: bool) -> Option<Node<'a>> {
        self.enter()?;
        let line = self.line;
        let base = self.items.len();
        loop {
            // At the `-` of an entry.
            let dash_line = self.line;
            self.pos += 1;
            let item = if !self.line_done()? {
                self.node(indent as isize, true, true, Some(indent))?
            } else if self.at_end() || self.col() <= indent {
                self.count()?;
                Node { value: Value::Null, line: dash_line }
            } else {
                self.node(indent as isize, true, true, Some(indent + 1))?
            };
            self.items.push(item);
            if self.at_end() || self.col() < indent {
                break;
            }
            if self.col() > indent {
                return None;
            }
            if !(self.peek() == b'-' && blank_or_end(self.peek_at(1))) {
                if indentless {
                    break;
                }
                return None;
            }
        }
        self.leave();
        Some(Node { value: Value::Seq(self.items.drain(base..).collect()), line })
    }

    /// A literal (`|`) or folded (`>`) block scalar; `parent` is the column of the enclosing
    /// collection. Follows the libyaml algorithm saphyr uses; gives up on the corner cases
    /// (no content, content at the end of input without a final line break, ambiguous
    /// indentation).
    fn block_scalar(&mut self, parent: usize) -> Option<Node<'a>> {
        let literal = self.peek() == b'|';
        self.pos += 1;
        #[derive(PartialEq)]
        enum Chomp {
            Strip,
            Clip,
            Keep,
        }
        let mut chomp = Chomp::Clip;
        let mut increment = 0usize;
        for _ in 0..2 {
            match self.peek() {
                b'-' if chomp == Chomp::Clip => chomp = Chomp::Strip,
                b'+' if chomp == Chomp::Clip => chomp = Chomp::Keep,
                c @ b'1'..=b'9' if increment == 0 => increment = (c - b'0') as usize,
                _ => break,
            }
            self.pos += 1;
        }
        let spaced = self.skip_spaces();
        match self.peek() {
            b'\n' | b'\r' => {}
            b'#' if spaced => {
                self.skip_to_break();
                if self.at_end() {
                    return None;
                }
            }
            _ => return None,
        }
        self.new_line();
        let mut breaks = 0usize;
        let indent = if increment > 0 {
            let indent = parent + increment;
            self.block_indent(indent, &mut breaks);
            indent
        } else {
            // The indentation is that of the first content line, at least `parent + 1`; a
            // leading empty line indented further makes it an error (the full parser says so).
            let mut widest = 0;
            loop {
                self.skip_spaces();
                widest = widest.max(self.col());
                if is_break(self.peek()) {
                    breaks += 1;
                    self.new_line();
                } else {
                    break;
                }
            }
            widest.max(parent + 1)
        };
        if self.at_end() || self.col() != indent {
            return None;
        }
        self.count()?;
        let line = self.line;
        let mut out = String::new();
        let mut leading_break = false;
        let mut leading_blank = false;
        loop {
            // At the first content character of a content line (column `indent`).
            let trailing_blank = self.peek() == b' ';
            if !literal && leading_break && !leading_blank && !trailing_blank {
                if breaks == 0 {
                    out.push(' ');
                }
            } else if leading_break {
                out.push('\n');
            }
            out.extend(std::iter::repeat_n('\n', breaks));
            breaks = 0;
            leading_blank = trailing_blank;
            let start = self.pos;
            self.skip_to_break();
            out.push_str(self.slice(start, self.pos)?);
            if self.at_end() {
                return None;
            }
            self.new_line();
            leading_break = true;
            self.block_indent(indent, &mut breaks);
            if self.at_end() || self.col() != indent {
                break;
            }
        }
        if self.at_end() && self.col() > 0 {
            return None;
        }
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => out.push('\n'),
            Chomp::Keep => {
                out.push('\n');
                out.extend(std::iter::repeat_n('\n', breaks));
            }
        }
        self.skip_to_content()?;
        Some(Node { value: Value::String(Cow::Owned(out)), line })
    }

    /// Skips the indentation of block scalar lines (at most `indent` spaces) and counts the empty
    /// lines passed in `breaks`.
    fn block_indent(&mut self, indent: usize, breaks: &mut usize) {
        loop {
            while self.col() < indent && self.peek() == b' ' {
                self.pos += 1;
            }
            if is_break(self.peek()) {
                *breaks += 1;
                self.new_line();
            } else {
                return;
            }
        }
    }

    /// A single- or double-quoted scalar, escapes resolved. With `min_col` it may go on over
    /// lines indented at least that much, folded
    /// as saphyr folds them: white space around a line break is dropped, a break becomes a space
    /// and `n` empty lines `n` newlines (after an escaped break, `\` at the end of a line, nothing
    /// is inserted but the newlines). Without `min_col` it must end on its line.
    fn quoted(&mut self, double: bool, min_col: Option<usize>) -> Option<Cow<'a, str>> {
        let quote = if double { b'"' } else { b'\'' };
        let mut i = self.pos + 1;
        let mut owned: Option<String> = None;
        // Start of the text not yet copied into `owned`.
        let mut from = i;
        loop {
            let c = *self.b.get(i)?;
            if c == quote {
                if !double && self.b.get(i + 1) == Some(&b'\'') {
                    owned.get_or_insert_with(String::new).push_str(self.slice(from, i + 1)?);
                    i += 2;
                    from = i;
                    continue;
                }
                break;
            }
            match c {
                b'\\' if double && is_break(self.b.get(i + 1).copied().unwrap_or(0)) => {
                    let min_col = min_col?;
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(self.text.get(from..i)?);
                    self.pos = i + 1;
                    let breaks = self.quoted_break(min_col)?;
                    let s = owned.get_or_insert_with(String::new);
                    s.extend(std::iter::repeat_n('\n', breaks - 1));
                    i = self.pos;
                    from = i;
                }
                b'\\' if double => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(self.text.get(from..i)?);
                    let (ch, len) = escape(self.b.get(i + 1..)?)?;
                    s.push(ch);
                    i += 1 + len;
                    from = i;
                }
                b'\n' | b'\r' => {
                    let min_col = min_col?;
                    let mut end = i;
                    while end > from && self.b[end - 1] == b' ' {
                        end -= 1;
                    }
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(self.text.get(from..end)?);
                    self.pos = i;
                    let breaks = self.quoted_break(min_col)?;
                    let s = owned.get_or_insert_with(String::new);
                    if breaks == 1 {
                        s.push(' ');
                    } else {
                        s.extend(std::iter::repeat_n('\n', breaks - 1));
                    }
                    i = self.pos;
                    from = i;
                }
                _ => i += 1,
            }
        }
        self.pos = i + 1;
        let rest = self.slice(from, i)?;
        Some(match owned {
            None => Cow::Borrowed(rest),
            Some(mut s) => {
                s.push_str(rest);
                Cow::Owned(s)
            }
        })
    }

    /// Inside a quoted scalar, at a line break: skips it, the empty lines after it and the next
    /// line's indentation, which must reach `min_col`. Returns the line breaks passed.
    fn quoted_break(&mut self, min_col: usize) -> Option<usize> {
        let mut breaks = 0;
        while is_break(self.peek()) {
            breaks += 1;
            self.new_line();
            self.skip_spaces();
        }
        (!self.at_end() && self.col() >= min_col).then_some(breaks)
    }

    /// A flow sequence or mapping on one line (nested ones included) of scalars.
    fn flow(&mut self) -> Option<Node<'a>> {
        self.enter()?;
        let line = self.line;
        let seq = self.peek() == b'[';
        self.pos += 1;
        self.flow_spaces()?;
        let close = if seq { b']' } else { b'}' };
        let value = if seq {
            let base = self.items.len();
            while self.peek() != b']' {
                let item = self.flow_item()?;
                self.items.push(item);
                self.flow_next(close)?;
            }
            Value::Seq(self.items.drain(base..).collect())
        } else {
            let base = self.entries.len();
            let mut keys = KeySet::default();
            while self.peek() != b'}' {
                let key = match self.flow_scalar()? {
                    Scalar::Plain(s) if s == "<<" => return None,
                    k => js_key(k.value()),
                };
                self.count()?;
                self.flow_spaces()?;
                if self.peek() != b':' || self.peek_at(1) != b' ' {
                    return None;
                }
                self.pos += 1;
                self.flow_spaces()?;
                if keys.contains(&self.entries[base..], &key) {
                    return None;
                }
                let value = self.flow_item()?;
                keys.insert(&key);
                self.entries.push((key, value));
                self.flow_next(close)?;
            }
            Value::Map(js_property_order(self.entries.drain(base..).collect()))
        };
        self.pos += 1;
        self.leave();
        Some(Node { value, line })
    }

    /// Spaces inside a flow collection; it must go on on this line.
    fn flow_spaces(&mut self) -> Option<()> {
        self.skip_spaces();
        (!blank_or_end(self.peek()) && self.peek() != b'#').then_some(())
    }

    /// After a flow entry: `,` and the next entry, or the closing bracket (left at `pos`).
    fn flow_next(&mut self, close: u8) -> Option<()> {
        self.flow_spaces()?;
        match self.peek() {
            b',' => {
                self.pos += 1;
                self.flow_spaces()?;
                // A trailing comma: valid YAML, rare, left to the full parser.
                (self.peek() != close).then_some(())
            }
            c if c == close => Some(()),
            _ => None,
        }
    }

    /// An entry of a flow collection: a nested collection or a scalar.
    fn flow_item(&mut self) -> Option<Node<'a>> {
        if matches!(self.peek(), b'[' | b'{') {
            return self.flow();
        }
        let line = self.line;
        let value = self.flow_scalar()?.value();
        self.count()?;
        Some(Node { value, line })
    }

    /// A quoted scalar, or a plain one in flow context (ending at a flow indicator, `: ` or
    /// `:` before a flow indicator).
    fn flow_scalar(&mut self) -> Option<Scalar<'a>> {
        let c = self.peek();
        match c {
            b'\'' => return self.quoted(false, None).map(Scalar::Quoted),
            b'"' => return self.quoted(true, None).map(Scalar::Quoted),
            // `-x` is a plain scalar even here, but `-` before a blank or a flow indicator is not.
            b'-' if !blank_or_end(self.peek_at(1)) && !is_flow_indicator(self.peek_at(1)) => {}
            b'-' | b'?' | b':' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' => return None,
            c if is_flow_indicator(c) => return None,
            _ => {}
        }
        let start = self.pos;
        let mut end = start;
        let mut i = start;
        loop {
            let c = self.b.get(i).copied().unwrap_or(0);
            match c {
                0 | b'\n' | b'\r' => return None,
                b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' => {
                    let n = self.b.get(i + 1).copied().unwrap_or(0);
                    if blank_or_end(n) || is_flow_indicator(n) {
                        break;
                    }
                    end = i + 1;
                }
                b'#' if i > start && self.b[i - 1] == b' ' => return None,
                // saphyr refuses `-` before a flow indicator after a blank inside a scalar.
                b'-' if i > start && self.b[i - 1] == b' ' && is_flow_indicator(self.b.get(i + 1).copied().unwrap_or(0)) => {
                    return None
                }
                b' ' => {}
                _ => end = i + 1,
            }
            i += 1;
        }
        self.pos = end;
        self.slice(start, end).map(|s| Scalar::Plain(Cow::Borrowed(s)))
    }
}

/// The character of a double-quoted escape (the bytes after the backslash) and how many bytes
/// it takes; `None` for what the full parser refuses (or a line continuation, left to it).
fn escape(b: &[u8]) -> Option<(char, usize)> {
    let simple = match *b.first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex_escape(b, 2),
        b'u' => return hex_escape(b, 4),
        b'U' => return hex_escape(b, 8),
        _ => return None,
    };
    Some((simple, 1))
}

fn hex_escape(b: &[u8], digits: usize) -> Option<(char, usize)> {
    let hex = b.get(1..1 + digits)?;
    let mut value = 0u32;
    for &h in hex {
        value = (value << 4) | (h as char).to_digit(16)?;
    }
    Some((char::from_u32(value)?, 1 + digits))
}
