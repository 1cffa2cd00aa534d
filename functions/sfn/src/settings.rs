//! The state machines a function reads or drives, from its environment (`envctl deploy` sets
//! them): their ARNs checked once, when the function starts, so that a wrong one fails every
//! invocation with `Misconfigured` before any AWS call.

use env_core::settings::{required, FunctionSettings, Lookup, Misconfigured};

pub const PROVISION_STATE_MACHINE_ARN: &str = "PROVISION_STATE_MACHINE_ARN";
pub const CLAIM_STATE_MACHINE_ARN: &str = "CLAIM_STATE_MACHINE_ARN";
pub const TEARDOWN_STATE_MACHINE_ARN: &str = "TEARDOWN_STATE_MACHINE_ARN";

/// What every `*_STATE_MACHINE_ARN` must hold.
pub const ALLOWED: &str =
    "a Step Functions state machine ARN, arn:<partition>:states:<region>:<account>:stateMachine:<name>";

/// The three workflows whose executions record each environment's state: every one required, as
/// a function that reads one of them reads the others too (a teardown unseen would be raced).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateMachines {
    pub provision_arn: String,
    pub claim_arn: String,
    pub teardown_arn: String,
}

impl FunctionSettings for StateMachines {
    fn from_lookup(lookup: Lookup<'_>) -> Result<Self, Misconfigured> {
        Ok(Self {
            provision_arn: state_machine_arn(lookup, PROVISION_STATE_MACHINE_ARN)?,
            claim_arn: state_machine_arn(lookup, CLAIM_STATE_MACHINE_ARN)?,
            teardown_arn: state_machine_arn(lookup, TEARDOWN_STATE_MACHINE_ARN)?,
        })
    }
}

/// The value of `variable`, which must be a state machine's ARN (Service Authorization Reference,
/// "Resource types defined by AWS Step Functions", stateMachine:
/// `arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}`).
pub fn state_machine_arn(
    lookup: Lookup<'_>,
    variable: &'static str,
) -> Result<String, Misconfigured> {
    let value = required(lookup, variable, ALLOWED)?;
    let parts: Vec<&str> = value.split(':').collect();
    let well_formed = matches!(
        parts[..],
        ["arn", partition, "states", region, account, "stateMachine", name]
            if [partition, region, account, name].iter().all(|part| !part.is_empty())
    );
    if well_formed {
        Ok(value)
    } else {
        Err(Misconfigured::new(variable, Some(value), ALLOWED))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::error::{ErrorName, NamedError};

    const MACHINE: &str = "arn:aws:states:us-west-2:123456789012:stateMachine:";

    fn parse(skip: &str, bad: Option<(&str, &str)>) -> Result<StateMachines, Misconfigured> {
        StateMachines::from_lookup(&|name| {
            if name == skip {
                return None;
            }
            if let Some((_, value)) = bad.filter(|(variable, _)| *variable == name) {
                return Some(value.to_owned());
            }
            Some(format!("{MACHINE}{}", name.to_lowercase()))
        })
    }

    #[test]
    fn the_three_machines_are_read() {
        let machines = parse("", None).unwrap();
        assert_eq!(
            machines.provision_arn,
            format!("{MACHINE}provision_state_machine_arn")
        );
        assert_eq!(
            machines.claim_arn,
            format!("{MACHINE}claim_state_machine_arn")
        );
        assert_eq!(
            machines.teardown_arn,
            format!("{MACHINE}teardown_state_machine_arn")
        );
    }

    #[test]
    fn each_missing_blank_or_malformed_machine_is_misconfigured_and_named() {
        for variable in [
            PROVISION_STATE_MACHINE_ARN,
            CLAIM_STATE_MACHINE_ARN,
            TEARDOWN_STATE_MACHINE_ARN,
        ] {
            let missing = parse(variable, None).unwrap_err();
            assert_eq!(missing.error_name(), ErrorName::Misconfigured);
            assert_eq!(
                missing.to_string(),
                format!("{variable} is (not set): it must be {ALLOWED}")
            );
            for value in [
                " ",
                "provision",
                "arn:aws:lambda:us-west-2:123456789012:function:provision",
                "arn:aws:states:us-west-2::stateMachine:provision",
                "arn:aws:states:us-west-2:123456789012:stateMachine:",
                "arn:aws:states:us-west-2:123456789012:execution:provision:run",
            ] {
                let wrong = parse("", Some((variable, value))).unwrap_err();
                assert_eq!(wrong.variable, variable);
                assert_eq!(wrong.value.as_deref(), Some(value));
                assert_eq!(wrong.allowed, ALLOWED);
            }
        }
    }
}
