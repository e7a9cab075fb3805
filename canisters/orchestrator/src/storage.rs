//! Stable memory layout. Every structure has its own `MemoryId`, which never changes meaning;
//! values are candid-encoded so that new optional fields keep old bytes readable.

use candid::{CandidType, Decode, Deserialize, Encode};
use ic_stable_structures::memory_manager::{MemoryId, MemoryManager, VirtualMemory};
use ic_stable_structures::storable::Bound;
use ic_stable_structures::{DefaultMemoryImpl, Storable};
use std::borrow::Cow;

/// The canister's whole stable memory: the IC's on wasm; natively, a vector that counts reads
/// so tests can check that an upgrade's cost does not grow with history.
#[cfg(target_arch = "wasm32")]
pub type RawMemory = DefaultMemoryImpl;
#[cfg(not(target_arch = "wasm32"))]
pub type RawMemory = CountingMemory;

pub type Memory = VirtualMemory<RawMemory>;

pub const CONFIG_MEMORY_ID: MemoryId = MemoryId::new(0);
pub const TOTALS_MEMORY_ID: MemoryId = MemoryId::new(1);
pub const ACCOUNTS_MEMORY_ID: MemoryId = MemoryId::new(2);
pub const JOURNAL_INDEX_MEMORY_ID: MemoryId = MemoryId::new(3);
pub const JOURNAL_DATA_MEMORY_ID: MemoryId = MemoryId::new(4);
pub const JOURNAL_BY_PRINCIPAL_MEMORY_ID: MemoryId = MemoryId::new(5);
pub const CREDITED_BLOCKS_MEMORY_ID: MemoryId = MemoryId::new(6);
pub const PENDING_DEPOSITS_MEMORY_ID: MemoryId = MemoryId::new(7);
pub const AKASH_ACCOUNTS_MEMORY_ID: MemoryId = MemoryId::new(8);
pub const AKASH_ACTIVE_MEMORY_ID: MemoryId = MemoryId::new(9);
pub const AKASH_MSGS_MEMORY_ID: MemoryId = MemoryId::new(10);
pub const MINT_REQUESTS_MEMORY_ID: MemoryId = MemoryId::new(11);
pub const AKASH_BOOK_MEMORY_ID: MemoryId = MemoryId::new(12);
pub const DEPLOYMENTS_MEMORY_ID: MemoryId = MemoryId::new(13);
pub const DEPLOYMENT_SDLS_MEMORY_ID: MemoryId = MemoryId::new(14);
pub const DEPLOYMENTS_BY_OWNER_MEMORY_ID: MemoryId = MemoryId::new(15);
pub const DEPLOYMENTS_ACTIVE_MEMORY_ID: MemoryId = MemoryId::new(16);
pub const DEPLOYMENT_HISTORY_MEMORY_ID: MemoryId = MemoryId::new(17);
pub const OWNER_GOVERNANCE_MEMORY_ID: MemoryId = MemoryId::new(18);

/// The memories of one canister instance, opened over the raw stable memory.
pub struct Memories {
    manager: MemoryManager<RawMemory>,
}

impl Memories {
    /// Opening reads only the memory manager's header: its cost does not grow with the data.
    pub fn open(raw: RawMemory) -> Self {
        Memories { manager: MemoryManager::init(raw) }
    }
    pub fn get(&self, id: MemoryId) -> Memory {
        self.manager.get(id)
    }
}

/// Stable memory simulated by a vector, counting the bytes read from it.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Default)]
pub struct CountingMemory {
    inner: DefaultMemoryImpl,
    bytes_read: std::rc::Rc<std::cell::Cell<u64>>,
}

#[cfg(not(target_arch = "wasm32"))]
impl CountingMemory {
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.get()
    }

    /// A copy of the bytes, as a new canister version finds them after an upgrade.
    pub fn image(&self) -> Self {
        Self::from_bytes(self.to_bytes())
    }

    /// The whole memory's bytes (a multiple of the 64 KiB page), e.g. to keep a release's image.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.inner.borrow().clone()
    }

    /// A memory holding `bytes`, as written by [`CountingMemory::to_bytes`] (or by any release
    /// through `ic_stable_structures::Memory::read`), padded to whole pages.
    pub fn from_bytes(mut bytes: Vec<u8>) -> Self {
        const PAGE_BYTES: usize = 65_536;
        bytes.resize(bytes.len().div_ceil(PAGE_BYTES) * PAGE_BYTES, 0);
        CountingMemory { inner: std::rc::Rc::new(std::cell::RefCell::new(bytes)), bytes_read: Default::default() }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl ic_stable_structures::Memory for CountingMemory {
    fn size(&self) -> u64 {
        self.inner.size()
    }
    fn grow(&self, pages: u64) -> i64 {
        self.inner.grow(pages)
    }
    fn read(&self, offset: u64, dst: &mut [u8]) {
        self.bytes_read.set(self.bytes_read.get() + dst.len() as u64);
        self.inner.read(offset, dst)
    }
    fn write(&self, offset: u64, src: &[u8]) {
        self.inner.write(offset, src)
    }
}

/// A value stored as candid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candid<T>(pub T);

impl<T> Storable for Candid<T>
where
    T: CandidType + for<'de> Deserialize<'de>,
{
    fn to_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Owned(Encode!(&self.0).expect("BUG: candid encoding of a stored value failed"))
    }

    fn into_bytes(self) -> Vec<u8> {
        Encode!(&self.0).expect("BUG: candid encoding of a stored value failed")
    }

    fn from_bytes(bytes: Cow<[u8]>) -> Self {
        Candid(Decode!(bytes.as_ref(), T).expect("BUG: stored value does not decode"))
    }

    const BOUND: Bound = Bound::Unbounded;
}

/// A principal's money, in a fixed 32 bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AccountRecord {
    pub available_uakt: u64,
    pub reserved_uakt: u64,
    /// How many journal entries concern this principal (the next per-principal position).
    pub journal_len: u64,
    pub act_uact: u64,
}

impl AccountRecord {
    pub fn balance(&self) -> ic_akash_orchestrator_types::Balance {
        ic_akash_orchestrator_types::Balance {
            available_uakt: self.available_uakt,
            reserved_uakt: self.reserved_uakt,
            act_uact: self.act_uact,
        }
    }
}

/// Which key signs: the treasury's, or a principal's own (owner of its deployments).
/// Stored as one tag byte and the principal's bytes, so it can key stable maps.
#[derive(CandidType, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SignerId {
    Treasury,
    Owner(candid::Principal),
}

impl SignerId {
    /// The threshold-ECDSA derivation path: one key per signer, fixed forever.
    pub fn derivation_path(&self) -> Vec<Vec<u8>> {
        match self {
            SignerId::Treasury => vec![b"ic-akash/treasury/v1".to_vec()],
            SignerId::Owner(p) => vec![b"ic-akash/owner/v1".to_vec(), p.as_slice().to_vec()],
        }
    }

    /// The principal charged for what this signer does on its own behalf (none for the treasury).
    pub fn owner(&self) -> Option<candid::Principal> {
        match self {
            SignerId::Treasury => None,
            SignerId::Owner(p) => Some(*p),
        }
    }
}

impl Storable for SignerId {
    fn to_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Owned(self.into_bytes())
    }

    fn into_bytes(self) -> Vec<u8> {
        match self {
            SignerId::Treasury => vec![0],
            SignerId::Owner(p) => {
                let mut v = vec![1];
                v.extend_from_slice(p.as_slice());
                v
            }
        }
    }

    fn from_bytes(bytes: Cow<[u8]>) -> Self {
        match bytes.first() {
            Some(1) => SignerId::Owner(candid::Principal::from_slice(&bytes[1..])),
            _ => SignerId::Treasury,
        }
    }

    const BOUND: Bound = Bound::Bounded { max_size: 30, is_fixed_size: false };
}

impl Storable for AccountRecord {
    fn to_bytes(&self) -> Cow<'_, [u8]> {
        Cow::Owned(self.into_bytes())
    }

    fn into_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(32);
        out.extend_from_slice(&self.available_uakt.to_be_bytes());
        out.extend_from_slice(&self.reserved_uakt.to_be_bytes());
        out.extend_from_slice(&self.journal_len.to_be_bytes());
        out.extend_from_slice(&self.act_uact.to_be_bytes());
        out
    }

    fn from_bytes(bytes: Cow<[u8]>) -> Self {
        let word = |i: usize| {
            u64::from_be_bytes(bytes[i * 8..i * 8 + 8].try_into().expect("BUG: account record is 32 bytes"))
        };
        AccountRecord { available_uakt: word(0), reserved_uakt: word(1), journal_len: word(2), act_uact: word(3) }
    }

    const BOUND: Bound = Bound::Bounded { max_size: 32, is_fixed_size: true };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_record_round_trips() {
        let r = AccountRecord { available_uakt: 1, reserved_uakt: u64::MAX, journal_len: 7, act_uact: 9 };
        assert_eq!(AccountRecord::from_bytes(r.to_bytes()), r);
        assert_eq!(r.to_bytes().len(), 32);
        for id in [SignerId::Treasury, SignerId::Owner(candid::Principal::from_slice(&[7; 29]))] {
            assert_eq!(SignerId::from_bytes(id.to_bytes()), id);
        }
    }
}
