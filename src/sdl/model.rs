//! The SDL after validation: every field typed, every default applied, maps kept in JavaScript
//! property order (the order the official SDK iterates them in).

/// SDL schema version.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SdlVersion {
    V2_0,
    V2_1,
}

impl SdlVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SdlVersion::V2_0 => "2.0",
            SdlVersion::V2_1 => "2.1",
        }
    }
}

/// A validated SDL.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub version: SdlVersion,
    pub services: Vec<(String, Service)>,
    pub compute: Vec<(String, Compute)>,
    pub placement: Vec<(String, Placement)>,
    /// service name → placements it is deployed to.
    pub deployment: Vec<(String, Vec<(String, Deployment)>)>,
    /// Declared IP endpoint names.
    pub endpoints: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    pub image: String,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    pub env: Option<Vec<String>>,
    pub credentials: Option<Credentials>,
    pub expose: Vec<Expose>,
    pub params: Option<Params>,
}

/// Private registry credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct Credentials {
    pub host: String,
    pub email: String,
    pub username: String,
    pub password: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "TCP",
            Proto::Udp => "UDP",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expose {
    pub port: u32,
    /// `as`: the external port, 0 when not given.
    pub external_port: u32,
    pub proto: Proto,
    /// `accept`: host names for the ingress.
    pub accept: Vec<String>,
    pub http_options: HttpOptions,
    pub to: Vec<ExposeTo>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ExposeTo {
    pub global: bool,
    /// IP endpoint name, empty when none.
    pub ip: String,
    /// Target service, empty for global exposure.
    pub service: String,
}

/// Ingress HTTP options, defaults applied.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpOptions {
    pub max_body_size: u32,
    pub read_timeout: u32,
    pub send_timeout: u32,
    pub next_tries: u32,
    pub next_timeout: u32,
    pub next_cases: Vec<String>,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            max_body_size: 1_048_576,
            read_timeout: 60_000,
            send_timeout: 60_000,
            next_tries: 3,
            next_timeout: 0,
            next_cases: vec!["error".into(), "timeout".into()],
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Volume name → mount, sorted by name.
    pub storage: Vec<StorageParam>,
    /// `permissions`, kept as written (it is copied into the manifest as is).
    pub permissions: Option<serde_json::Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StorageParam {
    pub name: String,
    pub mount: String,
    pub read_only: bool,
}

/// A compute profile.
#[derive(Clone, Debug, PartialEq)]
pub struct Compute {
    pub cpu_millis: u64,
    /// CPU attributes, values as strings, sorted as the SDK sorts them.
    pub cpu_attributes: Vec<(String, String)>,
    pub memory_bytes: u64,
    pub storage: Vec<Volume>,
    pub gpu_units: u64,
    /// GPU attribute keys (`vendor/nvidia/model/a100/ram/80Gi`), each with value "true".
    pub gpu_attributes: Vec<String>,
    /// A conversion error the SDK would only meet when a deployment uses this profile.
    pub deferred_error: Option<super::SdlError>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Volume {
    /// "default" when not named.
    pub name: String,
    /// Whether the SDL named it (an unnamed volume cannot be mounted by name).
    pub named: bool,
    pub bytes: u64,
    /// Attributes as written (strings), `persistent=false` added for `class: ram`, sorted.
    pub attributes: Vec<(String, String)>,
    pub persistent: bool,
    pub class: Option<String>,
}

/// A placement: where a group may run and what it pays.
#[derive(Clone, Debug, PartialEq)]
pub struct Placement {
    /// Attributes, values as strings, sorted as the SDK sorts them.
    pub attributes: Vec<(String, String)>,
    pub signed_by_all_of: Vec<String>,
    pub signed_by_any_of: Vec<String>,
    /// profile → price per block.
    pub pricing: Vec<(String, Price)>,
}

/// A price per block: `amount` is an exact decimal string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Price {
    pub denom: String,
    pub amount: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deployment {
    pub profile: String,
    pub count: u32,
}
