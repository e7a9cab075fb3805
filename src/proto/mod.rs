//! Protobuf messages of the Akash and Cosmos SDK chains, written by hand with `prost` derives so the
//! core needs no code generation. Field numbers follow the `.proto` files of `akash-network/chain-sdk`
//! and `cosmos/cosmos-sdk`; presence rules (which sub-messages are always written) follow the
//! encoders of `@akashnetwork/chain-sdk`, so our bytes are identical to theirs.

pub mod akash;
pub mod akash_msgs;
pub mod cosmos;
