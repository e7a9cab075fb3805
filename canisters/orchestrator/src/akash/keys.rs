//! The orchestrator's Akash keys: one threshold-ECDSA key per signer (the treasury, and each
//! owner principal), fetched once and kept with the account, and the core's `Signer` backed by
//! `sign_with_ecdsa`.

use crate::canister::Orchestrator;
use crate::logs::Level;
use crate::runtime::Runtime;
use crate::state::chain::TxAccount;
use crate::storage::SignerId;
use ic_akash::signer::{PublicKey, Signer, SignerError};
use ic_akash_orchestrator_types::Error;

/// What one `sign_with_ecdsa` with `key_1` costs on a 13-node subnet (ic-cdk attaches it itself;
/// this is what cost reports and metrics count).
pub const SIGN_WITH_ECDSA_CYCLES: u128 = 26_153_846_153;

/// The signer's account, registering its key on first use (`ecdsa_public_key` is free, but it
/// is still one call per signer, ever).
pub async fn signer_account<R: Runtime>(o: &Orchestrator<R>, id: SignerId) -> Result<TxAccount, Error> {
    if let Some(acc) = o.read(|s| s.tx_account(&id)) {
        return Ok(acc);
    }
    let key_name = o.read(|s| s.config().ecdsa_key_name.clone());
    let raw = o
        .rt
        .ecdsa_public_key(&key_name, id.derivation_path())
        .await
        .map_err(|e| Error::AkashUnavailable { reason: format!("threshold ECDSA public key: {e}") })?;
    let key = PublicKey::from_sec1(&raw)
        .map_err(|e| Error::AkashUnavailable { reason: format!("threshold ECDSA returned a bad key: {e}") })?;
    let address = ic_akash::address::address_of(&key);
    o.log(Level::Info, format!("Akash account of {id:?}: {address}"));
    Ok(o.mutate(|s| s.register_key(id, key.0.to_vec(), address)))
}

/// Signs with threshold ECDSA under the signer's derivation path. The core normalises to low-S
/// and verifies every signature against `key` before it is used.
pub struct EcdsaSigner<'a, R: Runtime> {
    pub o: &'a Orchestrator<R>,
    pub id: SignerId,
    pub key: PublicKey,
}

impl<R: Runtime> Signer for EcdsaSigner<'_, R> {
    fn public_key(&self) -> PublicKey {
        self.key
    }

    async fn sign_digest(&self, digest: [u8; 32]) -> Result<[u8; 64], SignerError> {
        let key_name = self.o.read(|s| s.config().ecdsa_key_name.clone());
        self.o.counters.borrow_mut().signatures += 1;
        let sig = self
            .o
            .rt
            .sign_with_ecdsa(&key_name, self.id.derivation_path(), digest)
            .await
            .map_err(|e| SignerError::Backend(e.to_string()))?;
        sig.try_into().map_err(|_| SignerError::InvalidSignature)
    }
}
