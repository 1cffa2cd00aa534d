//! The service function end to end against the fake: the fixtures every test of it shares, and
//! the settings and inputs it refuses before any call. What each action makes, keeps and removes
//! is in the modules below.

use super::*;
use crate::api::EcsService;
use crate::fake::Fake;
use crate::settings::tests::settings;
use env_core::contract::Request;
use env_core::outputs::example::{self, handed_on};
use env_core::outputs::{CacheOutputs, DatabaseOutputs, EdgeOutputs, NetworkOutputs};
use env_core::outputs::{ListenerRuleArns, SecurityGroupIds, TargetGroupArns};
use env_core::settings::FunctionSettings;
use env_core::Status;
use serde_json::{json, Value};

#[path = "create_tests.rs"]
mod create_tests;

#[path = "roles_tests.rs"]
mod roles_tests;

#[path = "blue_green_tests.rs"]
mod blue_green_tests;

#[path = "delete_tests.rs"]
mod delete_tests;

#[path = "standby_tests.rs"]
mod standby_tests;

#[path = "sleep_tests.rs"]
mod sleep_tests;

// `status` reads only: its own tests, with these helpers.
#[path = "status_tests.rs"]
mod status_tests;

fn spec() -> Value {
    json!({
        "environmentSuffix": "pr-42",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    })
}

/// The earlier components' outputs, with the values the assertions below name.
fn inputs_with(edge: EdgeOutputs) -> Value {
    let secret =
        |name: &str| format!("arn:aws:secretsmanager:us-west-2:123456789012:secret:{name}");
    let network = example::network();
    let network = NetworkOutputs {
        security_group_ids: SecurityGroupIds {
            service: "sg-service".into(),
            ..network.security_group_ids
        },
        kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/k".into(),
        ..network
    };
    let database = DatabaseOutputs {
        db_app_secret_arn: secret("db"),
        api_keys_secret_arn: secret("api-keys"),
        // None unless a test gives it: `rds-db:connect` on any cluster of the environment.
        db_cluster_resource_id: String::new(),
        ..example::database()
    };
    let cache = CacheOutputs {
        cache_auth_secret_arn: secret("redis"),
        cache_configuration_endpoint: "redis-pr-42.x.clustercfg.usw2.cache.amazonaws.com:6379"
            .into(),
        ..example::cache()
    };
    let mut outputs = handed_on(network);
    outputs.extend(handed_on(database));
    outputs.extend(handed_on(cache));
    outputs.extend(handed_on(edge));
    Value::Object(outputs)
}

fn edge() -> EdgeOutputs {
    EdgeOutputs {
        target_group_arns: TargetGroupArns {
            blue: "arn:tg/blue".into(),
            green: "arn:tg/green".into(),
        },
        listener_rule_arns: ListenerRuleArns {
            production: "arn:rule/production".into(),
            test: "arn:rule/test".into(),
        },
        ..example::edge()
    }
}

fn inputs() -> Value {
    inputs_with(edge())
}

fn request(action: &str, spec: Value, outputs: Value) -> Request {
    use env_core::contract::Event;
    Request::from_event(json!({"action": action, "spec": spec, "outputs": outputs})).unwrap()
}

async fn run(fake: &Fake, action: &str) -> Result<Response, ServiceError> {
    handle(
        fake,
        &settings(Some("accepted")),
        request(action, spec(), inputs()),
    )
    .await
}

/// `delete` until DELETED, at most 5 calls.
async fn delete_all(fake: &Fake) -> usize {
    let mut calls = 0;
    loop {
        calls += 1;
        assert!(calls <= 5, "not deleted after 5 calls");
        if run(fake, "delete").await.unwrap().status == Status::Deleted {
            return calls;
        }
    }
}

/// `times` delete calls, each answering IN_PROGRESS.
async fn deletes_in_progress(fake: &Fake, times: usize) {
    for _ in 0..times {
        assert_eq!(
            run(fake, "delete").await.unwrap().status,
            Status::InProgress
        );
    }
}

async fn steady_status(fake: &Fake) -> Status {
    let steady = settings(None);
    let response = handle(fake, &steady, request("status", spec(), inputs()));
    response.await.unwrap().status
}

/// Changes the ECS service as AWS would behind the function's back (the autoscaler, a rollout, the
/// end of a drain).
fn change_service(fake: &Fake, change: impl FnOnce(&mut EcsService)) {
    let mut world = fake.ecs.world();
    let (_, service) = world.services.get_mut("ecs-service-pr-42").unwrap();
    change(service);
}

fn blue_green_spec() -> Value {
    let mut spec = spec();
    spec["deploymentStrategy"] = json!("blueGreen");
    spec
}

fn blue_green_inputs() -> Value {
    inputs()
}

async fn run_blue_green(fake: &Fake, action: &str) -> Result<Response, ServiceError> {
    let request = request(action, blue_green_spec(), blue_green_inputs());
    handle(fake, &settings(Some("accepted")), request).await
}

#[tokio::test]
async fn an_unknown_readiness_setting_is_misconfigured_before_any_call() {
    let fake = Fake::default();
    let error = handle(
        &fake,
        &settings(Some("soon")),
        request("create", spec(), inputs()),
    )
    .await
    .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert!(error.to_string().contains("SERVICE_READY_WHEN"), "{error}");
    assert!(fake.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn wrong_settings_fail_create_and_status_before_any_call_and_delete_still_works() {
    let fake = Fake::default();
    run(&fake, "create").await.unwrap();
    let calls = fake.recorder.lock().calls.len();
    let no_boundary = Settings::from_lookup(&|_| None);
    for wrong in [settings(Some("soon")), no_boundary.clone()] {
        let expected = wrong.clone().unwrap_err().to_string();
        for action in ["create", "status"] {
            let error = handle(&fake, &wrong, request(action, spec(), inputs()))
                .await
                .unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Misconfigured, "{action}");
            assert_eq!(error.to_string(), expected, "{action}");
        }
    }
    assert_eq!(fake.recorder.lock().calls.len(), calls, "a call was made");
    // A teardown needs no setting.
    for _ in 0..5 {
        let delete = request("delete", spec(), json!({}));
        if handle(&fake, &no_boundary, delete).await.unwrap().status == Status::Deleted {
            break;
        }
    }
    assert!(fake.is_empty());
}

#[tokio::test]
async fn a_missing_output_is_an_invalid_event_naming_the_key_before_any_call() {
    let mut cases: Vec<(Value, String)> = Vec::new();
    for component in ["network", "database", "cache", "edge"] {
        let mut outputs = inputs();
        outputs.as_object_mut().unwrap().remove(component);
        cases.push((outputs, format!("outputs.{component}: are missing")));
    }
    for (component, field, value) in [
        ("network", "vpcId", json!("")),
        ("network", "privateSubnetIds", json!([])),
        ("network", "kmsKeyArn", json!("")),
        ("database", "dbAppSecretArn", json!("")),
        ("database", "dbWriterEndpoint", json!("")),
        ("database", "apiKeysSecretArn", json!("")),
        ("cache", "cacheAuthSecretArn", json!("")),
        ("cache", "cacheConfigurationEndpoint", json!("")),
    ] {
        let mut outputs = inputs();
        outputs[component][field] = value;
        cases.push((outputs, format!("outputs.{component}: {field} ")));
    }
    let mut outputs = inputs();
    outputs["network"]["securityGroupIds"]["service"] = json!("");
    cases.push((outputs, "securityGroupIds.service is empty".into()));
    let mut outputs = inputs();
    outputs["edge"]["targetGroupArns"]["blue"] = json!("");
    cases.push((
        outputs,
        "outputs.edge: targetGroupArns.blue is empty".into(),
    ));
    let mut outputs = inputs();
    outputs["database"]["dbAppSecretArn"] = json!(7);
    cases.push((
        outputs,
        "outputs.database: are malformed: invalid type".into(),
    ));
    for (outputs, named) in cases {
        let fake = Fake::default();
        let error = handle(&fake, &settings(None), request("create", spec(), outputs))
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent, "{named}");
        assert!(error.to_string().contains(&named), "{named}: {error}");
        assert!(fake.recorder.lock().changes.is_empty());
    }
}
