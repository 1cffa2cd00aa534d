//! The rotation function and its role: how they are made, waited for, redeployed and updated, and
//! what Lambda's and IAM's refusals do.

use super::*;
use iam_roles::RoleCalls;

#[tokio::test]
async fn a_database_that_pauses_gives_the_rotation_function_time_to_resume_it() {
    let timeout = |extra: Value| async move {
        let cloud = FakeCloud::default();
        ready(&cloud, extra).await;
        let world = cloud.lambda.world();
        let (function, _) = &world.functions["rotation-pr-42"];
        let variables = function.variables();
        variables.get("DB_CONNECT_TIMEOUT_SECONDS").cloned()
    };
    assert_eq!(
        timeout(json!({"dbMinCapacity": 0})).await.as_deref(),
        Some("45")
    );
    // Always awake: the function's own default (5 s) holds.
    assert_eq!(timeout(json!({})).await, None);
}

#[tokio::test]
async fn the_rotation_function_runs_in_the_private_subnets_with_the_rotation_group_and_its_policy()
{
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let secret_arns = {
        let store = cloud.secrets.store();
        [APP_SECRET, API_KEYS_SECRET].map(|name| store.secrets[name].arn.clone())
    };
    let world = cloud.lambda.world();
    let (function, _) = &world.functions["rotation-pr-42"];
    assert_eq!(function.subnet_ids, ["subnet-a", "subnet-b", "subnet-c"]);
    assert_eq!(function.security_group_ids, ["sg-rot"]);
    assert_eq!(
        (function.code_bucket.as_str(), function.code_key.as_str()),
        ("artifacts", "rotation/rotation.zip")
    );
    assert_eq!(function.architecture, "arm64");
    assert_eq!(
        function.environment,
        [
            ("DB_CA_BUNDLE", "/var/task/rds-ca-bundle.pem".to_owned()),
            ("ECS_CLUSTER", "ecs-cluster-pr-42".to_owned()),
            ("ECS_SERVICE", "ecs-service-pr-42".to_owned()),
            ("CACHE_TOKEN_WAIT_SECONDS", "780".to_owned())
        ]
    );
    assert_eq!(function.timeout_seconds, 900);
    assert_eq!(
        function.role_arn,
        "arn:aws:iam::123456789012:role/role-rotation-pr-42"
    );
    let roles = cloud.roles.roles();
    let role = &roles["role-rotation-pr-42"];
    assert!(role.trust_policy.contains("lambda.amazonaws.com"));
    assert_eq!(
        role.description,
        "Runs the environment's Secrets Manager rotation of the database user"
    );
    assert!(role.tags.iter().any(|tag| tag.value == "pr-42"));
    let policy: Value = serde_json::from_str(&role.policies["rotate-database-secret"]).unwrap();
    let resources: Vec<&Value> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|statement| &statement["Resource"])
        .collect();
    assert!(resources.contains(&&json!([
        secret_arns[0],
        secret_arns[1],
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-??????"
    ])));
    assert!(resources.contains(&&json!(
        "arn:aws:elasticache:us-west-2:123456789012:replicationgroup:redis-pr-42"
    )));
    assert!(resources.contains(&&json!(
        "arn:aws:ecs:us-west-2:123456789012:service/ecs-cluster-pr-42/ecs-service-pr-42"
    )));
    assert!(resources.contains(&&json!(KEY)));
    assert!(resources.contains(&&json!([
        "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/rotation-pr-42",
        "arn:aws:logs:us-west-2:123456789012:log-group:/aws/lambda/rotation-pr-42:*"
    ])));
    assert_eq!(
        world.permissions,
        [(
            "arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42".to_owned(),
            "SecretsManagerRotation".to_owned(),
            "secretsmanager.amazonaws.com".to_owned(),
            "123456789012".to_owned()
        )]
    );
}

#[tokio::test]
async fn a_pending_function_is_waited_for_before_rotation_is_turned_on() {
    let cloud = FakeCloud::default();
    cloud.lambda.world().function_state = Some("Pending");
    cluster_available(&cloud).await;
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(!changes(&cloud).contains(&"AddPermission"));
    for (_, function) in cloud.lambda.world().functions.values_mut() {
        function.state = "Active".into();
    }
    run(&cloud, Action::Create, json!({})).await.unwrap();
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Ready);
}

#[tokio::test]
async fn a_redeployed_package_and_settings_reach_an_existing_function_one_change_per_call() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    // The function an earlier deployment made: another timeout and no ECS settings.
    change_rotation_function(&cloud, |function| {
        function.timeout_seconds = 30;
        function
            .environment
            .retain(|name, _| name == "DB_CA_BUNDLE");
    });
    let settings = redeployed("x86_64");
    let create = || run_with(&cloud, &settings, Action::Create);
    // The code first; READY waits until the function runs it.
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"UpdateFunctionCode"));
    {
        let world = cloud.lambda.world();
        let (_, function) = &world.functions["rotation-pr-42"];
        assert_eq!(function.code_sha256, settings.as_ref().unwrap().code_sha256);
        assert_eq!(function.architecture, "x86_64");
        assert_eq!(function.timeout_seconds, 30, "not while the code changes");
    }
    // The next call finds the code update still in progress (Lambda's LastUpdateStatus) and
    // waits; the one after changes the configuration.
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(!changes(&cloud).contains(&"UpdateFunctionConfiguration"));
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"UpdateFunctionConfiguration"));
    {
        let world = cloud.lambda.world();
        let (_, function) = &world.functions["rotation-pr-42"];
        assert_eq!(function.timeout_seconds, 900);
        assert_eq!(function.environment["ECS_SERVICE"], "ecs-service-pr-42");
        assert_eq!(function.environment["CACHE_TOKEN_WAIT_SECONDS"], "780");
        assert_eq!(
            function.environment["DB_CA_BUNDLE"],
            "/var/task/rds-ca-bundle.pem"
        );
    }
    let response = create().await.unwrap();
    assert_eq!(
        response.status,
        Status::InProgress,
        "the change in progress"
    );
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let changed = changes(&cloud);
    assert!(
        !changed
            .iter()
            .any(|change| change.starts_with("UpdateFunction")),
        "{changed:?}"
    );
    // A package built for the other processor is a code change too.
    let arm = redeployed("arm64");
    let response = run_with(&cloud, &arm, Action::Create).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        cloud.lambda.world().functions["rotation-pr-42"]
            .1
            .architecture,
        "arm64"
    );
}

#[tokio::test]
async fn an_update_refused_as_in_progress_is_waited_for_and_other_refusals_fail() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    change_rotation_function(&cloud, |function| function.timeout_seconds = 30);
    let settings = redeployed("arm64");
    let create = || run_with(&cloud, &settings, Action::Create);
    // Another call's change under way: this one waits for it.
    cloud
        .recorder
        .lock()
        .fail("UpdateFunctionCode", "ResourceConflictException");
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        cloud.lambda.world().functions["rotation-pr-42"]
            .1
            .code_sha256,
        PACKAGE_SHA256
    );
    // A function still being made, or changed by someone else, is not changed again.
    change_rotation_function(&cloud, |function| function.state = "Pending".into());
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    change_rotation_function(&cloud, |function| function.state = "Active".into());
    change_rotation_function(&cloud, |function| function.updating = true);
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(!changes(&cloud).contains(&"UpdateFunctionCode"));
    // A package Lambda cannot take is the deployment's fault, not a wait.
    cloud
        .recorder
        .lock()
        .fail("UpdateFunctionCode", "InvalidParameterValueException");
    let error = create().await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    // And the same refusal of the configuration change, once the code is there: the code
    // changes, the next call sees it in progress, the one after is refused and waits.
    create().await.unwrap();
    create().await.unwrap();
    cloud
        .recorder
        .lock()
        .fail("UpdateFunctionConfiguration", "ResourceConflictException");
    let response = create().await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(
        cloud.recorder.lock().faults_answered(),
        "the refusal was met"
    );
    assert!(changes(&cloud).contains(&"UpdateFunctionCode"));
    assert_eq!(
        cloud.lambda.world().functions["rotation-pr-42"]
            .1
            .timeout_seconds,
        30
    );
    create().await.unwrap();
    assert_eq!(
        cloud.lambda.world().functions["rotation-pr-42"]
            .1
            .timeout_seconds,
        900
    );
}

#[tokio::test]
async fn an_inactive_function_is_updated_as_an_active_one() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    // Idle for weeks between rotations: Lambda reclaimed its interfaces; it can still be changed.
    change_rotation_function(&cloud, |function| function.state = "Inactive".into());
    let settings = redeployed("x86_64");
    let response = run_with(&cloud, &settings, Action::Create).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"UpdateFunctionCode"));
}

#[tokio::test]
async fn an_update_that_failed_in_this_request_leaves_the_previous_function_until_the_next() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    let settings = redeployed("x86_64");
    // Lambda failed the change made moments ago: the function keeps its previous package and
    // still rotates; this provision goes on.
    change_rotation_function(&cloud, |function| {
        function.update_failure = Some("Lambda was unable to create the network interface".into());
        function.last_modified = Some(std::time::SystemTime::now());
    });
    let response = run_with(&cloud, &settings, Action::Create).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    assert!(!changes(&cloud).contains(&"UpdateFunctionCode"));
    // A failure from before this request (the next provision's): tried again.
    change_rotation_function(&cloud, |function| {
        function.last_modified = Some(std::time::UNIX_EPOCH)
    });
    let response = run_with(&cloud, &settings, Action::Create).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert!(changes(&cloud).contains(&"UpdateFunctionCode"));
}

#[tokio::test]
async fn a_role_not_yet_assumable_is_retryable_and_the_next_call_creates_the_function() {
    let cloud = FakeCloud::default();
    cluster_available(&cloud).await;
    cloud.recorder.lock().fail_with(
        "CreateFunction",
        "InvalidParameterValueException",
        "The role defined for the function cannot be assumed by Lambda.",
    );
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error.to_string().contains("is not usable by Lambda yet"),
        "{error}"
    );
    assert!(cloud.lambda.world().functions.is_empty());
    // Its inline policy not yet in force when Lambda checks the network interfaces: the same.
    cloud.recorder.lock().fail_with(
        "CreateFunction",
        "InvalidParameterValueException",
        "The provided execution role does not have permissions to call CreateNetworkInterface on EC2",
    );
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(cloud.lambda.world().functions.is_empty());
    run(&cloud, Action::Create, json!({})).await.unwrap();
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    // Other refusals of CreateFunction are no reason to retry.
    cloud.lambda.world().functions.clear();
    cloud.recorder.lock().fail_with(
        "CreateFunction",
        "InvalidParameterValueException",
        "bad zip",
    );
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn a_function_or_permission_met_from_a_concurrent_create_is_used() {
    let cloud = FakeCloud::default();
    ready(&cloud, json!({})).await;
    // The function was made by another call, and the permission is there already.
    cloud
        .recorder
        .lock()
        .fail("CreateFunction", "ResourceConflictException");
    {
        let mut world = cloud.lambda.world();
        let function = world.functions["rotation-pr-42"].clone();
        world.functions.clear();
        world.functions.insert("rotation-pr-42".into(), function);
    }
    change_environment_secrets(&cloud, |secret| secret.rotation.enabled = false);
    let response = run(&cloud, Action::Create, json!({})).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(
        changes(&cloud),
        [
            "ModifyDBClusterParameterGroup",
            "PutRetentionPolicy",
            "PutResourcePolicy",
            "PutResourcePolicy",
            "PutRetentionPolicy",
            "RotateSecret",
            "RotateSecret"
        ]
    );

    let cloud = FakeCloud::default();
    cluster_available(&cloud).await;
    cloud
        .recorder
        .lock()
        .fail("CreateFunction", "ResourceConflictException");
    let error = run(&cloud, Action::Create, json!({})).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error
            .to_string()
            .contains("rotation-pr-42 was created but is not visible yet"),
        "{error}"
    );
}

#[tokio::test]
async fn the_fake_refuses_to_delete_a_role_that_still_has_a_policy_as_iam_does() {
    let cloud = FakeCloud::default();
    let roles = cloud.roles();
    roles.create("role-x", "a role", "{}", &[]).await.unwrap();
    roles.put_policy("role-x", "p", "{}").await.unwrap();
    // Putting the same document again changes nothing.
    roles.put_policy("role-x", "p", "{}").await.unwrap();
    assert_eq!(changes(&cloud), ["CreateRole", "PutRolePolicy"]);
    let refused = roles.delete("role-x").await.unwrap_err();
    assert!(refused.is_code("DeleteConflict"), "{refused}");
    roles.delete_policy("role-x", "p").await.unwrap();
    roles.delete("role-x").await.unwrap();
    assert_eq!(changes(&cloud), ["DeleteRolePolicy", "DeleteRole"]);
}
