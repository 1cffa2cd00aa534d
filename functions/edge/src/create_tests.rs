//! `create` against the fake: the load balancer, target groups, listeners and rules it makes and
//! keeps, the outputs it hands on, and how it resumes after a failure.

use super::{run, self_signed, spec_with};
use crate::api::{ListenerAction, RuleCondition};
use crate::fake::{FakeCloud, ACCOUNT};
use crate::load_balancer::arn_suffix;
use env_core::outputs::example;
use env_core::{ErrorName, NamedError, Status};
use serde_json::json;

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
    let elb = cloud.elb.world();
    let (settings, _) = &elb.load_balancers[0];
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
    let attribute = |key: &str| elb.attributes.get(key).cloned().unwrap();
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
    for group in elb.target_groups.iter().filter(|group| !group.lambda) {
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
    let https = elb.listeners.iter().find(|(l, _)| l.port == 443).unwrap();
    assert_eq!(out["httpsListenerArn"], https.0.arn);
    assert_eq!(
        https.1,
        ListenerAction::Forward {
            certificate_arn: certificate.summary.arn.clone(),
            ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
            target_group_arn: blue.to_owned(),
        }
    );
    let http = elb.listeners.iter().find(|(l, _)| l.port == 80).unwrap();
    assert_eq!(http.1, ListenerAction::RedirectToHttps);

    // The two rules ECS blue/green shifts, on the HTTPS listener, all weight on blue.
    let green = out["targetGroupArns"]["green"].as_str().unwrap();
    assert_eq!(elb.rules.len(), 2);
    let rule = |priority: i32| {
        elb.rules
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
    assert_eq!(cloud.elb.world().listeners.len(), 2);
    assert_eq!(cloud.elb.world().rules.len(), 2);
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
    let elb = cloud.elb.world();
    let colored = elb.target_groups.iter().filter(|g| !g.lambda);
    assert!(colored.clone().count() == 2);
    assert!(colored.clone().all(|g| g.settings.port == 8080
        && g.settings.health_check_path == "/ready"
        && g.delay == Some(5)));
    assert_eq!(elb.attributes["deletion_protection.enabled"], "false");
}

#[tokio::test]
async fn a_provisioning_load_balancer_is_in_progress_until_active() {
    let cloud = FakeCloud::new();
    cloud.elb.world().new_lb_state = "provisioning".into();
    let response = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    cloud.elb.world().load_balancers[0].1.state = Some("active".into());
    let response = run(&cloud, "status", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
}

#[tokio::test]
async fn a_load_balancer_answered_without_a_state_is_waited_on_not_failed() {
    let cloud = FakeCloud::new();
    run(&cloud, "create", self_signed()).await.unwrap();
    cloud.elb.world().load_balancers[0].1.state = None;
    let response = run(&cloud, "status", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
}

#[tokio::test]
async fn a_failed_load_balancer_is_a_component_failure() {
    let cloud = FakeCloud::new();
    cloud.elb.world().new_lb_state = "failed".into();
    let error = run(&cloud, "create", self_signed()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        "load balancer alb-pr-7 failed; delete the environment and create it again"
    );
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
    assert_eq!(cloud.elb.world().rules.len(), 1);
    let response = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let elb = cloud.elb.world();
    let mut priorities: Vec<i32> = elb.rules.iter().map(|rule| rule.2.priority).collect();
    priorities.sort_unstable();
    assert_eq!(priorities, [1, 2]);
    assert_eq!(cloud.recorder.lock().count("CreateRule"), 2);
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
    assert_eq!(cloud.elb.world().target_groups.len(), 1);
    let response = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    // Blue, green and the wake group.
    assert_eq!(cloud.elb.world().target_groups.len(), 3);
    assert_eq!(cloud.elb.world().load_balancers.len(), 1);
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
