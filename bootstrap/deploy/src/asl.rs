//! The state machine definitions with their `${Placeholder}`s replaced by ARNs, from the table in
//! statemachine/placeholders.json that the local runner substitutes from too.

use anyhow::{bail, Context};
use serde_json::Value;

pub(crate) const PROVISION: &str = include_str!("../../../statemachine/provision.asl.json");
pub(crate) const TEARDOWN: &str = include_str!("../../../statemachine/teardown.asl.json");
pub(crate) const CLAIM: &str = include_str!("../../../statemachine/claim.asl.json");
const PLACEHOLDERS: &str = include_str!("../../../statemachine/placeholders.json");

/// Where ARNs are built: the partition is `aws` (us-west-2 only, docs/requirements.md).
pub use env_core::arn::ArnScope;

/// `definition` with every `${Key}` replaced; a key the table lacks is an error naming it.
pub(crate) fn substitute(definition: &str, scope: &ArnScope) -> anyhow::Result<String> {
    let table: Value = serde_json::from_str(PLACEHOLDERS).context("placeholders.json")?;
    let mut text = String::with_capacity(definition.len());
    let mut rest = definition;
    while let Some(start) = rest.find("${") {
        text.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            bail!("an unterminated placeholder: {}", &rest[start..])
        };
        let key = &after[..end];
        let arn = if let Some(name) = table["functions"][key].as_str() {
            scope.function(name)
        } else if let Some(name) = table["stateMachines"][key].as_str() {
            scope.state_machine(name)
        } else {
            bail!("the placeholder ${{{key}}} is not in statemachine/placeholders.json")
        };
        text.push_str(&arn);
        rest = &after[end + 1..];
    }
    text.push_str(rest);
    Ok(text)
}

/// The deployed names of the three state machines, as the placeholders' table names them.
pub const PROVISION_NAME: &str = "provision";
pub const TEARDOWN_NAME: &str = "teardown";
/// Claims a warm-pool environment; its execution name `claim-<pool suffix>` is the lock
/// (env_core::pool).
pub const CLAIM_NAME: &str = "claim";

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> ArnScope {
        ArnScope {
            region: "us-west-2".into(),
            account: "123456789012".into(),
        }
    }

    #[test]
    fn every_placeholder_of_every_workflow_is_in_the_table() {
        for definition in [PROVISION, TEARDOWN, CLAIM] {
            let text = substitute(definition, &scope()).unwrap();
            assert!(!text.contains("${"), "{text}");
            let _: Value = serde_json::from_str(&text).unwrap();
        }
        let provision = substitute(PROVISION, &scope()).unwrap();
        assert!(provision.contains("arn:aws:lambda:us-west-2:123456789012:function:network"));
        assert!(provision.contains("arn:aws:states:us-west-2:123456789012:stateMachine:teardown"));
        let claim = substitute(CLAIM, &scope()).unwrap();
        assert!(claim.contains("arn:aws:states:us-west-2:123456789012:stateMachine:teardown"));
        assert!(claim.contains("arn:aws:lambda:us-west-2:123456789012:function:service"));
    }

    #[test]
    fn the_table_names_every_deployed_machine_by_its_deployed_name() {
        let table: Value = serde_json::from_str(PLACEHOLDERS).unwrap();
        let machines: Vec<&str> = table["stateMachines"]
            .as_object()
            .unwrap()
            .values()
            .map(|name| name.as_str().unwrap())
            .collect();
        assert_eq!(machines.len(), 3);
        for name in [PROVISION_NAME, TEARDOWN_NAME, CLAIM_NAME] {
            assert!(machines.contains(&name), "{name} in {machines:?}");
        }
    }

    #[test]
    fn an_unknown_or_unterminated_placeholder_is_an_error() {
        let unknown = substitute(r#"{"Resource": "${Nope}"}"#, &scope()).unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "the placeholder ${Nope} is not in statemachine/placeholders.json"
        );
        let open = substitute(r#"{"Resource": "${Nope"#, &scope()).unwrap_err();
        assert_eq!(open.to_string(), "an unterminated placeholder: ${Nope");
    }

    #[test]
    fn role_arns_have_no_region() {
        assert_eq!(scope().role("r"), "arn:aws:iam::123456789012:role/r");
    }
}
