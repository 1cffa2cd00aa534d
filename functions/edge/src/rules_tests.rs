//! Finding the listener's rules by what they are, and bringing them to either layout from any mix
//! of rules a failed call left.

use super::*;
use elb::fake::FakeElb;
use env_core::recorder::SharedRecorder;

fn rule(arn: &str, priority: i32, condition: Option<RuleCondition>, groups: &[&str]) -> Rule {
    Rule {
        arn: arn.into(),
        priority,
        condition,
        target_groups: groups.iter().map(|g| (*g).to_owned()).collect(),
    }
}

fn colors() -> Vec<String> {
    vec!["tg-blue".into(), "tg-green".into()]
}

#[test]
fn rules_are_told_apart_by_condition_and_target_groups_and_others_are_left_alone() {
    let rules = vec![
        rule("foreign", 7, Some(RuleCondition::AnyPath), &["tg-other"]),
        rule("several-conditions", 8, None, &["tg-blue", "tg-green"]),
        rule(
            "other-header",
            9,
            Some(RuleCondition::Header {
                name: "X-Other".into(),
                value: "1".into(),
            }),
            &["tg-blue"],
        ),
        rule("wake", 1, Some(RuleCondition::AnyPath), &["tg-wake"]),
        rule(
            "production",
            2,
            Some(RuleCondition::AnyPath),
            &["tg-blue", "tg-green"],
        ),
        rule(
            "second-production",
            5,
            Some(RuleCondition::AnyPath),
            &["tg-green"],
        ),
        rule("test", 3, Some(test_condition()), &["tg-green", "tg-blue"]),
    ];
    let found = classify(rules.clone(), &colors(), Some("tg-wake"));
    assert_eq!(found.production.unwrap().arn, "production");
    assert_eq!(found.test.unwrap().arn, "test");
    assert_eq!(found.wake.unwrap().arn, "wake");
    // Without a wake group (status before it exists) no rule is the wake rule.
    assert_eq!(classify(rules, &colors(), None).wake, None);
}

#[tokio::test]
async fn missing_rules_are_made_in_the_layout_asked_for() {
    let recorder = SharedRecorder::default();
    let elb = FakeElb::new(recorder.clone());
    let groups = colors();
    let arns = converge(
        &elb,
        "https",
        Found::default(),
        &groups,
        Some("tg-wake"),
        &[],
    )
    .await
    .unwrap();
    let rules = elb.rules("https").await.unwrap();
    let priority = |arn: &str| rules.iter().find(|r| r.arn == arn).unwrap().priority;
    assert_eq!(priority(&arns.production), ASLEEP_PRODUCTION_RULE_PRIORITY);
    assert_eq!(priority(&arns.test), ASLEEP_TEST_RULE_PRIORITY);
    assert_eq!(priority(arns.wake.as_deref().unwrap()), WAKE_RULE_PRIORITY);
    assert!(!recorder.lock().changes.contains(&"SetRulePriorities"));

    // Back to the awake layout from what is there: one delete, one move of both.
    let found = classify(elb.rules("https").await.unwrap(), &groups, Some("tg-wake"));
    recorder.lock().changes.clear();
    let back = converge(&elb, "https", found, &groups, None, &[])
        .await
        .unwrap();
    assert_eq!(back.wake, None);
    assert_eq!((back.production, back.test), (arns.production, arns.test));
    assert_eq!(recorder.lock().changes, ["DeleteRule", "SetRulePriorities"]);
    let mut priorities: Vec<i32> = elb
        .rules("https")
        .await
        .unwrap()
        .iter()
        .map(|r| r.priority)
        .collect();
    priorities.sort_unstable();
    assert_eq!(priorities, [TEST_RULE_PRIORITY, PRODUCTION_RULE_PRIORITY]);
}
