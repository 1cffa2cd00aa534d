//! The guard's settings, from its environment (`envctl deploy` sets them): the provision, claim and
//! teardown state machines (`PROVISION_STATE_MACHINE_ARN`, `CLAIM_STATE_MACHINE_ARN`,
//! `TEARDOWN_STATE_MACHINE_ARN`), read and checked as the sfn crate reads every function's.

pub use sfn::settings::{
    StateMachines as Settings, ALLOWED, CLAIM_STATE_MACHINE_ARN, PROVISION_STATE_MACHINE_ARN,
    TEARDOWN_STATE_MACHINE_ARN,
};

#[cfg(test)]
mod tests {
    use super::*;
    use env_core::settings::FunctionSettings;

    #[test]
    fn the_three_machines_are_read_from_their_variables_and_a_missing_one_is_named() {
        let machine =
            |name: &str| format!("arn:aws:states:us-west-2:123456789012:stateMachine:{name}");
        let all = |name: &str| match name {
            PROVISION_STATE_MACHINE_ARN => Some(machine("provision")),
            CLAIM_STATE_MACHINE_ARN => Some(machine("claim")),
            TEARDOWN_STATE_MACHINE_ARN => Some(machine("teardown")),
            _ => None,
        };
        assert_eq!(all("ROLE_PERMISSIONS_BOUNDARY"), None);
        let settings = Settings::from_lookup(&all).unwrap();
        assert_eq!(settings.provision_arn, machine("provision"));
        assert_eq!(settings.claim_arn, machine("claim"));
        assert_eq!(settings.teardown_arn, machine("teardown"));
        let without_teardown = Settings::from_lookup(&|name| {
            (name != TEARDOWN_STATE_MACHINE_ARN)
                .then(|| all(name))
                .flatten()
        });
        let error = without_teardown.unwrap_err();
        assert_eq!(error.variable, TEARDOWN_STATE_MACHINE_ARN);
        assert_eq!(error.allowed, ALLOWED);
    }
}
