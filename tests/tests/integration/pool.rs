//! The warm pool end to end in the emulator (docs/warm-pool-design.md §6): `envctl local` fills a
//! pool of two, three pull requests come up at once, two of them claim a pool environment each (the
//! claim execution's name is the lock, tools/emulator/executions.py makes moto's check atomic) and
//! the third provisions its own; none gets an environment another holds, and all tear down to
//! nothing.

use env_core::spec::EnvironmentSuffix;
use integration_tests::emulator::{emulator, Emulator};
use integration_tests::functions::run;
use integration_tests::leftovers::leftovers_in;
use integration_tests::local::local_in_dir;
use integration_tests::scratch::ScratchDir;
use serde_json::Value;
use std::collections::BTreeSet;

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// The executions of the state machine `machine` in the emulator: (name, status, input).
async fn executions(emulator: &Emulator, machine: &str) -> Vec<(String, String, Value)> {
    let sfn = aws_sdk_sfn::Client::new(&emulator.sdk_config().await);
    let arn = format!("arn:aws:states:us-west-2:123456789012:stateMachine:{machine}");
    let listed = sfn
        .list_executions()
        .state_machine_arn(&arn)
        .send()
        .await
        .expect("ListExecutions answers");
    let mut found = Vec::new();
    for execution in listed.executions() {
        let described = sfn
            .describe_execution()
            .execution_arn(execution.execution_arn())
            .send()
            .await
            .expect("DescribeExecution answers");
        let input = json(described.input().unwrap_or("{}"));
        found.push((
            execution.name().to_owned(),
            described.status().as_str().to_owned(),
            input,
        ));
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// The pull request the VPC of environment `suffix` is tagged with.
async fn vpc_pull_request(emulator: &Emulator, suffix: &str) -> Option<String> {
    use aws_sdk_ec2::types::Filter;
    let ec2 = aws_sdk_ec2::Client::new(&emulator.sdk_config().await);
    let filter = Filter::builder()
        .name(format!("tag:{}", env_core::tags::ENVIRONMENT))
        .values(suffix)
        .build();
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter)
        .send()
        .await
        .expect("DescribeVpcs answers");
    let vpc = vpcs.vpcs().first()?;
    vpc.tags()
        .iter()
        .find(|tag| tag.key() == Some(env_core::tags::PULL_REQUEST))
        .and_then(|tag| tag.value().map(str::to_owned))
}

#[test]
fn a_pool_of_two_serves_two_of_three_concurrent_pull_requests() {
    // A moto of its own, without PostgreSQL: three Aurora clusters exist at once.
    let emulator = Emulator::own();
    // One work directory: one deploy, one backend read back, which every later command runs.
    let work = ScratchDir::new("envctl-it-pool");
    let local = |args: &[&str]| local_in_dir(&emulator, &work, args);
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");

    // The pool spec: the pull-request example without its pull request, expiring in a week.
    let pool_spec = work.join("pool.json");
    let spec = serde_json::json!({
        "ttlHours": 168, "forceDestroy": true, "natGateways": "single", "dbMinCapacity": 0,
        "cacheShards": 1, "cacheNodeType": "cache.t4g.micro",
        "containerImage": "public.ecr.aws/acme/catalog-api:sha-1f2e3d", "selfSignedCertificate": true,
    });
    std::fs::write(&pool_spec, spec.to_string()).expect("the pool spec is written");
    let pool_spec = pool_spec.to_str().expect("a UTF-8 path");

    let (code, _, err) = local(&["local", "deploy"]);
    assert_eq!(code, 0, "{err}");
    let fill = [
        "--json", "local", "pool", "fill", "--size", "2", "--spec", pool_spec,
    ];
    let (code, out, err) = local(&fill);
    assert_eq!(code, 0, "{err}");
    let pool: BTreeSet<String> = json(&out)["started"]
        .as_array()
        .expect("the suffixes started")
        .iter()
        .map(|suffix| suffix.as_str().expect("a suffix").to_owned())
        .collect();
    assert_eq!(pool.len(), 2, "{out}");
    assert!(
        pool.iter().all(|suffix| suffix.starts_with("pool-")),
        "{out}"
    );
    // Both provisions ran here and are recorded as Step Functions would record them: SUCCEEDED.
    let provisions = runtime.block_on(executions(&emulator, "provision"));
    assert_eq!(provisions.len(), 2, "{provisions:?}");
    for (name, status, input) in &provisions {
        assert_eq!(status, "SUCCEEDED", "{name}");
        assert_eq!(input["spec"]["standby"], true, "{name}");
    }
    // Filled already: a second fill starts nothing.
    let (code, out, err) = local(&fill[1..]);
    assert_eq!(
        (code, out.as_str()),
        (0, "0 pool environment(s) started: []\n"),
        "{err}"
    );

    let ups: Vec<(u32, i32, String, String)> = std::thread::scope(|scope| {
        let running: Vec<_> = [101_u32, 102, 103]
            .map(|pr| {
                scope.spawn(move || {
                    let number = pr.to_string();
                    let argv = ["--json", "local", "up", "--pr", &number, "--no-deploy"];
                    let (code, out, err) = local(&argv);
                    (pr, code, out, err)
                })
            })
            .into_iter()
            .collect();
        running
            .into_iter()
            .map(|handle| handle.join().expect("local up does not panic"))
            .collect()
    });
    let mut held = Vec::new();
    for (pr, code, out, err) in &ups {
        assert_eq!(*code, 0, "local up --pr {pr}: {err}");
        let body = json(out);
        let environment = body["environment"]
            .as_str()
            .expect("the environment")
            .to_owned();
        assert_eq!(body["status"], "SUCCEEDED", "{body}");
        assert!(body["outputs"].is_object(), "{body}");
        held.push((
            *pr,
            environment,
            body["pool"].as_str().unwrap_or("").to_owned(),
        ));
    }
    let claimed: Vec<&(u32, String, String)> =
        held.iter().filter(|(_, _, how)| how == "claimed").collect();
    assert_eq!(claimed.len(), 2, "{held:?}");
    assert!(
        claimed.iter().all(|(_, suffix, _)| pool.contains(suffix)),
        "{held:?}"
    );
    let (provisioned_pr, provisioned, how) = held
        .iter()
        .find(|(_, _, how)| how != "claimed")
        .expect("the third pull request");
    assert_eq!(how, "provisioned");
    assert_eq!(provisioned, &format!("pr-{provisioned_pr}"));
    let distinct: BTreeSet<&String> = held.iter().map(|(_, suffix, _)| suffix).collect();
    assert_eq!(
        distinct.len(),
        3,
        "no environment is handed out twice: {held:?}"
    );

    // The claim executions are the record: one per pool environment, each the pull request's.
    let claims = runtime.block_on(executions(&emulator, "claim"));
    let expected: Vec<(String, String, u64)> = {
        let mut by_name: Vec<_> = claimed
            .iter()
            .map(|(pr, suffix, _)| {
                (
                    format!("claim-{suffix}"),
                    "SUCCEEDED".to_owned(),
                    u64::from(*pr),
                )
            })
            .collect();
        by_name.sort();
        by_name
    };
    let recorded: Vec<(String, String, u64)> = claims
        .iter()
        .map(|(name, status, input)| {
            let pr = input["spec"]["pullRequest"]
                .as_u64()
                .expect("the claim's pull request");
            // standby is left out when false (env_core's spec).
            assert_eq!(input["spec"].get("standby"), None, "{input}");
            (name.clone(), status.clone(), pr)
        })
        .collect();
    assert_eq!(recorded, expected);
    for (pr, suffix, _) in &claimed {
        assert_eq!(
            runtime.block_on(vpc_pull_request(&emulator, suffix)),
            Some(pr.to_string()),
            "the VPC of {suffix} names its pull request"
        );
    }

    // The same pull request again: it holds its environment already, and gets no second one.
    let (pr, suffix, _) = claimed[0];
    let (code, out, err) = local(&[
        "--json",
        "local",
        "up",
        "--pr",
        &pr.to_string(),
        "--no-deploy",
    ]);
    assert_eq!(code, 0, "{err}");
    let again = json(&out);
    assert_eq!(
        (again["environment"].as_str(), again["pool"].as_str()),
        (Some(suffix.as_str()), Some("alreadyHeld")),
        "{again}"
    );
    assert_eq!(runtime.block_on(executions(&emulator, "claim")).len(), 2);

    for (pr, suffix, _) in &held {
        let (code, out, err) = local(&[
            "--json",
            "local",
            "down",
            "--pr",
            &pr.to_string(),
            "--no-deploy",
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(json(&out)["suffix"], suffix.as_str(), "{out}");
    }
    let config = runtime.block_on(emulator.sdk_config());
    for (_, suffix, _) in &held {
        let parsed = EnvironmentSuffix::parse(suffix).expect("a suffix");
        let left = runtime.block_on(leftovers_in(&config, &parsed));
        assert!(left.is_empty(), "{suffix} left {left:?}");
    }

    // The hourly cleanup with a pool of two: both pool environments were claimed, so it starts
    // two new ones, which run here.
    let cleanup = [
        "--json",
        "local",
        "cleanup",
        "--pool-size",
        "2",
        "--pool-spec",
        pool_spec,
    ];
    let (code, out, err) = local(&cleanup[1..]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("0 environment(s) torn down\n"), "{out}");
    let refills: Vec<(String, String, Value)> = runtime
        .block_on(executions(&emulator, "provision"))
        .into_iter()
        .filter(|(name, _, _)| name.ends_with("--refill"))
        .collect();
    assert_eq!(refills.len(), 2, "{refills:?}");
    for (name, status, input) in &refills {
        assert_eq!(status, "SUCCEEDED", "{name}");
        let suffix = input["spec"]["environmentSuffix"]
            .as_str()
            .expect("a suffix");
        assert!(
            suffix.starts_with("pool-") && !pool.contains(suffix),
            "{name}"
        );
        assert_eq!(input["spec"]["standby"], true, "{name}");
        assert!(out.contains(&format!("{suffix} ({name})")), "{out}");
    }
    assert!(
        out.contains("pool: retired [], provisioned [pool-"),
        "{out}"
    );
    // As `envctl pool status` reads Step Functions: the two new ones available, the claimed ones
    // gone with their teardowns.
    let argv = [
        "--endpoint-url",
        emulator.endpoint(),
        "--json",
        "pool",
        "status",
    ];
    let status = run("envctl", &argv, "", &emulator.env());
    let status = json(&String::from_utf8_lossy(&status.stdout));
    let states: Vec<(&str, &str)> = status["environments"]
        .as_array()
        .expect("the pool's environments")
        .iter()
        .map(|environment| {
            let suffix = environment["suffix"].as_str().expect("a suffix");
            (suffix, environment["state"].as_str().expect("a state"))
        })
        .collect();
    assert_eq!(states.len(), 2, "{status}");
    assert!(
        states
            .iter()
            .all(|(suffix, state)| !pool.contains(*suffix) && *state == "available"),
        "{status}"
    );
    // Full again: a second run starts none.
    let (code, out, err) = local(&cleanup);
    assert_eq!(code, 0, "{err}");
    let body = json(&out);
    assert_eq!(
        (&body["refilled"], &body["retired"], &body["tornDown"]),
        (&Value::from(0), &Value::from(0), &Value::from(0)),
        "{body}"
    );
}

#[test]
fn local_up_without_a_deployed_backend_refuses_to_run_without_deploying() {
    let work = ScratchDir::new("envctl-it-pool-undeployed");
    let (code, out, err) = local_in_dir(
        emulator(),
        &work,
        &["local", "up", "--pr", "7", "--no-deploy"],
    );
    assert_eq!((code, out.as_str()), (1, ""), "{err}");
    let manifest = work.join("deployed/manifest.json");
    let refusal = format!(
        "error: --no-deploy: no deployed backend was read back into {}: run `envctl local deploy` first\n",
        manifest.display()
    );
    assert!(err.ends_with(&refusal), "{err}");
    assert!(!err.contains("deployed into the emulator"), "{err}");
}
