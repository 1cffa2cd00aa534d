//! `envctl env audit` against moto, after a full provision through the real ASL: a compliant
//! environment has no finding and survives the loss of each AZ; resources misconfigured through the
//! emulator's API make their controls fire; a single NAT and a missing reader show in the AZ analysis.

mod by_hand;

use by_hand::{reimport_with_a_weak_key, remake_cache_by_hand, remake_cluster_by_hand};
use integration_tests::emulator::emulator;
use integration_tests::functions::run as run_binary;
use integration_tests::leftovers::leftovers;
use integration_tests::parliament::{findings, inline_policies};
use integration_tests::unique_suffix;
use integration_tests::workflow::run as run_workflow;
use serde_json::{json, Value};
use std::path::PathBuf;

fn spec(suffix: &str, extra: Value) -> Value {
    let mut spec = json!({
        "environmentSuffix": suffix,
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    });
    spec.as_object_mut()
        .expect("an object")
        .extend(extra.as_object().expect("an object").clone());
    spec
}

fn provision(spec: &Value) {
    let execution = run_workflow("provision", &json!({ "spec": spec }), &emulator().env(), 0);
    assert!(
        execution.succeeded,
        "{:?} {:?}\n{}",
        execution.error, execution.cause, execution.log
    );
}

fn teardown(spec: &Value) {
    let mut spec = spec.clone();
    spec["forceDestroy"] = json!(true);
    let execution = run_workflow("teardown", &json!({ "spec": spec }), &emulator().env(), 0);
    assert!(
        execution.succeeded,
        "{:?} {:?}",
        execution.error, execution.cause
    );
}

fn spec_file(spec: &Value) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "audit-{}.json",
        spec["environmentSuffix"].as_str().expect("a suffix")
    ));
    std::fs::write(&path, spec.to_string()).expect("the spec is written");
    path
}

/// The audit's JSON report and whether envctl exited 0.
fn audit(spec: &Value) -> (bool, Value) {
    audit_with(spec, &[], &emulator().env())
}

/// The audit pointed at the emulator as the README shows it: by the two endpoint options, with no
/// endpoint in the environment.
fn audit_as_documented(spec: &Value) -> (bool, Value) {
    let emulator = emulator();
    let mut env = emulator.env();
    env.retain(|(name, _)| !name.starts_with("AWS_ENDPOINT_URL"));
    audit_with(
        spec,
        &[
            "--endpoint-url",
            emulator.endpoint(),
            "--cloudwatch-endpoint-url",
            emulator.cloudwatch_endpoint(),
        ],
        &env,
    )
}

fn audit_with(spec: &Value, options: &[&str], env: &[(&'static str, String)]) -> (bool, Value) {
    let file = spec_file(spec);
    let suffix = spec["environmentSuffix"].as_str().expect("a suffix");
    let mut args = options.to_vec();
    args.extend([
        "--json",
        "env",
        "audit",
        "--suffix",
        suffix,
        "--spec",
        file.to_str().expect("utf-8"),
    ]);
    let output = run_binary("envctl", &args, "", env);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|error| {
        panic!(
            "no report ({error}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.success(), report)
}

fn by_result<'a>(report: &'a Value, result: &str) -> Vec<&'a str> {
    report["compliance"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["result"] == result)
        .map(|c| c["name"].as_str().expect("a name"))
        .collect()
}

fn findings_of(report: &Value, name: &str) -> Vec<String> {
    report["compliance"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .map(|c| {
            c["findings"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .map(|f| {
                            format!(
                                "{}: {}",
                                f["resource"].as_str().unwrap_or_default(),
                                f["problem"].as_str().unwrap_or_default()
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        })
        .unwrap_or_else(|| panic!("no check {name}"))
}

/// An EC2 filter on one value.
fn filter(name: &str, value: String) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(name)
        .values(value)
        .build()
}

/// The id of the security group of this name.
async fn security_group(name: String) -> String {
    let ec2 = aws_sdk_ec2::Client::new(&emulator().sdk_config().await);
    let groups = ec2
        .describe_security_groups()
        .filters(filter("group-name", name))
        .send()
        .await
        .expect("the group");
    groups.security_groups()[0]
        .group_id()
        .expect("an id")
        .to_owned()
}

/// The environment's KMS key: its id (moto's key calls take the id, not the alias) and its ARN.
async fn environment_key(suffix: &str) -> (String, String) {
    let kms = aws_sdk_kms::Client::new(&emulator().sdk_config().await);
    let key = kms
        .describe_key()
        .key_id(format!("alias/kms-{suffix}"))
        .send()
        .await
        .expect("the key");
    let metadata = key.key_metadata().expect("metadata");
    (
        metadata.key_id().to_owned(),
        metadata.arn().expect("an ARN").to_owned(),
    )
}

/// The ARN of the environment's load balancer.
async fn load_balancer_arn(suffix: &str) -> String {
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&emulator().sdk_config().await);
    let described = elb
        .describe_load_balancers()
        .names(format!("alb-{suffix}"))
        .send()
        .await
        .expect("the ALB");
    described.load_balancers()[0]
        .load_balancer_arn()
        .expect("an ARN")
        .to_owned()
}

/// The listeners of the environment's load balancer.
async fn listeners(suffix: &str) -> Vec<aws_sdk_elasticloadbalancingv2::types::Listener> {
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&emulator().sdk_config().await);
    let described = elb
        .describe_listeners()
        .load_balancer_arn(load_balancer_arn(suffix).await)
        .send()
        .await
        .expect("the listeners");
    described.listeners().to_vec()
}

/// The environment's ECS service as ECS describes it.
async fn environment_service(suffix: &str) -> aws_sdk_ecs::types::Service {
    let ecs = aws_sdk_ecs::Client::new(&emulator().sdk_config().await);
    let described = ecs
        .describe_services()
        .cluster(format!("ecs-cluster-{suffix}"))
        .services(format!("ecs-service-{suffix}"))
        .send()
        .await
        .expect("the service");
    described.services()[0].clone()
}

/// Lets `cidr` in to `group` on one TCP port.
async fn open_port(group: &str, port: i32, cidr: &str, description: &str) {
    let ec2 = aws_sdk_ec2::Client::new(&emulator().sdk_config().await);
    ec2.authorize_security_group_ingress()
        .group_id(group)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(port)
                .to_port(port)
                .ip_ranges(
                    aws_sdk_ec2::types::IpRange::builder()
                        .cidr_ip(cidr)
                        .description(description)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("the port opened");
}

/// Each expected check has exactly its finding, and no other check has any.
fn assert_only_these_fire(report: &Value, expected: &[(&str, String)]) {
    for (check, finding) in expected {
        assert_eq!(
            findings_of(report, check),
            std::slice::from_ref(finding),
            "{check}"
        );
    }
    let mut fired = by_result(report, "finding");
    fired.sort_unstable();
    let mut wanted: Vec<&str> = expected.iter().map(|(check, _)| *check).collect();
    wanted.sort_unstable();
    assert_eq!(fired, wanted);
}

/// Sets attributes of the environment's load balancer through the emulator's API.
async fn change_load_balancer(suffix: &str, attributes: &[(&str, &str)]) {
    let arn = load_balancer_arn(suffix).await;
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&emulator().sdk_config().await);
    let attributes = attributes.iter().map(|(key, value)| {
        aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute::builder()
            .key(*key)
            .value(*value)
            .build()
    });
    elb.modify_load_balancer_attributes()
        .load_balancer_arn(&arn)
        .set_attributes(Some(attributes.collect()))
        .send()
        .await
        .expect("attributes changed");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_default_environment_passes_and_each_misconfiguration_fires_its_control() {
    let suffix = unique_suffix().to_string();
    let spec = spec(&suffix, json!({}));
    provision(&spec);

    let (clean, report) = audit(&spec);
    assert_eq!(
        by_result(&report, "finding"),
        Vec::<&str>::new(),
        "{report:#}"
    );
    assert!(clean, "{report:#}");
    assert_eq!(
        by_result(&report, "waived"),
        ["fsbp-elb-18-https-listeners", "fsbp-ecr-1-2-3-repositories"]
    );
    let zones = report["zones"].as_array().expect("zones");
    assert_eq!(zones.len(), 3);
    assert!(zones.iter().all(|z| z["survives"] == true), "{zones:#?}");

    // Now break one resource of each kind through the emulator's API.
    let config = emulator().sdk_config().await;
    change_load_balancer(
        &suffix,
        &[
            ("routing.http.drop_invalid_header_fields.enabled", "false"),
            ("routing.http.desync_mitigation_mode", "monitor"),
        ],
    )
    .await;
    let rds = aws_sdk_rds::Client::new(&config);
    rds.modify_db_cluster()
        .db_cluster_identifier(format!("aurora-{suffix}"))
        .backup_retention_period(1)
        .apply_immediately(true)
        .send()
        .await
        .expect("the cluster changed");
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    logs.put_retention_policy()
        .log_group_name(format!("ecs-logs-{suffix}"))
        .retention_in_days(30)
        .send()
        .await
        .expect("retention changed");
    let kms = aws_sdk_kms::Client::new(&config);
    let (key_id, _) = environment_key(&suffix).await;
    kms.disable_key_rotation()
        .key_id(&key_id)
        .send()
        .await
        .expect("rotation off");
    let iam = aws_sdk_iam::Client::new(&config);
    iam.put_role_policy()
        .role_name(format!("role-ecs-task-{suffix}"))
        .policy_name("too-broad")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .expect("a broad policy");
    // A customer-managed policy attached to a role is read and judged as well.
    let managed = iam
        .create_policy()
        .policy_name(format!("pass-any-role-{suffix}"))
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#)
        .send()
        .await
        .expect("a managed policy");
    let managed_arn = managed
        .policy()
        .and_then(|p| p.arn())
        .expect("its ARN")
        .to_owned();
    iam.attach_role_policy()
        .role_name(format!("role-ecs-execution-{suffix}"))
        .policy_arn(&managed_arn)
        .send()
        .await
        .expect("attached");
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let service_group = security_group(format!("secgroup-service-{suffix}")).await;
    open_port(&service_group, 22, "0.0.0.0/0", "ssh").await;
    // Egress to a prefix list on plain HTTP.
    let prefix_list = ec2
        .create_managed_prefix_list()
        .prefix_list_name(format!("audit-{suffix}"))
        .max_entries(1)
        .address_family("IPv4")
        .send()
        .await
        .expect("a prefix list");
    let prefix_list_id = prefix_list
        .prefix_list()
        .and_then(|p| p.prefix_list_id())
        .expect("its id")
        .to_owned();
    ec2.authorize_security_group_egress()
        .group_id(&service_group)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(80)
                .to_port(80)
                .prefix_list_ids(
                    aws_sdk_ec2::types::PrefixListId::builder()
                        .prefix_list_id(&prefix_list_id)
                        .description("plain HTTP out")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("HTTP egress to the prefix list");
    let subnets = ec2
        .describe_subnets()
        .filters(filter("tag:Name", format!("subnet-private-a-{suffix}")))
        .send()
        .await
        .expect("a subnet");
    let subnet = subnets.subnets()[0].subnet_id().expect("an id").to_owned();
    ec2.modify_subnet_attribute()
        .subnet_id(&subnet)
        .map_public_ip_on_launch(
            aws_sdk_ec2::types::AttributeBooleanValue::builder()
                .value(true)
                .build(),
        )
        .send()
        .await
        .expect("public IPs on");

    let (clean, report) = audit(&spec);
    assert!(!clean);
    assert_eq!(
        findings_of(&report, "fsbp-elb-4-drop-invalid-headers"),
        ["load balancer: keeps invalid header fields"]
    );
    assert_eq!(
        findings_of(&report, "fsbp-elb-12-desync-mitigation"),
        ["load balancer: desync mitigation mode \"monitor\""]
    );
    assert_eq!(
        findings_of(&report, "fsbp-rds-11-backups-7-days"),
        [format!("cluster aurora-{suffix}: backups kept 1 day(s)")]
    );
    assert_eq!(
        findings_of(&report, "ckv-aws-66-158-log-groups"),
        [format!("log group ecs-logs-{suffix}: kept 30 days")]
    );
    assert_eq!(findings_of(&report, "fsbp-kms-4-key-rotation").len(), 1);
    assert_eq!(
        findings_of(&report, "fsbp-iam-1-no-wildcards"),
        [
            format!("role role-ecs-execution-{suffix}: grants iam:PassRole on every resource"),
            format!("role role-ecs-task-{suffix}: allows the wildcard action(s) *"),
        ]
    );
    assert_eq!(
        findings_of(&report, "cfn-nag-f38-passrole-scoped"),
        [format!(
            "role role-ecs-execution-{suffix}: iam:PassRole on every role"
        )]
    );
    assert_eq!(
        findings_of(&report, "trivy-aws-0104-egress-restricted"),
        [format!(
            "{service_group}: egress tcp port 80 to {prefix_list_id}"
        )]
    );
    iam.detach_role_policy()
        .role_name(format!("role-ecs-execution-{suffix}"))
        .policy_arn(&managed_arn)
        .send()
        .await
        .expect("detached, so the teardown can delete the role");
    assert_eq!(
        findings_of(&report, "fsbp-ec2-18-19-world-ingress-https-only"),
        [format!(
            "{service_group}: 0.0.0.0/0 may reach port 22 of the service group"
        )]
    );
    assert_eq!(
        findings_of(&report, "fsbp-ec2-15-no-public-ip-on-launch"),
        [format!("{subnet}: assigns public IPv4 addresses on launch")]
    );
    teardown(&spec);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pr_environment_waives_protection_and_its_single_nat_is_its_weak_az() {
    let suffix = unique_suffix().to_string();
    let spec = spec(
        &suffix,
        json!({"forceDestroy": true, "deletionProtection": false, "natGateways": "single", "cacheNodeType": "cache.t4g.micro", "ttlHours": 72, "pullRequest": 42}),
    );
    provision(&spec);

    // The environment's IAM documents pass parliament with nothing above LOW.
    let documents = inline_policies(|role| role.ends_with(&format!("-{suffix}"))).await;
    assert!(documents.len() >= 4, "{documents:#?}");
    assert_eq!(findings(&documents), "");
    // The linter itself fires on a document that deserves it.
    let twice = json!({"Sid": "Same", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"});
    let duplicated = [
        json!({"name": "duplicated", "document": {"Version": "2012-10-17", "Statement": [twice, twice]}}),
    ];
    assert!(findings(&duplicated).contains("\"severity\": \"HIGH\""));

    let (clean, report) = audit(&spec);
    assert!(!clean, "a single NAT cannot survive its own AZ");
    assert_eq!(
        by_result(&report, "finding"),
        Vec::<&str>::new(),
        "{report:#}"
    );
    assert_eq!(
        by_result(&report, "waived"),
        [
            "fsbp-elb-6-deletion-protection",
            "fsbp-elb-18-https-listeners",
            "fsbp-rds-7-deletion-protection",
            "fsbp-ecr-1-2-3-repositories",
        ]
    );
    let lost: Vec<(String, Vec<Value>)> = report["zones"]
        .as_array()
        .expect("zones")
        .iter()
        .filter(|z| z["survives"] == false)
        .map(|z| {
            (
                z["zone"].as_str().unwrap_or_default().to_owned(),
                z["reasons"].as_array().cloned().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert_eq!(
        lost[0].1,
        [json!(format!(
            "egress lost: the only NAT is in {}",
            lost[0].0
        ))]
    );

    // Without its reader, the writer's AZ takes the database down too.
    let config = emulator().sdk_config().await;
    let rds = aws_sdk_rds::Client::new(&config);
    let writer = rds
        .describe_db_instances()
        .db_instance_identifier(format!("aurora-writer-{suffix}"))
        .send()
        .await
        .expect("the writer");
    let writer_zone = writer.db_instances()[0]
        .availability_zone()
        .expect("a zone")
        .to_owned();
    rds.delete_db_instance()
        .db_instance_identifier(format!("aurora-reader-{suffix}"))
        .send()
        .await
        .expect("the reader deleted");
    let (_, report) = audit(&spec);
    let zone = report["zones"]
        .as_array()
        .expect("zones")
        .iter()
        .find(|z| z["zone"] == writer_zone.as_str())
        .expect("the writer's AZ")
        .clone();
    assert!(
        zone["reasons"]
            .as_array()
            .expect("reasons")
            .contains(&json!(format!(
                "database: no Aurora instance outside {writer_zone} to fail over to"
            ))),
        "{zone:#}"
    );

    // A deleted service is reported missing, not an error.
    let ecs = aws_sdk_ecs::Client::new(&config);
    ecs.delete_service()
        .cluster(format!("ecs-cluster-{suffix}"))
        .service(format!("ecs-service-{suffix}"))
        .force(true)
        .send()
        .await
        .expect("the service deleted");
    let (_, report) = audit(&spec);
    assert_eq!(
        findings_of(&report, "fsbp-ecs-2-no-public-ip"),
        ["ECS service: not found"]
    );
    teardown(&spec);
}

#[test]
fn an_environment_that_does_not_exist_has_a_finding_for_every_resource_it_lacks() {
    let suffix = unique_suffix().to_string();
    let (clean, report) = audit_as_documented(&spec(&suffix, json!({})));
    assert!(!clean);
    // Every control needs a resource, except ECR's (waived: the environment owns no repository).
    assert_eq!(by_result(&report, "finding").len(), 57, "{report:#}");
    assert_eq!(
        by_result(&report, "waived"),
        ["fsbp-ecr-1-2-3-repositories"]
    );
    assert_eq!(
        findings_of(&report, "fsbp-ec2-2-default-sg-closed"),
        ["VPC: not found"]
    );
    assert_eq!(
        findings_of(&report, "secret-readers-only"),
        ["the environment's secrets: not found"]
    );
    assert_eq!(report["zones"], json!([]));
}

#[test]
fn an_unreachable_endpoint_fails_with_the_call_that_failed() {
    let suffix = unique_suffix().to_string();
    let output = run_binary(
        "envctl",
        &[
            "env",
            "audit",
            "--suffix",
            &suffix,
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
        "",
        &[
            ("AWS_ACCESS_KEY_ID", "test".to_owned()),
            ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
            ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
            ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
            ("AWS_MAX_ATTEMPTS", "1".to_owned()),
        ],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: reading the network: DescribeVpcs"),
        "{stderr}"
    );
}

/// A second environment, broken in its data tier, edge, cluster, task definition, secrets and network
/// through the emulator's API: each of those controls fires with its message, and nothing else.
#[tokio::test(flavor = "multi_thread")]
async fn data_edge_service_and_network_misconfigurations_fire_their_controls() {
    let suffix = unique_suffix().to_string();
    let spec = spec(&suffix, json!({}));
    provision(&spec);
    let config = emulator().sdk_config().await;

    let elasticache = aws_sdk_elasticache::Client::new(&config);
    elasticache
        .modify_replication_group()
        .replication_group_id(format!("redis-{suffix}"))
        .snapshot_retention_limit(0)
        .automatic_failover_enabled(false)
        .multi_az_enabled(false)
        .apply_immediately(true)
        .send()
        .await
        .expect("the replication group changed");

    let rds = aws_sdk_rds::Client::new(&config);
    rds.modify_db_cluster()
        .db_cluster_identifier(format!("aurora-{suffix}"))
        .deletion_protection(false)
        .copy_tags_to_snapshot(false)
        .apply_immediately(true)
        .send()
        .await
        .expect("the cluster changed");
    rds.modify_db_instance()
        .db_instance_identifier(format!("aurora-writer-{suffix}"))
        .publicly_accessible(true)
        .auto_minor_version_upgrade(false)
        .apply_immediately(true)
        .send()
        .await
        .expect("the writer changed");

    change_load_balancer(
        &suffix,
        &[
            ("deletion_protection.enabled", "false"),
            ("access_logs.s3.enabled", "false"),
        ],
    )
    .await;

    let ecs = aws_sdk_ecs::Client::new(&config);
    ecs.update_cluster()
        .cluster(format!("ecs-cluster-{suffix}"))
        .settings(
            aws_sdk_ecs::types::ClusterSetting::builder()
                .name(aws_sdk_ecs::types::ClusterSettingName::ContainerInsights)
                .value("disabled")
                .build(),
        )
        .send()
        .await
        .expect("Container Insights off");

    // A new revision of the task definition with every container flag wrong, the same roles for
    // execution and task, and the service moved onto it.
    let service = environment_service(&suffix).await;
    let current = ecs
        .describe_task_definition()
        .task_definition(service.task_definition().expect("its task definition"))
        .send()
        .await
        .expect("the task definition");
    let current = current.task_definition().expect("a task definition");
    let container = &current.container_definitions()[0];
    let unsafe_container = aws_sdk_ecs::types::ContainerDefinition::builder()
        .name(container.name().expect("a name"))
        .image(container.image().expect("an image"))
        .privileged(true)
        .readonly_root_filesystem(false)
        .user("root")
        .environment(
            aws_sdk_ecs::types::KeyValuePair::builder()
                .name("DB_PASSWORD")
                .value("hunter2-hunter2")
                .build(),
        )
        .build();
    let registered = ecs
        .register_task_definition()
        .family(current.family().expect("a family"))
        .network_mode(aws_sdk_ecs::types::NetworkMode::Awsvpc)
        // Not marked Fargate: ECS refuses the host PID namespace there (so does moto).
        .cpu(current.cpu().expect("cpu"))
        .memory(current.memory().expect("memory"))
        .execution_role_arn(current.execution_role_arn().expect("an execution role"))
        .task_role_arn(current.execution_role_arn().expect("an execution role"))
        .pid_mode(aws_sdk_ecs::types::PidMode::Host)
        .container_definitions(unsafe_container)
        .send()
        .await
        .expect("a new revision");
    let revision = registered
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("its ARN")
        .to_owned();
    ecs.update_service()
        .cluster(format!("ecs-cluster-{suffix}"))
        .service(format!("ecs-service-{suffix}"))
        .task_definition(&revision)
        .send()
        .await
        .expect("the service moved");

    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    secrets
        .cancel_rotate_secret()
        .secret_id(format!("secret-db-app-{suffix}"))
        .send()
        .await
        .expect("rotation off");

    let ec2 = aws_sdk_ec2::Client::new(&config);
    let flow_logs = ec2
        .describe_flow_logs()
        .filter(filter("tag:Name", format!("flow-log-{suffix}")))
        .send()
        .await
        .expect("the flow log");
    let flow_log_ids: Vec<String> = flow_logs
        .flow_logs()
        .iter()
        .filter_map(|f| f.flow_log_id().map(str::to_owned))
        .collect();
    assert_eq!(flow_log_ids.len(), 1, "{flow_logs:?}");
    let vpc = flow_logs.flow_logs()[0]
        .resource_id()
        .expect("the VPC")
        .to_owned();
    ec2.delete_flow_logs()
        .set_flow_log_ids(Some(flow_log_ids))
        .send()
        .await
        .expect("flow logs off");

    let (clean, report) = audit(&spec);
    assert!(!clean);
    let expected = [
        (
            "fsbp-elasticache-1-backups",
            format!("replication group redis-{suffix}: snapshots kept 0 day(s)"),
        ),
        (
            "fsbp-elasticache-3-failover-multi-az",
            format!("replication group redis-{suffix}: automatic failover off, Multi-AZ off"),
        ),
        (
            "fsbp-rds-7-deletion-protection",
            format!("cluster aurora-{suffix}: deletion protection is off"),
        ),
        (
            "fsbp-rds-16-copy-tags-to-snapshots",
            format!("cluster aurora-{suffix}: snapshots do not get the tags"),
        ),
        (
            "fsbp-rds-2-not-public",
            format!("instance aurora-writer-{suffix}: publicly accessible"),
        ),
        (
            "fsbp-rds-13-35-auto-minor-upgrade",
            format!("instance aurora-writer-{suffix}: auto minor version upgrade is off"),
        ),
        (
            "fsbp-elb-5-access-logs",
            "load balancer: access logs are off".to_owned(),
        ),
        (
            "fsbp-elb-6-deletion-protection",
            "load balancer: deletion protection is off".to_owned(),
        ),
        (
            "fsbp-ecs-12-container-insights",
            "ECS cluster: Container Insights is off".to_owned(),
        ),
        (
            "fsbp-ecs-3-17-no-host-namespaces",
            "task definition: shares the host's process namespace".to_owned(),
        ),
        (
            "fsbp-ecs-4-not-privileged",
            "container api: runs privileged".to_owned(),
        ),
        (
            "fsbp-ecs-5-readonly-root",
            "container api: has a writable root filesystem".to_owned(),
        ),
        (
            "fsbp-ecs-8-no-secrets-in-environment",
            "container api: plain environment variables look secret: DB_PASSWORD".to_owned(),
        ),
        (
            "fsbp-ecs-9-logging",
            "container api: log driver \"none\"".to_owned(),
        ),
        (
            "fsbp-ecs-20-non-root-user",
            "container api: runs as \"root\"".to_owned(),
        ),
        (
            "ckv-aws-249-separate-roles",
            "task definition: the execution role is also the task role".to_owned(),
        ),
        (
            "kics-container-health-check",
            "container api: has no health check".to_owned(),
        ),
        (
            "fsbp-secretsmanager-1-rotation",
            format!("secret secret-db-app-{suffix}: rotation is off"),
        ),
        ("fsbp-ec2-6-flow-logs", format!("{vpc}: no active flow log")),
    ];
    // Nothing else fired: each change broke exactly its own control.
    assert_only_these_fire(&report, &expected);
    teardown(&spec);
}

/// A third environment, broken in its listeners, key policy, database settings, service deployment,
/// a security group rule and a secret's resource policy through the emulator's API.
#[tokio::test(flavor = "multi_thread")]
async fn listener_key_database_and_deployment_misconfigurations_fire_their_controls() {
    let suffix = unique_suffix().to_string();
    let spec = spec(&suffix, json!({}));
    provision(&spec);
    let config = emulator().sdk_config().await;

    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    for listener in listeners(&suffix).await {
        let arn = listener.listener_arn().expect("an ARN");
        if listener.port() == Some(80) {
            // Plain HTTP answered instead of redirected.
            let answer = aws_sdk_elasticloadbalancingv2::types::Action::builder()
                .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    aws_sdk_elasticloadbalancingv2::types::FixedResponseActionConfig::builder()
                        .status_code("200")
                        .build(),
                )
                .build();
            elb.modify_listener()
                .listener_arn(arn)
                .default_actions(answer)
                .send()
                .await
                .expect("HTTP answered");
        } else {
            elb.modify_listener()
                .listener_arn(arn)
                .ssl_policy("ELBSecurityPolicy-2016-08")
                .send()
                .await
                .expect("an old TLS policy");
        }
    }

    let kms = aws_sdk_kms::Client::new(&config);
    let (key_id, key_arn) = environment_key(&suffix).await;
    kms.put_key_policy()
        .key_id(&key_id)
        .policy_name("default")
        .policy(r#"{"Version":"2012-10-17","Statement":[{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}"#)
        .send()
        .await
        .expect("an open key policy");

    let rds = aws_sdk_rds::Client::new(&config);
    rds.modify_db_cluster_parameter_group()
        .db_cluster_parameter_group_name(format!("aurora-params-{suffix}"))
        .parameters(
            aws_sdk_rds::types::Parameter::builder()
                .parameter_name("rds.force_ssl")
                .parameter_value("0")
                .apply_method(aws_sdk_rds::types::ApplyMethod::Immediate)
                .build(),
        )
        .send()
        .await
        .expect("TLS optional");
    rds.delete_db_instance()
        .db_instance_identifier(format!("aurora-reader-{suffix}"))
        .send()
        .await
        .expect("the reader deleted");

    let ecs = aws_sdk_ecs::Client::new(&config);
    ecs.update_service()
        .cluster(format!("ecs-cluster-{suffix}"))
        .service(format!("ecs-service-{suffix}"))
        .platform_version("1.3.0")
        .deployment_configuration(
            aws_sdk_ecs::types::DeploymentConfiguration::builder()
                .deployment_circuit_breaker(
                    aws_sdk_ecs::types::DeploymentCircuitBreaker::builder()
                        .enable(false)
                        .rollback(false)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("an old platform, no circuit breaker");

    let ec2 = aws_sdk_ec2::Client::new(&config);
    let cache_group = security_group(format!("secgroup-cache-{suffix}")).await;
    let service_group = security_group(format!("secgroup-service-{suffix}")).await;
    ec2.authorize_security_group_ingress()
        .group_id(&cache_group)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(6380)
                .to_port(6380)
                .user_id_group_pairs(
                    aws_sdk_ec2::types::UserIdGroupPair::builder()
                        .group_id(&service_group)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("a rule without a description");

    // The API keys secret under AWS's own key and rotating every 120 days; one alarm silenced.
    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    secrets
        .update_secret()
        .secret_id(format!("secret-api-keys-{suffix}"))
        .kms_key_id("alias/aws/secretsmanager")
        .send()
        .await
        .expect("another key");
    secrets
        .rotate_secret()
        .secret_id(format!("secret-api-keys-{suffix}"))
        .rotation_rules(
            aws_sdk_secretsmanager::types::RotationRulesType::builder()
                .automatically_after_days(120)
                .build(),
        )
        .rotate_immediately(false)
        .send()
        .await
        .expect("a slow rotation");
    // The Redis token's resource policy replaced by one that limits only who changes it: any role
    // IAM allows may read it.
    let writers_only = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"],
        "Resource": "*",
        "Condition": {"ArnNotEquals": {
            "aws:PrincipalArn": ["arn:aws:iam::123456789012:role/catalog-fn-cache"]
        }}
    }]});
    secrets
        .put_resource_policy()
        .secret_id(format!("secret-redis-auth-{suffix}"))
        .resource_policy(writers_only.to_string())
        .send()
        .await
        .expect("the policy replaced");
    emulator()
        .cloudwatch()
        .await
        .disable_alarm_actions()
        .alarm_names(format!("alarm-api-p99-{suffix}"))
        .send()
        .await
        .expect("the alarm silenced");

    let (clean, report) = audit(&spec);
    assert!(!clean);
    let expected = [
        (
            "fsbp-elb-1-http-redirects-to-https",
            "listener :80: default action \"fixed-response\"".to_owned(),
        ),
        // The port-80 listener no longer only redirects, so its waiver goes too.
        (
            "fsbp-elb-18-https-listeners",
            "listener :80: serves HTTP without TLS".to_owned(),
        ),
        (
            "fsbp-elb-17-tls13-policy",
            "listener :443: security policy \"ELBSecurityPolicy-2016-08\"".to_owned(),
        ),
        (
            "fsbp-kms-5-no-open-principal",
            format!("{key_arn}: statement \"Open\" allows any principal without a condition"),
        ),
        (
            "rds-force-ssl",
            format!("cluster aurora-{suffix}: rds.force_ssl is \"0\""),
        ),
        (
            "fsbp-rds-15-multi-az",
            format!("cluster aurora-{suffix}: 1 instance(s) in 1 AZ(s)"),
        ),
        (
            "fsbp-ecs-10-latest-platform",
            "ECS service: platform version \"1.3.0\"".to_owned(),
        ),
        (
            "ecs-circuit-breaker-rollback",
            "ECS service: the deployment circuit breaker or its rollback is off".to_owned(),
        ),
        (
            "ckv-aws-149-secrets-customer-key",
            format!("secret secret-api-keys-{suffix}: not encrypted with the environment's key"),
        ),
        (
            "fsbp-secretsmanager-4-rotation-period",
            format!("secret secret-api-keys-{suffix}: rotates every 120 days"),
        ),
        (
            "secret-readers-only",
            format!("secret secret-redis-auth-{suffix}: no resource policy denies secretsmanager:GetSecretValue to other principals"),
        ),
        (
            "fsbp-cloudwatch-15-17-alarm-actions",
            format!("alarm alarm-api-p99-{suffix}: no enabled alarm action"),
        ),
        (
            "ckv-aws-23-sg-descriptions",
            format!("{cache_group}: 1 rule(s) without a description"),
        ),
    ];
    assert_only_these_fire(&report, &expected);
    // Without its reader, the database cannot lose the writer's AZ, and only that one.
    let lost: Vec<&Value> = report["zones"]
        .as_array()
        .expect("zones")
        .iter()
        .filter(|zone| zone["survives"] == false)
        .collect();
    assert_eq!(lost.len(), 1, "{}", report["zones"]);
    assert_eq!(
        lost[0]["reasons"],
        json!([format!(
            "database: no Aurora instance outside {} to fail over to",
            lost[0]["zone"].as_str().expect("a zone")
        )])
    );
    teardown(&spec);
}

/// A fourth environment, opened through the emulator's API: the VPC's default group lets traffic in,
/// the service's tasks get public addresses in one private subnet only, the blue target group probes
/// `/` instead of the spec's health path, and the private ECR repository the image comes from lets
/// tags be overwritten. (A load balancer in one AZ cannot be made: ELB refuses it, and so does moto;
/// ELB.13 fires here for the service's targets.)
#[tokio::test(flavor = "multi_thread")]
async fn an_open_default_group_public_tasks_in_one_az_a_moved_health_check_and_a_mutable_repository_fire_their_controls(
) {
    let suffix = unique_suffix().to_string();
    let repository = format!("catalog-api-{suffix}");
    let spec = spec(
        &suffix,
        json!({"containerImage": format!("123456789012.dkr.ecr.us-west-2.amazonaws.com/{repository}:1")}),
    );
    provision(&spec);
    let config = emulator().sdk_config().await;

    let ecr = aws_sdk_ecr::Client::new(&config);
    ecr.create_repository()
        .repository_name(&repository)
        .image_tag_mutability(aws_sdk_ecr::types::ImageTagMutability::Mutable)
        .image_scanning_configuration(
            aws_sdk_ecr::types::ImageScanningConfiguration::builder()
                .scan_on_push(true)
                .build(),
        )
        .send()
        .await
        .expect("the repository");
    ecr.put_lifecycle_policy()
        .repository_name(&repository)
        .lifecycle_policy_text(
            json!({"rules": [{
                "rulePriority": 1,
                "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
                "action": {"type": "expire"}
            }]})
            .to_string(),
        )
        .send()
        .await
        .expect("its lifecycle policy");

    let ec2 = aws_sdk_ec2::Client::new(&config);
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter("tag:Name", format!("vpc-{suffix}")))
        .send()
        .await
        .expect("the VPC");
    let vpc = vpcs.vpcs()[0].vpc_id().expect("an id").to_owned();
    let default_group = ec2
        .describe_security_groups()
        .filters(filter("vpc-id", vpc.clone()))
        .filters(filter("group-name", "default".to_owned()))
        .send()
        .await
        .expect("the default group");
    let default_group = default_group.security_groups()[0]
        .group_id()
        .expect("an id")
        .to_owned();
    open_port(&default_group, 5432, "10.0.0.0/8", "inside the network").await;

    let ecs = aws_sdk_ecs::Client::new(&config);
    let service = environment_service(&suffix).await;
    let awsvpc = service
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration())
        .expect("its network configuration");
    ecs.update_service()
        .cluster(format!("ecs-cluster-{suffix}"))
        .service(format!("ecs-service-{suffix}"))
        .network_configuration(
            aws_sdk_ecs::types::NetworkConfiguration::builder()
                .awsvpc_configuration(
                    aws_sdk_ecs::types::AwsVpcConfiguration::builder()
                        .subnets(&awsvpc.subnets()[0])
                        .set_security_groups(Some(awsvpc.security_groups().to_vec()))
                        .assign_public_ip(aws_sdk_ecs::types::AssignPublicIp::Enabled)
                        .build()
                        .expect("a configuration"),
                )
                .build(),
        )
        .send()
        .await
        .expect("public addresses in one subnet");

    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let groups = elb
        .describe_target_groups()
        .names(format!("tg-blue-{suffix}"))
        .send()
        .await
        .expect("the blue target group");
    elb.modify_target_group()
        .target_group_arn(
            groups.target_groups()[0]
                .target_group_arn()
                .expect("an ARN"),
        )
        .health_check_path("/")
        .send()
        .await
        .expect("the health check moved");

    let (clean, report) = audit(&spec);
    assert!(!clean);
    let expected = [
        (
            "fsbp-ec2-2-default-sg-closed",
            format!("default security group of {vpc}: 1 rule(s) left"),
        ),
        (
            "fsbp-ecs-2-no-public-ip",
            "ECS service: assigns public IPs to its tasks".to_owned(),
        ),
        (
            "fsbp-elb-13-multi-az",
            "ECS service: its targets run in 1 AZ(s)".to_owned(),
        ),
        (
            "ckv-aws-261-target-health-checks",
            format!("target group tg-blue-{suffix}: its health check asks /, not the spec's /health"),
        ),
        (
            "fsbp-ecr-1-2-3-repositories",
            format!("repository {repository}: scan on push, immutable tags or a lifecycle policy is missing"),
        ),
    ];
    assert_only_these_fire(&report, &expected);
    teardown(&spec);
    // The repository is not the environment's: whoever made it removes it.
    ecr.delete_repository()
        .repository_name(&repository)
        .force(true)
        .send()
        .await
        .expect("the repository removed");
}

/// A fifth environment whose data stores were deleted and made again by hand, through the emulator's
/// API, with what cannot be changed once they exist (encryption, master user name, AUTH, subnet group)
/// and a few settings that can be wrong, and whose certificate was reimported with a 1024-bit RSA key.
#[tokio::test(flavor = "multi_thread")]
async fn data_stores_remade_by_hand_and_a_weak_certificate_fire_their_controls() {
    let environment = unique_suffix();
    let suffix = environment.to_string();
    // An image from a private repository nobody made.
    let spec = spec(
        &suffix,
        json!({"containerImage": format!("123456789012.dkr.ecr.us-west-2.amazonaws.com/gone-{suffix}@sha256:ab")}),
    );
    provision(&spec);
    let (_, key_arn) = environment_key(&suffix).await;

    remake_cluster_by_hand(&suffix, &key_arn).await;
    remake_cache_by_hand(&suffix).await;
    let certificate = reimport_with_a_weak_key(&suffix).await;

    let (clean, report) = audit(&spec);
    assert!(!clean);
    let cluster = format!("cluster aurora-{suffix}");
    let group = format!("replication group redis-{suffix}");
    let expected = [
        (
            "fsbp-rds-27-encrypted-at-rest",
            format!("{cluster}: storage is not encrypted with the environment's key"),
        ),
        (
            "fsbp-rds-12-iam-authentication",
            format!("{cluster}: IAM database authentication is off"),
        ),
        (
            "fsbp-rds-9-37-log-exports",
            format!("{cluster}: the postgresql log is not exported to CloudWatch"),
        ),
        (
            "fsbp-rds-24-custom-master-user",
            format!("{cluster}: master user name \"postgres\" is a default"),
        ),
        (
            "ckv-aws-353-354-performance-insights",
            format!(
                "instance aurora-writer-{suffix}: Performance Insights is off or not encrypted"
            ),
        ),
        (
            "fsbp-elasticache-2-auto-minor-upgrade",
            format!("{group}: auto minor version upgrade is off"),
        ),
        (
            "fsbp-elasticache-4-encrypted-at-rest",
            format!("{group}: not encrypted at rest with the environment's key"),
        ),
        (
            "fsbp-elasticache-5-encrypted-in-transit",
            format!("{group}: transit encryption off, mode \"unset\""),
        ),
        (
            "fsbp-elasticache-6-authentication",
            format!("{group}: no AUTH token"),
        ),
        (
            "fsbp-elasticache-7-own-subnet-group",
            format!("{group}: the environment's own subnet group is gone"),
        ),
        (
            "fsbp-acm-2-key-algorithm",
            format!("{certificate}: key algorithm RSA_1024"),
        ),
        (
            "fsbp-ecr-1-2-3-repositories",
            format!("repository gone-{suffix}: not found in registry 123456789012 (us-west-2)"),
        ),
    ];
    assert_only_these_fire(&report, &expected);
    teardown(&spec);
    // The teardown removes what was made by hand under the environment's names too.
    assert_eq!(leftovers(&environment).await, Vec::<String>::new());
}
