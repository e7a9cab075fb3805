//! Which bid a deployment takes: the cheapest open bid, per group, from a provider the owner's
//! policy accepts. A pure function of what the chain says (bids, provider registrations and
//! auditors), so the deployment flow only decides when to look and what to do with the answer.

use ic_akash::rest::provider::ProviderInfo;
use ic_akash::rest::{Bid, Dec};
use std::collections::BTreeMap;

/// What the owner accepts from providers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderPolicy {
    /// Only these providers (empty: any).
    pub allow: Vec<String>,
    /// Never these.
    pub deny: Vec<String>,
    /// Attributes the provider must have registered (key = value), e.g. region = eu-west.
    pub required_attributes: Vec<(String, String)>,
    /// Auditors that must have signed the provider's attributes (`signedBy`); at least one.
    pub required_auditors: Vec<String>,
    /// Highest price per block accepted, in uact (the group's own price caps bids on chain too).
    pub max_price_uact_per_block: Option<Dec>,
}

/// Why a provider's bid was not taken (shown to the owner when no bid is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    NotOpen { state: String },
    NotAllowed,
    Denied,
    /// Failed before (manifest refused, unreachable) for this deployment.
    AlreadyFailed,
    UnknownProvider,
    MissingAttribute { key: String, value: String },
    NotAudited,
    WrongDenom { denom: String },
    TooExpensive { price: Dec },
}

/// What the chain says about one provider, beyond its bid.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderFacts {
    pub info: Option<ProviderInfo>,
    /// Auditors that signed its attributes.
    pub auditors: Vec<String>,
}

/// Checks one bid against the policy.
pub fn check(policy: &ProviderPolicy, bid: &Bid, facts: Option<&ProviderFacts>, failed: &[String]) -> Result<(), Refusal> {
    let provider = &bid.id.provider;
    if bid.state != "open" {
        return Err(Refusal::NotOpen { state: bid.state.clone() });
    }
    if failed.contains(provider) {
        return Err(Refusal::AlreadyFailed);
    }
    if policy.deny.contains(provider) {
        return Err(Refusal::Denied);
    }
    if !policy.allow.is_empty() && !policy.allow.contains(provider) {
        return Err(Refusal::NotAllowed);
    }
    if bid.price.denom != "uact" {
        return Err(Refusal::WrongDenom { denom: bid.price.denom.clone() });
    }
    if let Some(max) = policy.max_price_uact_per_block {
        if bid.price.amount > max {
            return Err(Refusal::TooExpensive { price: bid.price.amount });
        }
    }
    let needs_facts = !policy.required_attributes.is_empty() || !policy.required_auditors.is_empty();
    if needs_facts {
        let Some(facts) = facts else { return Err(Refusal::UnknownProvider) };
        let Some(info) = &facts.info else { return Err(Refusal::UnknownProvider) };
        for (key, value) in &policy.required_attributes {
            if !info.attributes.iter().any(|(k, v)| k == key && v == value) {
                return Err(Refusal::MissingAttribute { key: key.clone(), value: value.clone() });
            }
        }
        if !policy.required_auditors.is_empty() && !policy.required_auditors.iter().any(|a| facts.auditors.contains(a)) {
            return Err(Refusal::NotAudited);
        }
    }
    Ok(())
}

/// The chosen bid per group (gseq): the cheapest acceptable one, ties to the earliest bid, then
/// to the provider address (so every replica and every retry chooses the same). Groups without
/// an acceptable bid are absent; `refusals` says why, per provider.
pub fn choose<'a>(
    policy: &ProviderPolicy,
    bids: &'a [Bid],
    facts: &BTreeMap<String, ProviderFacts>,
    failed: &[String],
) -> (BTreeMap<u32, &'a Bid>, Vec<(String, Refusal)>) {
    let mut chosen: BTreeMap<u32, &Bid> = BTreeMap::new();
    let mut refusals = Vec::new();
    for bid in bids {
        match check(policy, bid, facts.get(&bid.id.provider), failed) {
            Ok(()) => {
                let better = |cur: &&Bid| {
                    (bid.price.amount, bid.created_at, &bid.id.provider) < (cur.price.amount, cur.created_at, &cur.id.provider)
                };
                if chosen.get(&bid.id.gseq).is_none_or(better) {
                    chosen.insert(bid.id.gseq, bid);
                }
            }
            Err(r) => refusals.push((bid.id.provider.clone(), r)),
        }
    }
    (chosen, refusals)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ic_akash::rest::{BidId, DecCoin};

    fn bid(provider: &str, gseq: u32, price: &str, created_at: u64) -> Bid {
        Bid {
            id: BidId { owner: "akash1owner".into(), dseq: 9, gseq, oseq: 1, provider: provider.into(), bseq: 0 },
            state: "open".into(),
            price: DecCoin { denom: "uact".into(), amount: Dec::parse(price).unwrap() },
            created_at,
            resources_offer: vec![],
        }
    }

    fn facts(attrs: &[(&str, &str)], auditors: &[&str]) -> ProviderFacts {
        ProviderFacts {
            info: Some(ProviderInfo {
                owner: String::new(),
                host_uri: "https://p.test".into(),
                attributes: attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            }),
            auditors: auditors.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn the_cheapest_acceptable_bid_wins_each_group_with_stable_ties() {
        let bids = vec![bid("p1", 1, "2.5", 10), bid("p2", 1, "1.25", 12), bid("p3", 1, "1.25", 11), bid("p1", 2, "9", 10)];
        let (chosen, refusals) = choose(&ProviderPolicy::default(), &bids, &BTreeMap::new(), &[]);
        assert_eq!(chosen[&1].id.provider, "p3", "same price: the earlier bid");
        assert_eq!(chosen[&2].id.provider, "p1");
        assert!(refusals.is_empty());
        let reversed: Vec<Bid> = bids.iter().rev().cloned().collect();
        let (again, _) = choose(&ProviderPolicy::default(), &reversed, &BTreeMap::new(), &[]);
        assert_eq!(again[&1].id.provider, "p3", "the order bids arrive in does not matter");
    }

    #[test]
    fn the_policy_refuses_with_a_reason() {
        let policy = ProviderPolicy {
            allow: vec![],
            deny: vec!["bad".into()],
            required_attributes: vec![("region".into(), "eu".into())],
            required_auditors: vec!["auditor".into()],
            max_price_uact_per_block: Some(Dec::parse("2").unwrap()),
        };
        let mut f = BTreeMap::new();
        f.insert("good".to_string(), facts(&[("region", "eu")], &["auditor"]));
        f.insert("us".to_string(), facts(&[("region", "us")], &["auditor"]));
        f.insert("unaudited".to_string(), facts(&[("region", "eu")], &[]));
        f.insert("dear".to_string(), facts(&[("region", "eu")], &["auditor"]));
        f.insert("failed".to_string(), facts(&[("region", "eu")], &["auditor"]));
        let mut closed = bid("good", 1, "0.5", 1);
        closed.state = "closed".into();
        let mut akt = bid("good", 1, "0.5", 1);
        akt.price.denom = "uakt".into();
        let bids = vec![
            bid("bad", 1, "0.1", 1),
            bid("us", 1, "0.2", 1),
            bid("unaudited", 1, "0.3", 1),
            bid("dear", 1, "2.000000000000000001", 1),
            bid("failed", 1, "0.4", 1),
            bid("nobody", 1, "0.1", 1),
            closed,
            akt,
            bid("good", 1, "1.9", 5),
        ];
        let (chosen, refusals) = choose(&policy, &bids, &f, &["failed".to_string()]);
        assert_eq!(chosen[&1].id.provider, "good");
        assert_eq!(chosen[&1].price.amount, Dec::parse("1.9").unwrap());
        let why: BTreeMap<&str, &Refusal> = refusals.iter().map(|(p, r)| (p.as_str(), r)).collect();
        assert_eq!(why["bad"], &Refusal::Denied);
        assert_eq!(why["us"], &Refusal::MissingAttribute { key: "region".into(), value: "eu".into() });
        assert_eq!(why["unaudited"], &Refusal::NotAudited);
        assert!(matches!(why["dear"], Refusal::TooExpensive { .. }));
        assert_eq!(why["failed"], &Refusal::AlreadyFailed);
        assert_eq!(why["nobody"], &Refusal::UnknownProvider);
        assert_eq!(refusals.iter().filter(|(p, _)| p == "good").count(), 2, "the closed and the uakt bid");
        let only = ProviderPolicy { allow: vec!["us".into()], ..Default::default() };
        let (chosen, _) = choose(&only, &bids, &f, &[]);
        assert_eq!(chosen[&1].id.provider, "us");
    }
}
