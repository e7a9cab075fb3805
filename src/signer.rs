//! The signing interface. The core never holds the orchestrator's keys: it computes the 32-byte
//! digest to sign and hands it to a [`Signer`] — a local key in the command and the tests, threshold
//! ECDSA (`sign_with_ecdsa`) in the canister. Whatever the signer returns is normalised to low-S
//! and verified against its public key before use, because Cosmos nodes reject high-S signatures
//! and a bad signature must never reach the chain.

use k256::ecdsa::signature::hazmat::PrehashVerifier;
use k256::ecdsa::{Signature, SigningKey, VerifyingKey};
use std::fmt;
use std::future::Future;

/// A compressed secp256k1 public key (33 bytes, SEC1).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PublicKey(pub [u8; 33]);

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", hex::encode(self.0))
    }
}

impl PublicKey {
    /// Parses a SEC1 key, compressed (33 bytes) or uncompressed (65 bytes), as `ecdsa_public_key`
    /// or a key file may give it, and keeps it compressed.
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, SignerError> {
        let key = VerifyingKey::from_sec1_bytes(bytes).map_err(|_| SignerError::InvalidPublicKey)?;
        Ok(Self::from_verifying_key(&key))
    }

    fn from_verifying_key(key: &VerifyingKey) -> Self {
        let point = key.to_encoded_point(true);
        let mut out = [0u8; 33];
        out.copy_from_slice(point.as_bytes());
        PublicKey(out)
    }

    /// Verifies a 64-byte r||s signature over a 32-byte digest; high-S signatures are refused, as
    /// a Cosmos node refuses them.
    pub fn verify_digest(&self, digest: &[u8; 32], signature: &[u8; 64]) -> Result<(), SignerError> {
        let key = VerifyingKey::from_sec1_bytes(&self.0).map_err(|_| SignerError::InvalidPublicKey)?;
        let sig = Signature::from_slice(signature).map_err(|_| SignerError::InvalidSignature)?;
        if sig.normalize_s().is_some() {
            return Err(SignerError::HighS);
        }
        key.verify_prehash(digest, &sig).map_err(|_| SignerError::InvalidSignature)
    }
}

/// Why signing failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerError {
    /// The signer itself failed (for threshold ECDSA: the management canister's reject message).
    Backend(String),
    /// A public key that is not a valid secp256k1 point.
    InvalidPublicKey,
    /// A private key that is not a valid secp256k1 scalar.
    InvalidPrivateKey,
    /// A signature that does not verify against the signer's public key.
    InvalidSignature,
    /// A high-S signature where low-S is required.
    HighS,
}

impl fmt::Display for SignerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignerError::Backend(msg) => write!(f, "signer failed: {msg}"),
            SignerError::InvalidPublicKey => write!(f, "invalid secp256k1 public key"),
            SignerError::InvalidPrivateKey => write!(f, "invalid secp256k1 private key"),
            SignerError::InvalidSignature => {
                write!(f, "signature does not verify against the signer's public key")
            }
            SignerError::HighS => write!(f, "signature is not low-S"),
        }
    }
}

impl std::error::Error for SignerError {}

/// Something that signs 32-byte digests with one secp256k1 key.
///
/// `sign_digest` is async because threshold ECDSA is an inter-canister call; a local key returns
/// at once. Implementations may return high-S signatures: use [`sign_checked`], which normalises
/// and verifies.
pub trait Signer {
    /// The key's compressed public key.
    fn public_key(&self) -> PublicKey;
    /// A 64-byte r||s ECDSA signature of `digest` (already hashed, not hashed again).
    fn sign_digest(&self, digest: [u8; 32]) -> impl Future<Output = Result<[u8; 64], SignerError>>;
}

/// Signs `digest`, normalises s to the lower half and verifies the result against the signer's
/// public key: what every caller in this crate uses.
pub async fn sign_checked<S: Signer + ?Sized>(signer: &S, digest: [u8; 32]) -> Result<[u8; 64], SignerError> {
    let raw = signer.sign_digest(digest).await?;
    let sig = normalize_low_s(&raw)?;
    signer.public_key().verify_digest(&digest, &sig)?;
    Ok(sig)
}

/// The low-S form of a 64-byte r||s signature (unchanged when s is already low).
pub fn normalize_low_s(signature: &[u8; 64]) -> Result<[u8; 64], SignerError> {
    let sig = Signature::from_slice(signature).map_err(|_| SignerError::InvalidSignature)?;
    let sig = sig.normalize_s().unwrap_or(sig);
    let mut out = [0u8; 64];
    out.copy_from_slice(&sig.to_bytes());
    Ok(out)
}

/// A secp256k1 private key held in memory: the signer of the `ic-akash` command and of the tests.
/// Signatures are deterministic (RFC 6979), so the same input gives the same bytes.
#[derive(Clone)]
pub struct LocalSigner {
    key: SigningKey,
}

impl fmt::Debug for LocalSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LocalSigner({:?})", self.public_key())
    }
}

impl LocalSigner {
    /// From the 32-byte private scalar.
    pub fn from_bytes(secret: &[u8]) -> Result<Self, SignerError> {
        let key = SigningKey::from_slice(secret).map_err(|_| SignerError::InvalidPrivateKey)?;
        Ok(LocalSigner { key })
    }

    /// From a key file's text: 64 hex digits (an optional `0x` prefix and surrounding white space
    /// are allowed).
    pub fn from_hex(text: &str) -> Result<Self, SignerError> {
        let t = text.trim();
        let t = t.strip_prefix("0x").unwrap_or(t);
        let bytes = hex::decode(t).map_err(|_| SignerError::InvalidPrivateKey)?;
        if bytes.len() != 32 {
            return Err(SignerError::InvalidPrivateKey);
        }
        Self::from_bytes(&bytes)
    }

    /// Signs synchronously (the local key never waits).
    pub fn sign_digest_sync(&self, digest: &[u8; 32]) -> Result<[u8; 64], SignerError> {
        use k256::ecdsa::signature::hazmat::PrehashSigner;
        let sig: Signature = self
            .key
            .sign_prehash(digest)
            .map_err(|e| SignerError::Backend(e.to_string()))?;
        let mut out = [0u8; 64];
        out.copy_from_slice(&sig.to_bytes());
        Ok(out)
    }
}

impl Signer for LocalSigner {
    fn public_key(&self) -> PublicKey {
        PublicKey::from_verifying_key(self.key.verifying_key())
    }

    fn sign_digest(&self, digest: [u8; 32]) -> impl Future<Output = Result<[u8; 64], SignerError>> {
        std::future::ready(self.sign_digest_sync(&digest))
    }
}

/// Runs a future that never waits (a [`LocalSigner`]'s) to completion without an executor.
/// Returns `None` if the future is still pending after one poll, which only a signer that really
/// awaits something (threshold ECDSA) would do.
pub fn now_or_never<F: Future>(fut: F) -> Option<F::Output> {
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn key() -> LocalSigner {
        LocalSigner::from_hex(&"11".repeat(32)).unwrap()
    }

    #[test]
    fn local_signatures_verify_and_are_low_s() {
        let signer = key();
        for i in 0..64u8 {
            let digest: [u8; 32] = Sha256::digest([i]).into();
            let sig = now_or_never(sign_checked(&signer, digest)).unwrap().unwrap();
            signer.public_key().verify_digest(&digest, &sig).unwrap();
            assert_eq!(normalize_low_s(&sig).unwrap(), sig);
        }
    }

    #[test]
    fn high_s_is_normalised_and_refused_raw() {
        let signer = key();
        let digest: [u8; 32] = Sha256::digest(b"x").into();
        let low = signer.sign_digest_sync(&digest).unwrap();
        let sig = Signature::from_slice(&low).unwrap();
        // Flip s to n - s: the same signature in its high-S form.
        let high = Signature::from_scalars(sig.r().to_bytes(), (-*sig.s()).to_bytes()).unwrap();
        let mut high_bytes = [0u8; 64];
        high_bytes.copy_from_slice(&high.to_bytes());
        assert_ne!(high_bytes, low);
        assert_eq!(signer.public_key().verify_digest(&digest, &high_bytes), Err(SignerError::HighS));
        assert_eq!(normalize_low_s(&high_bytes).unwrap(), low);
    }

    #[test]
    fn signature_from_another_key_is_refused() {
        struct Liar(LocalSigner, LocalSigner);
        impl Signer for Liar {
            fn public_key(&self) -> PublicKey {
                self.0.public_key()
            }
            fn sign_digest(&self, d: [u8; 32]) -> impl Future<Output = Result<[u8; 64], SignerError>> {
                std::future::ready(self.1.sign_digest_sync(&d))
            }
        }
        let liar = Liar(key(), LocalSigner::from_hex(&"22".repeat(32)).unwrap());
        let r = now_or_never(sign_checked(&liar, [7u8; 32])).unwrap();
        assert_eq!(r, Err(SignerError::InvalidSignature));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(LocalSigner::from_hex("zz").is_err());
        assert!(LocalSigner::from_hex(&"00".repeat(32)).is_err());
        assert!(LocalSigner::from_hex(&"11".repeat(31)).is_err());
        assert_eq!(PublicKey::from_sec1(&[9u8; 33]), Err(SignerError::InvalidPublicKey));
    }
}
