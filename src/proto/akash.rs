//! Akash protobuf types: base attributes and resources (v1beta4) and the deployment `GroupSpec`.

use super::cosmos::DecCoin;

/// `akash.base.attributes.v1.Attribute`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Attribute {
    #[prost(string, tag = "1")]
    pub key: String,
    #[prost(string, tag = "2")]
    pub value: String,
}

/// `akash.base.attributes.v1.SignedBy`: auditors that must (all_of) or may (any_of) have signed a
/// provider's attributes.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct SignedBy {
    #[prost(string, repeated, tag = "1")]
    pub all_of: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    pub any_of: Vec<String>,
}

/// `akash.base.attributes.v1.PlacementRequirements`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct PlacementRequirements {
    #[prost(message, optional, tag = "1")]
    pub signed_by: Option<SignedBy>,
    #[prost(message, repeated, tag = "2")]
    pub attributes: Vec<Attribute>,
}

/// `akash.base.resources.v1beta4.ResourceValue`: the quantity as ASCII decimal bytes.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ResourceValue {
    #[prost(bytes = "vec", tag = "1")]
    pub val: Vec<u8>,
}

/// `akash.base.resources.v1beta4.CPU` (units in millicpu).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Cpu {
    #[prost(message, optional, tag = "1")]
    pub units: Option<ResourceValue>,
    #[prost(message, repeated, tag = "2")]
    pub attributes: Vec<Attribute>,
}

/// `akash.base.resources.v1beta4.Memory` (bytes).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Memory {
    #[prost(message, optional, tag = "1")]
    pub quantity: Option<ResourceValue>,
    #[prost(message, repeated, tag = "2")]
    pub attributes: Vec<Attribute>,
}

/// `akash.base.resources.v1beta4.Storage` (one named volume, bytes).
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Storage {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, optional, tag = "2")]
    pub quantity: Option<ResourceValue>,
    #[prost(message, repeated, tag = "3")]
    pub attributes: Vec<Attribute>,
}

/// `akash.base.resources.v1beta4.GPU`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Gpu {
    #[prost(message, optional, tag = "1")]
    pub units: Option<ResourceValue>,
    #[prost(message, repeated, tag = "2")]
    pub attributes: Vec<Attribute>,
}

/// `akash.base.resources.v1beta4.Endpoint.Kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum EndpointKind {
    SharedHttp = 0,
    RandomPort = 1,
    LeasedIp = 2,
}

/// `akash.base.resources.v1beta4.Endpoint`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Endpoint {
    #[prost(enumeration = "EndpointKind", tag = "1")]
    pub kind: i32,
    #[prost(uint32, tag = "2")]
    pub sequence_number: u32,
}

/// `akash.base.resources.v1beta4.Resources`.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct Resources {
    #[prost(uint32, tag = "1")]
    pub id: u32,
    #[prost(message, optional, tag = "2")]
    pub cpu: Option<Cpu>,
    #[prost(message, optional, tag = "3")]
    pub memory: Option<Memory>,
    #[prost(message, repeated, tag = "4")]
    pub storage: Vec<Storage>,
    #[prost(message, optional, tag = "5")]
    pub gpu: Option<Gpu>,
    #[prost(message, repeated, tag = "6")]
    pub endpoints: Vec<Endpoint>,
}

/// `akash.deployment.v1beta4.ResourceUnit`: `count` replicas of `resource` at `price` per block.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct ResourceUnit {
    #[prost(message, optional, tag = "1")]
    pub resource: Option<Resources>,
    #[prost(uint32, tag = "2")]
    pub count: u32,
    #[prost(message, optional, tag = "3")]
    pub price: Option<DecCoin>,
}

/// `akash.deployment.v1beta4.GroupSpec`: one placement group of a deployment, as the chain stores it.
#[derive(Clone, PartialEq, Eq, prost::Message)]
pub struct GroupSpec {
    #[prost(string, tag = "1")]
    pub name: String,
    #[prost(message, optional, tag = "2")]
    pub requirements: Option<PlacementRequirements>,
    #[prost(message, repeated, tag = "3")]
    pub resources: Vec<ResourceUnit>,
}
