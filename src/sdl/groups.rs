//! From the model to the on-chain GroupSpecs, following `generateManifest` of the official SDK:
//! services in locale order, one resource unit per (placement, compute profile) with the counts of
//! every service sharing it added up and their endpoints merged and sorted.

use super::model::{Model, Service};
use super::units::{code_unit_compare, locale_compare};
use super::SdlError;
use crate::proto::akash::*;
use crate::proto::cosmos::DecCoin;
use std::collections::BTreeMap;

/// How services map onto groups and resource units; shared by the GroupSpecs and the manifest so
/// both agree on resource ids (a unit's id is found by its profile in its group).
pub(super) struct Plan {
    /// Groups sorted by name (JavaScript's default sort).
    pub groups: Vec<GroupPlan>,
    /// IP endpoint name → sequence number.
    pub endpoint_seq: BTreeMap<String, u32>,
}

pub(super) struct GroupPlan {
    pub name: String,
    pub units: Vec<UnitPlan>,
}

pub(super) struct UnitPlan {
    pub id: u32,
    pub profile: String,
    /// Total replicas; u64 so that a sum past u32 is caught, not wrapped.
    pub count: u64,
    pub endpoints: Vec<Endpoint>,
}

/// The SDK's endpoint sequence numbers: every IP endpoint use (global exposures only), sorted;
/// a name's number is the 1-based position of its last occurrence.
fn endpoint_sequence_numbers(m: &Model) -> BTreeMap<String, u32> {
    let mut names: Vec<&str> = Vec::new();
    for (_, svc) in &m.services {
        for e in &svc.expose {
            for to in &e.to {
                if to.global && !to.ip.is_empty() {
                    names.push(&to.ip);
                }
            }
        }
    }
    names.sort_by(|a, b| code_unit_compare(a, b));
    let mut out = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        out.insert(n.to_string(), i as u32 + 1);
    }
    out
}

/// The endpoints a service asks for: per global exposure, one shared-HTTP (TCP to port 80) or
/// random-port endpoint, plus a leased-IP endpoint when it names one.
pub(super) fn service_endpoints(svc: &Service, seq: &BTreeMap<String, u32>) -> Vec<Endpoint> {
    let mut out = Vec::new();
    for e in &svc.expose {
        for to in e.to.iter().filter(|t| t.global) {
            let external = if e.external_port == 0 { e.port } else { e.external_port };
            let ingress = e.proto == super::model::Proto::Tcp && external == 80;
            let kind = if ingress { EndpointKind::SharedHttp } else { EndpointKind::RandomPort };
            out.push(Endpoint { kind: kind as i32, sequence_number: 0 });
            if !to.ip.is_empty() {
                out.push(Endpoint {
                    kind: EndpointKind::LeasedIp as i32,
                    sequence_number: seq.get(&to.ip).copied().unwrap_or(0),
                });
            }
        }
    }
    out
}

pub(super) fn plan(m: &Model) -> Plan {
    let endpoint_seq = endpoint_sequence_numbers(m);
    let mut services: Vec<&(String, Service)> = m.services.iter().collect();
    services.sort_by(|a, b| locale_compare(&a.0, &b.0));
    let mut groups: Vec<GroupPlan> = Vec::new();
    for (svc_name, svc) in services {
        let Some((_, placements)) = m.deployment.iter().find(|(n, _)| n == svc_name) else { continue };
        for (pl_name, d) in placements {
            let gi = match groups.iter().position(|g| g.name == *pl_name) {
                Some(i) => i,
                None => {
                    groups.push(GroupPlan { name: pl_name.clone(), units: Vec::new() });
                    groups.len() - 1
                }
            };
            let group = &mut groups[gi];
            let endpoints = service_endpoints(svc, &endpoint_seq);
            match group.units.iter_mut().find(|u| u.profile == d.profile) {
                None => {
                    let id = group.units.len() as u32 + 1;
                    group.units.push(UnitPlan { id, profile: d.profile.clone(), count: d.count as u64, endpoints });
                }
                Some(unit) => {
                    unit.count += d.count as u64;
                    unit.endpoints.extend(endpoints);
                }
            }
        }
    }
    for g in &mut groups {
        for u in &mut g.units {
            u.endpoints.sort_by_key(|e| (e.kind, e.sequence_number));
        }
    }
    groups.sort_by(|a, b| code_unit_compare(&a.name, &b.name));
    Plan { groups, endpoint_seq }
}

fn attrs(pairs: &[(String, String)]) -> Vec<Attribute> {
    pairs.iter().map(|(k, v)| Attribute { key: k.clone(), value: v.clone() }).collect()
}

fn value(n: u64) -> Option<ResourceValue> {
    Some(ResourceValue { val: n.to_string().into_bytes() })
}

/// The `Resources` of a compute profile with the given id and endpoints.
pub(super) fn resources(id: u32, c: &super::model::Compute, endpoints: Vec<Endpoint>) -> Resources {
    Resources {
        id,
        cpu: Some(Cpu { units: value(c.cpu_millis), attributes: attrs(&c.cpu_attributes) }),
        memory: Some(Memory { quantity: value(c.memory_bytes), attributes: Vec::new() }),
        storage: c
            .storage
            .iter()
            .map(|v| Storage { name: v.name.clone(), quantity: value(v.bytes), attributes: attrs(&v.attributes) })
            .collect(),
        gpu: Some(Gpu {
            units: value(c.gpu_units),
            attributes: c.gpu_attributes.iter().map(|k| Attribute { key: k.clone(), value: "true".into() }).collect(),
        }),
        endpoints,
    }
}

pub(super) fn group_specs(m: &Model, plan: &Plan) -> Result<Vec<GroupSpec>, SdlError> {
    let mut out = Vec::with_capacity(plan.groups.len());
    for g in &plan.groups {
        let placement = &m.placement.iter().find(|(n, _)| *n == g.name).expect("BUG: validated placement").1;
        let mut units = Vec::with_capacity(g.units.len());
        for u in &g.units {
            let compute = &m.compute.iter().find(|(n, _)| *n == u.profile).expect("BUG: validated profile").1;
            let price = &placement.pricing.iter().find(|(p, _)| *p == u.profile).expect("BUG: validated price").1;
            let count = u32::try_from(u.count).map_err(|_| SdlError::Invalid {
                path: "/deployment".into(),
                reason: format!("placement \"{}\" asks for {} replicas of profile \"{}\", more than 2^32-1", g.name, u.count, u.profile),
            })?;
            let amount = crate::dec::to_atomics(&price.amount).map_err(|e| SdlError::Invalid {
                path: format!("/profiles/placement/{}/pricing/{}/amount", g.name, u.profile),
                reason: e.to_string(),
            })?;
            units.push(ResourceUnit {
                resource: Some(resources(u.id, compute, u.endpoints.clone())),
                count,
                price: Some(DecCoin { denom: price.denom.clone(), amount }),
            });
        }
        out.push(GroupSpec {
            name: g.name.clone(),
            requirements: Some(PlacementRequirements {
                signed_by: Some(SignedBy {
                    all_of: placement.signed_by_all_of.clone(),
                    any_of: placement.signed_by_any_of.clone(),
                }),
                attributes: attrs(&placement.attributes),
            }),
            resources: units,
        });
    }
    Ok(out)
}
