//! ICP to AKT arithmetic, exact and in integers.
//!
//! A rate is a fraction `numerator / denominator` of AKT per ICP, taken from XRC without loss.
//! `gross_uakt = floor(e8s * numerator * 10^6 / (denominator * 10^8))` and
//! `fee_uakt = ceil(gross_uakt * fee_bps / 10_000)`: both roundings go against the payer, so the
//! payer never gains from rounding and loses less than one uakt to each.

use crate::xrc::ExchangeRate;
use ethnum::U256;
use ic_akash_orchestrator_types::{Quote, Rate, RateSource};

/// XRC's decimals beyond this are refused (keeps every fraction within u128).
pub const MAX_XRC_DECIMALS: u32 = 18;
const E8S_PER_ICP: u128 = 100_000_000;
const UAKT_PER_AKT: u128 = 1_000_000;
const BPS_DENOMINATOR: u64 = 10_000;

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

fn check(x: &ExchangeRate) -> Result<(), String> {
    if x.rate == 0 {
        return Err(format!("XRC rate {}/{} is zero", x.base_asset.symbol, x.quote_asset.symbol));
    }
    if x.metadata.decimals > MAX_XRC_DECIMALS {
        return Err(format!("XRC reports {} decimals (max {MAX_XRC_DECIMALS})", x.metadata.decimals));
    }
    Ok(())
}

fn make_rate(numerator: u128, denominator: u128, source: RateSource, timestamp_secs: u64) -> Rate {
    let g = gcd(numerator, denominator).max(1);
    let (numerator, denominator) = (numerator / g, denominator / g);
    let per_icp = U256::from(numerator) * U256::from(UAKT_PER_AKT) / U256::from(denominator);
    Rate {
        numerator,
        denominator,
        uakt_per_icp: u64::try_from(per_icp).unwrap_or(u64::MAX),
        source,
        timestamp_secs,
    }
}

/// The rate from XRC's ICP/AKT pair.
pub fn direct_rate(icp_akt: &ExchangeRate) -> Result<Rate, String> {
    check(icp_akt)?;
    Ok(make_rate(
        icp_akt.rate as u128,
        10u128.pow(icp_akt.metadata.decimals),
        RateSource::IcpAkt,
        icp_akt.timestamp,
    ))
}

/// The rate from ICP/USD and AKT/USD: (a / 10^da) / (b / 10^db). Its time is the older of the two.
pub fn cross_rate(icp_usd: &ExchangeRate, akt_usd: &ExchangeRate) -> Result<Rate, String> {
    check(icp_usd)?;
    check(akt_usd)?;
    let numerator = icp_usd.rate as u128 * 10u128.pow(akt_usd.metadata.decimals);
    let denominator = akt_usd.rate as u128 * 10u128.pow(icp_usd.metadata.decimals);
    Ok(make_rate(
        numerator,
        denominator,
        RateSource::CrossUsd,
        icp_usd.timestamp.min(akt_usd.timestamp),
    ))
}

/// What `icp_e8s` buys at `rate` after a fee of `fee_bps`.
pub fn quote(icp_e8s: u64, rate: &Rate, fee_bps: u16) -> Quote {
    let gross = U256::from(icp_e8s) * U256::from(rate.numerator) * U256::from(UAKT_PER_AKT)
        / (U256::from(rate.denominator.max(1)) * U256::from(E8S_PER_ICP));
    let gross_uakt = u64::try_from(gross).unwrap_or(u64::MAX);
    let fee_bps = fee_bps.min(BPS_DENOMINATOR as u16);
    let fee = (gross_uakt as u128 * fee_bps as u128).div_ceil(BPS_DENOMINATOR as u128);
    let fee_uakt = fee as u64; // <= gross_uakt since fee_bps <= 10_000
    Quote {
        icp_e8s,
        gross_uakt,
        fee_uakt,
        uakt: gross_uakt - fee_uakt,
        fee_bps,
        rate: rate.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xrc::{Asset, ExchangeRateMetadata};

    fn xrc(base: &str, quote: &str, rate: u64, decimals: u32, timestamp: u64) -> ExchangeRate {
        ExchangeRate {
            base_asset: Asset::crypto(base),
            quote_asset: Asset::fiat(quote),
            timestamp,
            rate,
            metadata: ExchangeRateMetadata {
                decimals,
                base_asset_num_received_rates: 5,
                base_asset_num_queried_sources: 5,
                quote_asset_num_received_rates: 1,
                quote_asset_num_queried_sources: 1,
                standard_deviation: 0,
                forex_timestamp: None,
            },
        }
    }

    #[test]
    fn direct_rate_is_exact() {
        // 1 ICP = 7.123456789 AKT
        let r = direct_rate(&xrc("ICP", "AKT", 7_123_456_789, 9, 100)).unwrap();
        assert_eq!(r.uakt_per_icp, 7_123_456);
        let q = quote(250_000_000, &r, 0); // 2.5 ICP
        assert_eq!(q.gross_uakt, 17_808_641); // 17.8086419725 AKT, rounded down
        assert_eq!(q.fee_uakt, 0);
        assert_eq!(q.uakt, 17_808_641);
    }

    #[test]
    fn cross_rate_divides_exactly_and_takes_the_older_time() {
        // ICP = $4.80 (decimals 9), AKT = $0.60 (decimals 6) -> 8 AKT per ICP.
        let r = cross_rate(&xrc("ICP", "USD", 4_800_000_000, 9, 200), &xrc("AKT", "USD", 600_000, 6, 150)).unwrap();
        assert_eq!((r.numerator, r.denominator), (8, 1));
        assert_eq!(r.uakt_per_icp, 8_000_000);
        assert_eq!(r.timestamp_secs, 150);
        assert_eq!(r.source, RateSource::CrossUsd);
        // 1/3 AKT per ICP: nothing is lost to an intermediate rounding.
        let r = cross_rate(&xrc("ICP", "USD", 1, 0, 1), &xrc("AKT", "USD", 3, 0, 1)).unwrap();
        assert_eq!((r.numerator, r.denominator), (1, 3));
        assert_eq!(quote(300_000_000, &r, 0).gross_uakt, 1_000_000);
        assert_eq!(quote(100_000_000, &r, 0).gross_uakt, 333_333);
    }

    #[test]
    fn fee_is_rounded_up_and_never_exceeds_gross() {
        let r = make_rate(8, 1, RateSource::IcpAkt, 0);
        let q = quote(1, &r, 100); // 1 e8s -> 0.08 uakt -> 0
        assert_eq!((q.gross_uakt, q.fee_uakt, q.uakt), (0, 0, 0));
        let q = quote(1_250, &r, 100); // 100 uakt gross, 1% fee = 1
        assert_eq!((q.gross_uakt, q.fee_uakt, q.uakt), (100, 1, 99));
        let q = quote(1_263, &r, 100); // 101.04 -> 101 gross, fee 1.01 -> 2
        assert_eq!((q.gross_uakt, q.fee_uakt, q.uakt), (101, 2, 99));
        let q = quote(u64::MAX, &r, 10_000);
        assert_eq!(q.uakt, 0);
        assert_eq!(q.fee_uakt, q.gross_uakt);
    }

    #[test]
    fn rounding_loses_the_payer_less_than_one_unit_each_time() {
        // Compare with exact rational arithmetic on many amounts and rates.
        for (num, den) in [(7u128, 3u128), (123_456_789, 1_000_000_000), (5, 7)] {
            let r = make_rate(num, den, RateSource::IcpAkt, 0);
            for e8s in [1u64, 99, 100_000_001, 123_456_789_012, 9_999_999_999_999] {
                let q = quote(e8s, &r, 37);
                // exact gross * 10^8 * den = e8s * num * 10^6 ; check floor
                let exact_num = e8s as u128 * r.numerator * UAKT_PER_AKT;
                let den_total = r.denominator * E8S_PER_ICP;
                assert!(q.gross_uakt as u128 * den_total <= exact_num);
                assert!((q.gross_uakt as u128 + 1) * den_total > exact_num);
                let exact_fee_num = q.gross_uakt as u128 * 37;
                assert!(q.fee_uakt as u128 * 10_000 >= exact_fee_num);
                assert!((q.fee_uakt as u128).saturating_sub(1) * 10_000 < exact_fee_num.max(1));
                assert_eq!(q.uakt + q.fee_uakt, q.gross_uakt);
            }
        }
    }

    #[test]
    fn zero_and_absurd_decimals_are_refused() {
        assert!(direct_rate(&xrc("ICP", "AKT", 0, 9, 1)).is_err());
        assert!(direct_rate(&xrc("ICP", "AKT", 1, 40, 1)).is_err());
        assert!(cross_rate(&xrc("ICP", "USD", 1, 9, 1), &xrc("AKT", "USD", 0, 9, 1)).is_err());
    }
}
