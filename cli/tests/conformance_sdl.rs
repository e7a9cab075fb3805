//! `ic-akash sdl check` on the 342 files of `../shared/sdl-corpus` agrees with the official Akash
//! SDK (`@akashnetwork/chain-sdk`, run by `conformance/sdl-ref.mjs`): the same files accepted, and
//! for each the same deployment hash and GroupSpec bytes. (The core itself is compared in the root
//! package's `tests/conformance_sdl.rs`; this checks the command the README tells people to run.)

#[path = "../../tests/common/mod.rs"]
mod common;

use serde_json::Value;

#[test]
fn sdl_check_command_agrees_on_the_corpus() {
    let files = common::corpus();
    let reference = common::sdl_reference(&files);
    let bin = env!("CARGO_BIN_EXE_ic-akash");
    for path in &files {
        let r = &reference["files"][path.to_string_lossy().as_ref()];
        let out = std::process::Command::new(bin).args(["sdl", "check"]).arg(path).arg("--json").output().unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        if r["accepted"].as_bool().unwrap() {
            assert_eq!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stderr));
            {
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(v["version"], r["hash"], "{name}");
                assert_eq!(v["groups_proto"], r["groups"], "{name}");
                assert!(v["summary"]["services"].as_array().is_some_and(|s| !s.is_empty()) || v["groups_proto"].as_array().unwrap().is_empty());
            }
        } else {
            assert_eq!(out.status.code(), Some(2), "{name} should be rejected");
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(err.contains("invalid SDL"), "{name}: {err}");
        }
    }
}
