//! Describe one environment: `create` and `status` read everything back from AWS and answer READY
//! with the outputs document; `delete` has nothing to remove and answers DELETED without a call.
//!
//! The document is rebuilt from the environment's deterministic names and tags on every call, never
//! from the workflow's memory, so the CLI or an operator can ask for it at any time and get what
//! exists now. The provision workflow calls it only after every component answered READY: a piece
//! missing then has gone (or was never made) and waiting will not bring it back, so the answer is
//! the `ComponentFailed` error naming every missing piece, not IN_PROGRESS.

use crate::api::{Cloud, Subnet};
use crate::document::{self, Found, Missing};
use ec2::Ec2Calls;
use env_core::contract::{Action, Outputs, Request, Response, Status};
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSpec;
use env_core::{AwsCallError, ErrorName, NamedError};
use log_groups::LogGroupCalls;
use secrets::SecretCalls;

#[derive(Debug, thiserror::Error)]
pub enum OutputsError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error("environment {environment} is incomplete, so it has no outputs document; missing: {}", .missing.join("; "))]
    Incomplete {
        environment: String,
        missing: Vec<String>,
    },
}

impl NamedError for OutputsError {
    fn error_name(&self) -> ErrorName {
        match self {
            OutputsError::Aws(error) => error.error_name(),
            // Every component was READY before this runs: what is missing now will not appear.
            OutputsError::Incomplete { .. } => ErrorName::ComponentFailed,
        }
    }
}

pub async fn handle<C: Cloud>(cloud: &C, request: Request) -> Result<Response, OutputsError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "outputs");
    match request.action {
        Action::Create | Action::Status => describe(cloud, &request.spec).await,
        // Read-only: the components' own deletes remove everything this function reads.
        Action::Delete => Ok(Response::new(Status::Deleted, Outputs::new())),
    }
}

async fn describe<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, OutputsError> {
    let found = read(cloud, spec).await?;
    match document::build(spec, cloud.region(), &found) {
        Ok(outputs) => Ok(Response::new(Status::Ready, outputs)),
        Err(Missing(missing)) => {
            tracing::warn!(?missing, "environment incomplete");
            Err(OutputsError::Incomplete {
                environment: spec.suffix().to_string(),
                missing,
            })
        }
    }
}

/// Every lookup, at once: they are independent, and a Lambda waiting on fifteen calls in a row
/// spends most of its time idle.
async fn read<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Found, AwsCallError> {
    let names = Names::new(spec.suffix());
    let [vpc, alb, cluster, service, namespace, aurora, db_app, api_keys, cache_auth, group, log_group, dashboard, topic] =
        [
            NameKind::Vpc,
            NameKind::LoadBalancer,
            NameKind::EcsCluster,
            NameKind::EcsService,
            NameKind::DiscoveryNamespace,
            NameKind::AuroraCluster,
            NameKind::DatabaseSecret,
            NameKind::ApiKeysSecret,
            NameKind::CacheAuthSecret,
            NameKind::CacheReplicationGroup,
            NameKind::ServiceLogGroup,
            NameKind::Dashboard,
            NameKind::AlarmTopic,
        ]
        .map(|kind| names.of(kind));
    let network = async {
        let environment = spec.suffix();
        // The environment's VPCs (by its tag), of which the one of this name: the finder answers
        // the tags it read, and only a VPC that carries both counts.
        let vpc_ids: Vec<String> = (cloud.ec2().vpcs(environment.as_str()).await?)
            .into_iter()
            .filter(|found| {
                found.labels.name.as_deref() == Some(vpc.as_str())
                    && found.labels.environment.as_deref() == Some(environment.as_str())
            })
            .map(|found| found.labels.id)
            .collect();
        // The subnets only of the one VPC: with none or several there is no answer to give.
        let subnets = match vpc_ids.as_slice() {
            [id] => (cloud.ec2().subnets(id).await?)
                .into_iter()
                .map(Subnet::from)
                .collect(),
            _ => Vec::new(),
        };
        Ok::<_, AwsCallError>((vpc_ids, subnets))
    };
    let (
        (vpc_ids, subnets),
        load_balancer,
        cluster_status,
        service_status,
        discovery_services,
        database,
        db_app_secret,
        api_keys_secret,
        cache_auth_secret,
        cache_endpoint,
        log_group,
        dashboard,
        alarm_topic_arn,
    ) = tokio::try_join!(
        network,
        cloud.load_balancer(&alb),
        cloud.cluster_status(&cluster),
        cloud.service_status(&cluster, &service),
        cloud.discovery_services(&namespace),
        cloud.database_cluster(&aurora),
        cloud.secrets().describe(&db_app),
        cloud.secrets().describe(&api_keys),
        cloud.secrets().describe(&cache_auth),
        cloud.cache_endpoint(&group),
        cloud.logs().exists(&log_group),
        cloud.dashboard_exists(&dashboard),
        cloud.topic_arn(&topic),
    )?;
    Ok(Found {
        vpc_ids,
        subnets,
        load_balancer,
        cluster_status,
        service_status,
        discovery_services,
        database,
        db_app_secret,
        api_keys_secret,
        cache_auth_secret,
        cache_endpoint,
        log_group,
        dashboard,
        alarm_topic_arn,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::tests::{complete, expected, self_signed};
    use crate::fake::Fake;
    use ec2::{Labels, Vpc};
    use env_core::recorder::Recorder;
    use log_groups::fake::StoredLogGroup;
    use secrets::{NewSecret, SecretValue};
    use serde_json::Value;

    const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/pr-42";

    /// A VPC as EC2 describes it, with its `Name` and environment tags.
    fn vpc(id: &str, name: &str, environment: &str) -> Vpc {
        Vpc {
            labels: Labels {
                id: id.into(),
                name: Some(name.into()),
                environment: Some(environment.into()),
            },
            cidr: "10.0.0.0/16".into(),
        }
    }

    /// A fake AWS holding what the document tests' complete environment pr-42 describes, with
    /// another environment's resources beside it that must not be picked up.
    async fn environment() -> Fake {
        let found = complete();
        let fake = Fake::default();
        // The master user's secret is RDS's, made with the cluster.
        let mut database = found.database.clone().unwrap();
        database.master_secret_arn = Some(fake.secrets().add_managed(
            "rds!cluster-0f1e2d3c",
            "rds",
            "{}",
        ));
        for name in [
            "secret-db-app-pr-42",
            "secret-api-keys-pr-42",
            "secret-redis-auth-pr-42",
            "secret-db-app-pr-7",
        ] {
            let secret = NewSecret {
                name: name.into(),
                description: format!("{name}, made by its component"),
                kms_key_arn: KEY.into(),
                value: SecretValue::new("{}"),
                tags: Vec::new(),
            };
            fake.secrets().create(&secret).await.unwrap();
        }
        {
            let mut network = fake.ec2().world();
            network.vpcs.extend([
                vpc("vpc-1", "vpc-pr-42", "pr-42"),
                vpc("vpc-9", "vpc-pr-7", "pr-7"),
                // Tagged for the environment but named otherwise, and named like its VPC but
                // another environment's (the fake, like moto, ignores the tag filter): neither
                // is its VPC.
                vpc("vpc-3", "vpc-pr-7", "pr-42"),
                vpc("vpc-5", "vpc-pr-42", "pr-7"),
            ]);
            for subnet in &found.subnets {
                let labels = Labels {
                    id: subnet.id.clone(),
                    name: subnet.name.clone(),
                    environment: None,
                };
                let zone = "us-west-2a".to_owned();
                network
                    .subnets
                    .push(("vpc-1".into(), ec2::Subnet { labels, zone }));
            }
        }
        {
            let mut world = fake.world();
            world
                .load_balancers
                .insert("alb-pr-42".into(), found.load_balancer.clone().unwrap());
            world
                .clusters
                .insert("ecs-cluster-pr-42".into(), "ACTIVE".into());
            world.services.insert(
                ("ecs-cluster-pr-42".into(), "ecs-service-pr-42".into()),
                "ACTIVE".into(),
            );
            world
                .namespaces
                .insert("catalog-pr-42.local".into(), vec!["api".into()]);
            world.databases.insert("aurora-pr-42".into(), database);
            world
                .cache_groups
                .insert("redis-pr-42".into(), found.cache_endpoint.clone().unwrap());
            world.dashboards.push("dashboard-pr-42".into());
            world
                .topics
                .push("arn:aws:sns:us-west-2:1:alarms-pr-7".into());
            world.topics.push(found.alarm_topic_arn.clone().unwrap());
        }
        fake.logs.groups().insert(
            "ecs-logs-pr-42".into(),
            StoredLogGroup {
                kms_key_arn: Some(KEY.into()),
                retention_days: Some(14),
                tags: Vec::new(),
            },
        );
        // The setup's own calls are not the function's.
        *fake.recorder.lock() = Recorder::default();
        fake
    }

    fn request(action: Action) -> Request {
        Request {
            action,
            spec: self_signed(),
            // What the workflow hands on is ignored: the document comes from AWS alone.
            outputs: [("vpcId".to_owned(), Value::from("vpc-from-memory"))]
                .into_iter()
                .collect(),
            started_at: std::time::SystemTime::now(),
        }
    }

    #[tokio::test]
    async fn status_and_create_answer_ready_with_the_document_read_from_aws() {
        let fake = environment().await;
        for action in [Action::Status, Action::Create] {
            let response = handle(&fake, request(action)).await.unwrap();
            assert_eq!(response.status, Status::Ready);
            assert_eq!(Value::Object(response.outputs), expected());
        }
    }

    #[tokio::test]
    async fn describing_changes_nothing_and_reads_each_piece_once() {
        let fake = environment().await;
        let world = fake.world().clone();
        let network = fake.ec2().world().clone();
        let groups = fake.logs.groups().clone();
        let secrets = fake.secrets().store().secrets.clone();
        handle(&fake, request(Action::Status)).await.unwrap();
        assert_eq!(*fake.world(), world);
        assert_eq!(*fake.ec2().world(), network);
        assert_eq!(*fake.logs.groups(), groups);
        assert_eq!(fake.secrets().store().secrets, secrets);
        assert!(fake.recorder.lock().changes.is_empty());
        let mut calls = fake.recorder.lock().calls.clone();
        calls.sort();
        assert_eq!(
            calls,
            [
                "DescribeClusters",
                "DescribeDBClusters",
                "DescribeLoadBalancers",
                "DescribeLogGroups",
                "DescribeReplicationGroups",
                "DescribeSecret",
                "DescribeSecret",
                "DescribeSecret",
                "DescribeServices",
                "DescribeSubnets",
                "DescribeVpcs",
                "ListDashboards",
                "ListServices",
                "ListTopics"
            ]
        );
    }

    #[tokio::test]
    async fn delete_answers_deleted_without_calling_aws() {
        let fake = environment().await;
        let response = handle(&fake, request(Action::Delete)).await.unwrap();
        assert_eq!(response.status, Status::Deleted);
        assert!(response.outputs.is_empty());
        assert!(fake.recorder.lock().calls.is_empty());
    }

    #[tokio::test]
    async fn a_missing_piece_fails_as_component_failed_naming_every_one() {
        let fake = environment().await;
        fake.world().load_balancers.clear();
        fake.secrets()
            .delete("secret-api-keys-pr-42", false)
            .await
            .unwrap();
        let error = handle(&fake, request(Action::Status)).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(
            error.to_string(),
            "environment pr-42 is incomplete, so it has no outputs document; missing: \
             loadBalancerArn (load balancer alb-pr-42); \
             loadBalancerDnsName (load balancer alb-pr-42); \
             httpsUrl (load balancer alb-pr-42); \
             apiKeysSecretArn (secret secret-api-keys-pr-42 not scheduled for deletion)"
        );
    }

    #[tokio::test]
    async fn only_the_log_group_of_exactly_the_services_name_counts() {
        let fake = environment().await;
        // DescribeLogGroups answers every group the name is a prefix of: a longer name beside the
        // service's must not stand in for it.
        let group = fake.logs.groups().remove("ecs-logs-pr-42").unwrap();
        fake.logs.groups().insert("ecs-logs-pr-420".into(), group);
        let error = handle(&fake, request(Action::Status)).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(
            error.to_string(),
            "environment pr-42 is incomplete, so it has no outputs document; missing: \
             serviceLogGroup (log group ecs-logs-pr-42)"
        );
    }

    #[tokio::test]
    async fn without_the_vpc_the_subnets_are_not_read() {
        let fake = environment().await;
        fake.ec2().world().vpcs.clear();
        let error = handle(&fake, request(Action::Status)).await.unwrap_err();
        assert!(!fake.recorder.lock().calls.contains(&"DescribeSubnets"));
        let text = error.to_string();
        assert!(
            text.contains(
                "vpcId (exactly one VPC named vpc-pr-42 tagged catalog:environment=pr-42, found 0)"
            ),
            "{text}"
        );
        assert!(
            text.contains("publicSubnetIds (subnet named subnet-public-a-pr-42)"),
            "{text}"
        );
    }

    #[tokio::test]
    async fn a_throttled_read_is_retryable_and_a_refused_one_is_not() {
        let fake = environment().await;
        fake.recorder.lock().fail("DescribeSubnets", "Throttling");
        let error = handle(&fake, request(Action::Status)).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert!(
            error
                .to_string()
                .starts_with("DescribeSubnets failed: Throttling"),
            "{error}"
        );

        fake.recorder
            .lock()
            .fail("ListTopics", "AuthorizationError");
        let error = handle(&fake, request(Action::Status)).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
        // The fault was used up: the next call succeeds.
        assert_eq!(
            handle(&fake, request(Action::Status)).await.unwrap().status,
            Status::Ready
        );
    }

    #[tokio::test]
    async fn every_read_failure_reaches_the_caller() {
        for operation in [
            "DescribeVpcs",
            "DescribeLoadBalancers",
            "DescribeClusters",
            "DescribeServices",
            "ListServices",
            "DescribeDBClusters",
            "DescribeSecret",
            "DescribeReplicationGroups",
            "DescribeLogGroups",
            "ListDashboards",
            "ListTopics",
        ] {
            let fake = environment().await;
            fake.recorder.lock().fail(operation, "AccessDenied");
            let error = handle(&fake, request(Action::Create)).await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::AwsRejected, "{operation}");
            assert!(error.to_string().starts_with(operation), "{error}");
        }
    }
}
