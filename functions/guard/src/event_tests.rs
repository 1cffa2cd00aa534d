use super::*;
use env_core::{ErrorName, NamedError};
use serde_json::json;

fn rejected(event: Value) -> String {
    let error = GuardEvent::from_event(event).unwrap_err();
    assert_eq!(error.error_name(), ErrorName::InvalidEvent);
    error.to_string()
}

#[test]
fn both_actions_are_read_with_the_environment_and_the_calling_execution() {
    let admit = GuardEvent::from_event(
        json!({"action": "admit", "environment": "pr-42", "execution": "pr-42--run7"}),
    )
    .unwrap();
    assert_eq!(admit.action, Action::Admit);
    assert_eq!(admit.environment.as_str(), "pr-42");
    assert_eq!(admit.execution, "pr-42--run7");
    let stop = GuardEvent::from_event(json!({
        "action": "stopProvisions", "environment": "pool-a", "execution": "retire-claim-pool-a"
    }))
    .unwrap();
    assert_eq!(stop.action, Action::StopProvisions);
    assert_eq!(stop.execution, "retire-claim-pool-a");
}

#[test]
fn an_unknown_or_missing_action_names_the_value_and_the_two_allowed() {
    assert_eq!(
        rejected(json!({"action": "destroy", "environment": "pr-42", "execution": "x"})),
        "the event is not valid: action is \"destroy\": it must be \"admit\" or \"stopProvisions\""
    );
    assert_eq!(
        rejected(json!({"environment": "pr-42", "execution": "x"})),
        "the event is not valid: action is (missing): it must be \"admit\" or \"stopProvisions\""
    );
    assert!(
        rejected(json!({"action": 1, "environment": "pr-42", "execution": "x"}))
            .contains("action is 1: it must be")
    );
}

#[test]
fn a_bad_or_missing_suffix_says_why() {
    let bad = rejected(json!({"action": "admit", "environment": "PR_42", "execution": "x"}));
    assert!(
        bad.starts_with("the event is not valid: environment is \"PR_42\": it must be an environment suffix, a string of lowercase letters"),
        "{bad}"
    );
    assert!(bad.contains("(may contain only lowercase letters"), "{bad}");
    let missing = rejected(json!({"action": "admit", "execution": "x"}));
    assert!(
        missing.contains("environment is (missing): it must be an environment suffix, a string"),
        "{missing}"
    );
}

#[test]
fn the_execution_is_a_name_of_1_to_80_characters() {
    for value in [json!(""), json!("x".repeat(81)), json!(7), Value::Null] {
        let why = rejected(json!({"action": "admit", "environment": "pr-42", "execution": value}));
        assert!(
            why.contains(&format!(
                "execution is {value}: it must be the name of the calling execution ($$.Execution.Name), 1 to 80 characters"
            )),
            "{why}"
        );
    }
    let longest = "x".repeat(80);
    let event = json!({"action": "admit", "environment": "pr-42", "execution": longest});
    assert_eq!(GuardEvent::from_event(event).unwrap().execution.len(), 80);
    assert!(rejected(json!({"action": "admit", "environment": "pr-42"}))
        .contains("execution is (missing)"));
}

#[test]
fn anything_but_an_object_with_the_three_fields_is_refused() {
    assert_eq!(
        rejected(json!(["admit"])),
        "the event is not valid: the event is [\"admit\"]: it must be an object with the fields action, environment, execution"
    );
    assert_eq!(
        rejected(json!({"action": "admit", "enviroment": "pr-42", "execution": "x"})),
        "the event is not valid: the field \"enviroment\" is not one of the event's: it has only action, environment, execution"
    );
}
