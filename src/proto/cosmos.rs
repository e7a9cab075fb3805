//! Cosmos SDK protobuf types.

/// `cosmos.base.v1beta1.Coin`: an integer amount (decimal string) of a denom.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Coin {
    #[prost(string, tag = "1")]
    pub denom: String,
    #[prost(string, tag = "2")]
    pub amount: String,
}

/// `cosmos.base.v1beta1.DecCoin`: the amount is a `LegacyDec` written as its 18-decimal atomics
/// (no decimal point) in the protobuf bytes; see [`crate::dec`].
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct DecCoin {
    #[prost(string, tag = "1")]
    pub denom: String,
    #[prost(string, tag = "2")]
    pub amount: String,
}

/// `google.protobuf.Any`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Any {
    #[prost(string, tag = "1")]
    pub type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}
