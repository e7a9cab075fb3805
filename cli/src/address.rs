//! `ic-akash address PUBKEY_HEX`: the Akash address of a secp256k1 public key (33 or 65 bytes).

use ic_akash::address;
use ic_akash::signer::PublicKey;

const HELP: &str = "\
ic-akash address PUBKEY_HEX

Prints the akash1... address of a secp256k1 public key given in hex, compressed (33 bytes) or
uncompressed (65 bytes), e.g. the key returned by ecdsa_public_key.
";

/// Runs `ic-akash address`; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    match args {
        [a] if a == "--help" || a == "-h" => {
            print!("{HELP}");
            0
        }
        [key] => {
            let text = key.trim();
            let text = text.strip_prefix("0x").unwrap_or(text);
            let bytes = match hex::decode(text) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!("ic-akash address: invalid hex: {e}");
                    return super::EXIT_INVALID;
                }
            };
            if bytes.len() != 33 && bytes.len() != 65 {
                eprintln!("ic-akash address: a public key is 33 or 65 bytes, got {}", bytes.len());
                return super::EXIT_INVALID;
            }
            match PublicKey::from_sec1(&bytes) {
                Ok(pk) => {
                    println!("{}", address::address_of(&pk));
                    0
                }
                Err(e) => {
                    eprintln!("ic-akash address: {e}");
                    super::EXIT_INVALID
                }
            }
        }
        _ => {
            eprint!("{HELP}");
            super::EXIT_INVALID
        }
    }
}
