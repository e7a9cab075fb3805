//! The SDL parser on arbitrary UTF-8: errors are fine, panics are not.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ic_akash::sdl::parse(text);
    }
});
