//! # ic-akash protocol core
//!
//! Everything the orchestrator canister and the `ic-akash` command need to speak the Akash protocol,
//! with no Internet Computer dependency: SDL parsing and validation, the manifest and its deployment
//! hash, GroupSpecs and chain messages encoded byte-identically to `@akashnetwork/chain-sdk`,
//! signed Cosmos transactions, provider JWTs, and parsers for the chain's REST responses.
//!
//! Signing goes through the [`signer::Signer`] interface: a local key in the command and the tests,
//! threshold ECDSA in the canister.

pub mod address;
pub mod dec;
pub mod decode;
pub mod json;
pub mod jwt;
pub mod msgs;
pub mod proto;
pub mod rest;
pub mod sdl;
pub mod signer;
pub mod tx;
pub mod yaml;
