//! Token parsing and verification on arbitrary strings; and claims that parse must survive a
//! sign/verify round trip unchanged.
#![no_main]

use ic_akash::jwt;
use ic_akash::signer::{now_or_never, LocalSigner, Signer};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static SIGNER: OnceLock<LocalSigner> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let signer = SIGNER.get_or_init(|| LocalSigner::from_hex(&"11".repeat(32)).unwrap());
    let key = signer.public_key();
    if let Ok(token) = std::str::from_utf8(data) {
        let _ = jwt::verify(token, &key);
        let _ = jwt::decode_unverified(token);
    }
    // The same bytes as a claims payload.
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(claims) = jwt::Claims::from_json(&v) {
            let token = now_or_never(jwt::sign(signer, &claims)).unwrap().unwrap();
            assert_eq!(jwt::verify(&token, &key), Ok(claims));
        }
    }
});
