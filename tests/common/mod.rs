//! Helpers shared by the conformance tests: they run the reference implementations (the official
//! Akash SDK and cosmjs, installed from npm into `conformance/node_modules` by `scripts/setup.sh`)
//! as node scripts and exchange JSON with them through files.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository root: this module is compiled into the root package's tests and into the
/// command's (`cli/`), so it is the nearest folder above the package holding `conformance/`.
pub fn repo_root() -> PathBuf {
    let package = Path::new(env!("CARGO_MANIFEST_DIR"));
    package.ancestors().find(|d| d.join("conformance").is_dir()).unwrap_or(package).to_path_buf()
}

/// The shared folder beside the repository (`../shared`), or `IC_AKASH_SHARED` when set.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("IC_AKASH_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("..").join("shared"))
}

/// Fails the test with a clear message when the reference packages are not installed: a
/// conformance test that silently skipped would pass by construction.
pub fn require_reference() {
    let sdk = repo_root().join("conformance/node_modules/@akashnetwork/chain-sdk/package.json");
    assert!(
        sdk.exists(),
        "the reference SDK is not installed: run `bash scripts/setup.sh` (npm ci in conformance/) first"
    );
}

/// Runs `node conformance/<script>` with `input` written to a temporary JSON file whose path is the
/// script's first argument, and returns what the script printed on stdout, parsed as JSON.
pub fn run_node(script: &str, input: &serde_json::Value) -> serde_json::Value {
    require_reference();
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("ic-akash-conf-{}-{n}-{}", std::process::id(), script.replace('/', "_")));
    std::fs::create_dir_all(&dir).unwrap();
    let input_path = dir.join("input.json");
    std::fs::write(&input_path, serde_json::to_vec(input).unwrap()).unwrap();
    let out = Command::new("node")
        .arg(repo_root().join("conformance").join(script))
        .arg(&input_path)
        .current_dir(repo_root().join("conformance"))
        .output()
        .expect("node must be installed to run the conformance tests");
    assert!(
        out.status.success(),
        "node {script} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("node {script} printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout))
    })
}

/// Path of a file under the repository.
pub fn path(rel: &str) -> PathBuf {
    repo_root().join(Path::new(rel))
}

/// The 342 SDL files of `../shared/sdl-corpus`, sorted.
pub fn corpus() -> Vec<PathBuf> {
    let dir = shared_dir().join("sdl-corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the SDL corpus at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml") | Some("yml")))
        .collect();
    files.sort();
    assert_eq!(files.len(), 342, "the corpus should hold 342 SDL files");
    files
}

/// What the official SDK makes of each file (`conformance/sdl-ref.mjs`): accepted, hash, manifest, GroupSpecs.
pub fn sdl_reference(files: &[PathBuf]) -> serde_json::Value {
    let list: Vec<String> = files.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    run_node("sdl-ref.mjs", &serde_json::json!({ "files": list }))
}
