//! Unit tests of YAML loading: js-yaml's scalar resolution, keys, merges and limits, and the fast
//! path (what it handles, where it gives up, and that it always agrees with the full parser).
//! The corpus-wide comparison of both paths is in `tests/conformance_sdl.rs`.

use super::*;

/// Loads with both parsers, checks they agree, and returns the value.
fn v(text: &str) -> Value<'static> {
    let node = load(text, 1 << 20).unwrap();
    if let Some(Ok(fast)) = load_fast(text, 1 << 20) {
        assert!(fast.same_as(&load_full(text, 1 << 20).unwrap()), "fast and full differ on {text:?}");
    }
    owned(node).value
}

/// A tree that no longer borrows from its text.
fn owned(node: Node<'_>) -> Node<'static> {
    let value = match node.value {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(b),
        Value::Number(n) => Value::Number(n),
        Value::String(s) => Value::String(Cow::Owned(s.into_owned())),
        Value::Timestamp(s) => Value::Timestamp(Cow::Owned(s.into_owned())),
        Value::Binary => Value::Binary,
        Value::Seq(items) => Value::Seq(items.into_iter().map(owned).collect()),
        Value::Map(entries) => {
            Value::Map(entries.into_iter().map(|(k, v)| (Cow::Owned(k.into_owned()), owned(v))).collect())
        }
    };
    Node { value, line: node.line }
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

fn scalar(text: &str) -> Value<'static> {
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
    let keys: Vec<&str> = e.iter().map(|(k, _)| k.as_ref()).collect();
    assert_eq!(keys, ["1", "3", "80", "b", "a", "true"]);
}

#[test]
fn duplicates_and_merges() {
    assert!(matches!(load("a: 1\na: 2\n", 1000), Err(YamlError::DuplicateKey { .. })));
    let Value::Map(e) = v("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n") else { panic!() };
    let Value::Map(m) = &e[1].1.value else { panic!() };
    assert_eq!(m.len(), 2);
    assert_eq!(m[1], (Cow::from("y"), Node { value: Value::Number(3.0), line: 4 }));
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

/// Asserts the fast path handles `text` and builds exactly the full parser's tree.
fn fast_agrees(text: &str) {
    let full = load_full(text, 1 << 20).unwrap_or_else(|e| panic!("full parser fails on {text:?}: {e}"));
    match load_fast(text, 1 << 20) {
        Some(Ok(fast)) => assert!(fast.same_as(&full), "fast and full differ on {text:?}:\nfast {fast:?}\nfull {full:?}"),
        other => panic!("the fast path gave up on {text:?}: {other:?}"),
    }
}

/// Asserts the fast path leaves `text` to the full parser.
fn fast_gives_up(text: &str) {
    assert!(load_fast(text, 1 << 20).is_none(), "the fast path should give up on {text:?}");
}

#[test]
fn fast_path_handles_block_style() {
    for text in [
        "a: 1\nb: two\n",
        "---\na: 1\n",
        "--- # doc\n# comment\na: 1 # trailing\n\n  # indented comment\nb:\n  c: d\n",
        "a:\r\n  b: c\r\n  d:\r\n    - 1\r\n    - x\r\n",
        "list:\n- a\n- b\nnext: 1\n",
        "list:\n  - name: x\n    port: 80\n  - name: y\n    to:\n      - global: true\n",
        "list:\n- a:\n  - x\n  b: 2\n- - n1\n  - n2\n-\n- # empty\n-\n  late: 1\n",
        "a:\nb: ~\nc: null\nd:\n",
        "a: 'it''s'\nb: \"q\\\"\\n\\t\\u00e9\\x41\\\\\"\n'c d': \"e\"\n\"f\": g\n",
        "a: plain with  spaces and:colons and#no-comment # comment\n",
        "a: http://x:80/y?z=1&w\nb: -1\nc: -x\nd: ?q\ne: :z\n",
        "a: first\n  second\n\n  third\n\n\n    fourth\nb: 1\n",
        "- first\n  second\n- x\n",
        "a: |\n  line 1\n    indented\n\n  line 3\nb: >\n  folded\n  text\n\n  para\n   more\n  back\nc: |-\n  strip\n\n\nd: |+\n  keep\n\n\ne: >2-\n    two\n",
        "a: |\n\n  after empty\nb: 1\n",
        "a:\n  - |\n    in seq\n  - >-\n    folded\n    seq\n",
        "a: | # comment\n  x\n# between\nb: 1\n",
        "a: [1, two, \"three\", 'four', [5, {six: 6}], {}]\nb: {x: 1, 'y': [], \"z\": {w: v}}\nc: []\n",
        "a: [x y, -z, a:b, http://x]\n",
        "a: 'multi\n  line  \n\n   single'\nb: \"dq\\\n    joined \\\n  \n  next\\u0041\n  end \"\nc: 1\n",
        "- 'in\n  seq'\n- \"x\\ \n  y\"\n- 'at\n the dash column'\n",
        "a:\n  'x\n   y'\nlist:\n- 'x\n  y'\n",
        "80: a\n1: b\nx: c\n0: d\n010: e\n\"01\": f\n",
        "true: 1\n~: 2\n1.0: 3\n.inf: 4\n2024-01-02: 5\n",
        "a: .nan\nb: 0x1F\nc: 1_000\nd: 2024-01-02 10:00:00\n",
        "a: é ü ✓ 日本\nb: 'ünïcödé'\n",
        "  indented: root\n  more: 1\n",
        "- a\n- b\n",
        "[a, b]\n",
        "a: x\n...\n",
    ] {
        if text.ends_with("...\n") {
            fast_gives_up(text);
        } else {
            fast_agrees(text);
        }
    }
}

#[test]
fn fast_path_gives_up_outside_its_subset() {
    for text in [
        // Anchors, aliases, tags, merge keys, complex keys, directives.
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "b:\n  <<: {x: 1}\n",
        "? a\n: 1\n",
        "%YAML 1.2\n---\na: 1\n",
        // Characters: tabs, control characters, a lone carriage return, a byte order mark.
        "a:\t1\n",
        "a: 1\u{7}\n",
        "a: 1\rb: 2\n",
        "\u{feff}a: 1\n",
        "a: 'x\u{feff}'\n",
        "a: 'xxxxxxx\u{feff}'\n",
        "a: 'xxxxxx\u{7f}'\n",
        "a: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\u{1}'\n",
        "a: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r",
        // Multi-line quoted scalars not indented enough or used as keys, multi-line flow
        // collections, trailing commas.
        "a: 'x\ny'\n",
        "-\n  'x\n- y'\n",
        "'x\n  y': 1\n",
        "a: [1,\n  2]\n",
        "a: [1, 2,]\n",
        // Not a single mapping document, or empty.
        "a: 1\n---\nb: 2\n",
        "",
        "# only a comment\n",
        "just a scalar\n",
        // Errors: the full parser reports them.
        "a: 1\na: 2\n",
        "a: b: c\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: 'x' y\n",
        "a: \"\\q\"\n",
        "a: [1 2\n",
        "- a\nb: 1\n",
        "a: 1\n- b\n",
        "a: x # c\n  more\n",
        "a: |\n    x\n  y\n",
        "a: |\n  no final break",
        "a: |\n",
    ] {
        fast_gives_up(text);
    }
}

#[test]
fn fast_path_limits() {
    // Nesting: the fast path stops where the full parser does.
    let mut deep = String::new();
    for i in 0..70 {
        deep.push_str(&" ".repeat(i));
        deep.push_str("k:\n");
    }
    deep.push_str(&" ".repeat(70));
    deep.push_str("v\n");
    assert!(load_fast(&deep, 1 << 20).is_none());
    assert_eq!(load(&deep, 1 << 20), Err(YamlError::TooComplex));
    // A long mapping checks duplicates in linear time, and still finds them.
    let mut wide: String = (0..5000).map(|i| format!("k{i}: {i}\n")).collect();
    fast_agrees(&wide);
    wide.push_str("k42: again\n");
    assert!(matches!(load(&wide, 1 << 20), Err(YamlError::DuplicateKey { .. })));
    let keys: String = (0..20).map(|i| format!("k{i}: {i}\n")).collect();
    assert!(matches!(load(&format!("{keys}<<: {{k3: x, new: y}}\nk3: z\n"), 1 << 20), Err(YamlError::DuplicateKey { .. })));
}

#[test]
fn byte_check_word_at_a_time_matches_byte_by_byte() {
    const BYTES: &[u8] = b"ab :-\n\n\r\t\x00\x1f\x7f\x80\xef\xbb\xbf\xc3\xa9~ ";
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for len in 0..200 {
        for _ in 0..20 {
            let text: Vec<u8> = (0..len)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Mostly plain letters, so that long clean runs occur.
                    if seed % 4 == 0 { BYTES[(seed >> 8) as usize % BYTES.len()] } else { b'a' }
                })
                .collect();
            assert_eq!(fast::plain_bytes(&text), fast::plain_range(&text, 0, text.len()), "{text:?}");
        }
    }
}
