//! What can go wrong with a node: a standing behaviour per endpoint and one-shot faults queued
//! per endpoint or for whichever endpoint is asked next.

use super::rest::Kind;
use serde_json::Value;

/// How an endpoint answers, until changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Healthy,
    /// Connection refused: `HttpError::Unreachable`.
    Down,
    /// HTTP 503 with body "upstream unavailable".
    ServerErrors,
    /// Reads come from the state `blocks` blocks ago (at most `SNAPSHOT_DEPTH`); txs included
    /// since are NotFound. Broadcasts reach the mempool as usual.
    Lagging { blocks: u64 },
    /// Reads are wrong: balances +1_000_000 uakt, account sequences +1, tx lookups claim unknown
    /// hashes included (code 0) and included ones unknown, ledger records mint 1_000_000 uact
    /// more than they did.
    Lying,
    /// Each replica sees a different answer (every integer string is raised by the replica
    /// index), so a replicated read gets no consensus.
    Diverging,
}

/// A fault for the next request it applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OneShot {
    /// Next broadcast: CheckTx runs on a stale state and answers "account sequence mismatch,
    /// expected <committed - 1>": the tx is not taken.
    StaleSequence,
    /// Next broadcast: answered code 0, but the tx is lost (never in the mempool, never
    /// included, not even in the node's cache).
    DropBroadcast,
    /// Next request: served (its side effects happen), but the answer is lost: the caller sees
    /// `HttpError::Unreachable`.
    Timeout,
    /// Next request: HTTP 503.
    ServerError,
    /// Next broadcast: accepted into the mempool (code 0), but at delivery the ante handler
    /// refuses it, as a node does for a tx whose timeout passed while it waited: it is in the
    /// block and indexed with an error code (SDK code 30, codespace "sdk", raw_log "block
    /// height: H, timeout height: H-1: tx timeout height"), but no fee is deducted, the sequence
    /// does not advance, no `tx` events (fee, acc_seq, signature) are emitted and its messages
    /// do not run. Like a tx whose timeout passed, the same bytes are refused by CheckTx from
    /// then on (code 30). A broadcast that CheckTx refuses uses the fault up without effect.
    RefusedAtDelivery,
    /// Next response padded (an extra ignored JSON field) to at least `bytes` bytes.
    Pad { bytes: usize },
}

impl OneShot {
    pub fn applies_to(self, kind: Kind) -> bool {
        match self {
            OneShot::StaleSequence | OneShot::DropBroadcast | OneShot::RefusedAtDelivery => kind == Kind::Broadcast,
            _ => true,
        }
    }
}

/// The body for replica `replica` of a diverging node: every all-digit string raised by
/// `replica` (replica 0 sees the truth).
pub fn perturb(body: &[u8], replica: usize) -> Vec<u8> {
    if replica == 0 {
        return body.to_vec();
    }
    let Ok(mut v) = serde_json::from_slice::<Value>(body) else { return body.to_vec() };
    fn walk(v: &mut Value, by: u128) {
        match v {
            Value::String(s) if !s.is_empty() && s.len() < 39 && s.bytes().all(|b| b.is_ascii_digit()) => {
                *s = (s.parse::<u128>().unwrap_or(0) + by).to_string();
            }
            Value::String(s) if s.starts_with("rpc error") => s.push_str(&format!(" (node {by})")),
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, by)),
            Value::Object(o) => o.values_mut().for_each(|x| walk(x, by)),
            _ => {}
        }
    }
    walk(&mut v, replica as u128);
    serde_json::to_vec(&v).unwrap_or_else(|_| body.to_vec())
}

/// A JSON object body padded to at least `bytes` bytes with an extra `padding` field (other
/// bodies are left as they are).
pub fn pad(body: Vec<u8>, bytes: usize) -> Vec<u8> {
    if body.len() >= bytes {
        return body;
    }
    let Ok(Value::Object(mut o)) = serde_json::from_slice::<Value>(&body) else { return body };
    o.insert("padding".into(), Value::String(String::new()));
    let base = serde_json::to_vec(&o).map(|b| b.len()).unwrap_or(0);
    o.insert("padding".into(), Value::String("x".repeat(bytes.saturating_sub(base))));
    serde_json::to_vec(&o).unwrap_or(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perturbation_and_padding() {
        let b = br#"{"a":"12","b":{"c":["7","x"]},"d":"1.5","message":"rpc error: x"}"#;
        let p: Value = serde_json::from_slice(&perturb(b, 2)).unwrap();
        assert_eq!(p["a"], "14");
        assert_eq!(p["b"]["c"][0], "9");
        assert_eq!(p["b"]["c"][1], "x");
        assert_eq!(p["d"], "1.5");
        assert_eq!(p["message"], "rpc error: x (node 2)");
        assert_eq!(perturb(b, 0), b.to_vec());
        let padded = pad(b.to_vec(), 500);
        assert_eq!(padded.len(), 500);
        let v: Value = serde_json::from_slice(&padded).unwrap();
        assert_eq!(v["a"], "12");
        assert_eq!(pad(b.to_vec(), 10), b.to_vec());
        assert_eq!(pad(b"upstream".to_vec(), 100), b"upstream".to_vec());
    }
}
