//! The test every canister runs on its interface file: `candid/<name>.did` is what the code
//! exports. Each canister's `main.rs` includes this file in its tests with `#[path]` (it needs
//! `candid_parser` as a dev-dependency).

/// Panics unless `candid/<file>` holds the `exported` service (same service, same text); with
/// `UPDATE_DID` set in the environment it writes the file first.
pub fn assert_candid_file_equals(file: &str, exported: &str, package: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../candid").join(file);
    if std::env::var_os("UPDATE_DID").is_some() {
        std::fs::write(&path, exported).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("candid/{file}: {e}"));
    candid_parser::utils::service_equal(
        candid_parser::utils::CandidSource::Text(&on_disk),
        candid_parser::utils::CandidSource::Text(exported),
    )
    .unwrap_or_else(|e| panic!("candid/{file} differs from the code ({e}); run UPDATE_DID=1 cargo test -p {package}"));
    assert_eq!(on_disk.trim(), exported.trim(), "same service, different text: run UPDATE_DID=1 cargo test -p {package}");
}
