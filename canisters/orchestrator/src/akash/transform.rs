//! The transform each replica runs on its own HTTPS outcall response before consensus.

use crate::runtime::HttpResponse;

/// Reduces `response` to what the replicas must agree on; `context` says what kind of call
/// it answers. (Stub: the REST client fills this in.)
pub fn apply(_context: &[u8], response: HttpResponse) -> HttpResponse {
    response
}
