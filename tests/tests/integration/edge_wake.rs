//! Wake on request at the edge, against moto through the edge binary on a real network: every
//! edge has the Lambda target group `tg-wake-<suffix>` with the `waker` function registered;
//! asleep, the HTTPS listener's first rule sends every path to it, with the test and production
//! rules moved behind it and their weighted forwards untouched; waking keeps that rule until a
//! blue or green target is healthy (or, with `SERVICE_READY_WHEN=accepted`, until the service
//! answered READY), then puts the rules back; the teardown removes the rule and the group.

use aws_sdk_elasticloadbalancingv2::types::{Rule, TargetTypeEnum};
use aws_sdk_elasticloadbalancingv2::Client;
use integration_tests::emulator::emulator;
use integration_tests::functions::invoke;
use integration_tests::unique_suffix;
use serde_json::{json, Value};

fn spec(suffix: &str, asleep: bool) -> Value {
    json!({
        "environmentSuffix": suffix,
        "natGateways": "single",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true,
        "forceDestroy": true,
        "asleep": asleep,
    })
}

/// The network binary's outputs once READY.
fn network(spec: &Value) -> Value {
    for _ in 0..4 {
        let result = invoke(
            "network",
            &json!({"action": "create", "spec": spec, "outputs": {}}),
            &emulator().env(),
        );
        assert!(result.success, "network: {}", result.body);
        if result.body["status"] == "READY" {
            return result.body["outputs"].clone();
        }
    }
    panic!("the network did not become READY");
}

/// One successful edge invocation: `after_service` hands on the service's outputs too, as the
/// provision does after the service answered READY; `accepted` sets `SERVICE_READY_WHEN` as the
/// local runner does.
fn edge(action: &str, spec: &Value, net: &Value, after_service: bool, accepted: bool) -> Value {
    let mut outputs = json!({"network": net});
    if after_service {
        outputs["service"] = json!({"serviceName": "svc"});
    }
    let mut env = emulator().env();
    if accepted {
        env.push(("SERVICE_READY_WHEN", "accepted".to_owned()));
    }
    let event = json!({"action": action, "spec": spec, "outputs": outputs});
    let result = invoke("edge", &event, &env);
    assert!(
        result.success,
        "{action}: {} {}",
        result.body, result.stderr
    );
    result.body
}

/// `create` until READY (moto makes a load balancer active on its next describe).
fn ready(spec: &Value, net: &Value) -> Value {
    for _ in 0..4 {
        let response = edge("create", spec, net, false, false);
        if response["status"] == "READY" {
            return response;
        }
    }
    panic!("the edge did not become READY");
}

async fn elb() -> Client {
    Client::new(&emulator().sdk_config().await)
}

/// The listener's rules but its default one, lowest priority first.
async fn rules(elb: &Client, listener: &str) -> Vec<Rule> {
    let described = elb
        .describe_rules()
        .listener_arn(listener)
        .send()
        .await
        .expect("DescribeRules");
    let mut rules: Vec<Rule> = described
        .rules()
        .iter()
        .filter(|rule| rule.priority() != Some("default"))
        .cloned()
        .collect();
    rules.sort_by_key(|rule| rule.priority().and_then(|p| p.parse::<i32>().ok()));
    rules
}

/// Each rule as (priority, the target groups its first action forwards to).
async fn layout(elb: &Client, listener: &str) -> Vec<(String, Vec<String>)> {
    rules(elb, listener)
        .await
        .iter()
        .map(|rule| {
            let action = &rule.actions()[0];
            let mut groups: Vec<String> = action
                .target_group_arn()
                .into_iter()
                .map(str::to_owned)
                .collect();
            if let Some(config) = action.forward_config() {
                groups.extend(
                    config
                        .target_groups()
                        .iter()
                        .filter_map(|tuple| tuple.target_group_arn())
                        .map(str::to_owned),
                );
            }
            groups.dedup();
            (rule.priority().unwrap_or_default().to_owned(), groups)
        })
        .collect()
}

async fn group_exists(elb: &Client, name: &str) -> bool {
    elb.describe_target_groups()
        .names(name)
        .send()
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_asleep_edge_sends_every_request_to_the_waker_until_the_service_serves_again() {
    let suffix = unique_suffix();
    let awake = spec(suffix.as_str(), false);
    let asleep = spec(suffix.as_str(), true);
    let net = network(&awake);
    let out = ready(&awake, &net)["outputs"].clone();
    let elb = elb().await;
    let https = out["httpsListenerArn"].as_str().expect("an ARN");
    let blue = out["targetGroupArns"]["blue"]
        .as_str()
        .expect("an ARN")
        .to_owned();
    let green = out["targetGroupArns"]["green"]
        .as_str()
        .expect("an ARN")
        .to_owned();
    let colors = vec![blue.clone(), green.clone()];

    // The wake group: type lambda, health checks off, the waker of the load balancer's account
    // and region registered.
    let name = format!("tg-wake-{suffix}");
    let described = elb
        .describe_target_groups()
        .names(&name)
        .send()
        .await
        .expect("the wake group exists");
    let group = &described.target_groups()[0];
    assert_eq!(group.target_type(), Some(&TargetTypeEnum::Lambda));
    assert_eq!(group.health_check_enabled(), Some(false));
    let wake = group.target_group_arn().expect("an ARN").to_owned();
    let lb_arn = out["loadBalancerArn"].as_str().expect("an ARN");
    let scope: Vec<&str> = lb_arn.split(':').collect();
    let waker = format!("arn:aws:lambda:{}:{}:function:waker", scope[3], scope[4]);
    let health = elb
        .describe_target_health()
        .target_group_arn(&wake)
        .send()
        .await
        .expect("DescribeTargetHealth");
    let targets: Vec<&str> = health
        .target_health_descriptions()
        .iter()
        .filter_map(|d| d.target().and_then(|t| t.id()))
        .collect();
    assert_eq!(targets, [waker.as_str()]);
    let awake_layout = vec![
        ("1".to_owned(), colors.clone()),
        ("2".to_owned(), colors.clone()),
    ];
    assert_eq!(layout(&elb, https).await, awake_layout);
    let production = rules(&elb, https).await[1].clone();

    // Asleep: the wake rule first, the others behind it, moved not modified.
    let slept = ready(&asleep, &net);
    assert_eq!(slept["outputs"], out);
    let asleep_layout = vec![
        ("1".to_owned(), vec![wake.clone()]),
        ("3".to_owned(), colors.clone()),
        ("4".to_owned(), colors.clone()),
    ];
    assert_eq!(layout(&elb, https).await, asleep_layout);
    let moved = rules(&elb, https).await[2].clone();
    assert_eq!(moved.rule_arn(), production.rule_arn());
    assert_eq!(moved.actions(), production.actions());
    assert_eq!(moved.conditions(), production.conditions());
    assert_eq!(
        edge("status", &asleep, &net, false, false)["status"],
        "READY"
    );
    assert_eq!(
        edge("create", &asleep, &net, false, false)["status"],
        "READY"
    );
    assert_eq!(layout(&elb, https).await, asleep_layout);

    // Waking: before the service the rule stays and the edge is READY; after it, no target is
    // healthy yet, so the edge waits.
    assert_eq!(
        edge("create", &awake, &net, false, false)["status"],
        "READY"
    );
    assert_eq!(layout(&elb, https).await, asleep_layout);
    assert_eq!(
        edge("create", &awake, &net, true, false)["status"],
        "IN_PROGRESS"
    );
    assert_eq!(layout(&elb, https).await, asleep_layout);
    // A task in blue (moto answers a registered IP target healthy): the rules come back.
    elb.register_targets()
        .target_group_arn(&blue)
        .targets(
            aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                .id("10.0.0.10")
                .port(8080)
                .build(),
        )
        .send()
        .await
        .expect("RegisterTargets");
    assert_eq!(edge("create", &awake, &net, true, false)["status"], "READY");
    assert_eq!(layout(&elb, https).await, awake_layout);

    // Asleep again, then woken where no task ever runs (the local runner's setting).
    ready(&asleep, &net);
    assert_eq!(layout(&elb, https).await, asleep_layout);
    assert_eq!(edge("create", &awake, &net, false, true)["status"], "READY");
    assert_eq!(layout(&elb, https).await, asleep_layout);
    assert_eq!(edge("create", &awake, &net, true, true)["status"], "READY");
    assert_eq!(layout(&elb, https).await, awake_layout);

    // The teardown takes the wake group with everything else.
    ready(&asleep, &net);
    for _ in 0..5 {
        if edge("delete", &asleep, &net, false, false)["status"] == "DELETED" {
            break;
        }
    }
    assert!(!group_exists(&elb, &name).await);
    assert!(!group_exists(&elb, &format!("tg-blue-{suffix}")).await);
    assert_eq!(
        edge("status", &asleep, &net, false, false)["status"],
        "DELETED"
    );
}
