//! The test every canister runs on its interface file: `candid/<name>.did` is what the code
//! exports, `<name>` being the package name without `ic-akash-`, dashes as underscores
//! (`ic-akash-example-client`: `candid/example_client.did`). Each canister's `main.rs` includes
//! this file as a test module with `#[path]` (it needs `candid_parser` as a dev-dependency).
//! `UPDATE_DID=1 cargo test -p <package>` rewrites the file.

#[test]
fn candid_file_equals_the_code() {
    let package = env!("CARGO_PKG_NAME");
    let file = format!("{}.did", package.trim_start_matches("ic-akash-").replace('-', "_"));
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../candid").join(&file);
    let exported = super::__export_service();
    if std::env::var_os("UPDATE_DID").is_some() {
        std::fs::write(&path, &exported).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("candid/{file}: {e}"));
    candid_parser::utils::service_equal(
        candid_parser::utils::CandidSource::Text(&on_disk),
        candid_parser::utils::CandidSource::Text(&exported),
    )
    .unwrap_or_else(|e| panic!("candid/{file} differs from the code ({e}); run UPDATE_DID=1 cargo test -p {package}"));
    assert_eq!(on_disk.trim(), exported.trim(), "same service, different text: run UPDATE_DID=1 cargo test -p {package}");
}
