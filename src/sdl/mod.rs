//! Akash SDL (2.0 and 2.1): parsing and validation, the manifest and its deployment hash, and the
//! on-chain GroupSpecs — all byte-identical to `@akashnetwork/chain-sdk` (`generateManifest`,
//! `manifestToSortedJSON`, `generateManifestVersion`, `GroupSpec.encode`).
//!
//! Where the SDK would accept an SDL and then crash or build something the chain refuses (a size
//! without a unit, a fractional millicpu, a price in exponent notation, a deployment of an undefined
//! service, a GPU model without a name), we refuse it with a clear error instead. A service without
//! `expose` is valid (the Go parser's semantics; the SDK's deprecated `SDL` class crashes on it).

mod groups;
mod manifest;
pub mod model;
mod summary;
pub mod units;
mod validate;

pub use summary::{human_bytes, PriceTotal, ServiceSummary, Summary, BLOCKS_PER_30_DAYS, BLOCK_TIME_MS};
pub use validate::MAINNET_USDC_IBC_DENOM;

use crate::proto::akash::GroupSpec;
use crate::yaml::{self, YamlError};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Largest SDL accepted, checked before parsing (real files are a few KiB).
pub const MAX_SDL_BYTES: usize = 256 * 1024;

/// Why an SDL was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SdlError {
    /// Larger than [`MAX_SDL_BYTES`].
    TooLarge { size: usize, limit: usize },
    /// Not loadable YAML.
    Yaml(YamlError),
    /// Valid YAML but not a valid SDL: `path` is the JSON pointer of the offending field.
    Invalid { path: String, reason: String },
}

impl std::fmt::Display for SdlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SdlError::TooLarge { size, limit } => {
                write!(f, "SDL is {size} bytes, more than the limit of {limit} bytes")
            }
            SdlError::Yaml(e) => write!(f, "{e}"),
            SdlError::Invalid { path, reason } => write!(f, "{path}: {reason}"),
        }
    }
}

impl std::error::Error for SdlError {}

impl From<YamlError> for SdlError {
    fn from(e: YamlError) -> Self {
        match e {
            YamlError::TooLarge { size, limit } => SdlError::TooLarge { size, limit },
            other => SdlError::Yaml(other),
        }
    }
}

/// A validated SDL with everything derived from it computed once.
#[derive(Clone, Debug)]
pub struct Sdl {
    model: model::Model,
    groups: Vec<GroupSpec>,
    /// The manifest as a JSON value, parsed from `manifest_json` the first time it is asked for
    /// (the hash and the provider only need the bytes).
    manifest: OnceLock<serde_json::Value>,
    manifest_json: String,
    version: [u8; 32],
}

/// Parses and validates an SDL and derives its groups, manifest and deployment hash.
pub fn parse(text: &str) -> Result<Sdl, SdlError> {
    let root = yaml::load(text, MAX_SDL_BYTES)?;
    let model = validate::validate(&root)?;
    let plan = groups::plan(&model);
    let groups = groups::group_specs(&model, &plan)?;
    let manifest_json = manifest::sorted_json(&model, &plan);
    let version = Sha256::digest(manifest_json.as_bytes()).into();
    Ok(Sdl { model, groups, manifest: OnceLock::new(), manifest_json, version })
}

impl Sdl {
    /// The on-chain GroupSpecs of `MsgCreateDeployment`, sorted by name.
    pub fn groups(&self) -> Vec<GroupSpec> {
        self.groups.clone()
    }

    /// The GroupSpecs without copying.
    pub fn group_specs(&self) -> &[GroupSpec] {
        &self.groups
    }

    /// Each GroupSpec's protobuf bytes.
    pub fn groups_proto(&self) -> Vec<Vec<u8>> {
        use prost::Message;
        self.groups.iter().map(|g| g.encode_to_vec()).collect()
    }

    /// The deployment hash (`hash` of `MsgCreateDeployment`): SHA-256 of [`Sdl::manifest_json`].
    pub fn version(&self) -> [u8; 32] {
        self.version
    }

    /// The manifest as sent to a provider (`PUT /deployment/{dseq}/manifest`): sorted-key JSON with
    /// `<`, `>`, `&` escaped, exactly the bytes the deployment hash is computed over.
    pub fn manifest_json(&self) -> &str {
        &self.manifest_json
    }

    /// The manifest as a JSON value: [`Sdl::manifest_json`] parsed (once, on first use).
    pub fn manifest(&self) -> &serde_json::Value {
        // The text is JSON we wrote ourselves; should it ever fail to parse, the value is null
        // rather than a panic.
        self.manifest.get_or_init(|| serde_json::from_str(&self.manifest_json).unwrap_or(serde_json::Value::Null))
    }

    /// The validated model.
    pub fn model(&self) -> &model::Model {
        &self.model
    }

    /// A readable summary: services, images, resources and prices.
    pub fn summary(&self) -> Result<Summary, SdlError> {
        summary::summarize(self)
    }
}

#[cfg(test)]
mod tests;
