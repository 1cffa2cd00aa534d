//! `envctl` as a user runs it: the binary of this build, against the moto emulator and through the
//! local workflow runner.

use integration_tests::deployed;
use integration_tests::emulator::{emulator, Emulator};
use integration_tests::functions::{binary, run, zip_of, PACKAGED};
use integration_tests::parliament::inline_policies;
use integration_tests::scratch::ScratchDir;
use integration_tests::{unique_suffix, workspace_root};
use serde_json::Value;
use std::path::PathBuf;

/// `envctl --endpoint-url <moto> <args>`: exit code, stdout, stderr.
fn envctl(args: &[&str]) -> (i32, String, String) {
    envctl_at(emulator(), args)
}

/// `envctl --endpoint-url <emulator> <args>`: its exit code, stdout and stderr.
fn envctl_at(emulator: &Emulator, args: &[&str]) -> (i32, String, String) {
    let mut argv = vec!["--endpoint-url", emulator.endpoint()];
    argv.extend_from_slice(args);
    outcome(run("envctl", &argv, "", &emulator.env()))
}

fn outcome(output: std::process::Output) -> (i32, String, String) {
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// A zip per function holding a stand-in `bootstrap`, as cargo-lambda lays packages out: moto
/// stores packages without running them.
fn packages() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("envctl-it-packages-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the test setup holds");
    for function in PACKAGED {
        let package = zip_of(&[("bootstrap", function.as_bytes())]);
        std::fs::write(dir.join(format!("{function}.zip")), package).expect("the test setup holds");
    }
    dir
}

/// The row `envctl env list` prints for the environment `suffix`.
fn listed_row(suffix: &str) -> Value {
    let (code, out, err) = envctl(&["--json", "env", "list"]);
    assert_eq!(code, 0, "{err}");
    let listed = json(&out);
    let row = listed
        .as_array()
        .expect("a list")
        .iter()
        .find(|row| row["suffix"] == suffix)
        .cloned();
    row.unwrap_or_else(|| panic!("{listed}"))
}

fn changes(body: &Value) -> Vec<(String, String)> {
    body["resources"]
        .as_array()
        .expect("a list of resources")
        .iter()
        .map(|r| {
            (
                format!(
                    "{} {}",
                    r["kind"].as_str().expect("the test setup holds"),
                    r["name"].as_str().expect("the test setup holds")
                ),
                r["change"]
                    .as_str()
                    .expect("the test setup holds")
                    .to_owned(),
            )
        })
        .collect()
}

/// Deploy, environments and undeploy share the backend's fixed names, so they run as one test.
#[test]
fn deploy_twice_then_drive_an_environment_then_undeploy() {
    let packages = packages();
    let packages = packages.to_str().unwrap();

    // First deploy: every resource created once.
    let (code, out, err) = envctl(&["--json", "deploy", "--packages", packages]);
    assert_eq!(code, 0, "{err}");
    let first = json(&out);
    let created = changes(&first);
    // Bucket, object, the roles' boundary, a role and a function per function, the waker's
    // permission for the load balancers, the states role, three state machines (provision,
    // teardown, claim), the scheduler role, the schedule.
    assert_eq!(
        created.len(),
        2 + 1 + 2 * 11 + 1 + 1 + 3 + 1 + 1,
        "{created:?}"
    );
    assert!(
        created.iter().all(|(_, change)| change == "created"),
        "{created:?}"
    );
    assert_eq!(first["changed"], created.len());
    assert!(err.contains("role catalog-fn-network: created\n"), "{err}");
    // What the functions need is in place: their settings, and the CA bundle in the rotation
    // package, which the rotation function's own TLS setup accepts.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let config = rt.block_on(emulator().sdk_config());
    assert_eq!(
        rt.block_on(deployed::problems(&config)),
        Vec::<String>::new()
    );

    // Second deploy: nothing changes.
    let (code, out, err) = envctl(&["deploy", "--packages", packages]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("\nno changes\n"), "{out}");
    assert_eq!(
        out.matches(": no changes\n").count(),
        created.len(),
        "{out}"
    );

    drift_then_deploy_for_arm64(&rt, packages);

    // Each role lists its function's actions only.
    let iam = rt.block_on(async { aws_sdk_iam::Client::new(&emulator().sdk_config().await) });
    let policy = |role: &str| -> Value {
        let answer = rt
            .block_on(
                iam.get_role_policy()
                    .role_name(role)
                    .policy_name(role)
                    .send(),
            )
            .unwrap();
        // IAM answers URL-encoded documents (IAM API reference, GetRolePolicy).
        let mut text = answer.policy_document().to_owned();
        while let Some(at) = text.find('%') {
            let byte = u8::from_str_radix(&text[at + 1..at + 3], 16).unwrap();
            text.replace_range(at..at + 3, &char::from(byte).to_string());
        }
        serde_json::from_str(&text).unwrap()
    };
    let network = policy("catalog-fn-network");
    let actions = network["Statement"][1]["Action"].as_array().unwrap();
    assert!(actions.contains(&Value::from("ec2:CreateVpc")));
    assert!(!actions
        .iter()
        .any(|a| a.as_str().unwrap().starts_with("rds:")));
    // parliament and cloudsplaining judge every backend role in the IAM proof (permissions.rs).
    let backend = rt.block_on(inline_policies(|role| role.starts_with("catalog-")));
    // The functions' roles (the waker's and the guard's included) and the states and scheduler
    // roles.
    assert_eq!(backend.len(), 13, "{backend:#?}");
    let cache = policy("catalog-fn-cache");
    let cache_actions: Vec<Value> = cache["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|statement| statement["Action"].as_array().unwrap().clone())
        .collect();
    // Its cluster, its secret, its slow-log group and delivery, its service-linked role, the
    // rotation function its secret rotates with, and the VPC endpoint ElastiCache makes for a
    // serverless cache with the caller's permissions: no other service (its uses of the key are
    // the key policy's to grant).
    let services: std::collections::BTreeSet<&str> = cache_actions
        .iter()
        .map(|a| a.as_str().unwrap().split(':').next().unwrap())
        .collect();
    assert_eq!(
        services,
        [
            "ec2",
            "elasticache",
            "iam",
            "lambda",
            "logs",
            "secretsmanager"
        ]
        .into()
    );
    assert!(cache_actions.contains(&Value::from("logs:CreateLogDelivery")));
    assert_eq!(
        policy("catalog-fn-validate")["Statement"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let states = policy("catalog-environments-states");
    assert_eq!(states["Statement"][0]["Action"][0], "lambda:InvokeFunction");

    // env up: the spec is validated, the provision started under a deterministic name.
    let suffix = unique_suffix().to_string();
    let (code, out, err) = envctl(&[
        "--json",
        "env",
        "up",
        "--suffix",
        &suffix,
        "--pr",
        "42",
        "--ttl",
        "72h",
        "--no-wait",
    ]);
    assert_eq!(code, 0, "{err}");
    let started = json(&out);
    let name = started["name"].as_str().unwrap().to_owned();
    assert!(name.starts_with(&format!("{suffix}--")), "{name}");
    assert!(name.len() <= 71);
    assert_eq!(started["status"], "RUNNING");
    assert_eq!(
        started["input"]["spec"]["environmentSuffix"],
        suffix.as_str()
    );
    assert_eq!(started["input"]["spec"]["pullRequest"], 42);
    assert_eq!(started["input"]["spec"]["ttlHours"], 72);
    assert!(started["arn"]
        .as_str()
        .unwrap()
        .ends_with(&format!(":execution:provision:{name}")));

    // The same trigger again is the same execution.
    let (code, out, _) = envctl(&[
        "--json",
        "env",
        "up",
        "--suffix",
        &suffix,
        "--pr",
        "42",
        "--ttl",
        "72h",
        "--no-wait",
    ]);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["name"], name.as_str());

    // moto records executions but does not run them: following one times out.
    let (code, _, err) = envctl(&[
        "env",
        "up",
        "--suffix",
        &suffix,
        "--pr",
        "42",
        "--ttl",
        "72h",
        "--timeout",
        "0s",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("is still RUNNING after 0s"), "{err}");

    let (code, out, err) = envctl(&["--json", "env", "status", "--suffix", &suffix]);
    assert_eq!(code, 0, "{err}");
    let status = json(&out);
    assert_eq!(status["workflow"], "provision");
    assert_eq!(status["execution"]["name"], name.as_str());
    assert_eq!(status["execution"]["status"], "RUNNING");

    // An environment exists (its VPC carries the tag): undeploy refuses.
    let ec2 = rt.block_on(async { aws_sdk_ec2::Client::new(&emulator().sdk_config().await) });
    let vpc = rt
        .block_on(
            ec2.create_vpc()
                .cidr_block("10.9.0.0/16")
                .tag_specifications(
                    aws_sdk_ec2::types::TagSpecification::builder()
                        .resource_type(aws_sdk_ec2::types::ResourceType::Vpc)
                        .tags(
                            aws_sdk_ec2::types::Tag::builder()
                                .key("catalog:environment")
                                .value(&suffix)
                                .build(),
                        )
                        .tags(
                            aws_sdk_ec2::types::Tag::builder()
                                .key("catalog:expires-at")
                                .value("2030-01-01T00:00:00Z")
                                .build(),
                        )
                        // The project's tags, which every resource of an environment carries and
                        // the expiry `env comment` reads is found by (as the cleanup finds it).
                        .tags(
                            aws_sdk_ec2::types::Tag::builder()
                                .key("catalog:project")
                                .value("catalog-api")
                                .build(),
                        )
                        .tags(
                            aws_sdk_ec2::types::Tag::builder()
                                .key("catalog:managed-by")
                                .value("catalog-environments")
                                .build(),
                        )
                        .build(),
                )
                .send(),
        )
        .unwrap();
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap().to_owned();
    let mine = listed_row(&suffix);
    assert_eq!(mine["expiresAt"], "2030-01-01T00:00:00Z");
    assert_eq!(mine["state"], "RUNNING");

    // `env extend` moves the expiry on the VPC (CreateTags); `env list` and `env comment` read it back.
    let (code, out, err) = envctl(&[
        "--json", "env", "extend", "--suffix", &suffix, "--ttl", "48h",
    ]);
    assert_eq!(code, 0, "{err}");
    let expires_at = json(&out)["expiresAt"]
        .as_str()
        .expect("the new expiry")
        .to_owned();
    assert_ne!(expires_at, "2030-01-01T00:00:00Z");
    let mine = listed_row(&suffix);
    assert_eq!(mine["expiresAt"], expires_at.as_str());
    let (code, out, err) = envctl(&["env", "comment", "--suffix", &suffix]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains(&format!("`{suffix}`: provisioning**")),
        "{out}"
    );
    assert!(
        out.contains(&format!("| Expires | {expires_at} (in ")),
        "{out}"
    );
    let (code, _, err) = envctl(&["env", "extend", "--pr", "999999", "--ttl", "1h"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no environment pr-999999: no VPC carries the tag"),
        "{err}"
    );
    // A closed execution under the same name (StartExecution: ExecutionAlreadyExists): the trigger
    // follows it and reports how it ended.
    let sfn = rt.block_on(async { aws_sdk_sfn::Client::new(&emulator().sdk_config().await) });
    let arn = started["arn"].as_str().expect("the execution's ARN");
    rt.block_on(sfn.stop_execution().execution_arn(arn).send())
        .expect("the execution stops");
    let (code, out, err) = envctl(&[
        "--json",
        "env",
        "up",
        "--suffix",
        &suffix,
        "--pr",
        "42",
        "--ttl",
        "72h",
        "--no-wait",
    ]);
    assert_eq!(code, 1, "{out}");
    assert!(
        err.contains(&format!("provision {name}: ABORTED\n")),
        "{err}"
    );
    assert!(err.contains(&format!("error: {name} ABORTED")), "{err}");

    let (code, out, err) = envctl(&["undeploy"]);
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("environment(s) still exist"), "{err}");
    assert!(err.contains(&suffix), "{err}");

    // Other tests' environments may exist in this emulator too: force, then check it all went.
    rt.block_on(ec2.delete_vpc().vpc_id(&vpc_id).send())
        .unwrap();
    let (code, out, err) = envctl(&["--json", "undeploy", "--force"]);
    assert_eq!(code, 0, "{err}");
    let removed = changes(&json(&out));
    // The schedule, three state machines, 11 functions, 13 roles, the boundary, the bucket.
    assert_eq!(removed.len(), 1 + 3 + 11 + 13 + 1 + 1, "{removed:?}");
    assert!(
        removed.iter().all(|(_, change)| change == "deleted"),
        "{removed:?}"
    );
    let gone = rt.block_on(iam.get_role().role_name("catalog-fn-network").send());
    assert!(gone.is_err());
    let (code, out, _) = envctl(&["--json", "undeploy", "--force"]);
    assert_eq!(code, 0);
    assert!(changes(&json(&out))
        .iter()
        .all(|(_, change)| change == "absent"));
}

/// Drift in a role, a function and a state machine, then a deploy for arm64: every drifted resource is put back and
/// every function's code is replaced for the new architecture.
fn drift_then_deploy_for_arm64(rt: &tokio::runtime::Runtime, packages: &str) {
    let config = rt.block_on(emulator().sdk_config());
    let iam = aws_sdk_iam::Client::new(&config);
    let lambda = aws_sdk_lambda::Client::new(&config);
    let sfn = aws_sdk_sfn::Client::new(&config);
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole"
        }]
    });
    rt.block_on(
        iam.update_assume_role_policy()
            .role_name("catalog-fn-cache")
            .policy_document(trust.to_string())
            .send(),
    )
    .expect("the trust is replaced");
    // One hand edit of the roles' boundary: room for the deploy's own version without deleting any.
    rt.block_on(
        iam.create_policy_version()
            .policy_arn(format!(
                "arn:aws:iam::123456789012:policy/{}",
                env_core::iam::ROLE_BOUNDARY_POLICY
            ))
            .policy_document(
                serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Action": "s3:ListAllMyBuckets", "Resource": "*"}]})
                .to_string(),
            )
            .set_as_default(true)
            .send(),
    )
    .expect("the boundary is edited");
    rt.block_on(
        lambda
            .update_function_configuration()
            .function_name("network")
            .environment(
                aws_sdk_lambda::types::Environment::builder()
                    .variables("DRIFTED", "yes")
                    .build(),
            )
            .send(),
    )
    .expect("the configuration is replaced");
    let machines = rt
        .block_on(sfn.list_state_machines().send())
        .expect("the state machines are listed");
    let provision = machines
        .state_machines()
        .iter()
        .find(|machine| machine.name() == "provision")
        .expect("the provision state machine")
        .state_machine_arn()
        .to_owned();
    let pass = r#"{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}"#;
    rt.block_on(
        sfn.update_state_machine()
            .state_machine_arn(&provision)
            .definition(pass)
            .send(),
    )
    .expect("the definition is replaced");

    // The cleanup schedule, hand-changed to run daily.
    let scheduler = aws_sdk_scheduler::Client::new(&config);
    let schedule = rt
        .block_on(
            scheduler
                .get_schedule()
                .name("catalog-environments-cleanup")
                .send(),
        )
        .expect("the schedule exists");
    rt.block_on(
        scheduler
            .update_schedule()
            .name("catalog-environments-cleanup")
            .schedule_expression("rate(1 day)")
            .set_flexible_time_window(schedule.flexible_time_window().cloned())
            .set_target(schedule.target().cloned())
            .send(),
    )
    .expect("the schedule is changed");

    // The cleanup without the teardown it starts, the database pointing at a rotation package
    // without the CA bundle: the check of the deployed backend names both (and the network's
    // boundary, which its drifted configuration above lost).
    let database = rt
        .block_on(
            lambda
                .get_function_configuration()
                .function_name("database")
                .send(),
        )
        .expect("the database function");
    let mut variables = database
        .environment()
        .and_then(|environment| environment.variables())
        .cloned()
        .expect("its settings");
    let bucket = variables["ROTATION_CODE_BUCKET"].clone();
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    let deployed_sha256 = variables["ROTATION_CODE_SHA256"].clone();
    let without_bundle = zip_of(&[("bootstrap", b"rotation")]);
    rt.block_on(
        s3.put_object()
            .bucket(&bucket)
            .key("rotation/without-ca-bundle.zip")
            .body(without_bundle.clone().into())
            .send(),
    )
    .expect("the package is uploaded");
    variables.insert(
        "ROTATION_CODE_KEY".to_owned(),
        "rotation/without-ca-bundle.zip".to_owned(),
    );
    for (function, variables) in [
        ("database", variables),
        ("cleanup", std::collections::HashMap::new()),
    ] {
        rt.block_on(
            lambda
                .update_function_configuration()
                .function_name(function)
                .environment(
                    aws_sdk_lambda::types::Environment::builder()
                        .set_variables(Some(variables))
                        .build(),
                )
                .send(),
        )
        .expect("the configuration is replaced");
    }
    assert_eq!(
        rt.block_on(deployed::problems(&config)),
        [
            "cleanup: TEARDOWN_STATE_MACHINE_ARN is not set".to_owned(),
            "network: ROLE_PERMISSIONS_BOUNDARY is not set".to_owned(),
            // The hash is still the deployed package's.
            format!(
                "database: ROTATION_CODE_SHA256 is {:?}, the package's is {:?}",
                Some(&deployed_sha256),
                deployed::code_sha256(&without_bundle)
            ),
            format!("the rotation package s3://{bucket}/rotation/without-ca-bundle.zip: has no rds-ca-bundle.pem, which DB_CA_BUNDLE (/var/task/rds-ca-bundle.pem) names"),
        ]
    );

    let (code, out, err) = envctl(&["deploy", "--packages", packages, "--architecture", "arm64"]);
    assert_eq!(code, 0, "{err}");
    // Put back, for the build's architecture.
    assert_eq!(
        rt.block_on(deployed::problems(&config)),
        Vec::<String>::new()
    );
    let schedule = rt
        .block_on(
            scheduler
                .get_schedule()
                .name("catalog-environments-cleanup")
                .send(),
        )
        .expect("the schedule exists");
    assert_eq!(schedule.schedule_expression(), Some("rate(1 hour)"));
    for line in [
        "policy catalog-environments-role-boundary: updated",
        "role catalog-fn-cache: updated",
        "function network: updated",
        "function validate: updated",
        "state machine provision: updated",
    ] {
        assert!(out.contains(&format!("{line}\n")), "{line}: {out}");
    }
    let updated = out.matches(": updated\n").count();
    assert!(out.ends_with(&format!("\n{updated} change(s)\n")), "{out}");

    let role = rt
        .block_on(iam.get_role().role_name("catalog-fn-cache").send())
        .expect("the role exists");
    let document = role
        .role()
        .and_then(|role| role.assume_role_policy_document())
        .expect("a trust policy");
    assert!(document.contains("lambda.amazonaws.com"), "{document}");
    let network = rt
        .block_on(lambda.get_function().function_name("network").send())
        .expect("the function exists");
    let variables = network
        .configuration()
        .and_then(|c| c.environment())
        .and_then(|e| e.variables());
    assert!(
        !variables.is_some_and(|variables| variables.contains_key("DRIFTED")),
        "{variables:?}"
    );
    let definition = rt
        .block_on(
            sfn.describe_state_machine()
                .state_machine_arn(&provision)
                .send(),
        )
        .expect("the state machine exists");
    assert_ne!(definition.definition(), pass);
}

/// `deploy --build` runs `cargo lambda build` in the checkout, then deploys what it wrote.
#[test]
fn deploy_build_runs_cargo_lambda_in_the_checkout() {
    let root = std::env::temp_dir().join(format!("envctl-it-build-{}", std::process::id()));
    let bin = root.join("bin");
    for dir in [
        &bin,
        &root.join("statemachine"),
        &root.join("tools/workflow"),
    ] {
        std::fs::create_dir_all(dir).expect("the test setup holds");
    }
    std::fs::write(root.join("statemachine/placeholders.json"), "{}")
        .expect("the test setup holds");
    std::fs::write(root.join("tools/workflow/run.mjs"), "").expect("the test setup holds");
    // A stand-in cargo: it logs where and how it ran, and exits as the test says.
    let cargo = bin.join("cargo");
    std::fs::write(
        &cargo,
        "#!/bin/sh\necho \"$(pwd -P) $*\" >> \"$CARGO_LOG\"\nexit \"$CARGO_EXIT\"\n",
    )
    .expect("the test setup holds");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755))
        .expect("the test setup holds");
    let log = root.join("cargo.log");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").expect("a PATH")
    );
    let envctl_build = |exit: &str, architecture: &[&str]| {
        let output = std::process::Command::new(binary("envctl"))
            .args(["--endpoint-url", "http://127.0.0.1:9", "deploy", "--build"])
            .args(architecture)
            .current_dir(root.join("tools"))
            .env("PATH", &path)
            .env("CARGO_LOG", &log)
            .env("CARGO_EXIT", exit)
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_REGION", "us-west-2")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .output()
            .expect("envctl runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    let (code, err) = envctl_build("3", &["--architecture", "arm64"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("cargo lambda build failed (exit status: 3)"),
        "{err}"
    );

    // The build succeeds: the deploy goes on to AWS (here unreachable).
    let (code, err) = envctl_build("0", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("error: GetCallerIdentity: http://127.0.0.1:9 could not be reached"),
        "{err}"
    );

    let logged = std::fs::read_to_string(&log).expect("cargo ran");
    let root = root.canonicalize().expect("the checkout exists");
    let root = root.display();
    assert_eq!(
        logged,
        format!(
            "{root} lambda build --release --output-format zip --arm64\n\
             {root} lambda build --release --output-format zip --x86-64\n"
        )
    );
}

#[test]
fn a_command_that_cannot_reach_aws_exits_1_saying_so_in_one_line() {
    let output = run(
        "envctl",
        &["--endpoint-url", "http://127.0.0.1:9", "env", "list"],
        "",
        &[
            ("AWS_ACCESS_KEY_ID", "test".into()),
            ("AWS_SECRET_ACCESS_KEY", "test".into()),
            ("AWS_CONFIG_FILE", "/dev/null".into()),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        err,
        "error: GetCallerIdentity: http://127.0.0.1:9 could not be reached (connection failed): check the network, --endpoint-url and --region\n"
    );
}

/// `deploy --rds-ca-bundle FILE` reads the file and checks the region against it before any AWS
/// call: a file that cannot be read, or one without the region's RDS authority, stops the deploy
/// (AWS is unreachable here, so getting as far as GetCallerIdentity means the bundle was taken).
#[test]
fn deploy_reads_the_ca_bundle_given_and_checks_the_region_before_any_call() {
    let dir = std::env::temp_dir().join(format!("envctl-ca-bundle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("the test setup holds");
    let shipped = workspace_root().join("functions/rotation/rds-ca-bundle.pem");
    let bundle = dir.join("global-bundle.pem");
    std::fs::copy(&shipped, &bundle).expect("the test setup holds");
    let deploy = |bundle: &str, region: &str| {
        let output = run(
            "envctl",
            &[
                "--endpoint-url",
                "http://127.0.0.1:9",
                "--region",
                region,
                "deploy",
                "--packages",
                "/nonexistent",
                "--rds-ca-bundle",
                bundle,
            ],
            "",
            &[
                ("AWS_ACCESS_KEY_ID", "test".into()),
                ("AWS_SECRET_ACCESS_KEY", "test".into()),
                ("AWS_CONFIG_FILE", "/dev/null".into()),
            ],
        );
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    let (code, err) = deploy("/nonexistent/global-bundle.pem", "us-west-2");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with("error: --rds-ca-bundle /nonexistent/global-bundle.pem: cannot be read"),
        "{err}"
    );

    let path = bundle.to_str().expect("UTF-8");
    let (code, err) = deploy(path, "mx-central-1");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with(&format!(
            "error: region \"mx-central-1\": {path} holds no Amazon RDS root CA for it (it covers af-south-1, "
        )),
        "{err}"
    );

    let (code, err) = deploy(path, "eu-west-1");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.starts_with("error: GetCallerIdentity: http://127.0.0.1:9 could not be reached"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).expect("the test cleans up");
}

/// Without any credentials: one line saying where the SDK looked and how to give it some.
#[test]
fn a_command_without_credentials_exits_1_saying_how_to_provide_them() {
    let output = std::process::Command::new(binary("envctl"))
        .args(["--endpoint-url", "http://127.0.0.1:9", "env", "list"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        // No instance metadata either, as on a laptop.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("envctl runs");
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.starts_with("error: GetCallerIdentity: no AWS credentials were found"),
        "{err}"
    );
    assert!(err.contains("--profile NAME"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// `envctl <args>` against `emulator`, with a work directory of the test's own (`name`): each local
/// command deploys the backend into the emulator first, so tests that run workflows each have a
/// moto of their own.
fn local_in(emulator: &Emulator, name: &str, args: &[&str]) -> (i32, String, String) {
    let work = ScratchDir::new(&format!("envctl-it-local-{name}"));
    integration_tests::local::local_in_dir(emulator, &work, args)
}

#[test]
fn local_up_with_an_invalid_spec_exits_1_before_anything_starts() {
    let spec = std::env::temp_dir().join(format!("envctl-it-bad-{}.json", std::process::id()));
    std::fs::write(&spec, r#"{"containerImage": "nginx", "minTasks": 0}"#).unwrap();
    let suffix = unique_suffix().to_string();
    let (code, out, err) = local_in(
        emulator(),
        "invalid",
        &[
            "local",
            "up",
            "--suffix",
            &suffix,
            "--spec",
            spec.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.starts_with("error: the spec is invalid:\n  minTasks"),
        "{err}"
    );
    assert!(!err.contains("provision:"), "nothing ran: {err}");
}

#[test]
fn local_down_of_an_environment_that_never_existed_succeeds() {
    let suffix = unique_suffix().to_string();
    let emulator = Emulator::own();
    let (code, out, err) = local_in(&emulator, "never", &["local", "down", "--suffix", &suffix]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{suffix}: deleted\n"));
    assert!(err.contains("teardown: Network"), "{err}");
    assert!(
        err.contains(&format!("teardown of {suffix}: SUCCEEDED")),
        "{err}"
    );
}

#[test]
fn local_up_then_status_then_down_runs_the_whole_lifecycle() {
    let suffix = unique_suffix().to_string();
    let emulator = Emulator::own();
    let local = |args: &[&str]| local_in(&emulator, "lifecycle", args);
    let (code, out, err) = local(&["--json", "local", "up", "--suffix", &suffix]);
    assert_eq!(code, 0, "{err}");
    let outputs = json(&out);
    assert!(outputs.as_object().is_some_and(|o| !o.is_empty()), "{out}");
    let (code, out, err) = local(&["--json", "local", "status"]);
    assert_eq!(code, 0, "{err}");
    let status = json(&out);
    assert!(
        status["environments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["suffix"] == suffix.as_str()),
        "{status}"
    );
    // The cleanup schedule, once, in the given emulator: the environment asked for no expiry.
    let (code, out, err) = local(&["local", "cleanup"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.ends_with("0 environment(s) torn down\n"), "{out}");
    let (code, out, err) = local(&["local", "down", "--suffix", &suffix]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, format!("{suffix}: deleted\n"));
}

/// `env outputs` invokes the deployed `outputs` function. moto runs Lambdas only in docker, which this
/// machine lacks; its docker-free Lambda backend (moto config `lambda.use_docker: false`) answers an
/// invocation with a queued result instead. That setting is process-wide, so this test starts a moto
/// of its own rather than changing the shared one.
#[test]
fn env_outputs_prints_what_the_outputs_function_answers() {
    use std::io::{BufRead, BufReader};
    let python = std::env::var("MOTO_PYTHON").unwrap_or_else(|_| {
        integration_tests::workspace_root()
            .join(".local/venv/bin/python")
            .display()
            .to_string()
    });
    let mut launcher = std::process::Command::new(&python)
        .arg(integration_tests::workspace_root().join("tools/emulator/launch.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("a moto of its own starts");
    let mut line = String::new();
    BufReader::new(launcher.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("the launcher reports its port");
    let port = line
        .split_whitespace()
        .nth(1)
        .expect("ready <port> <proxy>")
        .to_owned();
    let endpoint = format!("http://127.0.0.1:{port}");
    let answer = serde_json::json!({
        "status": "READY",
        "outputs": {"httpsUrl": "https://alb-pr-7.example", "vpcId": "vpc-7"}
    });
    let configure = format!(
        r#"
import json, urllib.request
def post(path, body):
    request = urllib.request.Request("{endpoint}" + path, data=json.dumps(body).encode(), method="POST")
    urllib.request.urlopen(request).read()
post("/moto-api/config", {{"lambda": {{"use_docker": False}}}})
post("/moto-api/static/lambda-simple/response", {{"account_id": "123456789012", "region": "us-west-2", "results": [{answer}]}})
"#,
        answer = serde_json::to_string(&answer.to_string()).expect("JSON")
    );
    let configured = std::process::Command::new(&python)
        .args(["-c", &configure])
        .status()
        .expect("python configures moto");
    assert!(configured.success());

    let spec = std::env::temp_dir().join(format!("outputs-spec-{port}.json"));
    std::fs::write(
        &spec,
        r#"{"environmentSuffix": "pr-7", "containerImage": "x", "selfSignedCertificate": true}"#,
    )
    .expect("the spec is written");
    let output = integration_tests::functions::run(
        "envctl",
        &[
            "--json",
            "--endpoint-url",
            &endpoint,
            "env",
            "outputs",
            "--suffix",
            "pr-7",
            "--spec",
            spec.to_str().expect("UTF-8"),
        ],
        "",
        &[
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ],
    );
    drop(launcher.stdin.take());
    let _ = launcher.wait();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: serde_json::Value = serde_json::from_str(&stdout).expect("JSON outputs");
    assert_eq!(printed["vpcId"], "vpc-7");
    assert_eq!(printed["httpsUrl"], "https://alb-pr-7.example");
}

/// The spec commands, help and a usage error through the binary itself, as a CI job runs them.
#[test]
fn the_binary_checks_costs_and_names_specs_and_reports_usage_errors() {
    let envctl = |args: &[&str], stdin: &str| outcome(run("envctl", args, stdin, &[]));
    let spec =
        r#"{"environmentSuffix": "pr-9", "containerImage": "x", "selfSignedCertificate": true}"#;
    let (code, out, _) = envctl(&["spec", "check", "-"], spec);
    assert_eq!(code, 0);
    assert!(out.contains("\"dbPoolSize\": 10"), "{out}");
    let (code, out, err) = envctl(&["spec", "check", "-"], r#"{"environmentSuffix": "PR"}"#);
    assert_eq!(code, 1);
    assert!(out.contains("environmentSuffix = \"PR\""), "{out}");
    assert!(err.starts_with("error: - has 3 invalid field(s)"), "{err}");
    let (code, out, _) = envctl(&["--json", "spec", "cost", "-"], spec);
    assert_eq!(code, 0);
    assert_eq!(json(&out)["priceTable"]["collected"], "2026-11");
    let (code, out, _) = envctl(&["--json", "spec", "cost", "-", "--pool", "2"], spec);
    assert_eq!(code, 0);
    let pool = json(&out);
    assert_eq!(pool["size"], 2);
    let standby = pool["standby"]["perHour"]
        .as_f64()
        .expect("a standby price");
    let whole = pool["pool"]["perHour"].as_f64().expect("a pool price");
    assert!((whole - 2.0 * standby).abs() < 1e-9, "{pool}");
    let (code, out, _) = envctl(&["spec", "names", "pr-9"], "");
    assert_eq!(code, 0);
    assert!(out.contains("tg-green-pr-9  (limit 32)"), "{out}");
    let (code, out, _) = envctl(&["--help"], "");
    assert_eq!(code, 0);
    assert!(out.contains("Usage: envctl"), "{out}");
    let (code, out, err) = envctl(&["launch"], "");
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(err.contains("unrecognized subcommand 'launch'"), "{err}");
}

/// `deploy --print-policy`: the deployer's policy for the caller's account (from STS) or the one
/// given, and a malformed account refused.
#[test]
fn the_deployers_policy_is_printed_for_the_callers_account_or_the_one_given() {
    let (code, out, err) = envctl(&["deploy", "--print-policy"]);
    assert_eq!(code, 0, "{err}");
    let policy = json(&out);
    let statements = policy["Statement"].as_array().expect("statements");
    let functions = statements
        .iter()
        .find(|statement| statement["Sid"] == "Functions")
        .expect("the functions' statement");
    assert_eq!(
        functions["Resource"][0],
        "arn:aws:lambda:us-west-2:123456789012:function:validate"
    );
    let (code, out, err) = envctl(&["deploy", "--print-policy", "--account", "210987654321"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("arn:aws:s3:::catalog-environments-210987654321-us-west-2"),
        "{out}"
    );
    let (code, _, err) = envctl(&["deploy", "--print-policy", "--account", "12"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("--account \"12\": an AWS account id is 12 digits"),
        "{err}"
    );
}

/// Quota admission against an account at AWS's default quotas (an emulator of its own: Service
/// Quotas answers no applied value, so the defaults apply), with the usage made by hand.
#[test]
fn env_up_is_refused_before_anything_starts_when_the_account_has_no_room() {
    let emulator = Emulator::own();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let ec2 = rt.block_on(async { aws_sdk_ec2::Client::new(&emulator.sdk_config().await) });
    let mut allocations = Vec::new();
    for _ in 0..5 {
        let address = rt
            .block_on(ec2.allocate_address().send())
            .expect("an address");
        allocations.push(address.allocation_id().unwrap().to_owned());
    }
    let spec = |nat: &str| {
        let path = std::env::temp_dir().join(format!(
            "envctl-it-admission-{nat}-{}.json",
            std::process::id()
        ));
        std::fs::write(
            &path,
            format!(
                r#"{{"environmentSuffix": "pr-9", "containerImage": "nginx", "selfSignedCertificate": true, "natGateways": "{nat}"}}"#
            ),
        )
        .unwrap();
        path.to_string_lossy().into_owned()
    };
    let (per_az, single) = (spec("perAz"), spec("single"));
    let up = |spec: &str| {
        envctl_at(
            &emulator,
            &["env", "up", "--suffix", "pr-9", "--spec", spec, "--no-wait"],
        )
    };
    let (code, out, err) = up(&per_az);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.contains("the account has no room for environment pr-9, so nothing was started: EC2-VPC Elastic IPs (Service Quotas ec2 L-0263D0A3): 5 of 5 in use, the environment needs 3;"),
        "{err}"
    );

    // Two addresses released and one NAT gateway using another: 3 in use. Three more do not fit,
    // one does (and then the provision is started: here, with no backend deployed, Step Functions
    // answers that the state machine does not exist).
    for allocation in &allocations[..2] {
        rt.block_on(ec2.release_address().allocation_id(allocation).send())
            .expect("released");
    }
    let vpc = rt
        .block_on(ec2.create_vpc().cidr_block("10.7.0.0/16").send())
        .expect("a VPC");
    let vpc_id = vpc.vpc().unwrap().vpc_id().unwrap();
    let subnet = rt
        .block_on(
            ec2.create_subnet()
                .vpc_id(vpc_id)
                .cidr_block("10.7.0.0/24")
                .availability_zone("us-west-2a")
                .send(),
        )
        .expect("a subnet");
    rt.block_on(
        ec2.create_nat_gateway()
            .subnet_id(subnet.subnet().unwrap().subnet_id().unwrap())
            .allocation_id(&allocations[2])
            .send(),
    )
    .expect("a NAT gateway");
    let (code, _, err) = up(&per_az);
    assert_eq!(code, 1);
    assert!(err.contains("EC2-VPC Elastic IPs (Service Quotas ec2 L-0263D0A3): 3 of 5 in use, the environment needs 3"), "{err}");
    let (code, _, err) = up(&single);
    assert_eq!(code, 1);
    assert!(!err.contains("no room"), "{err}");
    assert!(err.contains("StateMachineDoesNotExist"), "{err}");
}
