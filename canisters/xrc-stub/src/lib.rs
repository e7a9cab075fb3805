//! A stand-in for the exchange rate canister (XRC) on a local replica, where the real one cannot
//! run (it needs a system subnet and HTTPS outcalls to exchanges). It speaks the real
//! `get_exchange_rate` interface (the orchestrator's `xrc` types) and answers from pairs its
//! controllers set, with the real error variants and the real cycles rule: 1B cycles attached
//! to each call, kept.
//!
//! Pairs are explicit: a pair is answered from its own rate or from its inverse, never derived
//! through a third asset, so a tester controls exactly what the orchestrator sees (remove
//! ICP/AKT and it falls back to ICP/USD over AKT/USD). Rates live on the heap: an upgrade goes
//! back to the install argument's rates.

use candid::{CandidType, Deserialize, Principal};
pub use ic_akash_orchestrator::xrc::{Asset, AssetClass, ExchangeRate, ExchangeRateError, ExchangeRateMetadata, GetExchangeRateRequest, GetExchangeRateResult};
use std::collections::BTreeMap;

/// Cycles a call must carry; the stub keeps them all, as the real XRC may (it refunds part only
/// when it needed fewer outcalls; see its README: "1B cycles must be sent ... with each request").
pub const XRC_CALL_CYCLES: u128 = 1_000_000_000;
/// Rates are `rate / 10^9` units of quote per unit of base, like the real XRC's answers.
pub const RATE_DECIMALS: u32 = 9;
const ONE_E9: u128 = 1_000_000_000;
const SECS_PER_MINUTE: u64 = 60;
const SECS_PER_DAY: u64 = 86_400;

/// One pair's rate: `rate_e9 / 10^9` quote per base.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct PairRate {
    pub base_asset: Asset,
    pub quote_asset: Asset,
    pub rate_e9: u64,
}

/// A pair, to remove it.
#[derive(CandidType, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    pub base_asset: Asset,
    pub quote_asset: Asset,
}

/// What a local orchestrator asks (ICP/AKT, or ICP/USD and AKT/USD), consistent with each
/// other: ICP at 5 USD, AKT at 0.60 USD, so 8.333333333 AKT per ICP.
pub fn default_rates() -> Vec<PairRate> {
    let pair = |base: Asset, quote: Asset, rate_e9| PairRate { base_asset: base, quote_asset: quote, rate_e9 };
    vec![
        pair(Asset::crypto("ICP"), Asset::fiat("USD"), 5_000_000_000),
        pair(Asset::crypto("AKT"), Asset::fiat("USD"), 600_000_000),
        pair(Asset::crypto("ICP"), Asset::crypto("AKT"), 8_333_333_333),
    ]
}

/// The pairs the controllers set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rates(BTreeMap<(Asset, Asset), u64>);

impl Rates {
    pub fn new(rates: Vec<PairRate>) -> Result<Self, String> {
        let mut r = Rates::default();
        for p in rates {
            r.set(p)?;
        }
        Ok(r)
    }

    /// Sets (or replaces) a pair; a zero rate or a pair of one asset is refused.
    pub fn set(&mut self, p: PairRate) -> Result<(), String> {
        if p.rate_e9 == 0 {
            return Err("rate_e9 must be positive".into());
        }
        if p.base_asset == p.quote_asset {
            return Err("base and quote are the same asset".into());
        }
        if p.base_asset.symbol.is_empty() || p.quote_asset.symbol.is_empty() {
            return Err("empty symbol".into());
        }
        self.0.insert((p.base_asset, p.quote_asset), p.rate_e9);
        Ok(())
    }

    /// Removes a pair; whether it was there.
    pub fn remove(&mut self, p: &Pair) -> bool {
        self.0.remove(&(p.base_asset.clone(), p.quote_asset.clone())).is_some()
    }

    pub fn list(&self) -> Vec<PairRate> {
        self.0.iter().map(|((b, q), r)| PairRate { base_asset: b.clone(), quote_asset: q.clone(), rate_e9: *r }).collect()
    }

    fn knows(&self, a: &Asset) -> bool {
        self.0.keys().any(|(b, q)| b == a || q == a)
    }

    /// The pair's rate in 10^-9 units: its own, else the inverse's (rounded down).
    fn rate_e9(&self, base: &Asset, quote: &Asset) -> Option<u64> {
        if let Some(r) = self.0.get(&(base.clone(), quote.clone())) {
            return Some(*r);
        }
        let inverse = *self.0.get(&(quote.clone(), base.clone()))?;
        u64::try_from(ONE_E9 * ONE_E9 / u128::from(inverse)).ok().filter(|r| *r > 0)
    }

    /// The rate at `timestamp` (default now), stamped with the start of its minute like XRC's.
    pub fn rate(&self, req: &GetExchangeRateRequest, now_secs: u64) -> Result<ExchangeRate, ExchangeRateError> {
        let (base, quote) = (&req.base_asset, &req.quote_asset);
        let rate = if base == quote {
            ONE_E9 as u64
        } else {
            match self.rate_e9(base, quote) {
                Some(r) => r,
                None if !self.knows(base) => return Err(not_found(base, true)),
                None => return Err(not_found(quote, false)),
            }
        };
        let timestamp = req.timestamp.unwrap_or(now_secs) / SECS_PER_MINUTE * SECS_PER_MINUTE;
        let has_fiat = base.class == AssetClass::FiatCurrency || quote.class == AssetClass::FiatCurrency;
        Ok(ExchangeRate {
            base_asset: base.clone(),
            quote_asset: quote.clone(),
            timestamp,
            rate,
            metadata: ExchangeRateMetadata {
                decimals: RATE_DECIMALS,
                base_asset_num_received_rates: 1,
                base_asset_num_queried_sources: 1,
                quote_asset_num_received_rates: 1,
                quote_asset_num_queried_sources: 1,
                standard_deviation: 0,
                forex_timestamp: has_fiat.then_some(timestamp / SECS_PER_DAY * SECS_PER_DAY),
            },
        })
    }
}

/// The real XRC's variant for an asset it has no rate for.
fn not_found(a: &Asset, is_base: bool) -> ExchangeRateError {
    match (a.class, is_base) {
        (AssetClass::Cryptocurrency, true) => ExchangeRateError::CryptoBaseAssetNotFound,
        (AssetClass::Cryptocurrency, false) => ExchangeRateError::CryptoQuoteAssetNotFound,
        (AssetClass::FiatCurrency, true) => ExchangeRateError::ForexBaseAssetNotFound,
        (AssetClass::FiatCurrency, false) => ExchangeRateError::ForexQuoteAssetNotFound,
    }
}

/// One `get_exchange_rate` call: the answer and the cycles to accept. Anonymous callers and
/// calls carrying less than [`XRC_CALL_CYCLES`] are refused before anything is charged.
pub fn answer(rates: &Rates, caller: Principal, cycles_attached: u128, now_secs: u64, req: &GetExchangeRateRequest) -> (GetExchangeRateResult, u128) {
    if caller == Principal::anonymous() {
        return (GetExchangeRateResult::Err(ExchangeRateError::AnonymousPrincipalNotAllowed), 0);
    }
    if cycles_attached < XRC_CALL_CYCLES {
        return (GetExchangeRateResult::Err(ExchangeRateError::NotEnoughCycles), 0);
    }
    let result = match rates.rate(req, now_secs) {
        Ok(r) => GetExchangeRateResult::Ok(r),
        Err(e) => GetExchangeRateResult::Err(e),
    };
    (result, XRC_CALL_CYCLES)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_SECS: u64 = 1_800_000_123;

    fn req(base: Asset, quote: Asset) -> GetExchangeRateRequest {
        GetExchangeRateRequest { base_asset: base, quote_asset: quote, timestamp: None }
    }

    fn caller() -> Principal {
        Principal::from_slice(&[1, 2, 3])
    }

    fn ask(rates: &Rates, base: Asset, quote: Asset) -> Result<ExchangeRate, ExchangeRateError> {
        match answer(rates, caller(), XRC_CALL_CYCLES, NOW_SECS, &req(base, quote)) {
            (GetExchangeRateResult::Ok(r), kept) => {
                assert_eq!(kept, XRC_CALL_CYCLES);
                Ok(r)
            }
            (GetExchangeRateResult::Err(e), _) => Err(e),
        }
    }

    #[test]
    fn the_defaults_answer_what_the_orchestrator_asks_consistently() {
        let rates = Rates::new(default_rates()).unwrap();
        let icp_usd = ask(&rates, Asset::crypto("ICP"), Asset::fiat("USD")).unwrap();
        let akt_usd = ask(&rates, Asset::crypto("AKT"), Asset::fiat("USD")).unwrap();
        let icp_akt = ask(&rates, Asset::crypto("ICP"), Asset::crypto("AKT")).unwrap();
        assert_eq!(icp_usd.metadata.decimals, 9);
        assert_eq!(u128::from(icp_usd.rate) * ONE_E9 / u128::from(akt_usd.rate), u128::from(icp_akt.rate), "ICP/AKT = ICP/USD over AKT/USD");
        assert_eq!(icp_akt.timestamp, NOW_SECS / 60 * 60, "stamped with the minute");
        assert_eq!(icp_akt.metadata.forex_timestamp, None);
        assert_eq!(icp_usd.metadata.forex_timestamp, Some(NOW_SECS / 86_400 * 86_400));
        // Inside the orchestrator's default bounds (0.1 to 1000 AKT per ICP).
        assert!((100_000_000..=1_000_000_000_000).contains(&icp_akt.rate));
    }

    #[test]
    fn pairs_answer_from_their_inverse_and_unknown_assets_get_the_real_variants() {
        let mut rates = Rates::new(default_rates()).unwrap();
        let usd_icp = ask(&rates, Asset::fiat("USD"), Asset::crypto("ICP")).unwrap();
        assert_eq!(usd_icp.rate, 200_000_000, "1 / 5 USD");
        assert_eq!(ask(&rates, Asset::crypto("BTC"), Asset::fiat("USD")), Err(ExchangeRateError::CryptoBaseAssetNotFound));
        assert_eq!(ask(&rates, Asset::crypto("ICP"), Asset::crypto("BTC")), Err(ExchangeRateError::CryptoQuoteAssetNotFound));
        assert_eq!(ask(&rates, Asset::fiat("EUR"), Asset::fiat("USD")), Err(ExchangeRateError::ForexBaseAssetNotFound));
        assert_eq!(ask(&rates, Asset::crypto("ICP"), Asset::fiat("EUR")), Err(ExchangeRateError::ForexQuoteAssetNotFound));
        // Without the direct pair, ICP/AKT is not derived: the orchestrator falls back to USD.
        assert!(rates.remove(&Pair { base_asset: Asset::crypto("ICP"), quote_asset: Asset::crypto("AKT") }));
        assert_eq!(ask(&rates, Asset::crypto("ICP"), Asset::crypto("AKT")), Err(ExchangeRateError::CryptoQuoteAssetNotFound));
        assert!(ask(&rates, Asset::crypto("AKT"), Asset::fiat("USD")).is_ok());
        assert_eq!(ask(&rates, Asset::crypto("ICP"), Asset::crypto("ICP")).unwrap().rate, 1_000_000_000);
    }

    #[test]
    fn controllers_set_rates_and_bad_ones_are_refused() {
        let mut rates = Rates::default();
        let p = |rate_e9| PairRate { base_asset: Asset::crypto("ICP"), quote_asset: Asset::fiat("USD"), rate_e9 };
        assert!(rates.set(p(0)).is_err());
        assert!(rates.set(PairRate { quote_asset: Asset::crypto("ICP"), ..p(1) }).is_err());
        rates.set(p(7_250_000_000)).unwrap();
        rates.set(p(7_500_000_000)).unwrap();
        assert_eq!(rates.list(), vec![p(7_500_000_000)], "replaced, not added");
        assert_eq!(ask(&rates, Asset::crypto("ICP"), Asset::fiat("USD")).unwrap().rate, 7_500_000_000);
        // A historic timestamp is echoed, minute-aligned.
        let mut r = req(Asset::crypto("ICP"), Asset::fiat("USD"));
        r.timestamp = Some(1_700_000_059);
        let (GetExchangeRateResult::Ok(at), _) = answer(&rates, caller(), XRC_CALL_CYCLES, NOW_SECS, &r) else { panic!() };
        assert_eq!(at.timestamp, 1_700_000_040);
    }

    #[test]
    fn calls_need_cycles_and_a_caller() {
        let rates = Rates::new(default_rates()).unwrap();
        let r = req(Asset::crypto("ICP"), Asset::fiat("USD"));
        let (result, kept) = answer(&rates, caller(), XRC_CALL_CYCLES - 1, NOW_SECS, &r);
        assert_eq!((result, kept), (GetExchangeRateResult::Err(ExchangeRateError::NotEnoughCycles), 0));
        let (result, kept) = answer(&rates, Principal::anonymous(), XRC_CALL_CYCLES, NOW_SECS, &r);
        assert_eq!((result, kept), (GetExchangeRateResult::Err(ExchangeRateError::AnonymousPrincipalNotAllowed), 0));
        // An error about the pair is still charged, like a served request.
        let unknown = req(Asset::crypto("BTC"), Asset::fiat("USD"));
        assert_eq!(answer(&rates, caller(), 2 * XRC_CALL_CYCLES, NOW_SECS, &unknown).1, XRC_CALL_CYCLES);
    }
}
