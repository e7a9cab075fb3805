//! Parsing, validating and hashing the whole SDL corpus (`../shared/sdl-corpus`): the manifest,
//! the deployment hash and the protobuf bytes of every GroupSpec, as `ic-akash sdl check` does.
//! `scripts/bench.sh` runs this and the same work in the official SDK, and prints the ratio.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::PathBuf;

fn corpus() -> Vec<String> {
    let dir = std::env::var_os("IC_AKASH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
        .join("sdl-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the SDL corpus (../shared/sdl-corpus)")
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml") | Some("yml")))
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    c.bench_function("corpus_parse_hash_groups", |b| {
        b.iter(|| {
            let mut accepted = 0usize;
            for t in &texts {
                if let Ok(sdl) = ic_akash::sdl::parse(std::hint::black_box(t)) {
                    std::hint::black_box(sdl.version());
                    std::hint::black_box(sdl.groups_proto());
                    accepted += 1;
                }
            }
            assert_eq!(accepted, 296);
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
