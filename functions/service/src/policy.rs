//! The IAM documents of the service's roles (control CKV_AWS_249: the execution role is not the task
//! role; the infrastructure role of blue/green deployments is a third). Every statement names its
//! resources; a `*` resource is only for the actions AWS gives no resource-level permission:
//! [`ECR_LOGIN`], [`PUT_METRIC_DATA`] and [`LOAD_BALANCER_READS`], each granted to one role.

use env_core::arn::region_of;
use env_core::arn::ArnScope;
use env_core::iam::{ECR_LOGIN, LOAD_BALANCER_READS, PUT_METRIC_DATA};
use env_core::spec::service::EcrRepository;
use serde_json::{json, Value};

/// The PostgreSQL user the API logs in as with IAM authentication (the database component's
/// application user).
pub const APP_DB_USER: &str = "catalog_app";
/// The principal of the task and execution roles: ECS tasks (ECS developer guide, "Task IAM role").
pub const TASKS_PRINCIPAL: &str = "ecs-tasks.amazonaws.com";
/// The principal of the infrastructure role: ECS itself (ECS developer guide, "Amazon ECS
/// infrastructure IAM role for load balancers").
pub const ECS_PRINCIPAL: &str = "ecs.amazonaws.com";

/// ECS tasks may assume the execution role, for this account only (the confused-deputy key the
/// IAM user guide recommends, "The confused deputy problem"; the execution role's guide shows no
/// `aws:SourceArn`, so it is left out there).
pub fn tasks_trust_policy(account: &str) -> Value {
    let mut trust = trust_policy(TASKS_PRINCIPAL);
    trust["Statement"][0]["Condition"] = json!({"StringEquals": {"aws:SourceAccount": account}});
    trust
}

/// The task role's: tasks of this account, and (ECS developer guide, "Amazon ECS task IAM role")
/// `aws:SourceArn` of any ECS resource of this account and region: a narrower ARN, a cluster's,
/// is not supported there.
pub fn task_role_trust_policy(account: &str, region: &str) -> Value {
    let mut trust = tasks_trust_policy(account);
    trust["Statement"][0]["Condition"]["ArnLike"] =
        json!({"aws:SourceArn": ArnScope::new(region, account).regional("ecs", "*")});
    trust
}

/// Only `principal` may assume the role.
pub fn trust_policy(principal: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": principal},
            "Action": "sts:AssumeRole"
        }]
    })
}

/// KMS decrypts for Secrets Manager only (`kms:ViaService`, KMS developer guide).
fn decrypt_via_secrets_manager(key_arn: &str) -> Value {
    let region = region_of(key_arn);
    json!({
        "Sid": "DecryptSecretsThroughSecretsManager",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": key_arn,
        "Condition": {"StringEquals": {
            "kms:ViaService": format!("secretsmanager.{region}.amazonaws.com")
        }}
    })
}

fn read_secrets(secrets: &[&str]) -> Value {
    json!({
        "Sid": "ReadTheEnvironmentsSecrets",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": secrets
    })
}

/// What ECS needs to start the task: pull the image, write its log streams, inject its secrets.
pub fn execution_policy(
    account: &str,
    log_group: &str,
    secrets: &[&str],
    key_arn: &str,
    image: &str,
) -> Value {
    // The environment's region: its key's.
    let region = region_of(key_arn);
    let mut statements = vec![
        json!({
            "Sid": "WriteTheServiceLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": ArnScope::new(region, account).regional("logs", &format!("log-group:{log_group}:*"))
        }),
        read_secrets(secrets),
        decrypt_via_secrets_manager(key_arn),
    ];
    if let Some(repository) = EcrRepository::of_image(image).map(|r| r.arn()) {
        statements.push(json!({
            "Sid": "PullTheImage",
            "Effect": "Allow",
            "Action": [
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage"
            ],
            "Resource": repository
        }));
        // The one `*`: only for the actions that have no resource-level permission.
        statements.push(json!({
            "Sid": "LogInToEcr",
            "Effect": "Allow",
            "Action": ECR_LOGIN,
            "Resource": "*"
        }));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// Where the API may connect and write metrics, besides its secrets.
#[derive(Debug, Clone, Copy)]
pub struct TaskScope<'a> {
    /// The cluster's `DbClusterResourceId`, when the database component handed it on.
    pub db_resource_id: Option<&'a str>,
    /// The environment's Redis replication group id.
    pub replication_group: &'a str,
    /// The one CloudWatch namespace the API publishes its metrics to.
    pub metric_namespace: &'a str,
}

/// What the API itself may do: read its two secrets, decrypt them through Secrets Manager, log
/// in to Aurora as the application user with IAM authentication, connect to its own Redis
/// replication group, and publish metrics to its own namespace. The resource id of the cluster
/// (`DbClusterResourceId`) narrows `rds-db:connect` to this cluster when the database component
/// hands it on; without it the user name still limits it (IAM user guide for RDS, "Creating and
/// using an IAM policy for IAM database access").
pub fn task_policy(account: &str, secrets: &[&str], key_arn: &str, scope: TaskScope<'_>) -> Value {
    let cluster = scope.db_resource_id.unwrap_or("*");
    let arns = ArnScope::new(region_of(key_arn), account);
    json!({
        "Version": "2012-10-17",
        "Statement": [
            read_secrets(secrets),
            decrypt_via_secrets_manager(key_arn),
            {
                "Sid": "ConnectAsTheApplicationUser",
                "Effect": "Allow",
                "Action": "rds-db:connect",
                "Resource": arns.regional("rds-db", &format!("dbuser:{cluster}/{APP_DB_USER}"))
            },
            {
                // ElastiCache user guide, "Authenticating with IAM": `elasticache:Connect` needs
                // both the replication group and the ElastiCache user connecting (the Service
                // Authorization Reference lists both resource types as required). The user is the
                // group's `-app` user, which IAM authentication would use instead of the AUTH token.
                "Sid": "ConnectToTheEnvironmentsRedis",
                "Effect": "Allow",
                "Action": "elasticache:Connect",
                "Resource": [
                    arns.regional("elasticache", &format!("replicationgroup:{}", scope.replication_group)),
                    arns.regional("elasticache", &format!("user:{}-app", scope.replication_group))
                ]
            },
            {
                // No resource-level permission exists (PUT_METRIC_DATA): the namespace
                // condition is what limits it (CloudWatch user guide, "Using condition keys to
                // limit access to CloudWatch namespaces").
                "Sid": "PublishMetricsToItsOwnNamespace",
                "Effect": "Allow",
                "Action": PUT_METRIC_DATA,
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": scope.metric_namespace}}
            }
        ]
    })
}

/// What ECS blue/green deployments change on the load balancer, as the AWS managed policy
/// `AmazonECSInfrastructureRolePolicyForLoadBalancers` lists it, narrowed to this environment:
/// move the weights of its two listener rules and (de)register tasks in its two target groups.
/// `ModifyListener` is left out: ECS changes a listener only for Network Load Balancers (ECS
/// developer guide, "Amazon ECS infrastructure IAM role for load balancers").
pub fn infrastructure_policy(rules: &[&str], target_groups: &[&str]) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadTheLoadBalancer",
                "Effect": "Allow",
                "Action": LOAD_BALANCER_READS,
                "Resource": "*"
            },
            {
                "Sid": "ShiftTheListenerRules",
                "Effect": "Allow",
                "Action": "elasticloadbalancing:ModifyRule",
                "Resource": rules
            },
            {
                "Sid": "RegisterTasksInTheTargetGroups",
                "Effect": "Allow",
                "Action": [
                    "elasticloadbalancing:RegisterTargets",
                    "elasticloadbalancing:DeregisterTargets"
                ],
                "Resource": target_groups
            }
        ]
    })
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// Every (action, resource) pair of a document, with single strings read as lists.
    pub fn grants(document: &Value) -> Vec<(String, String)> {
        let list = |value: &Value| -> Vec<String> {
            match value {
                Value::Array(items) => items
                    .iter()
                    .map(|item| item.as_str().unwrap().to_owned())
                    .collect(),
                other => vec![other.as_str().unwrap().to_owned()],
            }
        };
        let mut pairs = Vec::new();
        for statement in document["Statement"].as_array().unwrap() {
            assert_eq!(statement["Effect"], "Allow");
            for action in list(&statement["Action"]) {
                for resource in list(&statement["Resource"]) {
                    pairs.push((action.clone(), resource));
                }
            }
        }
        pairs
    }

    /// Every action without resource-level permissions.
    const WITHOUT_RESOURCE_LEVEL: [&str; 6] = [
        ECR_LOGIN,
        PUT_METRIC_DATA,
        LOAD_BALANCER_READS[0],
        LOAD_BALANCER_READS[1],
        LOAD_BALANCER_READS[2],
        LOAD_BALANCER_READS[3],
    ];

    /// No `*` action (nor a service wildcard), no `*` resource except where AWS has no
    /// resource-level permission, and `iam:PassRole` nowhere.
    pub fn assert_least_privilege(document: &Value) {
        let pairs = grants(document);
        assert!(!pairs.is_empty());
        for (action, resource) in pairs {
            assert!(!action.contains('*'), "wildcard action {action}");
            assert_ne!(action, "iam:PassRole");
            if resource == "*" {
                assert!(
                    WITHOUT_RESOURCE_LEVEL.contains(&action.as_str()),
                    "unexplained * resource for {action}"
                );
            }
        }
    }

    const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k";
    const SECRETS: [&str; 2] = [
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:db-app-pr-1-AbCdEf",
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:redis-auth-pr-1-AbCdEf",
    ];

    #[test]
    fn the_execution_role_writes_its_log_group_and_reads_only_the_two_secrets() {
        let document = execution_policy(
            "123456789012",
            "ecs-logs-pr-1",
            &SECRETS,
            KEY,
            "public.ecr.aws/acme/catalog-api:1",
        );
        assert_least_privilege(&document);
        let pairs = grants(&document);
        assert!(pairs.contains(&(
            "logs:PutLogEvents".into(),
            "arn:aws:logs:us-west-2:123456789012:log-group:ecs-logs-pr-1:*".into()
        )));
        let secrets: Vec<&str> = pairs
            .iter()
            .filter(|(action, _)| action == "secretsmanager:GetSecretValue")
            .map(|(_, resource)| resource.as_str())
            .collect();
        assert_eq!(secrets, SECRETS);
        // A public image: no ECR statement at all.
        assert!(pairs.iter().all(|(action, _)| !action.starts_with("ecr:")));
        let decrypt = &document["Statement"][2];
        assert_eq!(decrypt["Resource"], KEY);
        assert_eq!(
            decrypt["Condition"]["StringEquals"]["kms:ViaService"],
            "secretsmanager.us-west-2.amazonaws.com"
        );
    }

    #[test]
    fn a_private_ecr_image_is_pulled_from_its_own_repository_only() {
        let image = "123456789012.dkr.ecr.us-west-2.amazonaws.com/team/catalog-api:1@sha256:ab";
        let document = execution_policy("123456789012", "g", &SECRETS, KEY, image);
        assert_least_privilege(&document);
        let pairs = grants(&document);
        assert!(pairs.contains(&(
            "ecr:BatchGetImage".into(),
            "arn:aws:ecr:us-west-2:123456789012:repository/team/catalog-api".into()
        )));
        // Of the actions without resource-level permissions, the execution role gets only ECR's.
        let everywhere: Vec<&str> = pairs
            .iter()
            .filter(|(_, resource)| resource == "*")
            .map(|(action, _)| action.as_str())
            .collect();
        assert_eq!(everywhere, ["ecr:GetAuthorizationToken"]);
    }

    const SCOPE: TaskScope<'static> = TaskScope {
        db_resource_id: Some("cluster-ABC"),
        replication_group: "redis-pr-1",
        metric_namespace: "catalog-api-pr-1",
    };

    #[test]
    fn the_task_role_reads_secrets_decrypts_through_secrets_manager_and_connects_as_the_app_user() {
        let document = task_policy("123456789012", &SECRETS, KEY, SCOPE);
        assert_least_privilege(&document);
        let pairs = grants(&document);
        assert_eq!(
            pairs,
            [
                (
                    "secretsmanager:GetSecretValue".to_owned(),
                    SECRETS[0].to_owned()
                ),
                (
                    "secretsmanager:GetSecretValue".to_owned(),
                    SECRETS[1].to_owned()
                ),
                ("kms:Decrypt".to_owned(), KEY.to_owned()),
                (
                    "rds-db:connect".to_owned(),
                    "arn:aws:rds-db:us-west-2:123456789012:dbuser:cluster-ABC/catalog_app"
                        .to_owned()
                ),
                (
                    "elasticache:Connect".to_owned(),
                    "arn:aws:elasticache:us-west-2:123456789012:replicationgroup:redis-pr-1"
                        .to_owned()
                ),
                (
                    "elasticache:Connect".to_owned(),
                    "arn:aws:elasticache:us-west-2:123456789012:user:redis-pr-1-app".to_owned()
                ),
                ("cloudwatch:PutMetricData".to_owned(), "*".to_owned()),
            ]
        );
        // The `*` of PutMetricData is held to the environment's namespace.
        assert_eq!(
            document["Statement"][4]["Condition"]["StringEquals"]["cloudwatch:namespace"],
            "catalog-api-pr-1"
        );
        let without_id = task_policy(
            "123456789012",
            &SECRETS,
            KEY,
            TaskScope {
                db_resource_id: None,
                ..SCOPE
            },
        );
        assert_eq!(
            without_id["Statement"][2]["Resource"],
            "arn:aws:rds-db:us-west-2:123456789012:dbuser:*/catalog_app"
        );
    }

    #[test]
    fn the_infrastructure_role_shifts_only_this_environments_rules_and_target_groups() {
        let rules = ["arn:rule/production", "arn:rule/test"];
        let groups = ["arn:tg/blue", "arn:tg/green"];
        let document = infrastructure_policy(&rules, &groups);
        assert_least_privilege(&document);
        let pairs = grants(&document);
        let on = |action: &str| -> Vec<String> {
            pairs
                .iter()
                .filter(|(granted, _)| granted == action)
                .map(|(_, resource)| resource.clone())
                .collect()
        };
        assert_eq!(on("elasticloadbalancing:ModifyRule"), rules);
        assert_eq!(on("elasticloadbalancing:RegisterTargets"), groups);
        assert_eq!(on("elasticloadbalancing:DeregisterTargets"), groups);
        assert_eq!(on("elasticloadbalancing:DescribeRules"), ["*"]);
        assert!(on("elasticloadbalancing:ModifyListener").is_empty());
        assert_eq!(pairs.len(), 10);
    }

    #[test]
    fn the_task_role_is_assumed_only_for_ecs_resources_of_its_account_and_region() {
        let trust = task_role_trust_policy("123456789012", "us-west-2");
        let condition = &trust["Statement"][0]["Condition"];
        assert_eq!(
            condition["ArnLike"]["aws:SourceArn"],
            "arn:aws:ecs:us-west-2:123456789012:*"
        );
        assert_eq!(
            condition["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
    }

    #[test]
    fn only_the_named_principal_assumes_a_role() {
        let trust = tasks_trust_policy("123456789012");
        assert_eq!(
            trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
        assert_eq!(
            trust["Statement"][0]["Principal"]["Service"],
            "ecs-tasks.amazonaws.com"
        );
        assert_eq!(
            trust_policy(ECS_PRINCIPAL)["Statement"][0]["Principal"]["Service"],
            "ecs.amazonaws.com"
        );
        assert_eq!(trust["Statement"][0]["Action"], "sts:AssumeRole");
    }
}
