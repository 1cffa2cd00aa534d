//! The database function against moto, through its binary, on a network the real `network`
//! binary built: the Aurora settings the request names, an idempotent re-create, and a teardown
//! that a protected cluster refuses and `forceDestroy` completes.
//!
//! moto quirks (tools/emulator/README.md): a cluster and its instances read `creating` once, then `available`;
//! DeleteDBInstance and DeleteDBCluster remove them at once, with no `deleting` state, so the
//! "still deleting" paths are covered by the unit tests' fake (`slow_deletion`). RotateSecret on
//! the RDS-managed secret with `RotateImmediately=false` only records the schedule, as intended.
//! moto does not model Performance Insights, so its settings are not asserted here.
//!
//! The application secret's rotation is turned on with `ROTATE_IMMEDIATELY=false` (the emulator's
//! env, tests/src/emulator.rs): moto would try to run the rotation Lambda; the first rotation itself
//! is tested against PostgreSQL in `rotation.rs`. moto's CreateFunction reads the code package
//! from its S3, so the tests upload a (minimal, empty) zip where the function's settings point.

use aws_sdk_rds::error::ProvideErrorMetadata;
use aws_sdk_rds::types::Parameter;
use integration_tests::emulator::emulator;
use integration_tests::functions::invoke;
use integration_tests::unique_suffix;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tokio::sync::OnceCell;

const CODE_BUCKET: &str = "database-test-rotation-code";
const CODE_KEY: &str = "rotation/rotation.zip";
/// The smallest valid zip archive: an end-of-central-directory record and no entries.
const EMPTY_ZIP: [u8; 22] = [
    0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

/// The rotation function's code package in moto's S3, uploaded once per test process.
async fn code_package() {
    static UPLOADED: OnceCell<()> = OnceCell::const_new();
    UPLOADED
        .get_or_init(|| async {
            let s3 = aws_sdk_s3::Client::new(&emulator().sdk_config().await);
            s3.create_bucket()
                .bucket(CODE_BUCKET)
                .create_bucket_configuration(
                    aws_sdk_s3::types::CreateBucketConfiguration::builder()
                        .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::UsWest2)
                        .build(),
                )
                .send()
                .await
                .expect("CreateBucket");
            s3.put_object()
                .bucket(CODE_BUCKET)
                .key(CODE_KEY)
                .body(EMPTY_ZIP.to_vec().into())
                .send()
                .await
                .expect("PutObject");
        })
        .await;
}

/// The emulator's env and the database function's own settings.
fn function_env() -> Vec<(&'static str, String)> {
    let mut env = emulator().env();
    env.push(("ROTATION_CODE_BUCKET", CODE_BUCKET.to_owned()));
    env.push(("ROTATION_CODE_KEY", CODE_KEY.to_owned()));
    env.push((
        "ROTATION_CODE_SHA256",
        integration_tests::deployed::code_sha256(&EMPTY_ZIP),
    ));
    env.push(("ROTATION_ARCHITECTURE", "arm64".to_owned()));
    env
}

fn spec(suffix: &str, extra: Value) -> Value {
    let mut spec = json!({
        "environmentSuffix": suffix,
        "natGateways": "single",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
        "selfSignedCertificate": true
    });
    spec.as_object_mut().expect("a spec object").extend(
        extra
            .as_object()
            .expect("an object of extra fields")
            .clone(),
    );
    spec
}

/// One successful invocation's response.
fn call(function: &str, action: &str, spec: &Value, outputs: &Value) -> Value {
    let event = json!({"action": action, "spec": spec, "outputs": outputs});
    let result = invoke(function, &event, &function_env());
    assert!(
        result.success,
        "{function} {action}: {} {}",
        result.body, result.stderr
    );
    result.body
}

/// `create` until READY, as the provision's wait loop calls it (moto needs a few calls: see the
/// module comment).
fn create(function: &str, spec: &Value, outputs: &Value) -> Value {
    let mut response = call(function, "create", spec, outputs);
    for _ in 0..8 {
        if response["status"] == "READY" {
            return response["outputs"].clone();
        }
        response = call(function, "create", spec, outputs);
    }
    panic!("{function} is not READY after 9 create calls: {response}");
}

async fn rds() -> aws_sdk_rds::Client {
    aws_sdk_rds::Client::new(&emulator().sdk_config().await)
}

async fn secrets() -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&emulator().sdk_config().await)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item.as_str().expect("a string").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn aurora_is_serverless_v2_encrypted_tls_only_private_and_rotates_its_master_secret_every_30_days(
) {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let spec = spec(suffix, json!({}));
    code_package().await;
    let network = create("network", &spec, &json!({}));
    // The export's group as RDS leaves it for a cluster older than the function's own group: no
    // key, no retention. The function gives it both.
    let logs = aws_sdk_cloudwatchlogs::Client::new(&emulator().sdk_config().await);
    logs.create_log_group()
        .log_group_name(format!("/aws/rds/cluster/aurora-{suffix}/postgresql"))
        .send()
        .await
        .expect("the emulator makes the group");
    let outputs = create("database", &spec, &json!({"network": network}));
    let key = network["kmsKeyArn"].as_str().unwrap();
    let rds = rds().await;

    let clusters = rds
        .describe_db_clusters()
        .db_cluster_identifier(format!("aurora-{suffix}"))
        .send()
        .await
        .unwrap();
    assert_eq!(clusters.db_clusters().len(), 1);
    let cluster = &clusters.db_clusters()[0];
    assert_eq!(cluster.engine(), Some("aurora-postgresql"));
    // The newest 16.x of what the emulator's DescribeDBEngineVersions lists (16.2, 16.4, 16.9,
    // 16.10, two of 15, and 16.11-limitless, which only Limitless Database can use): compared as
    // numbers, 16.10 after 16.9.
    assert_eq!(cluster.engine_version(), Some("16.10"));
    assert_eq!(cluster.engine_mode(), Some("provisioned"));
    let scaling = cluster.serverless_v2_scaling_configuration().unwrap();
    assert_eq!(
        (scaling.min_capacity(), scaling.max_capacity()),
        (Some(0.5), Some(4.0))
    );
    assert_eq!(cluster.storage_encrypted(), Some(true));
    assert_eq!(cluster.kms_key_id(), Some(key));
    assert_eq!(cluster.iam_database_authentication_enabled(), Some(true));
    assert_eq!(cluster.backup_retention_period(), Some(7));
    assert_eq!(cluster.enabled_cloudwatch_logs_exports(), ["postgresql"]);
    // Its export's group and the rotation function's, made (or keyed) by the function: the key,
    // 14 days.
    for group in [
        format!("/aws/rds/cluster/aurora-{suffix}/postgresql"),
        format!("/aws/lambda/rotation-{suffix}"),
    ] {
        let found = logs
            .describe_log_groups()
            .log_group_name_prefix(&group)
            .send()
            .await
            .unwrap();
        let found = &found.log_groups()[0];
        assert_eq!(found.log_group_name(), Some(group.as_str()));
        assert_eq!(found.retention_in_days(), Some(14), "{group}");
        assert_eq!(found.kms_key_id(), Some(key), "{group}");
    }
    assert_eq!(cluster.copy_tags_to_snapshot(), Some(true));
    assert_eq!(cluster.deletion_protection(), Some(true));
    let master = cluster.master_username().unwrap();
    assert!(!["postgres", "admin"].contains(&master), "{master}");
    let groups: Vec<&str> = cluster
        .vpc_security_groups()
        .iter()
        .filter_map(|group| group.vpc_security_group_id())
        .collect();
    assert_eq!(
        groups,
        [network["securityGroupIds"]["database"].as_str().unwrap()]
    );
    let secret = cluster.master_user_secret().unwrap();
    assert_eq!(secret.kms_key_id(), Some(key));
    let secret_arn = secret.secret_arn().unwrap();

    assert_eq!(outputs["dbClusterIdentifier"], format!("aurora-{suffix}"));
    assert_eq!(outputs["dbClusterArn"], cluster.db_cluster_arn().unwrap());
    assert_eq!(outputs["dbWriterEndpoint"], cluster.endpoint().unwrap());
    assert_eq!(
        outputs["dbReaderEndpoint"],
        cluster.reader_endpoint().unwrap()
    );
    assert_eq!(outputs["dbPort"], 5432);
    assert_eq!(outputs["dbName"], "catalog");
    assert_eq!(outputs["dbMasterSecretArn"], secret_arn);

    // TLS required by the cluster's parameter group.
    assert_eq!(
        cluster.db_cluster_parameter_group(),
        Some(format!("aurora-params-{suffix}").as_str())
    );
    let parameters = rds
        .describe_db_cluster_parameters()
        .db_cluster_parameter_group_name(format!("aurora-params-{suffix}"))
        .send()
        .await
        .unwrap();
    let force_ssl = parameters
        .parameters()
        .iter()
        .find(|p| p.parameter_name() == Some("rds.force_ssl"))
        .and_then(Parameter::parameter_value);
    assert_eq!(force_ssl, Some("1"));

    // Only the private subnets.
    let subnet_groups = rds
        .describe_db_subnet_groups()
        .db_subnet_group_name(format!("dbsubnets-{suffix}"))
        .send()
        .await
        .unwrap();
    let subnets: BTreeSet<String> = subnet_groups.db_subnet_groups()[0]
        .subnets()
        .iter()
        .filter_map(|s| s.subnet_identifier().map(str::to_owned))
        .collect();
    let private: BTreeSet<String> = strings(&network["privateSubnetIds"]).into_iter().collect();
    assert_eq!(subnets, private);
    assert_eq!(
        cluster.db_subnet_group(),
        Some(format!("dbsubnets-{suffix}").as_str())
    );

    // A writer and a reader of db.serverless in two different AZs, private, the reader in
    // promotion tier 1. (moto does not model Performance Insights: the function asks for it with
    // the environment's key, but moto answers no PerformanceInsights fields to assert on.)
    let zones = strings(&network["availabilityZones"]);
    let mut seen = BTreeSet::new();
    for (name, zone, tier) in [("writer", &zones[0], 0), ("reader", &zones[1], 1)] {
        let instances = rds
            .describe_db_instances()
            .db_instance_identifier(format!("aurora-{name}-{suffix}"))
            .send()
            .await
            .unwrap();
        let instance = &instances.db_instances()[0];
        assert_eq!(
            instance.db_cluster_identifier(),
            Some(format!("aurora-{suffix}").as_str())
        );
        assert_eq!(
            instance.db_instance_class(),
            Some("db.serverless"),
            "{name}"
        );
        assert_eq!(instance.engine(), Some("aurora-postgresql"), "{name}");
        assert_eq!(instance.availability_zone(), Some(zone.as_str()), "{name}");
        assert_eq!(instance.promotion_tier(), Some(tier), "{name}");
        assert_eq!(instance.publicly_accessible(), Some(false), "{name}");
        assert_eq!(instance.auto_minor_version_upgrade(), Some(true), "{name}");
        seen.insert(instance.availability_zone().unwrap().to_owned());
    }
    assert_eq!(seen.len(), 2);
    let members = cluster.db_cluster_members();
    assert_eq!(members.len(), 2);
    let writer = members.iter().find(|m| m.is_cluster_writer() == Some(true));
    assert_eq!(
        writer.and_then(|m| m.db_instance_identifier()),
        Some(format!("aurora-writer-{suffix}").as_str())
    );

    // The managed master secret rotates every 30 days.
    let described = secrets()
        .await
        .describe_secret()
        .secret_id(secret_arn)
        .send()
        .await
        .unwrap();
    assert_eq!(described.rotation_enabled(), Some(true));
    assert_eq!(
        described
            .rotation_rules()
            .and_then(|rules| rules.automatically_after_days()),
        Some(30)
    );

    assert_eq!(
        outputs["dbClusterResourceId"],
        cluster.db_cluster_resource_id().unwrap()
    );
    let app_secret_arn = app_secret_rotates_with_the_function(suffix, &outputs, key).await;
    the_function_runs_in_the_private_subnets(suffix, &network, &outputs).await;
    let api_keys = secrets()
        .await
        .describe_secret()
        .secret_id(format!("secret-api-keys-{suffix}"))
        .send()
        .await
        .unwrap();
    assert_eq!(api_keys.kms_key_id(), Some(key));
    assert_eq!(outputs["apiKeysSecretArn"], api_keys.arn().unwrap());
    let value = secret_keys(api_keys.arn().unwrap()).await;
    assert_eq!(value, ["apiKey"]);
    // The API keys rotate with the same function, every 30 days (its `api_keys` strategy).
    assert_eq!(api_keys.rotation_enabled(), Some(true));
    assert_eq!(
        api_keys.rotation_lambda_arn(),
        outputs["rotationFunctionArn"].as_str()
    );
    assert_eq!(
        api_keys
            .rotation_rules()
            .and_then(|rules| rules.automatically_after_days()),
        Some(30)
    );

    // Idempotent: a second create finds everything and changes nothing.
    let before = secret_value(&app_secret_arn).await;
    let again = call("database", "create", &spec, &json!({"network": network}));
    assert_eq!(again["status"], "READY");
    assert_eq!(again["outputs"], outputs);
    assert!(
        secret_value(&app_secret_arn).await == before,
        "the application secret's value was kept"
    );
    let listed = secrets()
        .await
        .list_secrets()
        .filters(
            aws_sdk_secretsmanager::types::Filter::builder()
                .key(aws_sdk_secretsmanager::types::FilterNameStringType::Name)
                .values(format!("secret-db-app-{suffix}"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(listed.secret_list().len(), 1);
    let instances = rds
        .describe_db_instances()
        .filters(
            aws_sdk_rds::types::Filter::builder()
                .name("db-cluster-id")
                .values(format!("aurora-{suffix}"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(instances.db_instances().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_refuses_a_protected_cluster_and_leaves_everything_then_force_destroy_leaves_nothing(
) {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let protected = spec(suffix, json!({}));
    code_package().await;
    let network = create("network", &protected, &json!({}));
    let outputs = create("database", &protected, &json!({"network": network}));
    let rds = rds().await;

    let event = json!({"action": "delete", "spec": protected, "outputs": {}});
    let refused = invoke("database", &event, &function_env());
    assert!(!refused.success);
    assert_eq!(refused.body["errorType"], "DeletionProtected");
    let cluster = rds
        .describe_db_clusters()
        .db_cluster_identifier(format!("aurora-{suffix}"))
        .send()
        .await
        .unwrap();
    assert_eq!(cluster.db_clusters()[0].db_cluster_members().len(), 2);
    assert_eq!(cluster.db_clusters()[0].deletion_protection(), Some(true));
    let left = what_is_left(suffix).await;
    assert_eq!(left, ["api keys secret", "app secret", "function", "role"]);

    // The teardown sends the spec only: it works from what exists.
    let forced = spec(suffix, json!({"forceDestroy": true}));
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let response = call("database", "delete", &forced, &json!({}));
        statuses.push(response["status"].as_str().unwrap().to_owned());
        if response["status"] == "DELETED" {
            break;
        }
    }
    assert_eq!(statuses, ["IN_PROGRESS", "IN_PROGRESS", "DELETED"]);

    let cluster = rds
        .describe_db_clusters()
        .db_cluster_identifier(format!("aurora-{suffix}"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(cluster.code(), Some("DBClusterNotFoundFault"));
    for name in ["writer", "reader"] {
        let instance = rds
            .describe_db_instances()
            .db_instance_identifier(format!("aurora-{name}-{suffix}"))
            .send()
            .await
            .unwrap_err();
        assert_eq!(instance.code(), Some("DBInstanceNotFound"), "{name}");
    }
    let subnets = rds
        .describe_db_subnet_groups()
        .db_subnet_group_name(format!("dbsubnets-{suffix}"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(subnets.code(), Some("DBSubnetGroupNotFoundFault"));
    let parameters = rds
        .describe_db_cluster_parameter_groups()
        .db_cluster_parameter_group_name(format!("aurora-params-{suffix}"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(parameters.code(), Some("DBParameterGroupNotFound"));
    // RDS deletes the secret it manages with the cluster.
    let secret = secrets()
        .await
        .describe_secret()
        .secret_id(outputs["dbMasterSecretArn"].as_str().unwrap())
        .send()
        .await;
    assert!(secret.is_err(), "{secret:?}");
    assert!(what_is_left(suffix).await.is_empty());
}

/// Which of the credentials' resources exist: the two secrets (not even scheduled for deletion),
/// the rotation function and its role.
async fn what_is_left(suffix: &str) -> Vec<&'static str> {
    let config = emulator().sdk_config().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    let mut left = Vec::new();
    for (name, what) in [
        (format!("secret-api-keys-{suffix}"), "api keys secret"),
        (format!("secret-db-app-{suffix}"), "app secret"),
    ] {
        match secrets.describe_secret().secret_id(name).send().await {
            Ok(_) => left.push(what),
            Err(error) => assert_eq!(error.code(), Some("ResourceNotFoundException")),
        }
    }
    let lambda = aws_sdk_lambda::Client::new(&config);
    match lambda
        .get_function()
        .function_name(format!("rotation-{suffix}"))
        .send()
        .await
    {
        Ok(_) => left.push("function"),
        Err(error) => assert_eq!(error.code(), Some("ResourceNotFoundException")),
    }
    let iam = aws_sdk_iam::Client::new(&config);
    match iam
        .get_role()
        .role_name(format!("role-rotation-{suffix}"))
        .send()
        .await
    {
        Ok(_) => left.push("role"),
        Err(error) => assert_eq!(error.code(), Some("NoSuchEntity")),
    }
    left
}

async fn secret_value(arn: &str) -> Value {
    let output = secrets()
        .await
        .get_secret_value()
        .secret_id(arn)
        .version_stage("AWSCURRENT")
        .send()
        .await
        .expect("the emulator holds what the function made");
    serde_json::from_str(
        output
            .secret_string()
            .expect("the emulator holds what the function made"),
    )
    .expect("the emulator holds what the function made")
}

/// The keys of a secret's JSON value (never its values: a failing assert must not print them).
async fn secret_keys(arn: &str) -> Vec<String> {
    let value = secret_value(arn).await;
    value
        .as_object()
        .expect("the emulator holds what the function made")
        .keys()
        .cloned()
        .collect()
}

/// The application secret: under the environment's key, the fields the rotation function reads,
/// rotating every 30 days with the environment's rotation function. Its ARN.
async fn app_secret_rotates_with_the_function(suffix: &str, outputs: &Value, key: &str) -> String {
    let described = secrets()
        .await
        .describe_secret()
        .secret_id(format!("secret-db-app-{suffix}"))
        .send()
        .await
        .expect("the emulator holds what the function made");
    let arn = described
        .arn()
        .expect("the emulator holds what the function made")
        .to_owned();
    assert_eq!(outputs["dbAppSecretArn"], arn.as_str());
    assert_eq!(described.kms_key_id(), Some(key));
    assert_eq!(described.rotation_enabled(), Some(true));
    assert_eq!(
        described
            .rotation_rules()
            .and_then(|rules| rules.automatically_after_days()),
        Some(30)
    );
    assert_eq!(
        described.rotation_lambda_arn(),
        outputs["rotationFunctionArn"].as_str()
    );
    assert!(outputs["rotationFunctionArn"]
        .as_str()
        .expect("the emulator holds what the function made")
        .ends_with(&format!(":function:rotation-{suffix}")));
    let mut keys = secret_keys(&arn).await;
    keys.sort();
    assert_eq!(
        keys,
        [
            "dbname",
            "engine",
            "host",
            "masterarn",
            "password",
            "port",
            "username"
        ]
    );
    let value = secret_value(&arn).await;
    assert_eq!(value["engine"], "postgres");
    assert_eq!(value["username"], "catalog_app");
    assert_eq!(value["host"], outputs["dbWriterEndpoint"]);
    assert_eq!(value["port"], outputs["dbPort"]);
    assert_eq!(value["dbname"], "catalog");
    assert_eq!(value["masterarn"], outputs["dbMasterSecretArn"]);
    let password = value["password"]
        .as_str()
        .expect("the emulator holds what the function made");
    assert!(password.len() == 32, "the password has 32 characters");
    assert!(
        !password.chars().any(|c| ":/@\"'\\".contains(c)),
        "the password has none of the excluded characters"
    );
    arn
}

/// The rotation Lambda: in the private subnets with the rotation security group, its role assumable
/// by Lambda with the inline policy, and Secrets Manager of this account allowed to invoke it.
async fn the_function_runs_in_the_private_subnets(suffix: &str, network: &Value, outputs: &Value) {
    let config = emulator().sdk_config().await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    let function = lambda
        .get_function()
        .function_name(format!("rotation-{suffix}"))
        .send()
        .await
        .expect("the emulator holds what the function made");
    let configuration = function
        .configuration()
        .expect("the emulator holds what the function made");
    assert_eq!(
        configuration.function_arn(),
        outputs["rotationFunctionArn"].as_str()
    );
    assert_eq!(
        configuration.runtime().map(|r| r.as_str()),
        Some("provided.al2023")
    );
    assert_eq!(configuration.handler(), Some("bootstrap"));
    assert_eq!(configuration.timeout(), Some(900));
    let vpc = configuration
        .vpc_config()
        .expect("the emulator holds what the function made");
    let subnets: BTreeSet<String> = vpc.subnet_ids().iter().cloned().collect();
    let private: BTreeSet<String> = strings(&network["privateSubnetIds"]).into_iter().collect();
    assert_eq!(subnets, private);
    assert_eq!(
        vpc.security_group_ids(),
        [network["securityGroupIds"]["rotation"]
            .as_str()
            .expect("the emulator holds what the function made")]
    );
    let variables = configuration
        .environment()
        .and_then(|environment| environment.variables())
        .expect("the emulator holds what the function made");
    assert_eq!(variables["DB_CA_BUNDLE"], "/var/task/rds-ca-bundle.pem");
    // The architecture the package was built for (ROTATION_ARCHITECTURE), not a constant.
    assert_eq!(
        configuration.architectures(),
        [aws_sdk_lambda::types::Architecture::Arm64]
    );
    assert!(configuration
        .role()
        .expect("the emulator holds what the function made")
        .ends_with(&format!(":role/role-rotation-{suffix}")));

    let policy = lambda
        .get_policy()
        .function_name(format!("rotation-{suffix}"))
        .send()
        .await
        .expect("the emulator holds what the function made");
    let policy: Value = serde_json::from_str(
        policy
            .policy()
            .expect("the emulator holds what the function made"),
    )
    .expect("the emulator holds what the function made");
    let statement = &policy["Statement"][0];
    assert_eq!(
        statement["Principal"]["Service"],
        "secretsmanager.amazonaws.com"
    );
    assert_eq!(statement["Action"], "lambda:InvokeFunction");

    let iam = aws_sdk_iam::Client::new(&config);
    let role = iam
        .get_role()
        .role_name(format!("role-rotation-{suffix}"))
        .send()
        .await
        .expect("the emulator holds what the function made");
    let trust = role
        .role()
        .expect("the emulator holds what the function made")
        .assume_role_policy_document()
        .expect("the emulator holds what the function made");
    assert!(trust.contains("lambda.amazonaws.com"), "{trust}");
    let inline = iam
        .get_role_policy()
        .role_name(format!("role-rotation-{suffix}"))
        .policy_name("rotate-database-secret")
        .send()
        .await
        .expect("the emulator holds what the function made");
    assert!(
        inline.policy_document().contains("PutSecretValue"),
        "{}",
        inline.policy_document()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_that_meets_its_secret_scheduled_for_deletion_restores_it() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let spec = spec(suffix, json!({"deletionProtection": false}));
    code_package().await;
    let network = create("network", &spec, &json!({}));
    let first = create("database", &spec, &json!({"network": network}));
    let app_secret = first["dbAppSecretArn"]
        .as_str()
        .expect("the app secret")
        .to_owned();
    let value = secret_value(&app_secret).await;
    // As a teardown without forceDestroy leaves it: waiting out its recovery window.
    let secrets = secrets().await;
    secrets
        .delete_secret()
        .secret_id(&app_secret)
        .recovery_window_in_days(7)
        .send()
        .await
        .expect("scheduled for deletion");

    // Creating again restores the same secret with the same credentials.
    let again = create("database", &spec, &json!({"network": network}));
    assert_eq!(again["dbAppSecretArn"], app_secret.as_str());
    let described = secrets
        .describe_secret()
        .secret_id(&app_secret)
        .send()
        .await
        .expect("the secret");
    assert!(described.deleted_date().is_none());
    assert_eq!(secret_value(&app_secret).await, value);

    let forced = json!({"environmentSuffix": suffix, "containerImage": "public.ecr.aws/acme/catalog-api:1", "selfSignedCertificate": true, "deletionProtection": false, "forceDestroy": true});
    for _ in 0..5 {
        if call("database", "delete", &forced, &json!({}))["status"] == "DELETED" {
            break;
        }
    }
    assert!(what_is_left(suffix).await.is_empty());
}

/// The cluster's Serverless v2 minimum and auto-pause time, as RDS reports them.
async fn pause_range(suffix: &str) -> (Option<f64>, Option<i32>) {
    let clusters = rds()
        .await
        .describe_db_clusters()
        .db_cluster_identifier(format!("aurora-{suffix}"))
        .send()
        .await
        .expect("the cluster");
    let range = clusters.db_clusters()[0]
        .serverless_v2_scaling_configuration()
        .expect("a Serverless v2 range");
    (range.min_capacity(), range.seconds_until_auto_pause())
}

/// `delete` until DELETED (at most 5 calls); then nothing of the database is left.
async fn torn_down(spec: &Value, suffix: &str) {
    for _ in 0..5 {
        if call("database", "delete", spec, &json!({}))["status"] == "DELETED" {
            break;
        }
    }
    assert!(what_is_left(suffix).await.is_empty());
}

/// A minimum of 0 ACUs reaches RDS with the spec's idle time before Aurora pauses an instance: at
/// creation, and on an existing cluster whose spec changes to it.
#[tokio::test(flavor = "multi_thread")]
async fn a_minimum_of_zero_acus_reaches_rds_with_its_auto_pause_time() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let removable = json!({"deletionProtection": false, "forceDestroy": true});
    let awake = spec(suffix, removable);
    let mut pausing = awake.clone();
    pausing["dbMinCapacity"] = json!(0);
    pausing["dbAutoPauseSeconds"] = json!(900);
    code_package().await;
    let network = create("network", &awake, &json!({}));
    let inputs = json!({"network": network});
    create("database", &awake, &inputs);
    assert_eq!(pause_range(suffix).await, (Some(0.5), None));
    // The next provision's create calls, once the cluster is available, change its range.
    for _ in 0..3 {
        call("database", "create", &pausing, &inputs);
    }
    assert_eq!(pause_range(suffix).await, (Some(0.0), Some(900)));
    torn_down(&pausing, suffix).await;

    // Created pausing from the start.
    let suffix = unique_suffix().as_str().to_owned();
    let mut pausing = pausing.clone();
    pausing["environmentSuffix"] = json!(suffix);
    let network = create("network", &pausing, &json!({}));
    create("database", &pausing, &json!({"network": network}));
    assert_eq!(pause_range(&suffix).await, (Some(0.0), Some(900)));
    torn_down(&pausing, &suffix).await;
}

/// A redeploy's rotation package and settings reach an environment made before it: the function
/// an earlier deployment made (another package, architecture, timeout and environment) is brought
/// up to date by the next provision's status calls, and the database is READY only then.
#[tokio::test(flavor = "multi_thread")]
async fn a_redeployed_rotation_package_reaches_an_existing_environment() {
    let suffix = unique_suffix();
    let suffix = suffix.as_str();
    let spec = spec(suffix, json!({"deletionProtection": false}));
    code_package().await;
    let network = create("network", &spec, &json!({}));
    create("database", &spec, &json!({"network": network}));
    let config = emulator().sdk_config().await;
    let lambda = aws_sdk_lambda::Client::new(&config);
    let function = format!("rotation-{suffix}");
    // As an older deployment left it: a 30-second timeout and only the CA bundle's setting.
    lambda
        .update_function_configuration()
        .function_name(&function)
        .timeout(30)
        .environment(
            aws_sdk_lambda::types::Environment::builder()
                .variables("DB_CA_BUNDLE", "/var/task/rds-ca-bundle.pem")
                .build(),
        )
        .send()
        .await
        .expect("the emulator changes the function");

    // The redeploy: a new package, built for the other processor.
    let mut package = EMPTY_ZIP.to_vec();
    package[20] = 1; // a one-byte comment: another valid empty zip
    package.push(b'2');
    let key = format!("rotation/{suffix}.zip");
    aws_sdk_s3::Client::new(&config)
        .put_object()
        .bucket(CODE_BUCKET)
        .key(&key)
        .body(package.clone().into())
        .send()
        .await
        .expect("PutObject");
    let sha256 = integration_tests::deployed::code_sha256(&package);
    let mut env = function_env();
    env.retain(|(name, _)| !name.starts_with("ROTATION_"));
    env.extend([
        ("ROTATION_CODE_BUCKET", CODE_BUCKET.to_owned()),
        ("ROTATION_CODE_KEY", key),
        ("ROTATION_CODE_SHA256", sha256.clone()),
        ("ROTATION_ARCHITECTURE", "x86_64".to_owned()),
    ]);
    let converge = || {
        let event = json!({"action": "create", "spec": spec, "outputs": {"network": network}});
        let result = invoke("database", &event, &env);
        assert!(result.success, "{} {}", result.body, result.stderr);
        result.body["status"].clone()
    };
    assert_eq!(converge(), "IN_PROGRESS", "the package changes first");
    let mut statuses = vec![];
    for _ in 0..6 {
        statuses.push(converge());
        if statuses.last() == Some(&json!("READY")) {
            break;
        }
    }
    assert_eq!(statuses.last(), Some(&json!("READY")), "{statuses:?}");
    let configuration = lambda
        .get_function_configuration()
        .function_name(&function)
        .send()
        .await
        .expect("the function");
    assert_eq!(configuration.code_sha256(), Some(sha256.as_str()));
    assert_eq!(
        configuration.architectures(),
        [aws_sdk_lambda::types::Architecture::X8664]
    );
    assert_eq!(configuration.timeout(), Some(900));
    let variables = configuration
        .environment()
        .and_then(|environment| environment.variables())
        .expect("its settings");
    assert_eq!(variables["ECS_SERVICE"], format!("ecs-service-{suffix}"));
    assert_eq!(variables["CACHE_TOKEN_WAIT_SECONDS"], "780");
    // Up to date: no further change.
    assert_eq!(converge(), "READY");

    let forced = json!({"environmentSuffix": suffix, "containerImage": "public.ecr.aws/acme/catalog-api:1", "selfSignedCertificate": true, "deletionProtection": false, "forceDestroy": true});
    for _ in 0..5 {
        if call("database", "delete", &forced, &json!({}))["status"] == "DELETED" {
            break;
        }
    }
    assert!(what_is_left(suffix).await.is_empty());
}
