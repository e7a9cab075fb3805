//! A simulated exchange rate canister: crypto rates are held against USD (as XRC does through
//! USDT), crypto/crypto pairs are their quotient, a rate is stamped with the start of the current
//! minute, calls need `XRC_REQUIRED_CYCLES` attached, and errors can be queued.

use crate::xrc::{Asset, AssetClass, ExchangeRate, ExchangeRateError, ExchangeRateMetadata, GetExchangeRateRequest, GetExchangeRateResult};
use std::collections::{BTreeMap, VecDeque};

pub const XRC_REQUIRED_CYCLES: u128 = 1_000_000_000;
pub const XRC_DECIMALS: u32 = 9;
const SCALE: u128 = 1_000_000_000;

#[derive(Default)]
pub struct FakeXrc {
    /// symbol -> USD price scaled by 10^9
    usd_e9: BTreeMap<String, u64>,
    /// When false, crypto/crypto pairs are refused (as if XRC had no route between them).
    pub crypto_pairs: bool,
    /// Errors the next calls return, in order.
    pub next_errors: VecDeque<ExchangeRateError>,
    /// How far behind "now" XRC's rates are.
    pub lag_secs: u64,
    pub calls: u64,
}

impl FakeXrc {
    pub fn new() -> Self {
        FakeXrc { crypto_pairs: true, ..Default::default() }
    }

    pub fn set_usd_price_e9(&mut self, symbol: &str, usd_e9: u64) {
        self.usd_e9.insert(symbol.to_string(), usd_e9);
    }

    fn usd(&self, a: &Asset) -> Option<u128> {
        match a.class {
            AssetClass::FiatCurrency if a.symbol == "USD" => Some(SCALE),
            AssetClass::FiatCurrency => None,
            AssetClass::Cryptocurrency => self.usd_e9.get(&a.symbol).map(|p| *p as u128),
        }
    }

    /// Returns the answer and the cycles XRC keeps.
    pub fn get_exchange_rate(&mut self, now_secs: u64, req: &GetExchangeRateRequest, cycles: u128) -> (GetExchangeRateResult, u128) {
        self.calls += 1;
        if cycles < XRC_REQUIRED_CYCLES {
            return (GetExchangeRateResult::Err(ExchangeRateError::NotEnoughCycles), 0);
        }
        if let Some(e) = self.next_errors.pop_front() {
            return (GetExchangeRateResult::Err(e), XRC_REQUIRED_CYCLES);
        }
        let err = |e| (GetExchangeRateResult::Err(e), XRC_REQUIRED_CYCLES);
        let Some(base) = self.usd(&req.base_asset) else {
            return err(match req.base_asset.class {
                AssetClass::Cryptocurrency => ExchangeRateError::CryptoBaseAssetNotFound,
                AssetClass::FiatCurrency => ExchangeRateError::ForexBaseAssetNotFound,
            });
        };
        let crypto_quote = req.quote_asset.class == AssetClass::Cryptocurrency;
        let quote = match self.usd(&req.quote_asset) {
            Some(q) if !crypto_quote || self.crypto_pairs => q,
            _ if crypto_quote => return err(ExchangeRateError::CryptoQuoteAssetNotFound),
            _ => return err(ExchangeRateError::ForexQuoteAssetNotFound),
        };
        if quote == 0 {
            return err(ExchangeRateError::StablecoinRateZeroRate);
        }
        let rate = u64::try_from(base * SCALE / quote).unwrap_or(u64::MAX);
        let timestamp = req.timestamp.unwrap_or(now_secs.saturating_sub(self.lag_secs)) / 60 * 60;
        let ok = ExchangeRate {
            base_asset: req.base_asset.clone(),
            quote_asset: req.quote_asset.clone(),
            timestamp,
            rate,
            metadata: ExchangeRateMetadata {
                decimals: XRC_DECIMALS,
                base_asset_num_received_rates: 7,
                base_asset_num_queried_sources: 8,
                quote_asset_num_received_rates: 7,
                quote_asset_num_queried_sources: 8,
                standard_deviation: 0,
                forex_timestamp: None,
            },
        };
        (GetExchangeRateResult::Ok(ok), XRC_REQUIRED_CYCLES)
    }
}
