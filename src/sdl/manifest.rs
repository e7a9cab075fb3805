//! The deployment manifest (what the provider runs) as its canonical JSON, byte-identical to
//! `manifestToSortedJSON` of the official SDK; its SHA-256 is the deployment hash the provider
//! recomputes and compares with the chain's.
//!
//! The JSON is written straight from the model into one buffer, keys in canonical order (sorted
//! by UTF-16 code units, which for these ASCII keys is the order written below), `<`, `>` and `&`
//! escaped as Go's encoder escapes them. No JSON value is built: that was most of the time.

use super::groups::{service_endpoints, Plan};
use super::model::{Compute, Deployment, Expose, ExposeTo, Model, Service};
use super::units::locale_compare;
use crate::json::{write_str, write_u64, write_value};

/// Output capacity reserved per service, in bytes: most service entries fit.
const SERVICE_JSON_BYTES: usize = 1024;

/// The manifest's canonical JSON: groups in plan order, each with its services in locale order.
pub(super) fn sorted_json(m: &Model, plan: &Plan) -> String {
    let mut w = Writer(String::with_capacity(SERVICE_JSON_BYTES * m.services.len().max(1)));
    w.raw("[");
    for (gi, g) in plan.groups.iter().enumerate() {
        w.comma(gi);
        w.raw("{\"name\":");
        w.str(&g.name);
        w.raw(",\"services\":[");
        // Every service deployed to this placement, in locale order.
        let mut deployed: Vec<(&str, &Deployment)> = m
            .deployment
            .iter()
            .filter_map(|(svc, pls)| pls.iter().find(|(p, _)| *p == g.name).map(|(_, d)| (svc.as_str(), d)))
            .collect();
        deployed.sort_by(|a, b| locale_compare(a.0, b.0));
        let mut written = 0;
        for (name, d) in deployed {
            // Validation guarantees both exist; a service or profile missing would be skipped.
            let Some((_, svc)) = m.services.iter().find(|(n, _)| n == name) else { continue };
            let Some((_, compute)) = m.compute.iter().find(|(n, _)| *n == d.profile) else { continue };
            let id = g.units.iter().find(|u| u.profile == d.profile).map_or(1, |u| u.id);
            w.comma(written);
            written += 1;
            service(&mut w, plan, name, svc, d, compute, id);
        }
        w.raw("]}");
    }
    w.raw("]");
    w.0
}

/// The output buffer with the few writing steps the manifest needs.
struct Writer(String);

impl Writer {
    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }
    fn str(&mut self, s: &str) {
        write_str(&mut self.0, s, true);
    }
    fn num(&mut self, n: u64) {
        write_u64(&mut self.0, n);
    }
    fn bool(&mut self, b: bool) {
        self.raw(if b { "true" } else { "false" });
    }
    /// A comma before every element but the first (`index` 0).
    fn comma(&mut self, index: usize) {
        if index > 0 {
            self.0.push(',');
        }
    }
    fn strs(&mut self, items: &[String]) {
        self.raw("[");
        for (i, s) in items.iter().enumerate() {
            self.comma(i);
            self.str(s);
        }
        self.raw("]");
    }
    /// A list that is `null` when absent or empty.
    fn nullable(&mut self, list: &Option<Vec<String>>) {
        match list {
            Some(items) if !items.is_empty() => self.strs(items),
            _ => self.raw("null"),
        }
    }
    /// `"attributes":[{"key":..,"value":..}],` — omitted when empty, as the SDK omits it.
    fn attributes<'s>(&mut self, pairs: impl ExactSizeIterator<Item = (&'s str, &'s str)>) {
        if pairs.len() == 0 {
            return;
        }
        self.raw("\"attributes\":[");
        for (i, (k, v)) in pairs.enumerate() {
            self.comma(i);
            self.raw("{\"key\":");
            self.str(k);
            self.raw(",\"value\":");
            self.str(v);
            self.raw("}");
        }
        self.raw("],");
    }
    /// `{"val":"<n>"}`: resource quantities are decimal strings.
    fn val(&mut self, n: u64) {
        self.raw("{\"val\":\"");
        self.num(n);
        self.raw("\"}");
    }
}

fn service(w: &mut Writer, plan: &Plan, name: &str, svc: &Service, d: &Deployment, c: &Compute, id: u32) {
    w.raw("{\"args\":");
    w.nullable(&svc.args);
    w.raw(",\"command\":");
    w.nullable(&svc.command);
    w.raw(",\"count\":");
    w.num(d.count as u64);
    w.raw(",\"credentials\":");
    match &svc.credentials {
        None => w.raw("null"),
        Some(cr) => {
            w.raw("{\"email\":");
            w.str(&cr.email);
            w.raw(",\"host\":");
            w.str(&cr.host);
            w.raw(",\"password\":");
            w.str(&cr.password);
            w.raw(",\"username\":");
            w.str(&cr.username);
            w.raw("}");
        }
    }
    w.raw(",\"env\":");
    w.nullable(&svc.env);
    w.raw(",\"expose\":");
    expose(w, plan, svc);
    w.raw(",\"image\":");
    w.str(&svc.image);
    w.raw(",\"name\":");
    w.str(name);
    if let Some(p) = &svc.params {
        w.raw(",\"params\":{");
        if let Some(perm) = &p.permissions {
            w.raw("\"permissions\":");
            write_value(perm, &mut w.0, true);
            w.raw(",");
        }
        w.raw("\"storage\":[");
        for (i, s) in p.storage.iter().enumerate() {
            w.comma(i);
            w.raw("{\"mount\":");
            w.str(&s.mount);
            w.raw(",\"name\":");
            w.str(&s.name);
            w.raw(",\"readOnly\":");
            w.bool(s.read_only);
            w.raw("}");
        }
        w.raw("]}");
    }
    w.raw(",\"resources\":");
    resources(w, plan, svc, c, id);
    w.raw("}");
}

/// The service's exposures, one per (expose, to) pair, sorted as the SDK sorts them: by target
/// service (locale order), port, protocol, then global ones first.
fn expose(w: &mut Writer, plan: &Plan, svc: &Service) {
    let mut rows: Vec<(&Expose, &ExposeTo)> = svc.expose.iter().flat_map(|e| e.to.iter().map(move |to| (e, to))).collect();
    rows.sort_by(|(ea, ta), (eb, tb)| {
        locale_compare(&ta.service, &tb.service)
            .then(ea.port.cmp(&eb.port))
            .then(locale_compare(ea.proto.as_str(), eb.proto.as_str()))
            .then(tb.global.cmp(&ta.global))
    });
    w.raw("[");
    for (i, (e, to)) in rows.into_iter().enumerate() {
        w.comma(i);
        w.raw("{\"endpointSequenceNumber\":");
        w.num(plan.endpoint_seq.get(&to.ip).copied().unwrap_or(0) as u64);
        w.raw(",\"externalPort\":");
        w.num(e.external_port as u64);
        w.raw(",\"global\":");
        w.bool(to.global);
        w.raw(",\"hosts\":");
        if e.accept.is_empty() {
            w.raw("null");
        } else {
            w.strs(&e.accept);
        }
        let h = &e.http_options;
        w.raw(",\"httpOptions\":{\"maxBodySize\":");
        w.num(h.max_body_size as u64);
        w.raw(",\"nextCases\":");
        w.strs(&h.next_cases);
        w.raw(",\"nextTimeout\":");
        w.num(h.next_timeout as u64);
        w.raw(",\"nextTries\":");
        w.num(h.next_tries as u64);
        w.raw(",\"readTimeout\":");
        w.num(h.read_timeout as u64);
        w.raw(",\"sendTimeout\":");
        w.num(h.send_timeout as u64);
        w.raw("},\"ip\":");
        w.str(&to.ip);
        w.raw(",\"port\":");
        w.num(e.port as u64);
        w.raw(",\"proto\":");
        w.str(e.proto.as_str());
        w.raw(",\"service\":");
        w.str(&to.service);
        w.raw("}");
    }
    w.raw("]");
}

/// The resources of one service: its compute profile with the unit's id and the service's own
/// endpoints (in the order it asks for them, not merged with other services').
fn resources(w: &mut Writer, plan: &Plan, svc: &Service, c: &Compute, id: u32) {
    w.raw("{\"cpu\":{");
    w.attributes(c.cpu_attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    w.raw("\"units\":");
    w.val(c.cpu_millis);
    w.raw("},\"endpoints\":[");
    for (i, e) in service_endpoints(svc, &plan.endpoint_seq).iter().enumerate() {
        w.comma(i);
        w.raw("{");
        if e.kind != 0 {
            w.raw("\"kind\":");
            w.num(e.kind as u64);
            w.raw(",");
        }
        w.raw("\"sequence_number\":");
        w.num(e.sequence_number as u64);
        w.raw("}");
    }
    w.raw("],\"gpu\":{");
    w.attributes(c.gpu_attributes.iter().map(|k| (k.as_str(), "true")));
    w.raw("\"units\":");
    w.val(c.gpu_units);
    w.raw("},\"id\":");
    w.num(id as u64);
    w.raw(",\"memory\":{\"size\":");
    w.val(c.memory_bytes);
    w.raw("},\"storage\":[");
    for (i, v) in c.storage.iter().enumerate() {
        w.comma(i);
        w.raw("{");
        w.attributes(v.attributes.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        w.raw("\"name\":");
        w.str(&v.name);
        w.raw(",\"size\":");
        w.val(v.bytes);
        w.raw("}");
    }
    w.raw("]}");
}
