//! The full path: every YAML document `saphyr-parser` reads, turned into our tree with js-yaml's
//! semantics (merges, anchors and aliases, tags, duplicate keys refused). Used whenever the fast
//! path gives up, so this is what defines the meaning of a document.

use super::{js_key, js_property_order, resolve_plain, resolve_tagged, Entries, KeySet, Node, Value, YamlError};
use super::{MAX_DEPTH, MAX_NODES};
use saphyr_parser::{Event, Parser, ScalarStyle, Span, StrInput, Tag};
use std::borrow::Cow;

/// Loads one document with the full parser. An empty document is `Null`.
pub(super) fn parse(text: &str) -> Result<Node<'_>, YamlError> {
    Loader::new(text).run()
}

enum Frame<'a> {
    Seq { items: Vec<Node<'a>>, line: usize, anchor: usize },
    Map(MapFrame<'a>),
}

struct MapFrame<'a> {
    entries: Entries<'a>,
    keys: KeySet<'a>,
    /// Keys that came from a merge and may still be overridden by an explicit key.
    overridable: Vec<Cow<'a, str>>,
    pending_key: Option<(Key<'a>, usize)>,
    line: usize,
    anchor: usize,
}

enum Key<'a> {
    Plain(Cow<'a, str>),
    Merge,
}

struct Loader<'a> {
    parser: Parser<'a, StrInput<'a>>,
    anchors: Vec<(usize, Node<'a>)>,
    stack: Vec<Frame<'a>>,
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

    fn run(mut self) -> Result<Node<'a>, YamlError> {
        let mut doc: Option<Node<'a>> = None;
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
                    let line = line_of(&mark);
                    let merge = style == ScalarStyle::Plain && text == "<<" && tag.is_none();
                    let value = match tag.as_deref() {
                        Some(t) => resolve_tagged(text, &t.handle, &t.suffix, line)?,
                        None if style == ScalarStyle::Plain => resolve_plain(text),
                        None => Value::String(text),
                    };
                    let node = Node { value, line };
                    if anchor > 0 {
                        self.anchors.push((anchor, node.clone()));
                    }
                    if let Some(Frame::Map(m)) = self.stack.last_mut() {
                        if m.pending_key.is_none() {
                            let key = if merge { Key::Merge } else { Key::Plain(js_key(node.value)) };
                            m.pending_key = Some((key, line));
                            continue;
                        }
                    }
                    self.push_value(node, &mut doc)?;
                }
                Event::SequenceStart(anchor, tag) => {
                    check_collection_tag(tag.as_deref(), "seq", &mark)?;
                    self.open(&mark)?;
                    self.stack.push(Frame::Seq { items: Vec::new(), line: line_of(&mark), anchor });
                }
                Event::MappingStart(anchor, tag) => {
                    check_collection_tag(tag.as_deref(), "map", &mark)?;
                    self.open(&mark)?;
                    self.stack.push(Frame::Map(MapFrame {
                        entries: Vec::new(),
                        keys: KeySet::default(),
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

    fn push_value(&mut self, node: Node<'a>, doc: &mut Option<Node<'a>>) -> Result<(), YamlError> {
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
                    if m.keys.contains(&m.entries, &key) {
                        if let Some(o) = m.overridable.iter().position(|k| *k == key) {
                            m.overridable.swap_remove(o);
                            if let Some(entry) = m.entries.iter_mut().find(|(k, _)| *k == key) {
                                entry.1 = node;
                            }
                            return Ok(());
                        }
                        return Err(YamlError::DuplicateKey { line, key: key.into_owned() });
                    }
                    m.keys.insert(&key);
                    m.entries.push((key, node));
                    Ok(())
                }
            },
        }
    }
}

fn check_collection_tag(tag: Option<&Tag>, kind: &str, mark: &Span) -> Result<(), YamlError> {
    match tag {
        None => Ok(()),
        Some(t) if t.handle == "tag:yaml.org,2002:" && t.suffix == kind => Ok(()),
        Some(t) if t.handle == "!" && t.suffix.is_empty() => Ok(()),
        Some(t) => Err(YamlError::BadTag { line: line_of(mark), tag: format!("{}{}", t.handle, t.suffix) }),
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
fn merge_into<'a>(m: &mut MapFrame<'a>, source: Node<'a>, line: usize) -> Result<(), YamlError> {
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
            if !m.keys.contains(&m.entries, &k) {
                m.overridable.push(k.clone());
                m.keys.insert(&k);
                m.entries.push((k, v));
            }
        }
    }
    Ok(())
}
