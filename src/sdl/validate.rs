//! SDL validation: the official SDK's JSON schema and its semantic checks, applied while turning
//! the YAML tree into the typed [`Model`]. Every error names the JSON-pointer path of the
//! offending field and says what is wrong.

use super::model::*;
use super::units::{self, locale_compare};
use super::SdlError;
use crate::yaml::{js_number_string, js_string, Node, Value};
use std::borrow::Cow;

/// The USDC IBC denom accepted on mainnet (`ibc/...` prices must use exactly this one).
pub const MAINNET_USDC_IBC_DENOM: &str = "ibc/170C677610AC31DF0904FFE09CD3B5C657492170E7E52372E48756B71E56F2F1";
/// Largest `max_body_size` a provider's ingress accepts (100 MiB).
pub const MAX_BODY_SIZE_BYTES: u32 = 104_857_600;
/// Largest read/send timeout (ms).
pub const MAX_HTTP_TIMEOUT_MS: u32 = 60_000;
const HTTP_ERROR_CODES: &[&str] = &["error", "timeout", "500", "502", "503", "504", "403", "404", "429", "off"];

type Entries<'y> = [(Cow<'y, str>, Node<'y>)];
type R<T> = Result<T, SdlError>;

/// A JSON pointer (RFC 6901) built lazily from borrowed segments: nothing is allocated unless an
/// error is reported.
#[derive(Clone, Copy)]
struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> From<&'a str> for Seg<'a> {
    fn from(s: &'a str) -> Self {
        Seg::Key(s)
    }
}
impl<'a> From<&'a String> for Seg<'a> {
    fn from(s: &'a String) -> Self {
        Seg::Key(s)
    }
}
impl<'a> From<&'a Cow<'_, str>> for Seg<'a> {
    fn from(s: &'a Cow<'_, str>) -> Self {
        Seg::Key(s)
    }
}
impl From<usize> for Seg<'_> {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

impl<'a> Path<'a> {
    fn root() -> Path<'static> {
        Path { parent: None, seg: Seg::Root }
    }
    fn join<'b>(&'b self, seg: impl Into<Seg<'b>>) -> Path<'b> {
        Path { parent: Some(self), seg: seg.into() }
    }
    fn render(&self) -> String {
        let mut segs = Vec::new();
        let mut p = Some(self);
        while let Some(node) = p {
            match node.seg {
                Seg::Root => {}
                Seg::Key(k) => segs.push(k.replace('~', "~0").replace('/', "~1")),
                Seg::Index(i) => segs.push(i.to_string()),
            }
            p = node.parent;
        }
        if segs.is_empty() {
            return "/".to_string();
        }
        segs.iter().rev().map(|s| format!("/{s}")).collect()
    }
    fn err(&self, reason: impl Into<String>) -> SdlError {
        SdlError::Invalid { path: self.render(), reason: reason.into() }
    }
}

fn type_err(path: &Path, expected: &str, node: &Node) -> SdlError {
    path.err(format!("must be {expected}, found {} (line {})", node.type_name(), node.line))
}

fn map<'a, 'y>(node: &'a Node<'y>, path: &Path) -> R<&'a Entries<'y>> {
    match &node.value {
        Value::Map(e) => Ok(e),
        _ => Err(type_err(path, "an object", node)),
    }
}

fn seq<'a, 'y>(node: &'a Node<'y>, path: &Path) -> R<&'a [Node<'y>]> {
    match &node.value {
        Value::Seq(items) => Ok(items),
        _ => Err(type_err(path, "an array", node)),
    }
}

fn string<'a>(node: &'a Node, path: &Path) -> R<&'a str> {
    match &node.value {
        Value::String(s) => Ok(s),
        _ => Err(type_err(path, "a string", node)),
    }
}

fn boolean(node: &Node, path: &Path) -> R<bool> {
    match node.value {
        Value::Bool(b) => Ok(b),
        _ => Err(type_err(path, "a boolean", node)),
    }
}

fn number(node: &Node, path: &Path) -> R<f64> {
    match node.value {
        Value::Number(n) if n.is_finite() => Ok(n),
        _ => Err(type_err(path, "a finite number", node)),
    }
}

/// An integer in `[min, max]` (JavaScript numbers: `1.0` is the integer 1).
fn integer(node: &Node, path: &Path, min: u32, max: u32) -> R<u32> {
    let n = number(node, path).map_err(|_| type_err(path, "an integer", node))?;
    if n.fract() != 0.0 {
        return Err(type_err(path, "an integer", node));
    }
    if n < min as f64 || n > max as f64 {
        return Err(path.err(format!("must be between {min} and {max}, found {}", js_number_string(n))));
    }
    Ok(n as u32)
}

fn strings(node: &Node, path: &Path) -> R<Vec<String>> {
    seq(node, path)?
        .iter()
        .enumerate()
        .map(|(i, n)| string(n, &path.join(i)).map(str::to_string))
        .collect()
}

fn get<'a, 'y>(entries: &'a Entries<'y>, key: &str) -> Option<&'a Node<'y>> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn required<'a, 'y>(entries: &'a Entries<'y>, key: &str, path: &Path) -> R<&'a Node<'y>> {
    get(entries, key).ok_or_else(|| path.err(format!("missing required field \"{key}\"")))
}

fn only(entries: &Entries, allowed: &[&str], path: &Path) -> R<()> {
    for (k, _) in entries {
        if !allowed.contains(&k.as_ref()) {
            return Err(path.err(format!("unknown field \"{k}\" (allowed: {})", allowed.join(", "))));
        }
    }
    Ok(())
}

/// Attributes of a placement or CPU: any values, turned into strings as JavaScript's `String()`
/// does, sorted by key as the SDK sorts them.
fn attributes(node: &Node, path: &Path) -> R<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = map(node, path)?.iter().map(|(k, v)| (k.to_string(), js_string(&v.value))).collect();
    out.sort_by(|a, b| locale_compare(&a.0, &b.0));
    Ok(out)
}

/// Validates the loaded YAML and builds the model.
pub fn validate(root: &Node) -> R<Model> {
    let path = Path::root();
    let top = map(root, &path)?;
    only(top, &["deployment", "endpoints", "include", "profiles", "services", "version"], &path)?;

    let version_node = required(top, "version", &path)?;
    let vpath = path.join("version");
    let version = match string(version_node, &vpath)? {
        "2.0" => SdlVersion::V2_0,
        "2.1" => SdlVersion::V2_1,
        other => return Err(vpath.err(format!("must be \"2.0\" or \"2.1\", found {other:?}"))),
    };

    if let Some(inc) = get(top, "include") {
        strings(inc, &path.join("include"))?;
    }

    let endpoints = match get(top, "endpoints") {
        None => Vec::new(),
        Some(node) => endpoints(node, &path.join("endpoints"))?,
    };

    let services_node = required(top, "services", &path)?;
    let profiles_node = required(top, "profiles", &path)?;
    let deployment_node = required(top, "deployment", &path)?;

    let spath = path.join("services");
    let services = map(services_node, &spath)?
        .iter()
        .map(|(name, node)| Ok((name.to_string(), service(node, &spath.join(name))?)))
        .collect::<R<Vec<_>>>()?;

    let ppath = path.join("profiles");
    let profiles = map(profiles_node, &ppath)?;
    only(profiles, &["compute", "placement"], &ppath)?;
    let cpath = ppath.join("compute");
    let compute = map(required(profiles, "compute", &ppath)?, &cpath)?
        .iter()
        .map(|(name, node)| Ok((name.to_string(), compute_profile(node, &cpath.join(name))?)))
        .collect::<R<Vec<_>>>()?;
    let plpath = ppath.join("placement");
    let placement = map(required(profiles, "placement", &ppath)?, &plpath)?
        .iter()
        .map(|(name, node)| Ok((name.to_string(), placement_profile(node, &plpath.join(name))?)))
        .collect::<R<Vec<_>>>()?;

    let dpath = path.join("deployment");
    let deployment = map(deployment_node, &dpath)?
        .iter()
        .map(|(svc, node)| {
            let sp = dpath.join(svc);
            let placements = map(node, &sp)?
                .iter()
                .map(|(pl, d)| Ok((pl.to_string(), deployment_entry(d, &sp.join(pl))?)))
                .collect::<R<Vec<_>>>()?;
            Ok((svc.to_string(), placements))
        })
        .collect::<R<Vec<_>>>()?;

    let model = Model { version, services, compute, placement, deployment, endpoints };
    check_relations(&model)?;
    Ok(model)
}

fn endpoints(node: &Node, path: &Path) -> R<Vec<String>> {
    let mut names = Vec::new();
    for (name, decl) in map(node, path)? {
        let p = path.join(name);
        let b = name.as_bytes();
        let letters = b.iter().take_while(|c| c.is_ascii_lowercase()).count();
        let valid = letters >= 1
            && b.len() >= 2
            && b[1..].iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-' || *c == b'_');
        if !valid {
            return Err(p.err("endpoint names must match ^[a-z]+[-_0-9a-z]+$"));
        }
        let d = map(decl, &p)?;
        only(d, &["kind"], &p)?;
        let kind = string(required(d, "kind", &p)?, &p.join("kind"))?;
        if kind != "ip" {
            return Err(p.join("kind").err(format!("must be \"ip\", found {kind:?}")));
        }
        names.push(name.to_string());
    }
    Ok(names)
}

fn service(node: &Node, path: &Path) -> R<Service> {
    let s = map(node, path)?;
    only(s, &["args", "command", "credentials", "dependencies", "env", "expose", "image", "params"], path)?;
    let image = string(required(s, "image", path)?, &path.join("image"))?;
    if image.is_empty() {
        return Err(path.join("image").err("must not be empty"));
    }
    let opt_strings = |key: &str| -> R<Option<Vec<String>>> {
        match get(s, key) {
            None => Ok(None),
            Some(Node { value: Value::Null, .. }) => Ok(None),
            Some(n) => strings(n, &path.join(key)).map(Some),
        }
    };
    let command = opt_strings("command")?;
    let args = opt_strings("args")?;
    let env = opt_strings("env")?;

    let credentials = match get(s, "credentials") {
        None => None,
        Some(n) => Some(credentials(n, &path.join("credentials"))?),
    };
    if let Some(deps) = get(s, "dependencies") {
        let dp = path.join("dependencies");
        for (i, d) in seq(deps, &dp)?.iter().enumerate() {
            let p = dp.join(i);
            let e = map(d, &p)?;
            only(e, &["service"], &p)?;
            if let Some(svc) = get(e, "service") {
                string(svc, &p.join("service"))?;
            }
        }
    }
    let expose = match get(s, "expose") {
        None => Vec::new(),
        Some(n) => {
            let ep = path.join("expose");
            seq(n, &ep)?.iter().enumerate().map(|(i, e)| expose(e, &ep.join(i))).collect::<R<Vec<_>>>()?
        }
    };
    let params = match get(s, "params") {
        None => None,
        Some(n) => Some(params(n, &path.join("params"))?),
    };
    Ok(Service { image: image.to_string(), command, args, env, credentials, expose, params })
}

fn credentials(node: &Node, path: &Path) -> R<Credentials> {
    let c = map(node, path)?;
    only(c, &["email", "host", "password", "username"], path)?;
    let field = |key: &str, min: usize, req: bool| -> R<Option<String>> {
        let Some(n) = get(c, key) else {
            return if req { Err(path.err(format!("missing required field \"{key}\""))) } else { Ok(None) };
        };
        let p = path.join(key);
        let v = string(n, &p)?;
        if v.chars().count() < min {
            return Err(p.err(format!("must be at least {min} characters long")));
        }
        Ok(Some(v.to_string()))
    };
    Ok(Credentials {
        host: field("host", 1, true)?.unwrap_or_default(),
        username: field("username", 1, true)?.unwrap_or_default(),
        password: field("password", 6, true)?.unwrap_or_default(),
        email: field("email", 5, false)?.unwrap_or_default(),
    })
}

fn expose(node: &Node, path: &Path) -> R<Expose> {
    let e = map(node, path)?;
    only(e, &["accept", "as", "http_options", "port", "proto", "to"], path)?;
    let port = integer(required(e, "port", path)?, &path.join("port"), 1, 65_535)?;
    let external_port = match get(e, "as") {
        None => 0,
        Some(n) => integer(n, &path.join("as"), 1, 65_535)?,
    };
    let proto = match get(e, "proto") {
        None => Proto::Tcp,
        Some(n) => match string(n, &path.join("proto"))? {
            "TCP" | "tcp" => Proto::Tcp,
            "UDP" | "udp" => Proto::Udp,
            other => return Err(path.join("proto").err(format!("must be TCP or UDP, found {other:?}"))),
        },
    };
    let accept = match get(e, "accept") {
        None => Vec::new(),
        Some(n) => strings(n, &path.join("accept"))?,
    };
    let http_options = match get(e, "http_options") {
        None => HttpOptions::default(),
        Some(n) => http_options(n, &path.join("http_options"))?,
    };
    let to = match get(e, "to") {
        None => Vec::new(),
        Some(n) => {
            let tp = path.join("to");
            seq(n, &tp)?.iter().enumerate().map(|(i, t)| expose_to(t, &tp.join(i))).collect::<R<Vec<_>>>()?
        }
    };
    Ok(Expose { port, external_port, proto, accept, http_options, to })
}

fn http_options(node: &Node, path: &Path) -> R<HttpOptions> {
    let h = map(node, path)?;
    only(h, &["max_body_size", "next_cases", "next_timeout", "next_tries", "read_timeout", "send_timeout"], path)?;
    let mut o = HttpOptions::default();
    let int = |key: &str, max: u32| -> R<Option<u32>> {
        get(h, key).map(|n| integer(n, &path.join(key), 0, max)).transpose()
    };
    if let Some(v) = int("max_body_size", MAX_BODY_SIZE_BYTES)? {
        o.max_body_size = v;
    }
    if let Some(v) = int("read_timeout", MAX_HTTP_TIMEOUT_MS)? {
        o.read_timeout = v;
    }
    if let Some(v) = int("send_timeout", MAX_HTTP_TIMEOUT_MS)? {
        o.send_timeout = v;
    }
    if let Some(v) = int("next_tries", u32::MAX)? {
        o.next_tries = v;
    }
    if let Some(v) = int("next_timeout", u32::MAX)? {
        o.next_timeout = v;
    }
    if let Some(n) = get(h, "next_cases") {
        let p = path.join("next_cases");
        let cases = strings(n, &p)?;
        for (i, c) in cases.iter().enumerate() {
            if !HTTP_ERROR_CODES.contains(&c.as_str()) {
                return Err(p.join(i).err(format!("must be one of: {}", HTTP_ERROR_CODES.join(", "))));
            }
        }
        if cases.iter().any(|c| c == "off") && cases.len() != 1 {
            return Err(p.err("\"off\" must be the only entry"));
        }
        o.next_cases = cases;
    }
    Ok(o)
}

fn expose_to(node: &Node, path: &Path) -> R<ExposeTo> {
    let t = map(node, path)?;
    only(t, &["global", "ip", "service"], path)?;
    let global = get(t, "global").map(|n| boolean(n, &path.join("global"))).transpose()?;
    let ip = match get(t, "ip") {
        None => String::new(),
        Some(n) => {
            let ip = string(n, &path.join("ip"))?;
            if ip.is_empty() {
                return Err(path.join("ip").err("must not be empty"));
            }
            if global != Some(true) {
                return Err(path.join("global").err("must be true when an IP endpoint is given"));
            }
            ip.to_string()
        }
    };
    let service = match get(t, "service") {
        None => String::new(),
        Some(n) => string(n, &path.join("service"))?.to_string(),
    };
    Ok(ExposeTo { global: global.unwrap_or(false), ip, service })
}

fn params(node: &Node, path: &Path) -> R<Params> {
    let p = map(node, path)?;
    only(p, &["permissions", "storage"], path)?;
    let mut storage = Vec::new();
    if let Some(s) = get(p, "storage") {
        let sp = path.join("storage");
        for (name, v) in map(s, &sp)? {
            let vp = sp.join(name);
            let e = map(v, &vp)?;
            only(e, &["mount", "readOnly"], &vp)?;
            let mount = match get(e, "mount") {
                None => String::new(),
                Some(m) => {
                    let mp = vp.join("mount");
                    let m = string(m, &mp)?;
                    if !m.starts_with('/') {
                        return Err(mp.err("must be an absolute path (start with /)"));
                    }
                    m.to_string()
                }
            };
            let read_only = get(e, "readOnly").map(|n| boolean(n, &vp.join("readOnly"))).transpose()?.unwrap_or(false);
            storage.push(StorageParam { name: name.to_string(), mount, read_only });
        }
    }
    // The manifest lists mounts sorted by volume name (JavaScript's default sort).
    let mut sorted = storage;
    sorted.sort_by(|a, b| units::code_unit_compare(&a.name, &b.name));
    let permissions = match get(p, "permissions") {
        None => None,
        Some(n) => {
            let pp = path.join("permissions");
            let e = map(n, &pp)?;
            only(e, &["read"], &pp)?;
            let mut obj = serde_json::Map::new();
            if let Some(r) = get(e, "read") {
                let rp = pp.join("read");
                let reads = strings(r, &rp)?;
                for (i, v) in reads.iter().enumerate() {
                    if v != "deployment" && v != "logs" {
                        return Err(rp.join(i).err("must be \"deployment\" or \"logs\""));
                    }
                }
                obj.insert("read".into(), serde_json::Value::from(reads));
            }
            Some(serde_json::Value::Object(obj))
        }
    };
    Ok(Params { storage: sorted, permissions })
}

fn compute_profile(node: &Node, path: &Path) -> R<Compute> {
    let c = map(node, path)?;
    only(c, &["resources"], path)?;
    let rp = path.join("resources");
    let r = map(required(c, "resources", path)?, &rp)?;
    only(r, &["cpu", "gpu", "memory", "storage"], &rp)?;

    let cp = rp.join("cpu");
    let cpu = map(required(r, "cpu", &rp)?, &cp)?;
    only(cpu, &["attributes", "units"], &cp)?;
    let up = cp.join("units");
    let units_node = required(cpu, "units", &cp)?;
    // Conversions the SDK only performs for profiles a deployment uses: their errors are raised
    // by `check_relations` when the profile is used.
    let mut deferred: Option<SdlError> = None;
    let cpu_millis = match &units_node.value {
        Value::String(s) => {
            let b = s.as_bytes();
            // ^[0-9]+(\.[0-9]+)?[a-zA-Z]*$ and not ^0+(\.0+)?m?$
            let int_end = b.iter().take_while(|c| c.is_ascii_digit()).count();
            let mut i = int_end;
            let mut ok = int_end > 0;
            if ok && i < b.len() && b[i] == b'.' {
                let frac = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
                ok = frac > 0;
                i += 1 + frac;
            }
            ok = ok && b[i..].iter().all(u8::is_ascii_alphabetic);
            if !ok {
                return Err(up.err(format!("{s:?} is not a CPU quantity such as 1, 0.5 or 500m")));
            }
            defer(&mut deferred, units::cpu_millis_from_str(s.as_ref()).map_err(|e| up.err(e.to_string())))
        }
        Value::Number(n) if n.is_finite() => {
            if *n <= 0.0 {
                return Err(up.err("must be greater than 0"));
            }
            defer(&mut deferred, units::cpu_millis_from_number(*n).map_err(|e| up.err(e.to_string())))
        }
        _ => return Err(type_err(&up, "a string or a number", units_node)),
    };
    let cpu_attributes = match get(cpu, "attributes") {
        None => Vec::new(),
        Some(n) => attributes(n, &cp.join("attributes"))?,
    };

    let mp = rp.join("memory");
    let memory = map(required(r, "memory", &rp)?, &mp)?;
    only(memory, &["size"], &mp)?;
    let sp = mp.join("size");
    let memory_size = string(required(memory, "size", &mp)?, &sp)?;
    let memory_bytes = defer(&mut deferred, units::size_bytes(memory_size).map_err(|e| sp.err(e.to_string())));

    let stp = rp.join("storage");
    let storage_node = required(r, "storage", &rp)?;
    let storage = match &storage_node.value {
        Value::Seq(items) => items.iter().enumerate().map(|(i, v)| volume(v, &stp.join(i), &mut deferred)).collect::<R<Vec<_>>>()?,
        Value::Map(_) => vec![volume(storage_node, &stp, &mut deferred)?],
        _ => return Err(type_err(&stp, "a volume or a list of volumes", storage_node)),
    };

    let (gpu_units, gpu_attributes) = match get(r, "gpu") {
        None => (0, Vec::new()),
        Some(n) => gpu(n, &rp.join("gpu"), &mut deferred)?,
    };
    Ok(Compute { cpu_millis, cpu_attributes, memory_bytes, storage, gpu_units, gpu_attributes, deferred_error: deferred })
}

/// Keeps the first deferred error and returns a placeholder value.
fn defer(slot: &mut Option<SdlError>, r: R<u64>) -> u64 {
    r.unwrap_or_else(|e| {
        slot.get_or_insert(e);
        0
    })
}

fn volume(node: &Node, path: &Path, deferred: &mut Option<SdlError>) -> R<Volume> {
    let v = map(node, path)?;
    only(v, &["attributes", "name", "size"], path)?;
    let sp = path.join("size");
    let size = string(required(v, "size", path)?, &sp)?;
    let bytes = defer(deferred, units::size_bytes(size).map_err(|e| sp.err(e.to_string())));
    let name = get(v, "name").map(|n| string(n, &path.join("name"))).transpose()?;
    let mut attrs = Vec::new();
    let mut class = None;
    let mut persistent = false;
    if let Some(a) = get(v, "attributes") {
        let ap = path.join("attributes");
        let entries = map(a, &ap)?;
        only(entries, &["class", "persistent"], &ap)?;
        for (k, val) in entries {
            let kp = ap.join(k);
            match k.as_ref() {
                "class" => class = Some(string(val, &kp)?.to_string()),
                _ => {
                    persistent = match &val.value {
                        Value::Bool(b) => *b,
                        // The SDK's stringToBoolean.
                        Value::String(s) => !matches!(s.to_lowercase().as_str(), "false" | "no" | "0" | ""),
                        _ => return Err(type_err(&kp, "a boolean or a string", val)),
                    };
                }
            }
            attrs.push((k.to_string(), js_string(&val.value)));
        }
        // The schema forbids `class: ram` with `persistent` literally true (true or "true").
        let persistent_node = get(entries, "persistent");
        let literally_true = persistent_node
            .is_some_and(|n| matches!(&n.value, Value::Bool(true)) || matches!(&n.value, Value::String(s) if s == "true"));
        if class.as_deref() == Some("ram") && literally_true {
            return Err(ap.err("\"ram\" storage cannot be persistent"));
        }
        if class.as_deref() == Some("ram") && persistent_node.is_none() {
            attrs.push(("persistent".into(), "false".into()));
        }
        attrs.sort_by(|a, b| locale_compare(&a.0, &b.0));
    }
    Ok(Volume {
        name: name.unwrap_or("default").to_string(),
        named: name.is_some(),
        bytes,
        attributes: attrs,
        persistent,
        class,
    })
}

fn gpu(node: &Node, path: &Path, deferred: &mut Option<SdlError>) -> R<(u64, Vec<String>)> {
    // Structural (schema) errors are immediate; consistency errors wait until the profile is used.
    gpu_schema(node, path)?;
    Ok(gpu_semantic(node, path).unwrap_or_else(|e| {
        deferred.get_or_insert(e);
        (0, Vec::new())
    }))
}

/// The schema part of a GPU section: shapes and types only.
fn gpu_schema(node: &Node, path: &Path) -> R<()> {
    let g = map(node, path)?;
    only(g, &["attributes", "units"], path)?;
    let up = path.join("units");
    let units_node = required(g, "units", path)?;
    match &units_node.value {
        Value::Number(n) if n.is_finite() => {}
        Value::String(_) => {}
        _ => return Err(type_err(&up, "a string or a number", units_node)),
    }
    if let Some(a) = get(g, "attributes") {
        let ap = path.join("attributes");
        let attrs = map(a, &ap)?;
        only(attrs, &["vendor"], &ap)?;
        if let Some(v) = get(attrs, "vendor") {
            let vp = ap.join("vendor");
            let vendor = map(v, &vp)?;
            only(vendor, &["nvidia"], &vp)?;
            if vendor.is_empty() {
                return Err(vp.err("must name at least one vendor"));
            }
            for (vname, models) in vendor {
                let mp = vp.join(vname);
                if let Value::Null = models.value {
                    continue;
                }
                for (i, m) in seq(models, &mp)?.iter().enumerate() {
                    let ip = mp.join(i);
                    let e = map(m, &ip)?;
                    only(e, &["interface", "model", "ram"], &ip)?;
                    for key in ["model", "ram"] {
                        if let Some(n) = get(e, key) {
                            string(n, &ip.join(key))?;
                        }
                    }
                    if let Some(itf) = get(e, "interface") {
                        let itf = string(itf, &ip.join("interface"))?;
                        if itf != "pcie" && itf != "sxm" {
                            return Err(ip.join("interface").err("must be \"pcie\" or \"sxm\""));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

fn gpu_semantic(node: &Node, path: &Path) -> R<(u64, Vec<String>)> {
    let g = map(node, path)?;
    only(g, &["attributes", "units"], path)?;
    let up = path.join("units");
    let units_node = required(g, "units", path)?;
    // The SDK treats any units other than the number 0 (the string "0" included) as "has units".
    let (units, has_units) = match &units_node.value {
        Value::Number(n) if n.is_finite() => {
            if *n < 0.0 || n.fract() != 0.0 || *n > u32::MAX as f64 {
                return Err(up.err("must be a whole number of GPUs"));
            }
            (*n as u64, *n != 0.0)
        }
        Value::String(s) => {
            let n: u64 = s.parse().ok().filter(|_| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).ok_or_else(|| up.err(format!("{s:?} is not a whole number of GPUs")))?;
            (n, true)
        }
        _ => return Err(type_err(&up, "a string or a number", units_node)),
    };
    let mut keys = Vec::new();
    match get(g, "attributes") {
        None => {
            if has_units {
                return Err(path.err("GPU must have attributes (a vendor) if units is not 0"));
            }
        }
        Some(a) => {
            let ap = path.join("attributes");
            if !has_units {
                return Err(ap.err("GPU must not have attributes if units is 0"));
            }
            let attrs = map(a, &ap)?;
            only(attrs, &["vendor"], &ap)?;
            let vp = ap.join("vendor");
            let vendor = map(get(attrs, "vendor").ok_or_else(|| vp.err("GPU must specify a vendor if units is not 0"))?, &vp)?;
            only(vendor, &["nvidia"], &vp)?;
            if vendor.is_empty() {
                return Err(vp.err("must name at least one vendor"));
            }
            let mut vendors: Vec<&(Cow<str>, Node)> = vendor.iter().collect();
            vendors.sort_by(|a, b| locale_compare(&a.0, &b.0));
            for (vname, models) in vendors {
                let mp = vp.join(vname);
                match &models.value {
                    Value::Null => keys.push(format!("vendor/{vname}/model/*")),
                    _ => {
                        let list = seq(models, &mp)?;
                        if list.is_empty() {
                            // An empty list yields no attribute in the SDK: the vendor would be lost.
                            return Err(mp.err("list at least one model, or leave the vendor empty for any model"));
                        }
                        for (i, m) in list.iter().enumerate() {
                            let ip = mp.join(i);
                            let e = map(m, &ip)?;
                            only(e, &["interface", "model", "ram"], &ip)?;
                            let model = string(get(e, "model").ok_or_else(|| ip.err("missing required field \"model\""))?, &ip.join("model"))?;
                            let mut key = format!("vendor/{vname}/model/{model}");
                            if let Some(r) = get(e, "ram") {
                                let ram = string(r, &ip.join("ram"))?;
                                if !ram.is_empty() {
                                    key.push_str(&format!("/ram/{ram}"));
                                }
                            }
                            if let Some(itf) = get(e, "interface") {
                                let itf = string(itf, &ip.join("interface"))?;
                                if itf != "pcie" && itf != "sxm" {
                                    return Err(ip.join("interface").err("must be \"pcie\" or \"sxm\""));
                                }
                                key.push_str(&format!("/interface/{itf}"));
                            }
                            keys.push(key);
                        }
                    }
                }
            }
        }
    }
    Ok((units, keys))
}

fn placement_profile(node: &Node, path: &Path) -> R<Placement> {
    let p = map(node, path)?;
    only(p, &["attributes", "pricing", "signedBy"], path)?;
    let attributes = match get(p, "attributes") {
        None => Vec::new(),
        Some(n) => attributes(n, &path.join("attributes"))?,
    };
    let (mut all_of, mut any_of) = (Vec::new(), Vec::new());
    if let Some(s) = get(p, "signedBy") {
        let sp = path.join("signedBy");
        let e = map(s, &sp)?;
        only(e, &["allOf", "anyOf"], &sp)?;
        if let Some(a) = get(e, "allOf") {
            all_of = strings(a, &sp.join("allOf"))?;
        }
        if let Some(a) = get(e, "anyOf") {
            any_of = strings(a, &sp.join("anyOf"))?;
        }
    }
    let prp = path.join("pricing");
    let pricing = map(required(p, "pricing", path)?, &prp)?
        .iter()
        .map(|(profile, v)| Ok((profile.to_string(), price(v, &prp.join(profile))?)))
        .collect::<R<Vec<_>>>()?;
    Ok(Placement { attributes, signed_by_all_of: all_of, signed_by_any_of: any_of, pricing })
}

fn price(node: &Node, path: &Path) -> R<Price> {
    let e = map(node, path)?;
    only(e, &["amount", "denom"], path)?;
    let dp = path.join("denom");
    let denom = string(required(e, "denom", path)?, &dp)?;
    if !(denom == "uakt" || denom == "uact" || denom.starts_with("ibc/")) {
        return Err(dp.err(format!("must be uakt, uact or ibc/..., found {denom:?}")));
    }
    if denom.starts_with("ibc/") && denom != MAINNET_USDC_IBC_DENOM {
        return Err(dp.err(format!("the only IBC denom accepted on mainnet is USDC ({MAINNET_USDC_IBC_DENOM})")));
    }
    let ap = path.join("amount");
    let amount_node = required(e, "amount", path)?;
    let amount = match &amount_node.value {
        Value::String(s) => {
            let mut parts = s.splitn(2, '.');
            let int_ok = parts.next().is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            let frac_ok = parts.next().is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
            if !(int_ok && frac_ok) {
                return Err(ap.err(format!("{s:?} is not a decimal amount such as 1000 or 0.5")));
            }
            s.to_string()
        }
        Value::Number(n) if n.is_finite() => {
            if *n < 0.0 {
                return Err(ap.err("must not be negative"));
            }
            js_number_string(*n)
        }
        _ => return Err(type_err(&ap, "a decimal string or a number", amount_node)),
    };
    Ok(Price { denom: denom.to_string(), amount })
}

fn deployment_entry(node: &Node, path: &Path) -> R<Deployment> {
    let d = map(node, path)?;
    only(d, &["count", "profile"], path)?;
    let profile = string(required(d, "profile", path)?, &path.join("profile"))?.to_string();
    let count = integer(required(d, "count", path)?, &path.join("count"), 1, u32::MAX)?;
    Ok(Deployment { profile, count })
}

/// The SDK's semantic checks: references between services, deployments, profiles, placements,
/// volumes and endpoints.
fn check_relations(m: &Model) -> R<()> {
    let root = Path::root();
    let compute = |name: &str| m.compute.iter().find(|(n, _)| n == name).map(|(_, c)| c);
    let placement = |name: &str| m.placement.iter().find(|(n, _)| n == name).map(|(_, p)| p);
    let mut endpoints_used: Vec<&str> = Vec::new();
    let mut ports_used: Vec<(String, &str)> = Vec::new();

    for (svc_name, svc) in &m.services {
        let Some((_, placements)) = m.deployment.iter().find(|(n, _)| n == svc_name) else {
            return Err(root.join("deployment").err(format!("service \"{svc_name}\" is not deployed (add it to the deployment section)")));
        };
        for (pl_name, d) in placements {
            let Some(pl) = placement(pl_name) else {
                return Err(root.join("deployment").join(svc_name).join(pl_name).err(format!(
                    "placement \"{pl_name}\" is not defined in /profiles/placement"
                )));
            };
            if !pl.pricing.iter().any(|(p, _)| *p == d.profile) {
                return Err(root.join("profiles").join("placement").join(pl_name).join("pricing").err(format!(
                    "no price for profile \"{}\"",
                    d.profile
                )));
            }
            let Some(c) = compute(&d.profile) else {
                return Err(root.join("deployment").join(svc_name).join(pl_name).join("profile").err(format!(
                    "compute profile \"{}\" is not defined in /profiles/compute",
                    d.profile
                )));
            };
            if let Some(e) = &c.deferred_error {
                return Err(e.clone());
            }
            if let Some((_, price)) = pl.pricing.iter().find(|(p, _)| *p == d.profile) {
                crate::dec::to_atomics(&price.amount).map_err(|e| {
                    root.join("profiles").join("placement").join(pl_name).join("pricing").join(&d.profile).join("amount")
                        .err(format!("{:?}: {e}", price.amount))
                })?;
            }
            // Mounts must name volumes of the profile, once each.
            if let Some(params) = &svc.params {
                let mut mounts: Vec<(&str, &str)> = Vec::new();
                for sp in &params.storage {
                    let p1 = root.join("services");
                    let p2 = p1.join(svc_name);
                    let p3 = p2.join("params");
                    let p4 = p3.join("storage");
                    let p = p4.join(&sp.name);
                    if !c.storage.iter().any(|v| v.named && v.name == sp.name) {
                        return Err(p.err(format!(
                            "refers to volume \"{}\", which compute profile \"{}\" does not define",
                            sp.name, d.profile
                        )));
                    }
                    if let Some((_, other)) = mounts.iter().find(|(mnt, _)| *mnt == sp.mount) {
                        return Err(if sp.mount.is_empty() {
                            p.err("multiple root ephemeral storages are not allowed")
                        } else {
                            p.join("mount").err(format!("mount \"{}\" already used by volume \"{other}\"", sp.mount))
                        });
                    }
                    mounts.push((&sp.mount, &sp.name));
                }
            }
            for v in &c.storage {
                if v.persistent {
                    let key = if v.named { v.name.as_str() } else { "" };
                    let mounted = svc
                        .params
                        .as_ref()
                        .and_then(|p| p.storage.iter().find(|s| s.name == key))
                        .is_some_and(|s| !s.mount.is_empty());
                    if !mounted {
                        return Err(root.join("services").join(svc_name).join("params").join("storage").join(&v.name).err(
                            format!("persistent storage \"{}\" needs a mount path (params/storage/{}/mount)", v.name, v.name),
                        ));
                    }
                }
            }
        }
        for (ei, e) in svc.expose.iter().enumerate() {
            for (ti, to) in e.to.iter().enumerate() {
                if to.ip.is_empty() {
                    continue;
                }
                let t1 = root.join("services");
                let t2 = t1.join(svc_name);
                let t3 = t2.join("expose");
                let t4 = t3.join(ei);
                let t5 = t4.join("to");
                let tp = t5.join(ti);
                if !m.endpoints.contains(&to.ip) {
                    return Err(tp.join("ip").err(format!("unknown endpoint \"{}\": declare it in /endpoints", to.ip)));
                }
                endpoints_used.push(&to.ip);
                let external = if e.external_port != 0 { e.external_port } else { e.port };
                let key = format!("{}-{}-{}", to.ip, external, e.proto.as_str());
                if let Some((_, other)) = ports_used.iter().find(|(k, _)| *k == key) {
                    return Err(tp.join("ip").err(format!(
                        "IP endpoint \"{}\" port {external} {} is already used by service \"{other}\"",
                        to.ip,
                        e.proto.as_str()
                    )));
                }
                ports_used.push((key, svc_name));
            }
        }
    }
    for name in &m.endpoints {
        if !endpoints_used.contains(&name.as_str()) {
            return Err(root.join("endpoints").join(name).err("endpoint declared but never used"));
        }
    }
    // The SDK would crash building the manifest for a deployment of an undefined service.
    for (svc_name, _) in &m.deployment {
        if !m.services.iter().any(|(n, _)| n == svc_name) {
            return Err(root.join("deployment").join(svc_name).err(format!("service \"{svc_name}\" is not defined in /services")));
        }
    }
    Ok(())
}
