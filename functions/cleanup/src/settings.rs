//! The function's settings, from its environment: the teardown state machine it starts, and the
//! warm pool's ([`crate::pool_settings`]).

use crate::pool_settings::PoolSettings;
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
}

impl FunctionSettings for Settings {
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
        let value = required(lookup, TEARDOWN_STATE_MACHINE_ARN, ALLOWED)?;
        Ok(Self {
            state_machine_arn: state_machine_arn(TEARDOWN_STATE_MACHINE_ARN, value)?,
            pool: PoolSettings::from_lookup(lookup)?,
        })
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
}
