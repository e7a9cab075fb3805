//! The `ic-akash` command end to end: exit codes, outputs that round-trip through the core.

use std::io::Write;
use std::process::{Command, Stdio};

/// The repository root: the command runs there, as the README runs it, so paths such as
/// `examples/web.yaml` are the README's.
const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ic-akash"));
    c.current_dir(REPO);
    c
}

fn repo_file(rel: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(REPO).join(rel)).unwrap()
}

/// One key file per test: tests run in parallel threads, and a shared file could be read while another
/// test is rewriting it.
fn key_file(test: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("ic-akash-cli-key-{}-{test}", std::process::id()));
    std::fs::write(&p, "11".repeat(32)).unwrap();
    p
}

#[test]
fn sdl_check_exit_codes_and_stdin() {
    let ok = bin().args(["sdl", "check", "examples/web.yaml"]).output().unwrap();
    assert_eq!(ok.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("deployment hash:"));

    let mut child = bin().args(["sdl", "check", "-", "--json"]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(repo_file("examples/web.yaml").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sdl = ic_akash::sdl::parse(&repo_file("examples/web.yaml")).unwrap();
    assert_eq!(v["version"], hex::encode(sdl.version()));
    assert_eq!(v["summary"]["prices"][0]["per_block"], "1000");

    let bad = bin().args(["sdl", "check", "tests/sdl/bad-denom.yaml"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("/profiles/placement/dcloud/pricing/web/denom"));
    assert_eq!(bin().args(["sdl", "check", "/nonexistent.yaml"]).output().unwrap().status.code(), Some(1));
    assert_eq!(bin().args(["bogus"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn tx_build_then_decode_round_trips() {
    let key = key_file("round-trip");
    let out = bin()
        .args(["tx", "build", "create-deployment", "--key"])
        .arg(&key)
        .args(["--chain-id", "akashnet-2", "--account-number", "7", "--sequence", "3", "--gas", "200000"])
        .args(["--gas-price", "0.025uakt", "--sdl", "examples/web.yaml", "--dseq", "42", "--deposit", "5000000uact"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let b64 = String::from_utf8(out.stdout).unwrap();
    let decoded = bin().args(["tx", "decode", b64.trim()]).output().unwrap();
    assert_eq!(decoded.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&decoded.stdout).unwrap();
    let text = v.to_string();
    let sdl = ic_akash::sdl::parse(&repo_file("examples/web.yaml")).unwrap();
    assert!(text.contains("/akash.deployment.v1beta4.MsgCreateDeployment"), "{text}");
    assert!(text.contains(&hex::encode(sdl.version())), "the decoded tx carries the SDL's hash: {text}");
    assert!(text.contains("5000"), "fee ceil(200000 x 0.025) = 5000uakt: {text}");
    let garbage = bin().args(["tx", "decode", "not-base64!"]).output().unwrap();
    assert_eq!(garbage.status.code(), Some(2));
}

/// `tx build KIND ... --json` with common options; returns (exit code, JSON or stderr).
fn build_json(kind: &str, extra: &[&str]) -> (Option<i32>, serde_json::Value, String) {
    let out = bin()
        .args(["tx", "build", kind, "--key"])
        .arg(key_file(kind))
        .args(["--chain-id", "akashnet-2", "--account-number", "7", "--sequence", "3", "--gas", "100000", "--fee", "2500uakt", "--json"])
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code(), v, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn tx_build_grants() {
    const GRANTEE: &str = "akash12vfxp232rx0z9rzn0hay9jptagk8c86d70xnrp";
    let (code, v, err) = build_json(
        "grant-fee",
        &["--grantee", GRANTEE, "--spend-limit", "5000000uakt", "--expiration", "1900000000", "--allowed-messages", "/akash.market.v1beta5.MsgCreateLease", "--timeout-timestamp", "1800000000"],
    );
    assert_eq!(code, Some(0), "{err}");
    let body = &v["tx"]["body"];
    assert_eq!(body["timeout_timestamp"]["seconds"], "1800000000");
    let a = &body["messages"][0]["value"]["allowance"];
    assert_eq!(a["allowed_messages"][0], "/akash.market.v1beta5.MsgCreateLease");
    assert_eq!(a["allowance"]["spend_limit"][0]["amount"], "5000000");
    assert_eq!(a["allowance"]["expiration"]["seconds"], "1900000000");

    let (code, v, err) = build_json("grant-deposit", &["--grantee", GRANTEE, "--spend-limit", "10000000uact", "--scopes", "deployment,bid"]);
    assert_eq!(code, Some(0), "{err}");
    let g = &v["tx"]["body"]["messages"][0]["value"]["grant"];
    assert_eq!(g["authorization"]["scopes"], serde_json::json!(["deployment", "bid"]));
    assert_eq!(g["expiration"], serde_json::Value::Null);

    let help = bin().args(["tx", "build", "grant-fee", "--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("grant-deposit      --grantee ADDR --spend-limit COIN"));
    let (code, _, err) = build_json("grant-deposit", &["--grantee", GRANTEE, "--spend-limit", "1uact", "--scopes", "lease"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = build_json("grant-fee", &["--grantee", "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("granter and grantee must differ"), "{err}");
}

#[test]
fn address_of_a_public_key() {
    let signer = ic_akash::signer::LocalSigner::from_hex(&"11".repeat(32)).unwrap();
    use ic_akash::signer::Signer;
    let pk = hex::encode(signer.public_key().0);
    let out = bin().args(["address", &pk]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let addr = String::from_utf8(out.stdout).unwrap();
    assert_eq!(addr.trim(), ic_akash::address::address_of(&signer.public_key()));
    assert!(addr.starts_with("akash1"));
    assert_eq!(bin().args(["address", "02zz"]).output().unwrap().status.code(), Some(2));
}

#[test]
fn jwt_command_makes_a_verifiable_token() {
    let key = key_file("jwt");
    let out = bin().args(["jwt", "--key"]).arg(&key).args(["--now", "1900000000", "--ttl", "600"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap();
    let signer = ic_akash::signer::LocalSigner::from_hex(&"11".repeat(32)).unwrap();
    use ic_akash::signer::Signer;
    let claims = ic_akash::jwt::verify(token.trim(), &signer.public_key()).expect("the token verifies against the key");
    let json = format!("{claims:?}");
    assert!(json.contains(&ic_akash::address::address_of(&signer.public_key())), "iss is the key's address: {json}");
    assert!(json.contains("1900000600"), "exp = now + ttl: {json}");
    let bad = bin().args(["jwt", "--key"]).arg(&key).args(["--ttl", "0"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
}
