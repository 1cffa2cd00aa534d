//! The cleanup function against moto, through its binary: three environments made of tagged
//! resources (a VPC and a secret each): one of ours past its expiry, one of ours not yet expired,
//! and one past its expiry but not ours. One run starts exactly one teardown, a second starts none.
//!
//! The moto server is shared by every test of this process, and other modules' environments carry
//! our tags too, so the assertions look at this test's environments and state machine only.

use aws_sdk_ec2::types::{ResourceType, Tag as Ec2Tag, TagSpecification};
use aws_sdk_secretsmanager::types::Tag as SecretTag;
use env_core::tags::{ENVIRONMENT, EXPIRES_AT, MANAGED_BY, MANAGER_NAME, PROJECT, PROJECT_NAME};
use integration_tests::emulator::emulator;
use integration_tests::functions::invoke;
use integration_tests::unique_suffix;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

/// Creates a VPC and a secret for `environment`, tagged with `tags`.
async fn environment(config: &aws_config::SdkConfig, environment: &str, tags: &[(&str, String)]) {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let spec = TagSpecification::builder()
        .resource_type(ResourceType::Vpc)
        .set_tags(Some(
            tags.iter()
                .map(|(key, value)| Ec2Tag::builder().key(*key).value(value).build())
                .collect(),
        ))
        .build();
    ec2.create_vpc()
        .cidr_block("10.40.0.0/16")
        .tag_specifications(spec)
        .send()
        .await
        .expect("moto creates the VPC");
    aws_sdk_secretsmanager::Client::new(config)
        .create_secret()
        .name(format!("cleanup-test/{environment}"))
        .secret_string("unused")
        .set_tags(Some(
            tags.iter()
                .map(|(key, value)| SecretTag::builder().key(*key).value(value).build())
                .collect(),
        ))
        .send()
        .await
        .expect("moto creates the secret");
}

fn tags(environment: &str, project: &str, expiry: SystemTime) -> Vec<(&'static str, String)> {
    vec![
        (ENVIRONMENT, environment.to_owned()),
        (PROJECT, project.to_owned()),
        (MANAGED_BY, MANAGER_NAME.to_owned()),
        // As env_core::tags writes it: RFC 3339, UTC, seconds.
        (
            EXPIRES_AT,
            humantime::format_rfc3339_seconds(expiry).to_string(),
        ),
    ]
}

fn environments_in(report: &Value, section: &str, ours: &[&str]) -> Vec<String> {
    report[section]
        .as_array()
        .unwrap_or_else(|| panic!("{section} is a list: {report}"))
        .iter()
        .filter_map(|entry| entry["environment"].as_str())
        .filter(|environment| ours.contains(environment))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn one_run_starts_exactly_the_expired_teardown_and_a_second_run_none() {
    let emulator = emulator();
    let config = emulator.sdk_config().await;
    let (expired, fresh, foreign) = (unique_suffix(), unique_suffix(), unique_suffix());
    let (expired, fresh, foreign) = (expired.as_str(), fresh.as_str(), foreign.as_str());
    let now = SystemTime::now();
    let hour = Duration::from_secs(3600);
    environment(
        &config,
        expired,
        &tags(expired, PROJECT_NAME, now - 2 * hour),
    )
    .await;
    environment(&config, fresh, &tags(fresh, PROJECT_NAME, now + 48 * hour)).await;
    environment(
        &config,
        foreign,
        &tags(foreign, "another-project", now - 2 * hour),
    )
    .await;

    // A stand-in teardown state machine (the function only starts it).
    let sfn = aws_sdk_sfn::Client::new(&config);
    let definition = json!({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}});
    let state_machine = sfn
        .create_state_machine()
        .name(format!("teardown-{expired}"))
        .definition(definition.to_string())
        .role_arn("arn:aws:iam::123456789012:role/teardown")
        .send()
        .await
        .expect("moto creates the state machine")
        .state_machine_arn()
        .to_owned();
    let mut env = emulator.env();
    env.push(("TEARDOWN_STATE_MACHINE_ARN", state_machine.clone()));
    let ours = [expired, fresh, foreign];

    let first = invoke("cleanup", &json!({}), &env);
    assert!(first.success, "{} {}", first.body, first.stderr);
    assert_eq!(environments_in(&first.body, "started", &ours), [expired]);
    assert_eq!(environments_in(&first.body, "notExpired", &ours), [fresh]);
    assert_eq!(
        environments_in(&first.body, "alreadyStarted", &ours),
        Vec::<String>::new()
    );
    assert_eq!(
        environments_in(&first.body, "skipped", &ours),
        Vec::<String>::new()
    );

    let executions = |sfn: aws_sdk_sfn::Client, arn: String| async move {
        sfn.list_executions()
            .state_machine_arn(arn)
            .send()
            .await
            .expect("moto lists executions")
            .executions()
            .to_vec()
    };
    let started = executions(sfn.clone(), state_machine.clone()).await;
    assert_eq!(started.len(), 1);
    let name = started[0].name();
    assert!(
        name.starts_with(&format!("cleanup-{expired}-")) && name.ends_with('Z') && name.len() <= 80,
        "{name}"
    );
    let described = sfn
        .describe_execution()
        .execution_arn(started[0].execution_arn())
        .send()
        .await
        .expect("moto describes the execution");
    let input: Value =
        serde_json::from_str(described.input().unwrap_or_default()).expect("the input is JSON");
    assert_eq!(input["spec"]["environmentSuffix"], expired);
    assert_eq!(input["spec"]["forceDestroy"], false);

    // moto, like Step Functions, answers a StartExecution with the name and input of a running
    // execution with that execution (and ExecutionAlreadyExists once it ended or the input
    // differs); its executions stay RUNNING, so the second run must not count that as a start.
    let second = invoke("cleanup", &json!({}), &env);
    assert!(second.success, "{} {}", second.body, second.stderr);
    assert_eq!(
        environments_in(&second.body, "started", &ours),
        Vec::<String>::new()
    );
    assert_eq!(
        environments_in(&second.body, "alreadyStarted", &ours),
        [expired]
    );
    let repeated = second.body["alreadyStarted"]
        .as_array()
        .and_then(|entries| entries.iter().find(|entry| entry["environment"] == expired))
        .expect("the expired environment is reported");
    assert_eq!(repeated["execution"], name);
    assert_eq!(repeated["status"], "RUNNING");
    assert_eq!(executions(sfn, state_machine).await.len(), 1);
}

#[tokio::test]
async fn without_its_state_machine_setting_the_function_is_misconfigured() {
    let result = invoke("cleanup", &json!({}), &emulator().env());
    assert!(!result.success);
    assert_eq!(result.exit_code, Some(1));
    assert_eq!(result.body["errorType"], "Misconfigured");
    assert_eq!(
        result.body["errorMessage"],
        "TEARDOWN_STATE_MACHINE_ARN is (not set): it must be a Step Functions state machine ARN, arn:<partition>:states:<region>:<account>:stateMachine:<name>"
    );
}

/// A stand-in state machine named `name` (the function only starts and lists its executions).
async fn state_machine(sfn: &aws_sdk_sfn::Client, name: &str) -> String {
    let definition = json!({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}});
    sfn.create_state_machine()
        .name(name)
        .definition(definition.to_string())
        .role_arn("arn:aws:iam::123456789012:role/stand-in")
        .send()
        .await
        .expect("moto creates the state machine")
        .state_machine_arn()
        .to_owned()
}

/// (name, input) of every execution of the state machine.
async fn executions_of(sfn: &aws_sdk_sfn::Client, arn: &str) -> Vec<(String, Value)> {
    let listed = sfn
        .list_executions()
        .state_machine_arn(arn)
        .send()
        .await
        .expect("moto lists executions");
    let mut executions = Vec::new();
    for execution in listed.executions() {
        let described = sfn
            .describe_execution()
            .execution_arn(execution.execution_arn())
            .send()
            .await
            .expect("moto describes the execution");
        let input = serde_json::from_str(described.input().unwrap_or("null")).expect("JSON");
        executions.push((execution.name().to_owned(), input));
    }
    executions.sort_by(|a, b| a.0.cmp(&b.0));
    executions
}

#[tokio::test]
async fn the_pool_is_retired_through_the_claim_lock_and_refilled_to_its_size() {
    // An emulator of its own: on the shared one, the other test's cleanup (no pool) would tear
    // this expired pool environment down, and this one would act on the other's.
    let emulator = integration_tests::emulator::Emulator::own();
    let config = emulator.sdk_config().await;
    let sfn = aws_sdk_sfn::Client::new(&config);
    let run = unique_suffix();
    let old = format!("pool-{run}");
    let expired = SystemTime::now() - Duration::from_secs(3600);
    environment(&config, &old, &tags(&old, PROJECT_NAME, expired)).await;
    let teardown = state_machine(&sfn, &format!("teardown-{run}")).await;
    let provision = state_machine(&sfn, &format!("provision-{run}")).await;
    let claim = state_machine(&sfn, &format!("claim-{run}")).await;
    let pool_spec = json!({
        "containerImage": "public.ecr.aws/acme/catalog-api:main",
        "selfSignedCertificate": true,
        "natGateways": "single",
        "ttlHours": 168,
        "forceDestroy": true
    });
    let mut provisioned = pool_spec.clone();
    provisioned["environmentSuffix"] = json!(old);
    provisioned["standby"] = json!(true);
    sfn.start_execution()
        .state_machine_arn(&provision)
        .name(format!("{old}--refill"))
        .input(json!({"spec": provisioned}).to_string())
        .send()
        .await
        .expect("moto starts the pool provision");
    let mut env = emulator.env();
    env.push(("TEARDOWN_STATE_MACHINE_ARN", teardown.clone()));
    env.push(("PROVISION_STATE_MACHINE_ARN", provision.clone()));
    env.push(("CLAIM_STATE_MACHINE_ARN", claim.clone()));
    env.push(("POOL_SIZE", "2".to_owned()));
    env.push(("POOL_SPEC", pool_spec.to_string()));
    let ours = [old.as_str()];

    let first = invoke("cleanup", &json!({}), &env);
    assert!(first.success, "{} {}", first.body, first.stderr);
    assert_eq!(
        environments_in(&first.body, "retired", &ours),
        std::slice::from_ref(&old)
    );
    assert_eq!(
        environments_in(&first.body, "started", &ours),
        Vec::<String>::new()
    );
    let claims = executions_of(&sfn, &claim).await;
    let retirement = claims
        .iter()
        .find(|(name, _)| *name == format!("claim-{old}"))
        .expect("the retirement holds the claim's name");
    assert_eq!(retirement.1, json!({"retire": true, "spec": provisioned}));
    assert!(executions_of(&sfn, &teardown).await.is_empty());
    // The retired one does not count: two new environments on standby.
    let refilled = first.body["refilled"].as_array().expect("a list").clone();
    assert_eq!(refilled.len(), 2, "{}", first.body);
    let provisions = executions_of(&sfn, &provision).await;
    assert_eq!(provisions.len(), 3);
    for entry in &refilled {
        let suffix = entry["environment"].as_str().expect("a suffix");
        assert!(
            suffix.starts_with("pool-") && suffix.len() == 13,
            "{suffix}"
        );
        let (_, input) = provisions
            .iter()
            .find(|(name, _)| *name == format!("{suffix}--refill"))
            .expect("started on the provision machine");
        assert_eq!(input["spec"]["environmentSuffix"], suffix);
        assert_eq!(input["spec"]["standby"], true);
        assert_eq!(input["spec"]["ttlHours"], 168);
    }

    // Again: the retirement is found, and the two provisions (RUNNING in moto) fill the pool.
    let second = invoke("cleanup", &json!({}), &env);
    assert!(second.success, "{} {}", second.body, second.stderr);
    assert_eq!(
        environments_in(&second.body, "alreadyStarted", &ours),
        std::slice::from_ref(&old)
    );
    assert_eq!(
        environments_in(&second.body, "retired", &ours),
        Vec::<String>::new()
    );
    assert_eq!(second.body["refilled"], json!([]));
    assert_eq!(executions_of(&sfn, &provision).await.len(), 3);
    assert_eq!(executions_of(&sfn, &claim).await.len(), 1);
}

#[tokio::test]
async fn a_pool_that_cannot_be_read_is_reported_and_ordinary_teardowns_still_start() {
    // An emulator of its own, as above: the claim machine here does not exist, so ListExecutions
    // on it fails as it would for a role without the right.
    let emulator = integration_tests::emulator::Emulator::own();
    let config = emulator.sdk_config().await;
    let sfn = aws_sdk_sfn::Client::new(&config);
    let run = unique_suffix().to_string();
    let pool = format!("pool-{run}");
    let expired = SystemTime::now() - Duration::from_secs(3600);
    environment(&config, &run, &tags(&run, PROJECT_NAME, expired)).await;
    environment(&config, &pool, &tags(&pool, PROJECT_NAME, expired)).await;
    let teardown = state_machine(&sfn, &format!("teardown-{run}")).await;
    let provision = state_machine(&sfn, &format!("provision-{run}")).await;
    let missing = provision.replace(":provision-", ":claim-missing-");
    let mut env = emulator.env();
    env.push(("TEARDOWN_STATE_MACHINE_ARN", teardown.clone()));
    env.push(("PROVISION_STATE_MACHINE_ARN", provision.clone()));
    env.push(("CLAIM_STATE_MACHINE_ARN", missing));
    env.push(("POOL_SIZE", "1".to_owned()));
    env.push((
        "POOL_SPEC",
        json!({
            "containerImage": "public.ecr.aws/acme/catalog-api:main",
            "selfSignedCertificate": true,
            "ttlHours": 168,
            "forceDestroy": true
        })
        .to_string(),
    ));
    let ours = [run.as_str(), pool.as_str()];

    let result = invoke("cleanup", &json!({}), &env);
    assert!(result.success, "{} {}", result.body, result.stderr);
    let message = result.body["poolError"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("ListExecutions failed"),
        "{}",
        result.body
    );
    assert_eq!(
        environments_in(&result.body, "started", &ours),
        std::slice::from_ref(&run)
    );
    assert_eq!(environments_in(&result.body, "skipped", &ours), [pool]);
    assert_eq!(result.body["retired"], json!([]));
    assert_eq!(result.body["refilled"], json!([]));
    assert_eq!(executions_of(&sfn, &teardown).await.len(), 1);
    assert!(executions_of(&sfn, &provision).await.is_empty());
}

#[tokio::test]
async fn a_pool_size_without_the_claim_machine_is_misconfigured() {
    let mut env = emulator().env();
    env.push((
        "TEARDOWN_STATE_MACHINE_ARN",
        "arn:aws:states:us-west-2:123456789012:stateMachine:teardown".to_owned(),
    ));
    env.push(("POOL_SIZE", "2".to_owned()));
    let result = invoke("cleanup", &json!({}), &env);
    assert!(!result.success);
    assert_eq!(result.body["errorType"], "Misconfigured");
    let message = result.body["errorMessage"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(
            "CLAIM_STATE_MACHINE_ARN is (not set): it must be a Step Functions state machine ARN"
        ),
        "{message}"
    );
}

/// Tells the emulator how an execution moto recorded ended (tools/emulator/executions.py,
/// `POST /_emulator/execution-outcome`), as `envctl local` does once it ran one.
fn record_success(endpoint: &str, execution_arn: &str) {
    use std::io::{Read, Write};
    let address = endpoint.trim_start_matches("http://");
    let body = json!({"executionArn": execution_arn, "status": "SUCCEEDED"}).to_string();
    let mut stream = std::net::TcpStream::connect(address).expect("the emulator listens");
    let request = format!(
        "POST /_emulator/execution-outcome HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .expect("the request is sent");
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("the emulator answers");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// An application load balancer of `environment` in two new subnets of a new VPC, with our tags:
/// its `LoadBalancer` metric dimension (`app/<name>/<id>`).
async fn load_balancer(config: &aws_config::SdkConfig, environment: &str) -> String {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let vpc = ec2
        .create_vpc()
        .cidr_block("10.41.0.0/16")
        .send()
        .await
        .expect("moto creates the VPC");
    let vpc = vpc.vpc().and_then(|vpc| vpc.vpc_id()).expect("a VPC id");
    let mut subnets = Vec::new();
    for (zone, cidr) in [
        ("us-west-2a", "10.41.0.0/24"),
        ("us-west-2b", "10.41.1.0/24"),
    ] {
        let subnet = ec2
            .create_subnet()
            .vpc_id(vpc)
            .availability_zone(zone)
            .cidr_block(cidr)
            .send()
            .await
            .expect("moto creates the subnet");
        subnets.push(
            subnet
                .subnet()
                .and_then(|subnet| subnet.subnet_id())
                .expect("a subnet id")
                .to_owned(),
        );
    }
    let expiry = SystemTime::now() + Duration::from_secs(48 * 3600);
    let tags = tags(environment, PROJECT_NAME, expiry)
        .into_iter()
        .map(|(key, value)| {
            aws_sdk_elasticloadbalancingv2::types::Tag::builder()
                .key(key)
                .value(value)
                .build()
        })
        .collect();
    let created = aws_sdk_elasticloadbalancingv2::Client::new(config)
        .create_load_balancer()
        .name(format!("alb-{environment}"))
        .set_subnets(Some(subnets))
        .set_tags(Some(tags))
        .send()
        .await
        .expect("moto creates the load balancer");
    let arn = created
        .load_balancers()
        .first()
        .and_then(|balancer| balancer.load_balancer_arn())
        .expect("a load balancer ARN");
    let (_, dimension) = arn.split_once(":loadbalancer/").expect("an ELB ARN");
    dimension.to_owned()
}

/// Two environments asking to sleep after 15 idle minutes, each with a load balancer and a
/// provision that succeeded moments ago: one had requests (put into the emulator's CloudWatch),
/// the other none. Neither sleeps: the first for its requests, the second because it has not been
/// awake for 15 minutes (the emulator ends an execution when told, so no provision here ended 15
/// minutes ago; the unit tests put environments to sleep). Everything the sleep reads is read
/// through the real SDK: the tagged load balancers, the three machines' executions with their end,
/// the provision's input, and GetMetricData through the CloudWatch protocol proxy.
#[tokio::test]
async fn idle_environments_are_read_through_every_call_the_sleep_makes() {
    let emulator = integration_tests::emulator::Emulator::own();
    let config = emulator.sdk_config().await;
    let sfn = aws_sdk_sfn::Client::new(&config);
    let (busy, quiet) = (unique_suffix().to_string(), unique_suffix().to_string());
    let busy_balancer = load_balancer(&config, &busy).await;
    let quiet_balancer = load_balancer(&config, &quiet).await;
    let teardown = state_machine(&sfn, &format!("teardown-{busy}")).await;
    let provision = state_machine(&sfn, &format!("provision-{busy}")).await;
    let claim = state_machine(&sfn, &format!("claim-{busy}")).await;
    for environment in [&busy, &quiet] {
        let spec = json!({
            "environmentSuffix": environment,
            "containerImage": "public.ecr.aws/acme/catalog-api:main",
            "selfSignedCertificate": true,
            "sleepAfterIdleMinutes": 15
        });
        let started = sfn
            .start_execution()
            .state_machine_arn(&provision)
            .name(format!("{environment}--up"))
            .input(json!({"spec": spec}).to_string())
            .send()
            .await
            .expect("moto starts the provision");
        record_success(emulator.endpoint(), started.execution_arn());
    }
    let cloudwatch = emulator.cloudwatch().await;
    let minute_ago = SystemTime::now() - Duration::from_secs(120);
    cloudwatch
        .put_metric_data()
        .namespace("AWS/ApplicationELB")
        .metric_data(
            aws_sdk_cloudwatch::types::MetricDatum::builder()
                .metric_name("RequestCount")
                .dimensions(
                    aws_sdk_cloudwatch::types::Dimension::builder()
                        .name("LoadBalancer")
                        .value(&busy_balancer)
                        .build(),
                )
                .timestamp(aws_smithy_types::DateTime::from(minute_ago))
                .value(3.0)
                .build(),
        )
        .send()
        .await
        .expect("moto takes the request count");
    let mut env = emulator.env();
    env.push(("TEARDOWN_STATE_MACHINE_ARN", teardown.clone()));
    env.push(("PROVISION_STATE_MACHINE_ARN", provision.clone()));
    env.push(("CLAIM_STATE_MACHINE_ARN", claim));

    for _ in 0..2 {
        let result = invoke("cleanup", &json!({}), &env);
        assert!(result.success, "{} {}", result.body, result.stderr);
        assert_eq!(result.body["slept"], json!([]), "{}", result.body);
        let reason = |environment: &str| {
            result.body["notSlept"]
                .as_array()
                .and_then(|entries| {
                    entries
                        .iter()
                        .find(|entry| entry["environment"] == environment)
                })
                .and_then(|entry| entry["reason"].as_str())
                .unwrap_or_else(|| panic!("{environment} is reported: {}", result.body))
                .to_owned()
        };
        assert_eq!(
            reason(&busy),
            format!("3 request(s) to {busy_balancer} in the last 15 minutes")
        );
        let quiet_reason = reason(&quiet);
        assert!(
            quiet_reason.starts_with("awake only since ")
                && quiet_reason.ends_with(&format!(
                    "({quiet}--up ended): less than its 15 idle minutes"
                )),
            "{quiet_reason} ({quiet_balancer})"
        );
    }
    assert_eq!(executions_of(&sfn, &provision).await.len(), 2);
    assert!(executions_of(&sfn, &teardown).await.is_empty());
}
