//! Fee allowances (`x/feegrant`) and authz grants as the chain reports them: how the orchestrator
//! checks that the fee grant and the deposit authorization it relies on exist, how much is left
//! and until when.

use super::{coin, list, page, parse_body, Coin, Page, RestError, J};
use crate::proto::akash_msgs::type_url as akash_url;
use crate::proto::cosmos::type_url as cosmos_url;

/// A fee allowance (`GET /cosmos/feegrant/v1beta1/allowance/{granter}/{grantee}`), flattened:
/// a `BasicAllowance`, possibly inside an `AllowedMsgAllowance`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeeAllowance {
    pub granter: String,
    pub grantee: String,
    /// The outer allowance's `@type` (basic or allowed-messages).
    pub type_url: String,
    /// What is left to spend; empty means no limit.
    pub spend_limit: Vec<Coin>,
    /// Unix seconds after which the allowance is void; `None` for no end.
    pub expiration_secs: Option<u64>,
    /// The message type URLs it pays for; empty means any.
    pub allowed_messages: Vec<String>,
}

impl FeeAllowance {
    /// What is left of `denom`: `None` when there is no limit at all, 0 when other denoms are
    /// limited but this one is absent (the allowance then pays nothing in it).
    pub fn limit_of(&self, denom: &str) -> Option<u128> {
        if self.spend_limit.is_empty() {
            return None;
        }
        Some(self.spend_limit.iter().filter(|c| c.denom == denom).map(|c| c.amount).sum())
    }

    /// Whether the allowance has expired at block time `now_secs` (the chain voids it once the
    /// block time is after the expiration).
    pub fn is_expired_at(&self, now_secs: u64) -> bool {
        self.expiration_secs.is_some_and(|e| now_secs > e)
    }
}

/// The `spend_limit` and `expiration` of a `BasicAllowance` object.
fn basic(j: &J) -> Result<(Vec<Coin>, Option<u64>), RestError> {
    j.object()?;
    Ok((list(&j.at("spend_limit"), coin)?, j.at("expiration").time_secs()?))
}

fn type_of(j: &J) -> Result<String, RestError> {
    j.object()?;
    let t = j.at("@type");
    let s = t.str()?;
    if s.is_empty() {
        return Err(t.missing());
    }
    Ok(s)
}

fn unsupported(j: &J, type_url: String) -> RestError {
    RestError::UnsupportedType { path: j.at("@type").path, type_url }
}

/// Parses a fee allowance. `Ok(None)` when there is none: the chain answers a missing allowance
/// with gRPC `Internal` (13) and "fee-grant not found" (or `NotFound` on other versions). A
/// periodic allowance is refused ([`RestError::UnsupportedType`]) rather than reported without
/// its period limits.
pub fn parse_fee_allowance(body: &[u8]) -> Result<Option<FeeAllowance>, RestError> {
    let v = match parse_body(body) {
        Err(RestError::Chain(e)) if e.is_not_found() || e.message.contains("fee-grant not found") => return Ok(None),
        other => other?,
    };
    let g = J::root(&v).at("allowance");
    g.object()?;
    let a = g.at("allowance");
    let type_url = type_of(&a)?;
    let ((spend_limit, expiration_secs), allowed_messages) = match type_url.as_str() {
        cosmos_url::BASIC_ALLOWANCE => (basic(&a)?, Vec::new()),
        cosmos_url::ALLOWED_MSG_ALLOWANCE => {
            let inner = a.at("allowance");
            let inner_type = type_of(&inner)?;
            if inner_type != cosmos_url::BASIC_ALLOWANCE {
                return Err(unsupported(&inner, inner_type));
            }
            (basic(&inner)?, list(&a.at("allowed_messages"), |m| m.str())?)
        }
        _ => return Err(unsupported(&a, type_url)),
    };
    Ok(Some(FeeAllowance {
        granter: g.at("granter").str()?,
        grantee: g.at("grantee").str()?,
        type_url,
        spend_limit,
        expiration_secs,
        allowed_messages,
    }))
}

/// The terms of an `akash.escrow.v1.DepositAuthorization`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DepositGrant {
    /// What is left to spend (the chain lowers it with every deposit it pays).
    pub spend_limit: Coin,
    /// "deployment" and/or "bid".
    pub scopes: Vec<String>,
}

/// One authz grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthzGrant {
    /// The authorization's `@type`.
    pub type_url: String,
    /// Set for a deposit authorization; other authorization types are listed without terms.
    pub deposit: Option<DepositGrant>,
    /// Unix seconds after which the grant is void; `None` for no end.
    pub expiration_secs: Option<u64>,
}

/// A page of authz grants (`GET /cosmos/authz/v1beta1/grants?granter=&grantee=&msg_type_url=`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthzGrants {
    pub grants: Vec<AuthzGrant>,
    pub page: Page,
}

impl AuthzGrants {
    /// The first deposit authorization, with its expiration.
    pub fn deposit(&self) -> Option<(&DepositGrant, Option<u64>)> {
        self.grants.iter().find_map(|g| g.deposit.as_ref().map(|d| (d, g.expiration_secs)))
    }
}

const DEPOSIT_SCOPES: &[(&str, i64)] = &[("invalid", 0), ("deployment", 1), ("bid", 2)];

/// Parses authz grants. A query naming `msg_type_url` for which there is no grant gets a
/// `NotFound` (5) error from the chain; that is an empty list here.
pub fn parse_authz_grants(body: &[u8]) -> Result<AuthzGrants, RestError> {
    let v = match parse_body(body) {
        Err(RestError::Chain(e)) if e.is_not_found() => return Ok(AuthzGrants { grants: Vec::new(), page: Page::default() }),
        other => other?,
    };
    let root = J::root(&v);
    let grants = list(&root.at("grants"), |g| {
        g.object()?;
        let a = g.at("authorization");
        let type_url = type_of(&a)?;
        let deposit = if type_url == akash_url::DEPOSIT_AUTHORIZATION {
            Some(DepositGrant {
                spend_limit: coin(&a.at("spend_limit"))?,
                scopes: list(&a.at("scopes"), |s| s.enum_name(DEPOSIT_SCOPES))?,
            })
        } else {
            None
        };
        Ok(AuthzGrant { type_url, deposit, expiration_secs: g.at("expiration").time_secs()? })
    })?;
    Ok(AuthzGrants { grants, page: page(&root.at("pagination"))? })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "akash1l3e9pgs3mmwuwrh95fecme0s0qtn2880y3lusr";
    const B: &str = "akash12vfxp232rx0z9rzn0hay9jptagk8c86d70xnrp";

    #[test]
    fn fee_allowance_basic_wrapped_and_missing() {
        let basic = format!(
            r#"{{"allowance":{{"granter":"{A}","grantee":"{B}","allowance":{{"@type":"/cosmos.feegrant.v1beta1.BasicAllowance","spend_limit":[{{"denom":"uakt","amount":"4999000"}}],"expiration":"2030-03-17T17:46:40Z"}}}}}}"#
        );
        let a = parse_fee_allowance(basic.as_bytes()).unwrap().unwrap();
        assert_eq!((a.granter.as_str(), a.grantee.as_str()), (A, B));
        assert_eq!(a.type_url, cosmos_url::BASIC_ALLOWANCE);
        assert_eq!(a.spend_limit, vec![Coin { denom: "uakt".into(), amount: 4_999_000 }]);
        assert_eq!(a.expiration_secs, Some(1_900_000_000));
        assert!(a.allowed_messages.is_empty());
        assert_eq!((a.limit_of("uakt"), a.limit_of("uact")), (Some(4_999_000), Some(0)));
        assert!(!a.is_expired_at(1_900_000_000) && a.is_expired_at(1_900_000_001));

        let wrapped = format!(
            r#"{{"allowance":{{"granter":"{A}","grantee":"{B}","allowance":{{"@type":"/cosmos.feegrant.v1beta1.AllowedMsgAllowance","allowance":{{"@type":"/cosmos.feegrant.v1beta1.BasicAllowance","spend_limit":[],"expiration":null}},"allowed_messages":["/akash.deployment.v1beta4.MsgCreateDeployment","/akash.market.v1beta5.MsgCreateLease"]}}}}}}"#
        );
        let a = parse_fee_allowance(wrapped.as_bytes()).unwrap().unwrap();
        assert_eq!(a.type_url, cosmos_url::ALLOWED_MSG_ALLOWANCE);
        assert_eq!((a.limit_of("uakt"), a.expiration_secs, a.is_expired_at(u64::MAX)), (None, None, false));
        assert_eq!(a.allowed_messages, ["/akash.deployment.v1beta4.MsgCreateDeployment", "/akash.market.v1beta5.MsgCreateLease"]);

        let missing = br#"{"code":13,"message":"fee-grant not found: unauthorized","details":[]}"#;
        assert_eq!(parse_fee_allowance(missing).unwrap(), None);
        let not_found = br#"{"code":5,"message":"not found","details":[]}"#;
        assert_eq!(parse_fee_allowance(not_found).unwrap(), None);
        let other = br#"{"code":13,"message":"internal error","details":[]}"#;
        assert!(matches!(parse_fee_allowance(other), Err(RestError::Chain(_))));
    }

    #[test]
    fn fee_allowance_refuses_what_it_cannot_read() {
        let periodic = br#"{"allowance":{"granter":"a","grantee":"b","allowance":{"@type":"/cosmos.feegrant.v1beta1.PeriodicAllowance","basic":{"spend_limit":[]},"period":"3600s"}}}"#;
        assert_eq!(
            parse_fee_allowance(periodic),
            Err(RestError::UnsupportedType {
                path: "$.allowance.allowance.@type".into(),
                type_url: "/cosmos.feegrant.v1beta1.PeriodicAllowance".into()
            })
        );
        let nested_periodic = br#"{"allowance":{"allowance":{"@type":"/cosmos.feegrant.v1beta1.AllowedMsgAllowance","allowance":{"@type":"/cosmos.feegrant.v1beta1.PeriodicAllowance"}}}}"#;
        assert!(matches!(parse_fee_allowance(nested_periodic), Err(RestError::UnsupportedType { path, .. }) if path == "$.allowance.allowance.allowance.@type"));
        let bad_time = br#"{"allowance":{"allowance":{"@type":"/cosmos.feegrant.v1beta1.BasicAllowance","expiration":"2030-02-30T00:00:00Z"}}}"#;
        assert_eq!(
            parse_fee_allowance(bad_time),
            Err(RestError::BadTime { path: "$.allowance.allowance.expiration".into(), value: "2030-02-30T00:00:00Z".into() })
        );
        let no_type = br#"{"allowance":{"allowance":{"spend_limit":[]}}}"#;
        assert_eq!(parse_fee_allowance(no_type), Err(RestError::Missing { path: "$.allowance.allowance.@type".into() }));
        let bad_amount = br#"{"allowance":{"allowance":{"@type":"/cosmos.feegrant.v1beta1.BasicAllowance","spend_limit":[{"denom":"uakt","amount":"1.5"}]}}}"#;
        assert!(matches!(parse_fee_allowance(bad_amount), Err(RestError::BadNumber { path, .. }) if path == "$.allowance.allowance.spend_limit[0].amount"));
    }

    #[test]
    fn authz_grants_deposit_and_others() {
        let body = br#"{"grants":[{"authorization":{"@type":"/cosmos.authz.v1beta1.GenericAuthorization","msg":"/cosmos.bank.v1beta1.MsgSend"},"expiration":null},{"authorization":{"@type":"/akash.escrow.v1.DepositAuthorization","spend_limit":{"denom":"uact","amount":"10000000"},"scopes":["deployment","bid"]},"expiration":"2030-03-17T17:46:40.123456789Z"}],"pagination":{"next_key":null,"total":"2"}}"#;
        let g = parse_authz_grants(body).unwrap();
        assert_eq!(g.grants.len(), 2);
        assert_eq!((g.grants[0].deposit.as_ref(), g.grants[0].expiration_secs), (None, None));
        let (d, exp) = g.deposit().unwrap();
        assert_eq!(d.spend_limit, Coin { denom: "uact".into(), amount: 10_000_000 });
        assert_eq!(d.scopes, ["deployment", "bid"]);
        assert_eq!(exp, Some(1_900_000_000));
        assert_eq!(g.page.total, 2);
        // Numeric enum values are named too.
        let numeric = br#"{"grants":[{"authorization":{"@type":"/akash.escrow.v1.DepositAuthorization","spend_limit":{"denom":"uact","amount":"1"},"scopes":[1]}}]}"#;
        assert_eq!(parse_authz_grants(numeric).unwrap().deposit().unwrap().0.scopes, ["deployment"]);

        let none = br#"{"code":5,"message":"rpc error: code = NotFound desc = no authorization found for /akash.escrow.v1.MsgAccountDeposit type","details":[]}"#;
        assert_eq!(parse_authz_grants(none).unwrap().grants, vec![]);
        let empty = br#"{"grants":[],"pagination":{"next_key":null,"total":"0"}}"#;
        assert!(parse_authz_grants(empty).unwrap().deposit().is_none());
        let no_limit = br#"{"grants":[{"authorization":{"@type":"/akash.escrow.v1.DepositAuthorization","scopes":["deployment"]}}]}"#;
        assert_eq!(
            parse_authz_grants(no_limit),
            Err(RestError::Missing { path: "$.grants[0].authorization.spend_limit".into() })
        );
        let bad_exp = br#"{"grants":[{"authorization":{"@type":"/x.Y"},"expiration":1900000000}]}"#;
        assert!(matches!(parse_authz_grants(bad_exp), Err(RestError::WrongType { path, .. }) if path == "$.grants[0].expiration"));
    }
}
