//! Blue/green against the fake: what ECS is handed (the green target group, the edge's rules, an
//! infrastructure role), switching strategy on an existing service, and the edge outputs it needs.

use super::{
    blue_green_spec, change_service, delete_all, edge, inputs_with, request, run, run_blue_green,
    spec,
};
use crate::api::{BlueGreen, EcsService};
use crate::deployment::deploys_blue_green;
use crate::fake::Fake;
use crate::handler::handle;
use crate::policy::tests::assert_least_privilege;
use crate::roles::INFRASTRUCTURE_POLICY;
use crate::settings::tests::settings;
use env_core::{ErrorName, NamedError, Status};
use serde_json::{json, Value};

#[tokio::test]
async fn blue_green_hands_ecs_the_green_group_the_rules_and_an_infrastructure_role() {
    let fake = Fake::default();
    let response = run_blue_green(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(response.outputs["deploymentStrategy"], "blueGreen");
    {
        let world = fake.ecs.world();
        let (wanted, service) = &world.services["ecs-service-pr-42"];
        assert_eq!(wanted.target_group_arn, "arn:tg/blue");
        assert_eq!(
            wanted.blue_green,
            Some(BlueGreen {
                alternate_target_group_arn: "arn:tg/green".into(),
                production_listener_rule: "arn:rule/production".into(),
                test_listener_rule: "arn:rule/test".into(),
                role_arn: "arn:aws:iam::123456789012:role/role-ecs-infra-pr-42".into(),
                bake_time_minutes: 5,
            })
        );
        assert!(wanted.rollback_on_failure);
        assert_eq!(service.strategy.as_deref(), Some("BLUE_GREEN"));
        let roles = fake.roles.roles();
        let role = &roles["role-ecs-infra-pr-42"];
        let trust: Value = serde_json::from_str(&role.trust_policy).unwrap();
        assert_eq!(
            trust["Statement"][0]["Principal"]["Service"],
            "ecs.amazonaws.com"
        );
        let document = &role.policies[INFRASTRUCTURE_POLICY];
        let document: Value = serde_json::from_str(document).unwrap();
        assert_least_privilege(&document);
        assert_eq!(
            document["Statement"][1]["Resource"],
            json!(["arn:rule/production", "arn:rule/test"])
        );
        assert_eq!(
            document["Statement"][2]["Resource"],
            json!(["arn:tg/blue", "arn:tg/green"])
        );
    }
    // The infrastructure role goes with the rest at teardown.
    assert_eq!(delete_all(&fake).await, 4);
    assert!(fake.is_empty(), "{fake:?}");
    assert_eq!(fake.recorder.lock().count("DeleteRole"), 3);
}

#[tokio::test]
async fn switching_the_strategy_updates_the_existing_service_and_keeps_its_count() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    change_service(&fake, |service| service.desired_count = 6);
    // Rolling → blue/green: one UpdateService, then nothing more.
    let response = run_blue_green(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        run_blue_green(&fake, "status").await.unwrap().status,
        Status::Ready
    );
    {
        let recorder = fake.recorder.lock();
        assert_eq!(recorder.count("UpdateServiceDeployment"), 1);
        assert_eq!(recorder.count("CreateService"), 1);
        assert_eq!(recorder.count("UpdateServiceTaskDefinition"), 0);
        let world = fake.ecs.world();
        let (wanted, service) = &world.services["ecs-service-pr-42"];
        assert_eq!(service.desired_count, 6);
        assert_eq!(service.strategy.as_deref(), Some("BLUE_GREEN"));
        assert_eq!(
            wanted
                .blue_green
                .as_ref()
                .unwrap()
                .alternate_target_group_arn,
            "arn:tg/green"
        );
    }
    // And back to rolling.
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(run(&fake, "status").await.unwrap().status, Status::Ready);
    assert_eq!(fake.recorder.lock().count("UpdateServiceDeployment"), 2);
    let world = fake.ecs.world();
    let (wanted, service) = &world.services["ecs-service-pr-42"];
    assert_eq!(wanted.blue_green, None);
    assert_eq!(service.strategy.as_deref(), Some("ROLLING"));
    assert_eq!(service.alternate_target_group, None);
    assert_eq!(service.desired_count, 6);
}

#[tokio::test]
async fn a_failed_strategy_switch_is_retried_by_the_next_call() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    fake.recorder
        .lock()
        .fail("UpdateServiceDeployment", "ThrottlingException");
    let error = run_blue_green(&fake, "create").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    run_blue_green(&fake, "create").await.unwrap();
    assert_eq!(fake.recorder.lock().count("UpdateServiceDeployment"), 1);
    assert_eq!(
        fake.ecs.world().services["ecs-service-pr-42"]
            .1
            .strategy
            .as_deref(),
        Some("BLUE_GREEN")
    );
}

#[test]
fn without_a_reported_strategy_the_alternate_target_group_decides() {
    let service = |strategy: Option<&str>, alternate: Option<&str>| EcsService {
        strategy: strategy.map(str::to_owned),
        alternate_target_group: alternate.map(str::to_owned),
        ..EcsService::default()
    };
    assert!(deploys_blue_green(&service(Some("BLUE_GREEN"), None)));
    assert!(!deploys_blue_green(&service(
        Some("ROLLING"),
        Some("arn:tg/green")
    )));
    assert!(deploys_blue_green(&service(None, Some("arn:tg/green"))));
    assert!(!deploys_blue_green(&service(None, None)));
}

#[tokio::test]
async fn blue_green_without_the_edges_rules_is_an_invalid_event_before_any_call() {
    let mut green = edge();
    green.target_group_arns.green.clear();
    let mut production = edge();
    production.listener_rule_arns.production.clear();
    let mut test = edge();
    test.listener_rule_arns.test.clear();
    let cases = [
        ("targetGroupArns.green", green),
        ("listenerRuleArns.production", production),
        ("listenerRuleArns.test", test),
    ];
    for (name, edge) in cases.clone() {
        let fake = Fake::default();
        let outputs = inputs_with(edge);
        let error = handle(
            &fake,
            &settings(None),
            request("create", blue_green_spec(), outputs),
        )
        .await
        .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent, "{name}");
        assert!(
            error.to_string().contains(&format!("{name} is empty")),
            "{error}"
        );
        assert!(fake.recorder.lock().changes.is_empty());
    }
    // A rolling service does not need them.
    for (_, edge) in cases {
        let fake = Fake::default();
        handle(
            &fake,
            &settings(Some("accepted")),
            request("create", spec(), inputs_with(edge)),
        )
        .await
        .unwrap();
    }
}
