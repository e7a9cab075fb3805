//! Everything the orchestrator does on the Akash chain: its accounts and keys, the REST client
//! over HTTPS outcalls, and the transaction pipeline.

pub mod client;
pub mod keys;
pub mod pipeline;
pub mod provider_client;
pub mod transform;
