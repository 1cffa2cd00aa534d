//! The warm pool's settings (docs/warm-pool-design.md §3.4), set by `envctl deploy --pool-size N
//! --pool-spec FILE`:
//!
//! - `CLAIM_STATE_MACHINE_ARN`: the claim machine. Without it the function keeps no pool, and a
//!   `pool-*` environment expires like any other.
//! - `PROVISION_STATE_MACHINE_ARN`: the provision machine, whose executions say which pool
//!   environments exist and which spec each was made with; required with the claim machine.
//! - `POOL_SIZE`: how many unclaimed environments to keep; absent or 0: none are started, expired
//!   ones are still retired.
//! - `POOL_SPEC`: the spec (JSON) every pool environment is provisioned with; required when
//!   `POOL_SIZE` is above 0. Its suffix and `standby` are the cleanup's to set.

use crate::settings::{state_machine_arn, ALLOWED};
use env_core::pool::POOL_PREFIX;
use env_core::settings::{whole_number, Lookup, Misconfigured};
use env_core::spec::EnvironmentSpec;
use serde_json::{Map, Value};

pub const PROVISION_STATE_MACHINE_ARN: &str = "PROVISION_STATE_MACHINE_ARN";
pub const CLAIM_STATE_MACHINE_ARN: &str = "CLAIM_STATE_MACHINE_ARN";
pub const POOL_SIZE: &str = "POOL_SIZE";
pub const POOL_SPEC: &str = "POOL_SPEC";

/// The most pool environments one setting may ask for: each is a whole environment (NAT gateways,
/// database, cache, load balancer), so a typo must not start hundreds.
pub const MAX_POOL_SIZE: u32 = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct PoolSettings {
    pub provision_arn: String,
    pub claim_arn: String,
    pub size: u32,
    /// The pool spec's fields, checked; `None` when `POOL_SPEC` is not set.
    pub spec: Option<Map<String, Value>>,
}

impl PoolSettings {
    /// The pool's settings, `None` without `CLAIM_STATE_MACHINE_ARN` and a pool size.
    pub fn from_lookup(lookup: Lookup<'_>) -> Result<Option<Self>, Misconfigured> {
        let size = whole_number(lookup, POOL_SIZE, 0..=MAX_POOL_SIZE, 0)?;
        let spec = lookup(POOL_SPEC).map(pool_spec).transpose()?;
        let Some(claim) = set(lookup, CLAIM_STATE_MACHINE_ARN) else {
            if size == 0 {
                return Ok(None);
            }
            return Err(Misconfigured::new(
                CLAIM_STATE_MACHINE_ARN,
                lookup(CLAIM_STATE_MACHINE_ARN),
                format!("{ALLOWED} (the claim machine), when {POOL_SIZE} is above 0"),
            ));
        };
        let provision = set(lookup, PROVISION_STATE_MACHINE_ARN).ok_or_else(|| {
            Misconfigured::new(
                PROVISION_STATE_MACHINE_ARN,
                lookup(PROVISION_STATE_MACHINE_ARN),
                format!("{ALLOWED} (the provision machine), when {CLAIM_STATE_MACHINE_ARN} is set"),
            )
        })?;
        if size > 0 && spec.is_none() {
            return Err(Misconfigured::new(
                POOL_SPEC,
                None,
                format!("{SPEC_ALLOWED}, when {POOL_SIZE} is above 0"),
            ));
        }
        Ok(Some(Self {
            provision_arn: state_machine_arn(PROVISION_STATE_MACHINE_ARN, provision)?,
            claim_arn: state_machine_arn(CLAIM_STATE_MACHINE_ARN, claim)?,
            size,
            spec,
        }))
    }
}

/// The variable's value when it is set and not blank.
pub(crate) fn set(lookup: Lookup<'_>, variable: &str) -> Option<String> {
    lookup(variable).filter(|value| !value.trim().is_empty())
}

const SPEC_ALLOWED: &str = "an environment spec as a JSON object, with ttlHours (the pool's maximum age, after which an unclaimed environment is retired), forceDestroy true (the retirement removes it unattended) and without pullRequest";

/// `POOL_SPEC`'s fields when they make a valid spec once the cleanup sets the suffix and
/// `standby`, has an expiry (else an unclaimed environment would never be retired), can be removed
/// unattended (deletion protection would stop the retirement's teardown) and names no pull request
/// (a pool environment belongs to none until claimed).
fn pool_spec(text: String) -> Result<Map<String, Value>, Misconfigured> {
    let wrong = |why: String| {
        Misconfigured::new(
            POOL_SPEC,
            Some(text.clone()),
            format!("{SPEC_ALLOWED}; {why}"),
        )
    };
    let fields = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(fields)) => fields,
        Ok(other) => return Err(wrong(format!("found {other}, not an object"))),
        Err(error) => return Err(wrong(format!("it is not JSON ({error})"))),
    };
    let spec = EnvironmentSpec::from_value(&with_suffix(&fields, &format!("{POOL_PREFIX}0")))
        .map_err(|invalid| wrong(invalid.to_string()))?;
    if spec.fields().ttl_hours.is_none() {
        return Err(wrong("ttlHours is missing".to_owned()));
    }
    if !spec.fields().force_destroy {
        return Err(wrong("forceDestroy is not true".to_owned()));
    }
    if let Some(number) = spec.fields().pull_request {
        return Err(wrong(format!("pullRequest is {}", number.get())));
    }
    Ok(fields)
}

/// The pool spec's fields for the environment `suffix`, on standby.
pub fn with_suffix(fields: &Map<String, Value>, suffix: &str) -> Value {
    let mut fields = fields.clone();
    fields.insert("environmentSuffix".to_owned(), Value::from(suffix));
    fields.insert("standby".to_owned(), Value::Bool(true));
    Value::Object(fields)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use env_core::error::{ErrorName, NamedError};
    use serde_json::json;

    pub(crate) const PROVISION: &str =
        "arn:aws:states:us-west-2:123456789012:stateMachine:provision";
    pub(crate) const CLAIM: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:claim";

    /// A pool spec as `envctl deploy --pool-spec` passes it.
    pub(crate) fn spec_text() -> String {
        json!({
            "containerImage": "public.ecr.aws/acme/catalog-api:main",
            "selfSignedCertificate": true,
            "natGateways": "single",
            "ttlHours": 168,
            "forceDestroy": true
        })
        .to_string()
    }

    fn parse(variables: &[(&str, &str)]) -> Result<Option<PoolSettings>, Misconfigured> {
        PoolSettings::from_lookup(&|name| {
            variables
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn no_claim_machine_and_no_size_is_no_pool() {
        assert_eq!(parse(&[]), Ok(None));
        assert_eq!(
            parse(&[(POOL_SIZE, "0"), (PROVISION_STATE_MACHINE_ARN, PROVISION)]),
            Ok(None)
        );
    }

    #[test]
    fn a_full_pool_setting_is_read_and_the_size_may_be_zero() {
        let text = spec_text();
        let pool = parse(&[
            (CLAIM_STATE_MACHINE_ARN, CLAIM),
            (PROVISION_STATE_MACHINE_ARN, PROVISION),
            (POOL_SIZE, " 3 "),
            (POOL_SPEC, &text),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(pool.provision_arn, PROVISION);
        assert_eq!(pool.claim_arn, CLAIM);
        assert_eq!(pool.size, 3);
        let spec = pool.spec.unwrap();
        assert_eq!(spec["ttlHours"], 168);
        let named = with_suffix(&spec, "pool-abc");
        assert_eq!(named["environmentSuffix"], "pool-abc");
        assert_eq!(named["standby"], true);

        let retire_only = parse(&[
            (CLAIM_STATE_MACHINE_ARN, CLAIM),
            (PROVISION_STATE_MACHINE_ARN, PROVISION),
        ])
        .unwrap()
        .unwrap();
        assert_eq!((retire_only.size, retire_only.spec), (0, None));
    }

    fn error(variables: &[(&str, &str)]) -> String {
        let error = parse(variables).unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Misconfigured);
        error.to_string()
    }

    #[test]
    fn a_pool_without_its_machines_or_spec_names_the_missing_variable() {
        assert_eq!(
            error(&[(POOL_SIZE, "2")]),
            format!("CLAIM_STATE_MACHINE_ARN is (not set): it must be {ALLOWED} (the claim machine), when POOL_SIZE is above 0")
        );
        assert_eq!(
            error(&[(CLAIM_STATE_MACHINE_ARN, CLAIM), (PROVISION_STATE_MACHINE_ARN, " ")]),
            format!("PROVISION_STATE_MACHINE_ARN is \" \": it must be {ALLOWED} (the provision machine), when CLAIM_STATE_MACHINE_ARN is set")
        );
        assert_eq!(
            error(&[
                (CLAIM_STATE_MACHINE_ARN, CLAIM),
                (PROVISION_STATE_MACHINE_ARN, PROVISION),
                (POOL_SIZE, "1")
            ]),
            format!("POOL_SPEC is (not set): it must be {SPEC_ALLOWED}, when POOL_SIZE is above 0")
        );
        assert_eq!(
            error(&[
                (CLAIM_STATE_MACHINE_ARN, "claim"),
                (PROVISION_STATE_MACHINE_ARN, PROVISION)
            ]),
            format!("CLAIM_STATE_MACHINE_ARN is \"claim\": it must be {ALLOWED}")
        );
        assert_eq!(
            error(&[
                (CLAIM_STATE_MACHINE_ARN, CLAIM),
                (
                    PROVISION_STATE_MACHINE_ARN,
                    CLAIM.replace("stateMachine", "execution").as_str()
                )
            ]),
            format!(
                "PROVISION_STATE_MACHINE_ARN is {:?}: it must be {ALLOWED}",
                CLAIM.replace("stateMachine", "execution")
            )
        );
    }

    #[test]
    fn a_size_out_of_bounds_is_misconfigured() {
        for size in ["21", "-1", "two"] {
            assert_eq!(
                error(&[(POOL_SIZE, size)]),
                format!("POOL_SIZE is {size:?}: it must be a whole number from 0 to 20 (the default: 0)")
            );
        }
    }

    #[test]
    fn a_wrong_pool_spec_is_misconfigured_with_the_reason() {
        let cases = [
            ("[1]", "found [1], not an object"),
            ("{", "it is not JSON ("),
            (
                r#"{"selfSignedCertificate": true, "ttlHours": 1}"#,
                "containerImage",
            ),
            (
                r#"{"containerImage": "nginx:1", "selfSignedCertificate": true, "forceDestroy": true}"#,
                "ttlHours is missing",
            ),
            (
                r#"{"containerImage": "nginx:1", "selfSignedCertificate": true, "ttlHours": 1}"#,
                "forceDestroy is not true",
            ),
            (
                r#"{"containerImage": "nginx:1", "selfSignedCertificate": true, "ttlHours": 1, "forceDestroy": true, "pullRequest": 9}"#,
                "pullRequest is 9",
            ),
        ];
        for (text, why) in cases {
            let message = error(&[(POOL_SPEC, text)]);
            assert!(
                message.starts_with(&format!(
                    "POOL_SPEC is {text:?}: it must be {SPEC_ALLOWED}; "
                )),
                "{message}"
            );
            assert!(message.contains(why), "{message}");
        }
    }
}
