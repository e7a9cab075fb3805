//! Bodies of the two POST requests the orchestrator sends to the chain's REST gateway. Built by
//! hand (no serde) because they are fixed shapes around one base64 string.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// `POST /cosmos/tx/v1beta1/txs` body for signed `TxRaw` bytes:
/// `{"tx_bytes":"<base64>","mode":"BROADCAST_MODE_SYNC"}`. Sync mode returns after CheckTx, so the
/// caller learns at once whether the mempool took the tx, then polls for its inclusion.
pub fn broadcast_request_body(tx_raw: &[u8]) -> Vec<u8> {
    with_tx_bytes(tx_raw, r#","mode":"BROADCAST_MODE_SYNC"}"#)
}

/// `POST /cosmos/tx/v1beta1/simulate` body: `{"tx_bytes":"<base64>"}`, for the bytes of
/// [`crate::tx::UnsignedTx::simulation_tx_bytes`].
pub fn simulate_request_body(tx_raw: &[u8]) -> Vec<u8> {
    with_tx_bytes(tx_raw, "}")
}

fn with_tx_bytes(tx_raw: &[u8], tail: &str) -> Vec<u8> {
    const HEAD: &str = r#"{"tx_bytes":""#;
    let b64 = STANDARD.encode(tx_raw);
    let mut out = Vec::with_capacity(HEAD.len() + b64.len() + 1 + tail.len());
    out.extend_from_slice(HEAD.as_bytes());
    // Standard base64 has no character JSON needs to escape.
    out.extend_from_slice(b64.as_bytes());
    out.push(b'"');
    out.extend_from_slice(tail.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_the_gateway_json() {
        let raw = [0xfbu8, 0xff, 0x00, 0x01];
        assert_eq!(broadcast_request_body(&raw), br#"{"tx_bytes":"+/8AAQ==","mode":"BROADCAST_MODE_SYNC"}"#);
        assert_eq!(simulate_request_body(&raw), br#"{"tx_bytes":"+/8AAQ=="}"#);
        let v: serde_json::Value = serde_json::from_slice(&broadcast_request_body(&raw)).unwrap();
        assert_eq!(STANDARD.decode(v["tx_bytes"].as_str().unwrap()).unwrap(), raw);
        assert_eq!(simulate_request_body(&[]), br#"{"tx_bytes":""}"#);
    }
}
