//! The ICP/AKT rate: from the cache while fresh, else from XRC (ICP/AKT, or ICP/USD over
//! AKT/USD when XRC has no direct pair), checked against the configured bounds.
//!
//! Cost control: the cache is shared by every caller, only one fetch runs at a time, and after
//! a failure no fetch starts for `RATE_RETRY_BACKOFF_SECS`, so XRC cycles per hour are bounded
//! whatever callers do.

use crate::canister::Orchestrator;
use crate::conversion;
use crate::logs::Level;
use crate::runtime::Runtime;
use crate::xrc::{Asset, ExchangeRate, ExchangeRateError, GetExchangeRateRequest, GetExchangeRateResult};
use ic_akash_orchestrator_types::{Config, Error, Rate, RateSource};

/// Cycles attached to each XRC call (XRC refunds what it does not use).
pub const XRC_CALL_CYCLES: u128 = 1_000_000_000;
/// After XRC fails, callers get an error without a new fetch for this long.
pub const RATE_RETRY_BACKOFF_SECS: u64 = 30;

fn unavailable(reason: impl Into<String>) -> Error {
    Error::RateUnavailable { reason: reason.into() }
}

/// Whether `rate` may still be used at `now_secs`.
pub fn is_fresh(rate: &Rate, now_secs: u64, config: &Config) -> bool {
    now_secs.saturating_sub(rate.timestamp_secs) <= config.rate_max_age_secs
}

pub fn check_bounds(rate: &Rate, config: &Config) -> Result<(), Error> {
    if rate.uakt_per_icp < config.min_uakt_per_icp || rate.uakt_per_icp > config.max_uakt_per_icp {
        return Err(Error::RateOutOfBounds {
            uakt_per_icp: rate.uakt_per_icp,
            min: config.min_uakt_per_icp,
            max: config.max_uakt_per_icp,
        });
    }
    Ok(())
}

struct FetchFlag<'a>(&'a std::cell::Cell<bool>);
impl Drop for FetchFlag<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

/// The rate to credit with now.
pub async fn current_rate<R: Runtime>(o: &Orchestrator<R>) -> Result<Rate, Error> {
    let config = o.read(|s| s.config().clone());
    let now = o.now_secs();
    let cached = o.read(|s| s.cached_rate().cloned());
    if let Some(rate) = &cached {
        if is_fresh(rate, now, &config) {
            check_bounds(rate, &config)?;
            return Ok(rate.clone());
        }
    }
    if o.rate_fetch_in_progress.get() {
        return Err(unavailable("a rate fetch is in progress; retry in a few seconds"));
    }
    if let Some(failed) = o.last_rate_failure_secs.get() {
        if now < failed + RATE_RETRY_BACKOFF_SECS {
            return Err(unavailable(format!(
                "XRC failed recently; retry after {} s",
                failed + RATE_RETRY_BACKOFF_SECS - now
            )));
        }
    }
    o.rate_fetch_in_progress.set(true);
    let _flag = FetchFlag(&o.rate_fetch_in_progress);
    let prefer_cross = cached.as_ref().is_some_and(|r| r.source == RateSource::CrossUsd);
    let result = fetch(o, &config, prefer_cross).await.and_then(|rate| {
        let now = o.now_secs();
        if !is_fresh(&rate, now, &config) {
            return Err(unavailable(format!(
                "XRC's rate is {} s old (max {})",
                now.saturating_sub(rate.timestamp_secs),
                config.rate_max_age_secs
            )));
        }
        check_bounds(&rate, &config)?;
        Ok(rate)
    });
    match &result {
        Ok(rate) => {
            o.last_rate_failure_secs.set(None);
            o.mutate(|s| s.set_cached_rate(rate.clone()));
        }
        Err(e) => {
            // Out of bounds needs an operator (the market moved or the bounds are wrong); XRC
            // failures are retried after the backoff.
            let priority = if matches!(e, Error::RateOutOfBounds { .. }) { Level::Error } else { Level::Warn };
            o.log(priority, format!("rate: {e}"));
            o.last_rate_failure_secs.set(Some(o.now_secs()));
        }
    }
    result
}

async fn call<R: Runtime>(o: &Orchestrator<R>, config: &Config, base: Asset, quote: Asset) -> Result<Result<ExchangeRate, ExchangeRateError>, Error> {
    let pair = format!("{}/{}", base.symbol, quote.symbol);
    let arg = GetExchangeRateRequest { base_asset: base, quote_asset: quote, timestamp: None };
    o.counters.borrow_mut().xrc_calls += 1;
    let answer = o.rt.get_exchange_rate(config.xrc_id, arg, XRC_CALL_CYCLES).await;
    if !matches!(answer, Ok(GetExchangeRateResult::Ok(_))) {
        o.counters.borrow_mut().xrc_failures += 1;
    }
    match answer {
        Ok(GetExchangeRateResult::Ok(rate)) => Ok(Ok(rate)),
        Ok(GetExchangeRateResult::Err(e)) => Ok(Err(e)),
        Err(e) => Err(unavailable(format!("XRC call for {pair} failed: {e}"))),
    }
}

fn not_found(e: &ExchangeRateError) -> bool {
    matches!(e, ExchangeRateError::CryptoBaseAssetNotFound | ExchangeRateError::CryptoQuoteAssetNotFound)
}

async fn fetch<R: Runtime>(o: &Orchestrator<R>, config: &Config, prefer_cross: bool) -> Result<Rate, Error> {
    let direct_error = if prefer_cross {
        None
    } else {
        match call(o, config, Asset::crypto("ICP"), Asset::crypto("AKT")).await? {
            Ok(x) => return conversion::direct_rate(&x).map_err(unavailable),
            Err(e) if not_found(&e) => Some(e),
            Err(e) => return Err(unavailable(format!("XRC ICP/AKT: {e:?}"))),
        }
    };
    let icp_usd = call(o, config, Asset::crypto("ICP"), Asset::fiat("USD")).await?;
    let icp_usd = icp_usd.map_err(|e| unavailable(format!("XRC ICP/USD: {e:?} (ICP/AKT: {direct_error:?})")))?;
    let akt_usd = call(o, config, Asset::crypto("AKT"), Asset::fiat("USD")).await?;
    let akt_usd = akt_usd.map_err(|e| unavailable(format!("XRC AKT/USD: {e:?} (ICP/AKT: {direct_error:?})")))?;
    conversion::cross_rate(&icp_usd, &akt_usd).map_err(unavailable)
}
