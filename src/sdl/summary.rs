//! A readable summary of an SDL: what runs where, with which resources, at what price. Prices are
//! exact: decimal strings computed from 18-decimal integer atomics, never floats.

use super::{Sdl, SdlError};
use crate::dec;
use serde::Serialize;

/// Nominal Akash block time used to turn a price per block into a price per 30 days (an estimate:
/// real block times vary around it).
pub const BLOCK_TIME_MS: u64 = 6_000;
/// Blocks in 30 days at [`BLOCK_TIME_MS`].
pub const BLOCKS_PER_30_DAYS: u64 = 30 * 24 * 3600 * 1000 / BLOCK_TIME_MS;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceSummary {
    pub name: String,
    pub image: String,
    pub placement: String,
    pub profile: String,
    pub count: u32,
    pub cpu_millis: u64,
    pub memory_bytes: u64,
    pub storage_bytes: u64,
    pub gpu_units: u64,
    /// Maximum price per block for one replica.
    pub price_per_block: String,
    pub denom: String,
}

/// The maximum price of the whole deployment in one denom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PriceTotal {
    pub denom: String,
    pub per_block: String,
    pub per_30_days: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub sdl_version: String,
    pub services: Vec<ServiceSummary>,
    pub images: Vec<String>,
    pub denoms: Vec<String>,
    pub prices: Vec<PriceTotal>,
    pub blocks_per_30_days: u64,
}

/// A byte size in the largest binary unit that divides it exactly (`512 MiB`, `1536 KiB`).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut i = 0;
    let mut whole = n;
    while whole >= 1024 && whole % 1024 == 0 && i < UNITS.len() - 1 {
        whole /= 1024;
        i += 1;
    }
    format!("{whole} {}", UNITS[i])
}

fn overflow() -> SdlError {
    SdlError::Invalid { path: "/profiles/placement".into(), reason: "prices too large to add up".into() }
}

pub(super) fn summarize(sdl: &Sdl) -> Result<Summary, SdlError> {
    let m = sdl.model();
    let mut services = Vec::new();
    let mut totals: Vec<(String, u128)> = Vec::new();
    for (svc_name, placements) in &m.deployment {
        let Some((_, svc)) = m.services.iter().find(|(n, _)| n == svc_name) else { continue };
        for (pl_name, d) in placements {
            let (Some((_, c)), Some((_, pl))) = (
                m.compute.iter().find(|(n, _)| *n == d.profile),
                m.placement.iter().find(|(n, _)| n == pl_name),
            ) else {
                continue;
            };
            let Some((_, price)) = pl.pricing.iter().find(|(p, _)| *p == d.profile) else { continue };
            let atomics: u128 = dec::to_atomics(&price.amount)
                .ok()
                .and_then(|a| a.parse().ok())
                .ok_or_else(overflow)?;
            let subtotal = atomics.checked_mul(d.count as u128).ok_or_else(overflow)?;
            match totals.iter_mut().find(|(den, _)| *den == price.denom) {
                Some((_, t)) => *t = t.checked_add(subtotal).ok_or_else(overflow)?,
                None => totals.push((price.denom.clone(), subtotal)),
            }
            services.push(ServiceSummary {
                name: svc_name.clone(),
                image: svc.image.clone(),
                placement: pl_name.clone(),
                profile: d.profile.clone(),
                count: d.count,
                cpu_millis: c.cpu_millis,
                memory_bytes: c.memory_bytes,
                storage_bytes: c.storage.iter().map(|v| v.bytes).sum(),
                gpu_units: c.gpu_units,
                price_per_block: price.amount.clone(),
                denom: price.denom.clone(),
            });
        }
    }
    let mut images: Vec<String> = services.iter().map(|s| s.image.clone()).collect();
    images.sort();
    images.dedup();
    totals.sort();
    let prices = totals
        .iter()
        .map(|(denom, per_block)| {
            let month = per_block.checked_mul(BLOCKS_PER_30_DAYS as u128).ok_or_else(overflow)?;
            Ok(PriceTotal {
                denom: denom.clone(),
                per_block: dec::from_atomics(&per_block.to_string()).map_err(|_| overflow())?,
                per_30_days: dec::from_atomics(&month.to_string()).map_err(|_| overflow())?,
            })
        })
        .collect::<Result<Vec<_>, SdlError>>()?;
    Ok(Summary {
        sdl_version: m.version.as_str().to_string(),
        denoms: totals.iter().map(|(d, _)| d.clone()).collect(),
        services,
        images,
        prices,
        blocks_per_30_days: BLOCKS_PER_30_DAYS,
    })
}
