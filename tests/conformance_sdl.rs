//! Conformance of SDL handling with the official Akash SDK (`@akashnetwork/chain-sdk`, pinned in
//! `conformance/package.json`) on the 342 real SDL files of `../shared/sdl-corpus` and on
//! hand-written edge cases: the same files accepted, and for each accepted file the same deployment
//! hash, the same manifest bytes and the same GroupSpec protobuf bytes. The YAML fast path is
//! checked against the full parser too (on the files and on mutations of them); the
//! `ic-akash sdl check` command on the whole corpus is in `cli/tests/conformance_sdl.rs`.

mod common;

use serde_json::{json, Value};
use std::path::PathBuf;

/// Files on which the SDK crashes after validating (a service with no `expose`); the Go parser,
/// the provider's authority, accepts them, and so do we (see shared/sdl-corpus/NOTICE.md).
const SDK_CRASHES: usize = 4;

fn edge_cases() -> Vec<PathBuf> {
    let dir = common::path("tests/sdl");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("yaml"))
        .collect();
    files.sort();
    files
}

/// Compares our result for each file with the reference; returns (accepted, files on which the
/// SDK's deprecated `SDL` class crashes).
fn compare(files: &[PathBuf], reference: &Value) -> (usize, usize) {
    let mut mismatches = Vec::new();
    let (mut accepted, mut crashes) = (0, 0);
    for path in files {
        let key = path.to_string_lossy();
        let r = &reference["files"][key.as_ref()];
        let text = std::fs::read_to_string(path).unwrap();
        let ours = ic_akash::sdl::parse(&text);
        let name = path.file_name().unwrap().to_string_lossy();
        let ref_accepts = r["accepted"].as_bool().unwrap();
        match (&ours, ref_accepts) {
            (Ok(sdl), true) => {
                accepted += 1;
                if r["legacyCrashed"].as_bool().unwrap() {
                    crashes += 1;
                }
                if r["crashed"].as_bool().unwrap() {
                    mismatches.push(format!("{name}: the SDK's generateManifest failed: {}", r["error"]));
                    continue;
                }
                if hex::encode(sdl.version()) != r["hash"].as_str().unwrap() {
                    mismatches.push(format!("{name}: hash differs"));
                }
                if sdl.manifest_json() != r["manifest"].as_str().unwrap() {
                    mismatches.push(format!("{name}: manifest differs:\n  ours: {}\n  sdk:  {}", sdl.manifest_json(), r["manifest"]));
                }
                let groups: Vec<String> = sdl.groups_proto().iter().map(hex::encode).collect();
                let ref_groups: Vec<String> =
                    r["groups"].as_array().unwrap().iter().map(|g| g.as_str().unwrap().to_string()).collect();
                if groups != ref_groups {
                    mismatches.push(format!("{name}: GroupSpec bytes differ"));
                }
            }
            (Err(_), false) => {}
            (Ok(_), false) => mismatches.push(format!("{name}: we accept, the SDK rejects: {}", r["error"])),
            (Err(e), true) => mismatches.push(format!("{name}: the SDK accepts, we reject: {e}")),
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches with the SDK:\n{}", mismatches.len(), mismatches.join("\n"));
    (accepted, crashes)
}

#[test]
fn corpus_matches_the_sdk() {
    let files = common::corpus();
    let reference = common::sdl_reference(&files);
    let (accepted, crashes) = compare(&files, &reference);
    // What shared/sdl-corpus/NOTICE.md reports of the SDK: 292 parse, 4 crash (accepted by us).
    assert_eq!(crashes, SDK_CRASHES);
    assert_eq!(accepted, 292 + SDK_CRASHES);
}

#[test]
fn edge_cases_match_the_sdk() {
    let files = edge_cases();
    assert!(files.len() >= 10, "tests/sdl should hold the edge cases");
    let reference = common::sdl_reference(&files);
    let (accepted, _) = compare(&files, &reference);
    assert!(accepted > 0 && accepted < files.len(), "edge cases should include valid and invalid SDLs");
}

#[test]
fn locale_order_matches_node() {
    // Names built from the characters SDL names use, in every case combination that matters.
    let alphabet: Vec<char> = "aAbZz09-_. /".chars().collect();
    let mut names = Vec::new();
    let mut seed = 0x2545F4914F6CDD1Du64;
    for _ in 0..400 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        for k in 0..(1 + seed % 6) {
            s.push(alphabet[((seed >> (k * 5)) % alphabet.len() as u64) as usize]);
        }
        names.push(s);
    }
    names.sort();
    names.dedup();
    let reference = common::run_node("sdl-ref.mjs", &json!({ "sort": names }));
    let mut ours = names.clone();
    ours.sort_by(|a, b| ic_akash::sdl::units::locale_compare(a, b));
    let theirs: Vec<String> =
        reference["localeSorted"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(ours, theirs);
}

fn yaml_files() -> Vec<(String, String)> {
    common::corpus()
        .iter()
        .chain(edge_cases().iter())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(p).unwrap()))
        .collect()
}

/// Whether the fast path agrees with the full parser on `text`: where it gives an answer, the full
/// parser accepts the document and builds the same tree (lines included).
fn fast_path_agrees(text: &str) -> Result<bool, String> {
    let max = ic_akash::sdl::MAX_SDL_BYTES;
    let Some(fast) = ic_akash::yaml::load_fast(text, max) else { return Ok(false) };
    let fast = fast.map_err(|e| format!("the fast path failed: {e}"))?;
    match ic_akash::yaml::load_full(text, max) {
        Ok(full) if fast.same_as(&full) => Ok(true),
        Ok(full) => Err(format!("trees differ:\n fast {fast:?}\n full {full:?}")),
        Err(e) => Err(format!("the fast path accepts what the full parser refuses: {e}")),
    }
}

#[test]
fn yaml_fast_path_agrees_with_the_full_parser_on_every_file() {
    let files = yaml_files();
    let mut handled = Vec::new();
    for (name, text) in &files {
        match fast_path_agrees(text) {
            Ok(true) => handled.push(name.clone()),
            Ok(false) => {}
            Err(e) => panic!("{name}: {e}"),
        }
    }
    // The fast path is only worth having if it takes nearly every real file.
    assert!(handled.len() * 100 >= files.len() * 95, "the fast path handles only {} of {} files", handled.len(), files.len());
}

/// Small random edits of every file, biased towards YAML's indicators and indentation: wherever the
/// fast path answers, it must answer as the full parser does.
#[test]
fn yaml_fast_path_agrees_with_the_full_parser_on_mutations() {
    const EDITS_PER_FILE: usize = 40;
    const PIECES: &[&str] = &[
        " ", "  ", "\n", "\r\n", "-", "- ", ":", ": ", "#", " #", "'", "\"", "''", "\\", "\\n", "[", "]", "{", "}", ",", "|",
        ">", "|-", ">+", "|2", "?", "&a", "*a", "!", "!!str ", "<<: ", "...", "---", "~", "0x1", "1e3", ".5", "é", "x", "\t",
    ];
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let mut failures = Vec::new();
    let mut handled = 0usize;
    for (name, text) in yaml_files() {
        for _ in 0..EDITS_PER_FILE {
            let mut t = text.clone();
            for _ in 0..1 + rand(3) {
                let mut at = rand(t.len() + 1);
                while !t.is_char_boundary(at) {
                    at -= 1;
                }
                match rand(4) {
                    0 | 1 => t.insert_str(at, PIECES[rand(PIECES.len())]),
                    2 => {
                        let mut end = (at + 1 + rand(3)).min(t.len());
                        while !t.is_char_boundary(end) {
                            end += 1;
                        }
                        t.replace_range(at..end, "");
                    }
                    _ => {
                        // Re-indent the line `at` is on.
                        let start = t[..at].rfind('\n').map_or(0, |i| i + 1);
                        if rand(2) == 0 {
                            t.insert_str(start, &" ".repeat(1 + rand(2)));
                        } else if t[start..].starts_with(' ') {
                            t.remove(start);
                        }
                    }
                }
            }
            match fast_path_agrees(&t) {
                Ok(true) => handled += 1,
                Ok(false) => {}
                Err(e) => failures.push(format!("{name} edited to {t:?}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{} disagreements, first: {}", failures.len(), failures[0]);
    eprintln!("the fast path took {handled} of the edited files");
    assert!(handled > 0);
}
