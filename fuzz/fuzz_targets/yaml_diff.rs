//! The YAML fast path against the full parser on arbitrary UTF-8: wherever the fast path gives
//! an answer, the full parser must accept the document and build the same tree. Neither may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Same limit as SDL parsing: larger inputs are refused before either parser runs.
const MAX_BYTES: usize = 256 * 1024;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let full = ic_akash::yaml::load_full(text, MAX_BYTES);
    if let Some(fast) = ic_akash::yaml::load_fast(text, MAX_BYTES) {
        match (fast, full) {
            (Ok(fast), Ok(full)) => assert!(fast.same_as(&full), "trees differ on {text:?}:\n fast {fast:?}\n full {full:?}"),
            (Ok(_), Err(e)) => panic!("the fast path accepts what the full parser refuses ({e}): {text:?}"),
            (Err(_), _) => {}
        }
    }
});
