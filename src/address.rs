//! Akash account addresses: bech32 with prefix `akash` over RIPEMD160(SHA256(compressed key)), as
//! every Cosmos chain derives them from a secp256k1 key. Parsing is strict (bech32, not bech32m;
//! lower case; 20-byte payload) because the chain compares owner strings byte for byte.

use crate::signer::PublicKey;
use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32, Hrp};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};
use std::fmt;

/// The human-readable part of Akash account addresses.
pub const ACCOUNT_PREFIX: &str = "akash";

/// Length of an account address payload.
pub const ADDRESS_LEN: usize = 20;

/// Why an address string was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressError {
    /// Empty string.
    Empty,
    /// Not a valid bech32 string (bad characters, no separator, bad checksum...).
    InvalidBech32(String),
    /// A valid bech32 string with another prefix (e.g. `cosmos1...`).
    WrongPrefix { found: String },
    /// The payload is not 20 bytes.
    WrongLength { found: usize },
    /// Upper or mixed case, or non-zero padding: valid bech32 but not the form the chain writes.
    NotCanonical,
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::Empty => write!(f, "empty address"),
            AddressError::InvalidBech32(e) => write!(f, "invalid bech32 address: {e}"),
            AddressError::WrongPrefix { found } => {
                write!(f, "address prefix is '{found}', expected '{ACCOUNT_PREFIX}'")
            }
            AddressError::WrongLength { found } => {
                write!(f, "address payload is {found} bytes, expected {ADDRESS_LEN}")
            }
            AddressError::NotCanonical => write!(f, "address is not in canonical lower-case form"),
        }
    }
}

impl std::error::Error for AddressError {}

/// A validated Akash account address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Address(pub [u8; ADDRESS_LEN]);

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({self})")
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hrp = Hrp::parse_unchecked(ACCOUNT_PREFIX);
        bech32::encode_lower_to_fmt::<Bech32, _>(f, hrp, &self.0).map_err(|_| fmt::Error)
    }
}

impl std::str::FromStr for Address {
    type Err = AddressError;
    fn from_str(s: &str) -> Result<Self, AddressError> {
        parse(s)
    }
}

impl Address {
    /// The address of a public key: RIPEMD160(SHA256(33-byte compressed key)).
    pub fn from_public_key(key: &PublicKey) -> Self {
        let sha = Sha256::digest(key.0);
        let rip = Ripemd160::digest(sha);
        let mut out = [0u8; ADDRESS_LEN];
        out.copy_from_slice(&rip);
        Address(out)
    }
}

/// The `akash1...` address of a public key.
pub fn address_of(key: &PublicKey) -> String {
    Address::from_public_key(key).to_string()
}

/// Parses and validates an `akash1...` account address.
pub fn parse(s: &str) -> Result<Address, AddressError> {
    if s.is_empty() {
        return Err(AddressError::Empty);
    }
    let checked = CheckedHrpstring::new::<Bech32>(s).map_err(|e| AddressError::InvalidBech32(e.to_string()))?;
    let hrp = checked.hrp();
    if hrp.to_lowercase() != ACCOUNT_PREFIX {
        return Err(AddressError::WrongPrefix { found: hrp.to_lowercase() });
    }
    let bytes: Vec<u8> = checked.byte_iter().collect();
    if bytes.len() != ADDRESS_LEN {
        return Err(AddressError::WrongLength { found: bytes.len() });
    }
    let mut out = [0u8; ADDRESS_LEN];
    out.copy_from_slice(&bytes);
    let addr = Address(out);
    // Re-encoding catches upper case and non-zero padding bits, which Go's bech32 refuses or
    // which would make the owner string differ from the one the chain derives.
    if addr.to_string() != s {
        return Err(AddressError::NotCanonical);
    }
    Ok(addr)
}

/// Validates an address string without keeping the result.
pub fn validate(s: &str) -> Result<(), AddressError> {
    parse(s).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vector from cosmjs: `pubkeyToAddress(encodeSecp256k1Pubkey(pub), "akash")` for the private
    // key 0x11 * 32.
    const PUB_11: &str = "034f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa";
    const ADDR_11: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
    const PUB_22_UNCOMPRESSED: &str = "04466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f276728176c3c6431f8eeda4538dc37c865e2784f3a9e77d044f33e407797e1278a";
    const ADDR_22: &str = "akash12vfxp232rx0z9rzn0hay9jptagk8c86d70xnrp";

    #[test]
    fn address_matches_cosmjs() {
        let key = PublicKey::from_sec1(&hex::decode(PUB_11).unwrap()).unwrap();
        assert_eq!(address_of(&key), ADDR_11);
        let key = PublicKey::from_sec1(&hex::decode(PUB_22_UNCOMPRESSED).unwrap()).unwrap();
        assert_eq!(address_of(&key), ADDR_22);
    }

    #[test]
    fn parse_round_trips() {
        let a = parse(ADDR_11).unwrap();
        assert_eq!(a.to_string(), ADDR_11);
        let key = PublicKey::from_sec1(&hex::decode(PUB_11).unwrap()).unwrap();
        assert_eq!(a, Address::from_public_key(&key));
    }

    #[test]
    fn bad_addresses_are_refused() {
        assert_eq!(parse(""), Err(AddressError::Empty));
        // Checksum broken by changing the last character.
        assert!(matches!(parse("akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusq"), Err(AddressError::InvalidBech32(_))));
        assert!(matches!(parse("not an address"), Err(AddressError::InvalidBech32(_))));
        // Same payload, cosmos prefix.
        let cosmos = bech32::encode::<Bech32>(Hrp::parse("cosmos").unwrap(), &parse(ADDR_11).unwrap().0).unwrap();
        assert_eq!(parse(&cosmos), Err(AddressError::WrongPrefix { found: "cosmos".into() }));
        // 32-byte payload (a module/contract style address) is refused.
        let long = bech32::encode::<Bech32>(Hrp::parse("akash").unwrap(), &[1u8; 32]).unwrap();
        assert_eq!(parse(&long), Err(AddressError::WrongLength { found: 32 }));
        assert_eq!(parse(&ADDR_11.to_uppercase()), Err(AddressError::NotCanonical));
        // bech32m checksum is refused.
        let m = bech32::encode::<bech32::Bech32m>(Hrp::parse("akash").unwrap(), &[1u8; 20]).unwrap();
        assert!(matches!(parse(&m), Err(AddressError::InvalidBech32(_))));
    }
}
