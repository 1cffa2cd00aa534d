//! The edge function end to end against the fake: what each action makes, keeps and removes.

use super::*;
use crate::acm::request_token;
use crate::api::{ListenerAction, RuleCondition};
use crate::fake::{FakeCloud, ACCOUNT};
use crate::load_balancer::arn_suffix;
use env_core::contract::Event;
use env_core::outputs::example::{self, handed_on};
use env_core::outputs::NetworkOutputs;
use env_core::spec::EnvironmentSpec;
use env_core::Status;
use serde_json::json;
use serde_json::Value;
use std::time::SystemTime;

pub(crate) fn spec_with(extra: Value) -> Value {
    let mut spec = json!({
        "environmentSuffix": "pr-7",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
    });
    for (key, value) in extra.as_object().unwrap() {
        spec[key] = value.clone();
    }
    spec
}

fn network() -> NetworkOutputs {
    NetworkOutputs {
        public_subnet_ids: vec!["subnet-a".into(), "subnet-b".into(), "subnet-c".into()],
        ..example::network()
    }
}

pub(crate) fn network_outputs() -> Value {
    Value::Object(handed_on(network()))
}

pub(crate) fn request(action: &str, spec: Value, outputs: Value) -> Request {
    Request::from_event(json!({"action": action, "spec": spec, "outputs": outputs})).unwrap()
}

pub(crate) fn self_signed() -> Value {
    spec_with(json!({"selfSignedCertificate": true}))
}

pub(crate) fn dns() -> Value {
    spec_with(json!({"domainName": "pr-7.example.com", "hostedZoneId": "Z123"}))
}

pub(crate) fn existing(arn: &str) -> Value {
    spec_with(json!({"certificateArn": arn}))
}

pub(crate) async fn run(
    cloud: &FakeCloud,
    action: &str,
    spec: Value,
) -> Result<Response, EdgeError> {
    handle(cloud, request(action, spec, network_outputs())).await
}

#[tokio::test]
async fn a_self_signed_edge_is_ready_after_one_create_with_every_output() {
    let cloud = FakeCloud::new();
    let response = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let out = &response.outputs;
    let typed: env_core::outputs::EdgeOutputs = example::read_as(out);
    assert_eq!(typed.load_balancer_arn, out["loadBalancerArn"]);
    let lb_arn = out["loadBalancerArn"].as_str().unwrap();
    assert_eq!(out["loadBalancerArnSuffix"], arn_suffix(lb_arn));
    assert!(out["loadBalancerArnSuffix"]
        .as_str()
        .unwrap()
        .starts_with("app/alb-pr-7/"));
    let dns_name = out["loadBalancerDnsName"].as_str().unwrap();
    assert_eq!(out["httpsUrl"], format!("https://{dns_name}"));
    assert_eq!(out["accessLogBucket"], format!("alb-logs-pr-7-{ACCOUNT}"));
    let blue = out["targetGroupArns"]["blue"].as_str().unwrap();
    assert!(blue.contains("targetgroup/tg-blue-pr-7/"));
    assert!(out["targetGroupArns"]["green"]
        .as_str()
        .unwrap()
        .contains("tg-green-pr-7"));
    let suffixes = out["targetGroupArnSuffixes"].as_array().unwrap();
    assert_eq!(suffixes.len(), 2);
    assert!(suffixes[0]
        .as_str()
        .unwrap()
        .starts_with("targetgroup/tg-blue-pr-7/"));

    let world = cloud.world();
    let (settings, _) = &world.load_balancers[0];
    assert_eq!(settings.subnets, ["subnet-a", "subnet-b", "subnet-c"]);
    assert_eq!(settings.security_group, "sg-alb");
    let certificate = &world.certificates[0];
    assert_eq!(out["certificateArn"], certificate.summary.arn);
    assert_eq!(certificate.summary.name.as_deref(), Some("cert-pr-7"));
    assert_eq!(certificate.summary.environment.as_deref(), Some("pr-7"));
    assert!(certificate
        .imported_pem
        .as_deref()
        .unwrap()
        .contains("BEGIN CERTIFICATE"));
    let attribute = |key: &str| world.attributes.get(key).cloned().unwrap();
    assert_eq!(
        attribute("routing.http.drop_invalid_header_fields.enabled"),
        "true"
    );
    assert_eq!(
        attribute("routing.http.desync_mitigation_mode"),
        "defensive"
    );
    assert_eq!(attribute("idle_timeout.timeout_seconds"), "60");
    assert_eq!(attribute("load_balancing.cross_zone.enabled"), "true");
    assert_eq!(attribute("access_logs.s3.enabled"), "true");
    assert_eq!(
        attribute("access_logs.s3.bucket"),
        format!("alb-logs-pr-7-{ACCOUNT}")
    );
    // Protection is on unless the spec turns it off.
    assert_eq!(attribute("deletion_protection.enabled"), "true");
    let bucket = world.buckets[&format!("alb-logs-pr-7-{ACCOUNT}")]
        .0
        .clone()
        .unwrap();
    assert_eq!(bucket.expiry_days, 90);
    assert!(bucket.policy.contains("arn:aws:iam::797873946194:root"));
    assert!(bucket.policy.contains(&format!("/AWSLogs/{ACCOUNT}/*")));
    for group in &world.target_groups {
        assert_eq!(group.settings.port, 3000);
        assert_eq!(group.settings.health_check_path, "/health");
        assert_eq!(group.settings.vpc_id, "vpc-1");
        assert_eq!(
            (
                group.settings.healthy_threshold,
                group.settings.unhealthy_threshold
            ),
            (2, 3)
        );
        assert_eq!(group.settings.matcher, "200");
        assert_eq!(group.delay, Some(30));
    }
    let https = world.listeners.iter().find(|(l, _)| l.port == 443).unwrap();
    assert_eq!(out["httpsListenerArn"], https.0.arn);
    assert_eq!(
        https.1,
        ListenerAction::Forward {
            certificate_arn: certificate.summary.arn.clone(),
            ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
            target_group_arn: blue.to_owned(),
        }
    );
    let http = world.listeners.iter().find(|(l, _)| l.port == 80).unwrap();
    assert_eq!(http.1, ListenerAction::RedirectToHttps);

    // The two rules ECS blue/green shifts, on the HTTPS listener, all weight on blue.
    let green = out["targetGroupArns"]["green"].as_str().unwrap();
    assert_eq!(world.rules.len(), 2);
    let rule = |priority: i32| {
        world
            .rules
            .iter()
            .find(|(_, _, settings)| settings.priority == priority)
            .unwrap()
    };
    let (listener, production, settings) = rule(2);
    assert_eq!(listener, &https.0.arn);
    assert_eq!(out["listenerRuleArns"]["production"], production.as_str());
    assert_eq!(settings.condition, RuleCondition::AnyPath);
    assert_eq!(
        (
            settings.blue_target_group.as_str(),
            settings.green_target_group.as_str()
        ),
        (blue, green)
    );
    let (listener, test, settings) = rule(1);
    assert_eq!(listener, &https.0.arn);
    assert_eq!(out["listenerRuleArns"]["test"], test.as_str());
    assert_eq!(
        settings.condition,
        RuleCondition::Header {
            name: "X-Catalog-Deployment".into(),
            value: "test".into()
        }
    );
}

#[tokio::test]
async fn a_second_create_creates_nothing_new_and_keeps_the_outputs() {
    let cloud = FakeCloud::new();
    let first = run(&cloud, "create", self_signed()).await.unwrap();
    cloud.recorder.lock().changes.clear();
    let second = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(first, second);
    let changes = cloud.recorder.lock().changes.clone();
    assert!(
        changes.iter().all(|change| !change.starts_with("Create")
            && !change.starts_with("Import")
            && !change.starts_with("Request")),
        "{changes:?}"
    );
    assert_eq!(cloud.world().certificates.len(), 1);
    assert_eq!(cloud.world().listeners.len(), 2);
    assert_eq!(cloud.world().rules.len(), 2);
    assert_eq!(
        first.outputs["listenerRuleArns"],
        second.outputs["listenerRuleArns"]
    );
}

#[tokio::test]
async fn spec_settings_reach_the_target_groups_and_protection() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({
        "selfSignedCertificate": true, "containerPort": 8080, "healthCheckPath": "/ready",
        "deregistrationDelaySeconds": 5, "deletionProtection": false
    }));
    run(&cloud, "create", spec).await.unwrap();
    let world = cloud.world();
    assert!(world.target_groups.iter().all(|g| g.settings.port == 8080
        && g.settings.health_check_path == "/ready"
        && g.delay == Some(5)));
    assert_eq!(world.attributes["deletion_protection.enabled"], "false");
}

#[tokio::test]
async fn a_provisioning_load_balancer_is_in_progress_until_active() {
    let cloud = FakeCloud::new();
    cloud.world().new_lb_state = "provisioning".into();
    let response = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    cloud.world().load_balancers[0].1.state = Some("active".into());
    let response = run(&cloud, "status", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
}

#[tokio::test]
async fn a_load_balancer_answered_without_a_state_is_waited_on_not_failed() {
    let cloud = FakeCloud::new();
    run(&cloud, "create", self_signed()).await.unwrap();
    cloud.world().load_balancers[0].1.state = None;
    let response = run(&cloud, "status", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
}

#[tokio::test]
async fn a_failed_load_balancer_is_a_component_failure() {
    let cloud = FakeCloud::new();
    cloud.world().new_lb_state = "failed".into();
    let error = run(&cloud, "create", self_signed()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "load balancer alb-pr-7 failed; delete the environment and create it again"
    );
}

#[tokio::test]
async fn missing_network_outputs_are_invalid_events_before_any_call() {
    let cloud = FakeCloud::new();
    let mut cases = vec![(json!({}), "outputs.network: are missing".to_owned())];
    for key in ["vpcId", "publicSubnetIds", "securityGroupIds"] {
        let mut outputs = network_outputs();
        outputs["network"].as_object_mut().unwrap().remove(key);
        cases.push((outputs, format!("missing field `{key}`")));
    }
    let mut two_subnets = network();
    two_subnets.public_subnet_ids.pop();
    cases.push((
        Value::Object(handed_on(two_subnets)),
        "publicSubnetIds holds 2 entries (0 empty); at least 3 non-empty ones are needed".into(),
    ));
    let mut no_group = network();
    no_group.security_group_ids.alb.clear();
    cases.push((
        Value::Object(handed_on(no_group)),
        "securityGroupIds.alb is empty".into(),
    ));
    let mut no_vpc = network();
    no_vpc.vpc_id.clear();
    cases.push((Value::Object(handed_on(no_vpc)), "vpcId is empty".into()));
    for (outputs, named) in cases {
        let error = handle(&cloud, request("create", self_signed(), outputs))
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::InvalidEvent);
        assert!(error.to_string().contains(&named), "{error}");
    }
    assert!(cloud.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn a_dns_validated_certificate_writes_its_records_and_waits_until_issued() {
    let cloud = FakeCloud::new();
    let response = run(&cloud, "create", dns()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(response.outputs["httpsUrl"], "https://pr-7.example.com");
    assert!(response.outputs.get("httpsListenerArn").is_none());
    {
        let world = cloud.world();
        assert_eq!(
            world.certificates[0].domain.as_deref(),
            Some("pr-7.example.com")
        );
        assert_eq!(
            world.records[&("Z123".to_owned(), "_x1.pr-7.example.com.".to_owned())],
            "_y1.acm-validations.aws."
        );
        // Only the redirecting listener until the certificate is issued, and no rules.
        assert_eq!(world.listeners.len(), 1);
        assert!(world.rules.is_empty());
        assert!(response.outputs.get("listenerRuleArns").is_none());
    }
    cloud.world().certificates[0].status = "ISSUED".into();
    let response = run(&cloud, "create", dns()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(cloud.world().certificates.len(), 1);
    assert_eq!(cloud.world().listeners.len(), 2);
    assert_eq!(cloud.world().rules.len(), 2);
}

#[tokio::test]
async fn a_certificate_that_will_never_issue_is_a_component_failure() {
    let cloud = FakeCloud::new();
    cloud.world().new_request_status = "VALIDATION_TIMED_OUT".into();
    let error = run(&cloud, "create", dns()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error
        .to_string()
        .ends_with("is VALIDATION_TIMED_OUT; it cannot serve HTTPS"));
}

#[tokio::test]
async fn an_existing_certificate_is_used_as_given_and_never_deleted() {
    let cloud = FakeCloud::new();
    let arn = cloud.import_certificate("pem", "key", &[]).await.unwrap();
    let response = run(&cloud, "create", existing(&arn)).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(response.outputs["certificateArn"], arn);
    assert_eq!(cloud.world().certificates.len(), 1);
    let spec = spec_with(json!({"certificateArn": arn, "forceDestroy": true}));
    run(&cloud, "delete", spec.clone()).await.unwrap();
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
    assert_eq!(cloud.world().certificates.len(), 1);
}

#[tokio::test]
async fn a_missing_existing_certificate_is_refused() {
    let cloud = FakeCloud::new();
    let arn = "arn:aws:acm:us-west-2:123456789012:certificate/0d1e2c3b-0000-4000-8000-000000000000";
    let error = run(&cloud, "create", existing(arn)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert_eq!(
        error.to_string(),
        format!("certificate {arn} does not exist")
    );
}

#[tokio::test]
async fn a_protected_load_balancer_blocks_delete_without_force_destroy() {
    let cloud = FakeCloud::new();
    run(&cloud, "create", self_signed()).await.unwrap();
    cloud.recorder.lock().changes.clear();
    let error = run(&cloud, "delete", self_signed()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::DeletionProtected);
    assert_eq!(
        error.to_string(),
        "load balancer alb-pr-7 has deletion protection; set forceDestroy to delete it"
    );
    assert!(cloud.recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn force_destroy_lifts_protection_and_deletes_everything() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    run(&cloud, "create", spec.clone()).await.unwrap();
    cloud
        .world()
        .buckets
        .values_mut()
        .for_each(|bucket| bucket.1 = 3);
    let response = run(&cloud, "delete", spec.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    {
        let world = cloud.world();
        assert_eq!(world.attributes["deletion_protection.enabled"], "false");
        assert!(cloud.recorder.lock().changes.contains(&"EmptyBucket"));
        assert!(world.load_balancers.is_empty() && world.listeners.is_empty());
        assert!(world.rules.is_empty());
        assert_eq!(cloud.recorder.lock().count("DeleteRule"), 2);
        assert!(world.target_groups.is_empty() && world.certificates.is_empty());
        assert!(world.buckets.is_empty());
    }
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn an_unprotected_environment_deletes_without_force_destroy() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({"selfSignedCertificate": true, "deletionProtection": false}));
    run(&cloud, "create", spec.clone()).await.unwrap();
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn delete_removes_the_validation_records_and_tolerates_those_already_gone() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({
        "domainName": "pr-7.example.com", "hostedZoneId": "Z123", "forceDestroy": true
    }));
    run(&cloud, "create", spec.clone()).await.unwrap();
    cloud
        .recorder
        .lock()
        .fail("DeleteCertificate", "ResourceInUseException");
    cloud
        .recorder
        .lock()
        .fail("DeleteTargetGroup", "ResourceInUse");
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert!(cloud.world().records.is_empty());
    assert_eq!(cloud.world().certificates.len(), 1);
    assert_eq!(cloud.world().target_groups.len(), 1);
    // The records are gone: Route 53 refuses the second deletion, which counts as done.
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert!(cloud.world().certificates.is_empty());
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn a_log_delivered_after_the_emptying_leaves_the_bucket_for_the_next_call() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    run(&cloud, "create", spec.clone()).await.unwrap();
    cloud.recorder.lock().fail("DeleteBucket", "BucketNotEmpty");
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert_eq!(cloud.world().buckets.len(), 1);
    assert!(cloud.world().load_balancers.is_empty());
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert!(cloud.world().buckets.is_empty());
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn other_delete_errors_are_kept() {
    for (operation, code) in [
        ("DeleteTargetGroup", "AccessDenied"),
        ("DeleteCertificate", "AccessDeniedException"),
    ] {
        let cloud = FakeCloud::new();
        let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
        run(&cloud, "create", spec.clone()).await.unwrap();
        cloud.recorder.lock().fail(operation, code);
        let error = run(&cloud, "delete", spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
        assert!(error.to_string().contains(code), "{error}");
    }
}

#[tokio::test]
async fn throttling_anywhere_is_retryable() {
    for operation in [
        "DescribeLoadBalancers",
        "ImportCertificate",
        "CreateListener",
        "DescribeRules",
        "CreateRule",
    ] {
        let cloud = FakeCloud::new();
        cloud.recorder.lock().fail(operation, "Throttling");
        let error = run(&cloud, "create", self_signed()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
    }
}

#[tokio::test]
async fn a_create_interrupted_between_the_rules_adds_only_the_missing_one() {
    let cloud = FakeCloud::new();
    // The production rule is created, the test rule is refused.
    cloud
        .recorder
        .lock()
        .fail_after("CreateRule", "Throttling", 1);
    let error = run(&cloud, "create", self_signed()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert_eq!(cloud.world().rules.len(), 1);
    let response = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let world = cloud.world();
    let mut priorities: Vec<i32> = world.rules.iter().map(|rule| rule.2.priority).collect();
    priorities.sort_unstable();
    assert_eq!(priorities, [1, 2]);
    assert_eq!(cloud.recorder.lock().count("CreateRule"), 2);
}

#[tokio::test]
async fn a_teardown_interrupted_at_a_rule_finishes_on_the_next_call() {
    let cloud = FakeCloud::new();
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    run(&cloud, "create", spec.clone()).await.unwrap();
    cloud
        .recorder
        .lock()
        .fail_after("DeleteRule", "Throttling", 1);
    let error = run(&cloud, "delete", spec.clone()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert_eq!(cloud.world().rules.len(), 1);
    assert_eq!(
        run(&cloud, "delete", spec.clone()).await.unwrap().status,
        Status::InProgress
    );
    assert!(cloud.world().rules.is_empty() && cloud.world().listeners.is_empty());
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
}

#[tokio::test]
async fn another_environments_bucket_and_certificate_are_left_alone() {
    let cloud = FakeCloud::new();
    let other = json!({
        "environmentSuffix": "pr-7-2", "containerImage": "nginx",
        "selfSignedCertificate": true, "forceDestroy": true
    });
    handle(&cloud, request("create", other, network_outputs()))
        .await
        .unwrap();
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    assert_eq!(
        run(&cloud, "delete", spec).await.unwrap().status,
        Status::Deleted
    );
    assert_eq!(cloud.world().buckets.len(), 1);
    assert_eq!(cloud.world().certificates.len(), 1);
}

#[tokio::test]
async fn a_create_that_failed_midway_is_completed_by_the_next() {
    let cloud = FakeCloud::new();
    // The blue target group is created, the green one is refused.
    cloud
        .recorder
        .lock()
        .fail_after("CreateTargetGroup", "InternalFailure", 1);
    let error = run(&cloud, "create", self_signed()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert_eq!(cloud.world().target_groups.len(), 1);
    let response = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert_eq!(cloud.world().target_groups.len(), 2);
    assert_eq!(cloud.world().load_balancers.len(), 1);
}

#[test]
fn a_certificate_that_cannot_be_generated_is_a_component_failure() {
    let generation =
        crate::certificate::self_signed("cert", "bücher.example", SystemTime::now()).unwrap_err();
    let error = EdgeError::from(generation);
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error
        .to_string()
        .starts_with("the self-signed certificate could not be generated: "));
}

#[test]
fn arn_suffixes_are_what_cloudwatch_uses() {
    assert_eq!(
        arn_suffix("arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/alb-pr-7/50dc6c"),
        "app/alb-pr-7/50dc6c"
    );
    assert_eq!(
        arn_suffix("arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/tg-blue-pr-7/73e2d6"),
        "targetgroup/tg-blue-pr-7/73e2d6"
    );
}

#[test]
fn the_request_token_is_unique_per_suffix_and_allowed_by_acm() {
    let spec =
        EnvironmentSpec::from_value(&spec_with(json!({"selfSignedCertificate": true}))).unwrap();
    assert_eq!(request_token(&spec), "pr_7");
}

#[test]
fn an_unknown_load_balancer_lookup_code_is_kept() {
    use crate::api::found;
    use crate::fake::aws_failure;
    assert_eq!(found(Ok(1), &["NotFound"]).unwrap(), Some(1));
    assert_eq!(
        found::<i32>(Err(aws_failure("X", "NotFound")), &["NotFound"]).unwrap(),
        None
    );
    assert!(found::<i32>(Err(aws_failure("X", "Denied")), &["NotFound"])
        .unwrap_err()
        .is_code("Denied"));
}
