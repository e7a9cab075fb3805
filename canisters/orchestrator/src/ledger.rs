//! The ICP ledger as the orchestrator reads it: `query_blocks` types (blocks carry legacy
//! account identifiers, not ICRC-1 accounts), account identifiers, and deposit subaccounts.

use candid::{CandidType, Deserialize, Principal};
use sha2::{Digest, Sha224, Sha256};

/// ICP ledger `GetBlocksArgs`.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct GetBlocksArgs {
    pub start: u64,
    pub length: u64,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tokens {
    pub e8s: u64,
}

#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeStamp {
    pub timestamp_nanos: u64,
}

/// A block's operation. Only transfers matter here; the payloads of the others are not read.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    Transfer {
        from: Vec<u8>,
        to: Vec<u8>,
        amount: Tokens,
        fee: Tokens,
        spender: Option<Vec<u8>>,
    },
    Mint(candid::Reserved),
    Burn(candid::Reserved),
    Approve(candid::Reserved),
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Transaction {
    pub memo: u64,
    pub icrc1_memo: Option<Vec<u8>>,
    pub operation: Option<Operation>,
    pub created_at_time: TimeStamp,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub parent_hash: Option<Vec<u8>>,
    pub transaction: Transaction,
    pub timestamp: TimeStamp,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct BlockRange {
    pub blocks: Vec<Block>,
}

/// The archive method the ledger points to (candid `func (GetBlocksArgs) -> (QueryArchiveResult) query`).
pub type ArchiveCallback = candid::types::reference::Func;

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ArchivedBlocksRange {
    pub start: u64,
    pub length: u64,
    pub callback: ArchiveCallback,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct QueryBlocksResponse {
    pub chain_length: u64,
    pub certificate: Option<Vec<u8>>,
    pub blocks: Vec<Block>,
    pub first_block_index: u64,
    pub archived_blocks: Vec<ArchivedBlocksRange>,
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum QueryArchiveError {
    BadFirstBlockIndex { requested_index: u64, first_valid_index: u64 },
    Other { error_code: u64, error_message: String },
}

#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub enum QueryArchiveResult {
    Ok(BlockRange),
    Err(QueryArchiveError),
}

/// Legacy ICP account identifier: CRC32 (big-endian) of SHA-224("\x0Aaccount-id" ‖ owner ‖ subaccount),
/// followed by that hash.
pub fn account_identifier(owner: &Principal, subaccount: &[u8; 32]) -> [u8; 32] {
    let mut h = Sha224::new();
    h.update(b"\x0Aaccount-id");
    h.update(owner.as_slice());
    h.update(subaccount);
    let hash = h.finalize();
    let mut out = [0u8; 32];
    out[..4].copy_from_slice(&crc32fast::hash(&hash).to_be_bytes());
    out[4..].copy_from_slice(&hash);
    out
}

/// The subaccount of the orchestrator that collects pushed ICP for `beneficiary`.
/// Domain-separated so that later uses of subaccounts cannot collide with deposit accounts.
pub fn deposit_subaccount(beneficiary: &Principal) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"ic-akash/deposit/v1");
    h.update([beneficiary.as_slice().len() as u8]);
    h.update(beneficiary.as_slice());
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_identifier_matches_the_ledger_for_a_known_principal() {
        // The default account of the anonymous principal, as every ICP wallet shows it.
        let id = account_identifier(&Principal::anonymous(), &[0; 32]);
        assert_eq!(
            hex::encode(id),
            "1c7a48ba6a562aa9eaa2481a9049cdf0433b9738c992d698c31d8abf89cadc79"
        );
    }

    #[test]
    fn deposit_subaccounts_differ_per_beneficiary_and_are_not_default() {
        let a = deposit_subaccount(&Principal::from_slice(&[1]));
        let b = deposit_subaccount(&Principal::from_slice(&[1, 0]));
        assert_ne!(a, b);
        assert_ne!(a, [0; 32]);
    }
}
