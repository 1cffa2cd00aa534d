//! The in-memory Elastic Load Balancing answers as ELB does for its callers.

use super::*;
use crate::RuleCondition;

fn lb_settings(name: &str) -> LoadBalancerSettings {
    LoadBalancerSettings {
        name: name.into(),
        subnets: vec!["subnet-a".into(), "subnet-b".into()],
        security_group: "sg-alb".into(),
    }
}

fn group_settings(name: &str, port: i32) -> TargetGroupSettings {
    TargetGroupSettings {
        name: name.into(),
        vpc_id: "vpc-1".into(),
        port,
        health_check_path: "/health".into(),
        healthy_threshold: 2,
        unhealthy_threshold: 3,
        interval_seconds: 15,
        timeout_seconds: 5,
        matcher: "200".into(),
    }
}

fn rule_settings(priority: i32) -> RuleSettings {
    RuleSettings {
        priority,
        condition: RuleCondition::AnyPath,
        blue_target_group: "tg-blue".into(),
        green_target_group: "tg-green".into(),
    }
}

#[tokio::test]
async fn a_load_balancer_is_made_found_by_name_configured_and_deleted() {
    let recorder = SharedRecorder::default();
    let fake = FakeElb::new(recorder.clone());
    assert_eq!(fake.load_balancer("alb-pr-42").await.unwrap(), None);
    let lb = fake
        .create_load_balancer(&lb_settings("alb-pr-42"), &[])
        .await
        .unwrap();
    assert!(lb.arn.starts_with(&format!(
        "arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}:"
    )));
    assert!(lb.arn.contains(":loadbalancer/app/alb-pr-42/"));
    assert!(lb.dns_name.starts_with("alb-pr-42-"));
    assert_eq!(lb.state.as_deref(), Some("active"));
    assert_eq!(
        fake.load_balancer("alb-pr-42").await.unwrap(),
        Some(lb.clone())
    );
    assert_eq!(fake.load_balancer("alb-pr-7").await.unwrap(), None);
    assert_eq!(fake.world().load_balancers[0].0, lb_settings("alb-pr-42"));

    let on = [("deletion_protection.enabled", "true".to_owned())];
    fake.set_load_balancer_attributes(&lb.arn, &on)
        .await
        .unwrap();
    assert_eq!(
        fake.load_balancer_attributes(&lb.arn).await.unwrap(),
        [("deletion_protection.enabled".to_owned(), "true".to_owned())]
    );
    fake.delete_load_balancer(&lb.arn).await.unwrap();
    assert_eq!(fake.load_balancer("alb-pr-42").await.unwrap(), None);
    assert_eq!(
        recorder.lock().changes,
        [
            "CreateLoadBalancer",
            "ModifyLoadBalancerAttributes",
            "DeleteLoadBalancer"
        ]
    );
}

#[tokio::test]
async fn a_new_load_balancer_starts_in_the_state_the_test_sets() {
    let fake = FakeElb::new(SharedRecorder::default());
    fake.world().new_lb_state = "provisioning".into();
    let lb = fake
        .create_load_balancer(&lb_settings("alb-pr-42"), &[])
        .await
        .unwrap();
    assert_eq!(lb.state.as_deref(), Some("provisioning"));
}

#[tokio::test]
async fn a_load_balancer_put_into_the_world_is_found_without_a_change() {
    let recorder = SharedRecorder::default();
    let fake = FakeElb::new(recorder.clone());
    let first = fake.world().add_load_balancer("alb-pr-42", "active");
    let second = fake.world().add_load_balancer("alb-pr-7", "failed");
    assert_ne!(first.arn, second.arn);
    assert_ne!(first.dns_name, second.dns_name);
    assert_eq!(fake.load_balancer("alb-pr-42").await.unwrap(), Some(first));
    let found = fake.load_balancer("alb-pr-7").await.unwrap().unwrap();
    assert_eq!(found.state.as_deref(), Some("failed"));
    assert!(found.dns_name.starts_with("alb-pr-7-"));
    assert_eq!(recorder.lock().calls, ["DescribeLoadBalancers"; 2]);
    assert!(recorder.lock().changes.is_empty());
}

#[tokio::test]
async fn target_groups_are_made_updated_delayed_and_deleted_by_arn() {
    let fake = FakeElb::new(SharedRecorder::default());
    assert_eq!(fake.target_group("tg-blue-pr-42").await.unwrap(), None);
    let blue = fake
        .create_target_group(&group_settings("tg-blue-pr-42", 3000), &[])
        .await
        .unwrap();
    let green = fake
        .create_target_group(&group_settings("tg-green-pr-42", 3000), &[])
        .await
        .unwrap();
    assert!(blue.contains(&format!("{ACCOUNT}:targetgroup/tg-blue-pr-42/")));
    assert_ne!(blue, green);
    assert_eq!(
        fake.target_group("tg-blue-pr-42").await.unwrap().as_ref(),
        Some(&blue)
    );
    fake.modify_target_group(&blue, &group_settings("tg-blue-pr-42", 8080))
        .await
        .unwrap();
    fake.set_deregistration_delay(&blue, 5).await.unwrap();
    {
        let world = fake.world();
        assert_eq!(world.target_groups[0].settings.port, 8080);
        assert_eq!(world.target_groups[0].delay, Some(5));
        assert_eq!(world.target_groups[1].settings.port, 3000);
        assert_eq!(world.target_groups[1].delay, None);
    }
    fake.delete_target_group(&blue).await.unwrap();
    assert_eq!(fake.target_group("tg-blue-pr-42").await.unwrap(), None);
    assert_eq!(
        fake.target_group("tg-green-pr-42").await.unwrap(),
        Some(green)
    );
}

#[tokio::test]
async fn listeners_and_their_rules_belong_to_their_load_balancer_and_listener() {
    let fake = FakeElb::new(SharedRecorder::default());
    let lb = fake
        .create_load_balancer(&lb_settings("alb-pr-42"), &[])
        .await
        .unwrap();
    let other = fake
        .create_load_balancer(&lb_settings("alb-pr-7"), &[])
        .await
        .unwrap();
    let redirect = ListenerAction::RedirectToHttps;
    let http = fake
        .create_listener(&lb.arn, 80, &redirect, &[])
        .await
        .unwrap();
    fake.create_listener(&other.arn, 80, &redirect, &[])
        .await
        .unwrap();
    let https = fake
        .create_listener(&lb.arn, 443, &redirect, &[])
        .await
        .unwrap();
    let ports: Vec<i32> = fake
        .listeners(&lb.arn)
        .await
        .unwrap()
        .iter()
        .map(|listener| listener.port)
        .collect();
    assert_eq!(ports, [80, 443]);
    let forward = ListenerAction::Forward {
        certificate_arn: "arn:cert".into(),
        ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
        target_group_arn: "arn:tg".into(),
    };
    fake.modify_listener(&https, &forward).await.unwrap();
    assert_eq!(fake.world().listeners[2].1, forward);
    assert_eq!(fake.world().listeners[0].1, redirect);

    let production = fake
        .create_rule(&https, &rule_settings(2), &[])
        .await
        .unwrap();
    let test = fake
        .create_rule(&https, &rule_settings(1), &[])
        .await
        .unwrap();
    assert_ne!(production, test);
    assert!(fake.rules(&http).await.unwrap().is_empty());
    let rules = fake.rules(&https).await.unwrap();
    assert_eq!(
        rules,
        [
            Rule {
                arn: production.clone(),
                priority: 2,
                condition: Some(RuleCondition::AnyPath),
                target_groups: vec!["tg-blue".into(), "tg-green".into()],
            },
            Rule {
                arn: test.clone(),
                priority: 1,
                condition: Some(RuleCondition::AnyPath),
                target_groups: vec!["tg-blue".into(), "tg-green".into()],
            }
        ]
    );
    fake.delete_rule(&production).await.unwrap();
    assert_eq!(fake.rules(&https).await.unwrap().len(), 1);
    fake.delete_listener(&http).await.unwrap();
    assert_eq!(fake.listeners(&lb.arn).await.unwrap().len(), 1);
    assert_eq!(fake.listeners(&other.arn).await.unwrap().len(), 1);
}

#[tokio::test]
async fn an_injected_fault_fails_the_call_and_changes_nothing() {
    let recorder = SharedRecorder::default();
    let fake = FakeElb::new(recorder.clone());
    recorder.lock().fail("DescribeLoadBalancers", "Throttling");
    recorder
        .lock()
        .fail("CreateTargetGroup", "TooManyTargetGroups");
    recorder.lock().fail("DeleteTargetGroup", "ResourceInUse");
    let error = fake.load_balancer("alb-pr-42").await.unwrap_err();
    assert!(error.is_code("Throttling"));
    let settings = group_settings("tg-blue-pr-42", 3000);
    let error = fake.create_target_group(&settings, &[]).await.unwrap_err();
    assert!(error.is_code("TooManyTargetGroups"));
    assert!(fake.world().target_groups.is_empty());
    let arn = fake.create_target_group(&settings, &[]).await.unwrap();
    let error = fake.delete_target_group(&arn).await.unwrap_err();
    assert!(error.is_code("ResourceInUse"));
    assert_eq!(fake.world().target_groups.len(), 1);
    assert!(recorder.lock().faults_answered());
    assert_eq!(recorder.lock().changes, ["CreateTargetGroup"]);
}

#[tokio::test]
async fn a_lambda_group_holds_the_registered_function_and_targets_report_their_health() {
    let recorder = SharedRecorder::default();
    let fake = FakeElb::new(recorder.clone());
    let wake = fake
        .create_lambda_target_group("tg-wake-pr-42", &[])
        .await
        .unwrap();
    assert!(wake.contains(":targetgroup/tg-wake-pr-42/"));
    assert_eq!(
        fake.target_group("tg-wake-pr-42").await.unwrap(),
        Some(wake.clone())
    );
    assert!(fake.targets(&wake).await.unwrap().is_empty());
    let function = "arn:aws:lambda:us-west-2:123456789012:function:waker";
    fake.register_lambda(&wake, function).await.unwrap();
    fake.register_lambda(&wake, function).await.unwrap();
    assert_eq!(
        fake.targets(&wake).await.unwrap(),
        [Target {
            id: function.into(),
            state: "unavailable".into()
        }]
    );
    assert!(fake.world().target_groups[0].lambda);

    let blue = fake
        .create_target_group(&group_settings("tg-blue-pr-42", 8080), &[])
        .await
        .unwrap();
    fake.world()
        .add_target("tg-blue-pr-42", "10.0.1.5", "healthy");
    fake.world().add_target("tg-none", "10.0.1.6", "healthy");
    assert_eq!(fake.targets(&blue).await.unwrap()[0].state, "healthy");
    assert_eq!(
        recorder.lock().changes,
        [
            "CreateTargetGroup",
            "RegisterTargets",
            "RegisterTargets",
            "CreateTargetGroup"
        ]
    );
}

#[tokio::test]
async fn rules_move_together_without_conflicts_and_a_taken_priority_is_refused() {
    let recorder = SharedRecorder::default();
    let fake = FakeElb::new(recorder.clone());
    let https = "arn:listener/443";
    let production = fake
        .create_rule(https, &rule_settings(2), &[])
        .await
        .unwrap();
    let error = fake
        .create_rule(https, &rule_settings(2), &[])
        .await
        .unwrap_err();
    assert!(error.is_code("PriorityInUse"));
    let error = fake
        .create_forward_rule(https, 2, "tg-wake", &[])
        .await
        .unwrap_err();
    assert!(error.is_code("PriorityInUse"));
    let wake = fake
        .create_forward_rule(https, 1, "tg-wake", &[])
        .await
        .unwrap();
    assert_eq!(
        fake.rules(https).await.unwrap()[1],
        Rule {
            arn: wake.clone(),
            priority: 1,
            condition: Some(RuleCondition::AnyPath),
            target_groups: vec!["tg-wake".into()],
        }
    );
    // Trading places in one call is no conflict; onto a rule that stays is one.
    let swap = [(production.clone(), 1), (wake.clone(), 2)];
    fake.set_rule_priorities(&swap).await.unwrap();
    let priorities: Vec<i32> = fake
        .rules(https)
        .await
        .unwrap()
        .iter()
        .map(|r| r.priority)
        .collect();
    assert_eq!(priorities, [1, 2]);
    let error = fake
        .set_rule_priorities(&[(production.clone(), 2)])
        .await
        .unwrap_err();
    assert!(error.is_code("PriorityInUse"));
    let error = fake
        .set_rule_priorities(&[("arn:rule/gone".into(), 9)])
        .await
        .unwrap_err();
    assert!(error.is_code("RuleNotFound"));
    fake.delete_rule(&wake).await.unwrap();
    assert_eq!(fake.rules(https).await.unwrap().len(), 1);
    assert_eq!(
        recorder.lock().changes,
        [
            "CreateRule",
            "CreateRule",
            "SetRulePriorities",
            "DeleteRule"
        ]
    );
}
