//! The HTTPS listener's rules: the test rule (requests with `X-Catalog-Deployment: test`), the
//! production rule (every path), both forwarding to blue and green with the weights ECS blue/green
//! deployments shift, and while the environment sleeps or wakes the wake rule (every path to the
//! wake group) before them.
//!
//! Rules are found by what they are (condition and target groups), never by priority alone: the
//! priorities move when the wake rule comes and goes, and a call that failed halfway must find
//! every rule where it left it. The production and test rules' actions are never modified (ECS
//! holds their weights during a deployment); they are only moved, with SetRulePriorities, which ECS
//! does not care about (it names the rules by ARN).

use crate::api::{CallResult, ElbCalls, Rule, RuleCondition, RuleSettings};
use crate::listeners::{TEST_HEADER, TEST_HEADER_VALUE};
use env_core::tags::Tag;

/// Rules are evaluated from the lowest priority up (ELB user guide, "Listener rules"; priorities
/// 1 to 50000): the header rule comes before the production rule, which matches every path.
pub const TEST_RULE_PRIORITY: i32 = 1;
pub const PRODUCTION_RULE_PRIORITY: i32 = 2;
/// While the wake rule takes every request it goes first, and the other two wait behind it, in
/// their order, at priorities that neither layout shares with the other's occupied ones, so that
/// one SetRulePriorities moves both without a conflict either way.
pub const WAKE_RULE_PRIORITY: i32 = 1;
pub const ASLEEP_TEST_RULE_PRIORITY: i32 = 3;
pub const ASLEEP_PRODUCTION_RULE_PRIORITY: i32 = 4;

/// The rules found on the HTTPS listener.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Found {
    pub production: Option<Rule>,
    pub test: Option<Rule>,
    pub wake: Option<Rule>,
}

/// The rules' ARNs after [`converge`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arns {
    pub production: String,
    pub test: String,
    pub wake: Option<String>,
}

fn test_condition() -> RuleCondition {
    RuleCondition::Header {
        name: TEST_HEADER.to_owned(),
        value: TEST_HEADER_VALUE.to_owned(),
    }
}

/// Which of `rules` is which: a rule forwarding to blue or green is the production rule for every
/// path, the test rule for the test header; a rule forwarding to the wake group alone is the wake
/// rule. Any other rule is not the edge's and is left alone.
pub fn classify(rules: Vec<Rule>, groups: &[String], wake_group: Option<&str>) -> Found {
    let mut found = Found::default();
    for rule in rules {
        let colored = rule.target_groups.iter().any(|arn| groups.contains(arn));
        let waking = wake_group.is_some_and(|wake| rule.target_groups == [wake]);
        let slot = match &rule.condition {
            Some(RuleCondition::AnyPath) if colored => &mut found.production,
            Some(condition) if colored && *condition == test_condition() => &mut found.test,
            _ if waking => &mut found.wake,
            _ => continue,
        };
        slot.get_or_insert(rule);
    }
    found
}

/// The priorities of the test and production rules with or without the wake rule.
fn layout(wake: bool) -> (i32, i32) {
    if wake {
        (ASLEEP_TEST_RULE_PRIORITY, ASLEEP_PRODUCTION_RULE_PRIORITY)
    } else {
        (TEST_RULE_PRIORITY, PRODUCTION_RULE_PRIORITY)
    }
}

/// Brings the rules to the layout with (`wake`) or without the wake rule, from whatever `found`
/// shows: the wake rule deleted first when it goes (freeing its priority), then the other two
/// moved in one call, then whatever is missing created.
pub async fn converge<E: ElbCalls>(
    elb: &E,
    https: &str,
    found: Found,
    groups: &[String],
    wake: Option<&str>,
    tags: &[Tag],
) -> CallResult<Arns> {
    if wake.is_none() {
        if let Some(rule) = &found.wake {
            elb.delete_rule(&rule.arn).await?;
        }
    }
    let (test_priority, production_priority) = layout(wake.is_some());
    let moves: Vec<(String, i32)> = [
        (&found.test, test_priority),
        (&found.production, production_priority),
    ]
    .into_iter()
    .filter_map(|(rule, wanted)| {
        rule.as_ref()
            .filter(|rule| rule.priority != wanted)
            .map(|rule| (rule.arn.clone(), wanted))
    })
    .collect();
    if !moves.is_empty() {
        elb.set_rule_priorities(&moves).await?;
    }
    let weighted = |priority: i32, condition: RuleCondition| RuleSettings {
        priority,
        condition,
        blue_target_group: groups[0].clone(),
        green_target_group: groups[1].clone(),
    };
    let production = match found.production {
        Some(rule) => rule.arn,
        None => {
            let settings = weighted(production_priority, RuleCondition::AnyPath);
            elb.create_rule(https, &settings, tags).await?
        }
    };
    let test = match found.test {
        Some(rule) => rule.arn,
        None => {
            let settings = weighted(test_priority, test_condition());
            elb.create_rule(https, &settings, tags).await?
        }
    };
    let wake = match (wake, found.wake) {
        (Some(_), Some(rule)) => Some(rule.arn),
        (Some(group), None) => Some(
            elb.create_forward_rule(https, WAKE_RULE_PRIORITY, group, tags)
                .await?,
        ),
        (None, _) => None,
    };
    Ok(Arns {
        production,
        test,
        wake,
    })
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
