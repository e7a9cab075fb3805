//! The deployment manifest (what the provider runs) and its canonical JSON, byte-identical to
//! `manifestToSortedJSON` of the official SDK; its SHA-256 is the deployment hash the provider
//! recomputes and compares with the chain's.

use super::groups::{resources, service_endpoints, Plan};
use super::model::{Model, Service};
use super::units::locale_compare;
use crate::proto::akash::{Attribute, Endpoint, Resources};
use serde_json::{json, Map, Value};

fn nullable(list: &Option<Vec<String>>) -> Value {
    match list {
        Some(items) if !items.is_empty() => json!(items),
        _ => Value::Null,
    }
}

fn attributes_into(obj: &mut Map<String, Value>, attrs: &[Attribute]) {
    // Empty attribute lists are omitted from the canonical JSON.
    if !attrs.is_empty() {
        obj.insert(
            "attributes".into(),
            Value::Array(attrs.iter().map(|a| json!({"key": a.key, "value": a.value})).collect()),
        );
    }
}

fn val(v: &Option<crate::proto::akash::ResourceValue>) -> Value {
    let text = v.as_ref().map(|r| String::from_utf8_lossy(&r.val).into_owned()).unwrap_or_default();
    json!({ "val": text })
}

fn endpoint(e: &Endpoint) -> Value {
    let mut obj = Map::new();
    if e.kind != 0 {
        obj.insert("kind".into(), json!(e.kind));
    }
    obj.insert("sequence_number".into(), json!(e.sequence_number));
    Value::Object(obj)
}

fn resources_json(r: &Resources) -> Value {
    let cpu = r.cpu.as_ref().expect("BUG: cpu always set");
    let mut cpu_obj = Map::new();
    attributes_into(&mut cpu_obj, &cpu.attributes);
    cpu_obj.insert("units".into(), val(&cpu.units));
    let gpu = r.gpu.as_ref().expect("BUG: gpu always set");
    let mut gpu_obj = Map::new();
    attributes_into(&mut gpu_obj, &gpu.attributes);
    gpu_obj.insert("units".into(), val(&gpu.units));
    let memory = r.memory.as_ref().expect("BUG: memory always set");
    let storage: Vec<Value> = r
        .storage
        .iter()
        .map(|s| {
            let mut o = Map::new();
            attributes_into(&mut o, &s.attributes);
            o.insert("name".into(), json!(s.name));
            o.insert("size".into(), val(&s.quantity));
            Value::Object(o)
        })
        .collect();
    json!({
        "cpu": Value::Object(cpu_obj),
        "endpoints": r.endpoints.iter().map(endpoint).collect::<Vec<_>>(),
        "gpu": Value::Object(gpu_obj),
        "id": r.id,
        "memory": { "size": val(&memory.quantity) },
        "storage": storage,
    })
}

fn expose_json(svc: &Service, seq: &std::collections::BTreeMap<String, u32>) -> Vec<Value> {
    struct Row<'a> {
        port: u32,
        proto: &'static str,
        service: &'a str,
        global: bool,
        value: Value,
    }
    let mut rows: Vec<Row> = Vec::new();
    for e in &svc.expose {
        for to in &e.to {
            let h = &e.http_options;
            let value = json!({
                "endpointSequenceNumber": seq.get(&to.ip).copied().unwrap_or(0),
                "externalPort": e.external_port,
                "global": to.global,
                "hosts": if e.accept.is_empty() { Value::Null } else { json!(e.accept) },
                "httpOptions": {
                    "maxBodySize": h.max_body_size,
                    "nextCases": h.next_cases,
                    "nextTimeout": h.next_timeout,
                    "nextTries": h.next_tries,
                    "readTimeout": h.read_timeout,
                    "sendTimeout": h.send_timeout,
                },
                "ip": to.ip,
                "port": e.port,
                "proto": e.proto.as_str(),
                "service": to.service,
            });
            rows.push(Row { port: e.port, proto: e.proto.as_str(), service: &to.service, global: to.global, value });
        }
    }
    rows.sort_by(|a, b| {
        locale_compare(a.service, b.service)
            .then(a.port.cmp(&b.port))
            .then(locale_compare(a.proto, b.proto))
            .then(b.global.cmp(&a.global))
    });
    rows.into_iter().map(|r| r.value).collect()
}

/// The manifest groups as JSON (keys sorted by `serde_json`'s ordered map).
pub(super) fn manifest(m: &Model, plan: &Plan) -> Value {
    let mut groups = Vec::with_capacity(plan.groups.len());
    for g in &plan.groups {
        // Every service deployed to this placement, in locale order.
        let mut deployed: Vec<(&str, &super::model::Deployment)> = m
            .deployment
            .iter()
            .filter_map(|(svc, pls)| pls.iter().find(|(p, _)| *p == g.name).map(|(_, d)| (svc.as_str(), d)))
            .collect();
        deployed.sort_by(|a, b| locale_compare(a.0, b.0));
        let mut services = Vec::with_capacity(deployed.len());
        for (svc_name, d) in deployed {
            let svc = &m.services.iter().find(|(n, _)| n == svc_name).expect("BUG: validated service").1;
            let compute = &m.compute.iter().find(|(n, _)| *n == d.profile).expect("BUG: validated profile").1;
            let id = plan.resource_ids.get(&(g.name.clone(), d.profile.clone())).copied().unwrap_or(1);
            let res = resources(id, compute, service_endpoints(svc, &plan.endpoint_seq));
            let mut obj = Map::new();
            obj.insert("args".into(), nullable(&svc.args));
            obj.insert("command".into(), nullable(&svc.command));
            obj.insert("count".into(), json!(d.count));
            obj.insert(
                "credentials".into(),
                match &svc.credentials {
                    None => Value::Null,
                    Some(c) => json!({"email": c.email, "host": c.host, "password": c.password, "username": c.username}),
                },
            );
            obj.insert("env".into(), nullable(&svc.env));
            obj.insert("expose".into(), Value::Array(expose_json(svc, &plan.endpoint_seq)));
            obj.insert("image".into(), json!(svc.image));
            obj.insert("name".into(), json!(svc_name));
            if let Some(p) = &svc.params {
                let mut po = Map::new();
                if let Some(perm) = &p.permissions {
                    po.insert("permissions".into(), perm.clone());
                }
                po.insert(
                    "storage".into(),
                    Value::Array(
                        p.storage
                            .iter()
                            .map(|s| json!({"mount": s.mount, "name": s.name, "readOnly": s.read_only}))
                            .collect(),
                    ),
                );
                obj.insert("params".into(), Value::Object(po));
            }
            obj.insert("resources".into(), resources_json(&res));
            services.push(Value::Object(obj));
        }
        groups.push(json!({"name": g.name, "services": services}));
    }
    Value::Array(groups)
}

/// Canonical JSON as the SDK writes it (sorted keys, no white space), then `<`, `>`, `&` written
/// as `\u003c`, `\u003e`, `\u0026` (Go's encoder does the same).
pub(super) fn sorted_json(manifest: &Value) -> String {
    let raw = crate::json::canonical(manifest);
    let mut out = String::with_capacity(raw.len() + 16);
    for ch in raw.chars() {
        match ch {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    out
}
