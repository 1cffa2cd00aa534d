//! The function's settings, from its environment: the teardown state machine it starts, the warm
//! pool's ([`crate::pool_settings`]), and the machines the idle sleep needs ([`SleepSettings`]).

use crate::pool_settings::{
    set, PoolSettings, CLAIM_STATE_MACHINE_ARN, PROVISION_STATE_MACHINE_ARN,
};
use env_core::settings::{required, FunctionSettings, Lookup, Misconfigured};

/// The environment variable naming the teardown state machine (set by the CLI's `deploy`).
pub const TEARDOWN_STATE_MACHINE_ARN: &str = "TEARDOWN_STATE_MACHINE_ARN";

pub const ALLOWED: &str =
    "a Step Functions state machine ARN, arn:<partition>:states:<region>:<account>:stateMachine:<name>";

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    state_machine_arn: String,
    /// The warm pool's machines, size and spec; `None` when the function keeps no pool.
    pub pool: Option<PoolSettings>,
    /// The machines idle environments are put to sleep through; `None` without the provision
    /// machine, and then no environment sleeps by itself.
    pub sleep: Option<SleepSettings>,
}

/// What the idle sleep needs besides the teardown machine: the provision machine, which it starts
/// with the environment's spec asleep and whose executions record each environment's spec, and
/// the claim machine, whose executions record the spec of a claimed pool environment (`envctl
/// deploy` sets both: bootstrap/deploy, `cleanup_environment`).
#[derive(Debug, Clone, PartialEq)]
pub struct SleepSettings {
    pub provision_arn: String,
    pub claim_arn: Option<String>,
}

impl FunctionSettings for Settings {
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
        let value = required(lookup, TEARDOWN_STATE_MACHINE_ARN, ALLOWED)?;
        Ok(Self {
            state_machine_arn: state_machine_arn(TEARDOWN_STATE_MACHINE_ARN, value)?,
            pool: PoolSettings::from_lookup(lookup)?,
            sleep: SleepSettings::from_lookup(lookup)?,
        })
    }
}

impl SleepSettings {
    /// The machines when `PROVISION_STATE_MACHINE_ARN` is set, each checked to be a state
    /// machine's ARN.
    fn from_lookup(lookup: Lookup<'_>) -> Result<Option<Self>, Misconfigured> {
        let Some(provision) = set(lookup, PROVISION_STATE_MACHINE_ARN) else {
            return Ok(None);
        };
        let claim = set(lookup, CLAIM_STATE_MACHINE_ARN)
            .map(|value| state_machine_arn(CLAIM_STATE_MACHINE_ARN, value))
            .transpose()?;
        Ok(Some(Self {
            provision_arn: state_machine_arn(PROVISION_STATE_MACHINE_ARN, provision)?,
            claim_arn: claim,
        }))
    }
}

/// `value` of `variable` when it is a state machine's ARN.
pub fn state_machine_arn(variable: &'static str, value: String) -> Result<String, Misconfigured> {
    let parts: Vec<&str> = value.split(':').collect();
    match parts[..] {
        ["arn", partition, "states", region, account, "stateMachine", name]
            if [partition, region, account, name]
                .iter()
                .all(|part| !part.is_empty()) =>
        {
            Ok(value)
        }
        _ => Err(Misconfigured::new(variable, Some(value), ALLOWED)),
    }
}

impl Settings {
    pub fn state_machine_arn(&self) -> &str {
        &self.state_machine_arn
    }

    /// The ARN of this state machine's execution `name`: the state machine's ARN with `execution`
    /// for `stateMachine`, and the name appended (Service Authorization Reference, "Resource types
    /// defined by AWS Step Functions", execution).
    pub fn execution_arn(&self, name: &str) -> String {
        execution_arn(&self.state_machine_arn, name)
    }
}

/// The ARN of the execution `name` of the state machine `state_machine_arn`.
pub fn execution_arn(state_machine_arn: &str, name: &str) -> String {
    let base = state_machine_arn.replacen(":stateMachine:", ":execution:", 1);
    format!("{base}:{name}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::{ErrorName, NamedError};

    const ARN: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:catalog-teardown";

    fn parse(value: Option<&str>) -> Result<Settings, Misconfigured> {
        Settings::from_lookup(&|name| {
            (name == TEARDOWN_STATE_MACHINE_ARN)
                .then(|| value.map(str::to_owned))
                .flatten()
        })
    }

    #[test]
    fn a_state_machine_arn_is_accepted_and_its_executions_named_under_it() {
        let settings = parse(Some(ARN)).unwrap();
        assert_eq!(settings.state_machine_arn(), ARN);
        assert_eq!(settings.pool, None, "no pool unless asked for");
        assert_eq!(
            settings.sleep, None,
            "no sleep without the provision machine"
        );
        assert_eq!(
            settings.execution_arn("cleanup-pr-1-20261126T031500Z"),
            "arn:aws:states:us-west-2:123456789012:execution:catalog-teardown:cleanup-pr-1-20261126T031500Z"
        );
    }

    #[test]
    fn a_missing_setting_is_misconfigured_and_named() {
        let error = parse(None).unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Misconfigured);
        assert_eq!(
            error.to_string(),
            format!("TEARDOWN_STATE_MACHINE_ARN is (not set): it must be {ALLOWED}")
        );
    }

    #[test]
    fn anything_but_a_state_machine_arn_is_misconfigured() {
        for value in [
            "",
            "catalog-teardown",
            "arn:aws:lambda:us-west-2:123456789012:function:cleanup",
            "arn:aws:states:us-west-2:123456789012:execution:catalog-teardown:x",
            "arn:aws:states:us-west-2::stateMachine:catalog-teardown",
            "arn:aws:states:us-west-2:123456789012:stateMachine:",
        ] {
            let error = parse(Some(value)).unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Misconfigured, "{value}");
            assert_eq!(
                error.to_string(),
                format!("TEARDOWN_STATE_MACHINE_ARN is {value:?}: it must be {ALLOWED}")
            );
        }
    }

    /// The settings with the teardown machine and `variables` set.
    fn with(variables: &[(&str, &str)]) -> Result<Settings, Misconfigured> {
        Settings::from_lookup(&|name| {
            if name == TEARDOWN_STATE_MACHINE_ARN {
                return Some(ARN.to_owned());
            }
            variables
                .iter()
                .find(|(variable, _)| *variable == name)
                .map(|(_, value)| (*value).to_owned())
        })
    }

    #[test]
    fn the_provision_machine_turns_the_idle_sleep_on_and_the_claim_machine_is_read_with_it() {
        let provision = ARN.replace("catalog-teardown", "provision");
        let claim = ARN.replace("catalog-teardown", "claim");
        let alone = with(&[(PROVISION_STATE_MACHINE_ARN, &provision)]).unwrap();
        assert_eq!(
            alone.sleep,
            Some(SleepSettings {
                provision_arn: provision.clone(),
                claim_arn: None
            })
        );
        let both = with(&[
            (PROVISION_STATE_MACHINE_ARN, &provision),
            (CLAIM_STATE_MACHINE_ARN, &claim),
        ])
        .unwrap();
        assert_eq!(both.sleep.unwrap().claim_arn, Some(claim));
        let blank = with(&[(PROVISION_STATE_MACHINE_ARN, " ")]).unwrap();
        assert_eq!(blank.sleep, None);
    }

    #[test]
    fn a_sleep_machine_that_is_no_state_machine_arn_is_misconfigured_and_named() {
        let provision = ARN.replace("catalog-teardown", "provision");
        for (variables, named) in [
            (
                vec![(PROVISION_STATE_MACHINE_ARN, "provision")],
                PROVISION_STATE_MACHINE_ARN,
            ),
            (
                vec![
                    (PROVISION_STATE_MACHINE_ARN, provision.as_str()),
                    (CLAIM_STATE_MACHINE_ARN, "claim"),
                ],
                CLAIM_STATE_MACHINE_ARN,
            ),
        ] {
            let error = with(&variables).unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Misconfigured);
            assert!(error.to_string().starts_with(named), "{error}");
            assert!(error.to_string().ends_with(ALLOWED), "{error}");
        }
    }
}
