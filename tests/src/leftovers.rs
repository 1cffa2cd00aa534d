//! What of one environment still exists in the emulator: everything the resource-groups tagging API
//! finds under the environment tag, plus a listing by name in every service we create resources in,
//! because the tagging API does not cover them all (in AWS and in moto it knows nothing of IAM roles,
//! Cloud Map namespaces, dashboards or scalable targets) and a resource created without its tags must
//! still be found.
//!
//! Each entry reads `<kind> <identifier>`; an empty list means the environment is gone. Resources
//! that AWS keeps for a while after a successful delete are not counted: a NAT gateway or VPC endpoint
//! `deleted`, an automated Aurora snapshot, a KMS
//! key `PendingDeletion` (KMS never deletes a key at once: "Deleting AWS KMS keys", KMS developer
//! guide), an ECS cluster or service `INACTIVE`, a task definition `DELETE_IN_PROGRESS`.

use crate::emulator::emulator;
use aws_config::SdkConfig;
use env_core::naming::{AwsLogGroup, Color, NameKind, Names, Tier};
use env_core::spec::EnvironmentSuffix;
use env_core::tags::ENVIRONMENT;

/// Everything of environment `suffix` that still exists in the test run's emulator, sorted.
pub async fn leftovers(suffix: &EnvironmentSuffix) -> Vec<String> {
    leftovers_in(&emulator().sdk_config().await, suffix).await
}

/// [`leftovers`] in the emulator `config` points at.
pub async fn leftovers_in(config: &SdkConfig, suffix: &EnvironmentSuffix) -> Vec<String> {
    let config = config.clone();
    let names = Names::new(suffix);
    let mut found = tagged(&config, suffix).await;
    found.extend(network(&config, suffix, names).await);
    found.extend(database(&config, names).await);
    found.extend(cache(&config, names).await);
    found.extend(edge(&config, names).await);
    found.extend(service(&config, names).await);
    found.extend(monitoring(&config, names).await);
    found.sort();
    found.dedup();
    found
}

/// The tagging API's view: every ARN tagged `catalog:environment = suffix`, minus what is already
/// on its way out (see the module comment).
async fn tagged(config: &SdkConfig, suffix: &EnvironmentSuffix) -> Vec<String> {
    use aws_sdk_resourcegroupstagging::types::TagFilter;
    let client = aws_sdk_resourcegroupstagging::Client::new(config);
    let mut arns = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .get_resources()
            .tag_filters(
                TagFilter::builder()
                    .key(ENVIRONMENT)
                    .values(suffix.as_str())
                    .build(),
            )
            .set_pagination_token(token.clone())
            .send()
            .await
            .expect("the tagging API answers GetResources");
        arns.extend(
            page.resource_tag_mapping_list()
                .iter()
                .filter_map(|mapping| mapping.resource_arn().map(str::to_owned)),
        );
        token = page
            .pagination_token()
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut live = Vec::new();
    for arn in arns {
        if still_live(config, &arn).await {
            live.push(format!("tagged {arn}"));
        }
    }
    live
}

/// Whether a tagged resource counts: false for the states AWS keeps after a successful delete.
async fn still_live(config: &SdkConfig, arn: &str) -> bool {
    // An automated cluster snapshot (`rds:<cluster>-<time>`): DeleteDBCluster removes automated
    // backups with the cluster unless told to keep them (RDS API reference, DeleteDBCluster,
    // DeleteAutomatedBackups, default true), and the database function keeps them on purpose when
    // the teardown is not forced.
    if arn.contains(":cluster-snapshot:rds:") {
        return false;
    }
    if arn.starts_with("arn:aws:kms:") {
        let key = aws_sdk_kms::Client::new(config)
            .describe_key()
            .key_id(arn)
            .send()
            .await
            .expect("KMS describes a key the tagging API lists");
        let state = key
            .key_metadata()
            .and_then(|meta| meta.key_state().cloned());
        return state != Some(aws_sdk_kms::types::KeyState::PendingDeletion);
    }
    if let Some(id) = arn.split(":natgateway/").nth(1) {
        let nats = aws_sdk_ec2::Client::new(config)
            .describe_nat_gateways()
            .nat_gateway_ids(id)
            .send()
            .await
            .expect("EC2 describes a NAT gateway the tagging API lists");
        return nats
            .nat_gateways()
            .iter()
            .any(|nat| nat.state() != Some(&aws_sdk_ec2::types::NatGatewayState::Deleted));
    }
    if arn.starts_with("arn:aws:ecs:") {
        return ecs_live(config, arn).await;
    }
    if let Some(id) = arn.split(":vpc-endpoint/").nth(1) {
        let endpoints = aws_sdk_ec2::Client::new(config)
            .describe_vpc_endpoints()
            .vpc_endpoint_ids(id)
            .send()
            .await
            .expect("EC2 describes a VPC endpoint the tagging API lists");
        return endpoints
            .vpc_endpoints()
            .iter()
            .any(|e| !endpoint_deleted(e));
    }
    true
}

/// ECS keeps a deleted cluster or service as `INACTIVE` (ECS API reference: DeleteCluster,
/// DeleteService); only anything else counts. A task definition counts unless it is being deleted
/// (`DELETE_IN_PROGRESS`): a deregistered one stays `INACTIVE` until someone deletes it.
async fn ecs_live(config: &SdkConfig, arn: &str) -> bool {
    let ecs = aws_sdk_ecs::Client::new(config);
    let status = if arn.contains(":cluster/") {
        let found = ecs.describe_clusters().clusters(arn).send().await;
        let found = found.expect("ECS describes a cluster the tagging API lists");
        found
            .clusters()
            .first()
            .and_then(|c| c.status().map(str::to_owned))
    } else if let Some(path) = arn.split(":service/").nth(1) {
        let cluster = path.split('/').next().unwrap_or_default();
        let found = ecs
            .describe_services()
            .cluster(cluster)
            .services(arn)
            .send()
            .await;
        let found = found.expect("ECS describes a service the tagging API lists");
        found
            .services()
            .first()
            .and_then(|s| s.status().map(str::to_owned))
    } else {
        let found = ecs
            .describe_task_definition()
            .task_definition(arn)
            .send()
            .await;
        let found = found.expect("ECS describes a task definition the tagging API lists");
        found
            .task_definition()
            .and_then(|t| t.status().map(|status| status.as_str().to_owned()))
    };
    let gone = if arn.contains(":task-definition/") {
        "DELETE_IN_PROGRESS"
    } else {
        "INACTIVE"
    };
    status.is_some_and(|status| status != gone)
}

/// A deleted endpoint stays listed for a while (in moto for good), as `deleted`: EC2 writes the
/// state in lower case where the SDK's enum expects `Deleted`, so the text is compared.
fn endpoint_deleted(endpoint: &aws_sdk_ec2::types::VpcEndpoint) -> bool {
    endpoint
        .state()
        .is_some_and(|state| state.as_str().eq_ignore_ascii_case("deleted"))
}

fn ec2_tag_filter(suffix: &EnvironmentSuffix) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(format!("tag:{ENVIRONMENT}"))
        .values(suffix.as_str())
        .build()
}

/// VPC, subnets, gateways, addresses, route tables, security groups, endpoints, flow logs, the flow
/// log group and role, the environment key's alias.
async fn network(config: &SdkConfig, suffix: &EnvironmentSuffix, names: Names<'_>) -> Vec<String> {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let tag = || ec2_tag_filter(suffix);
    let mut found = Vec::new();
    let vpcs = ec2
        .describe_vpcs()
        .filters(tag())
        .send()
        .await
        .expect("DescribeVpcs");
    found.extend(
        vpcs.vpcs()
            .iter()
            .map(|v| format!("vpc {}", v.vpc_id().unwrap_or_default())),
    );
    let subnets = ec2
        .describe_subnets()
        .filters(tag())
        .send()
        .await
        .expect("DescribeSubnets");
    found.extend(
        subnets
            .subnets()
            .iter()
            .map(|s| format!("subnet {}", s.subnet_id().unwrap_or_default())),
    );
    let gateways = ec2
        .describe_internet_gateways()
        .filters(tag())
        .send()
        .await
        .expect("DescribeInternetGateways");
    found.extend(gateways.internet_gateways().iter().map(|g| {
        format!(
            "internet-gateway {}",
            g.internet_gateway_id().unwrap_or_default()
        )
    }));
    // moto ignores a tag filter on DescribeNatGateways and lists every NAT gateway: the tags are
    // compared here.
    let nats = ec2
        .describe_nat_gateways()
        .send()
        .await
        .expect("DescribeNatGateways");
    let ours = |nat: &&aws_sdk_ec2::types::NatGateway| {
        nat.tags()
            .iter()
            .any(|t| t.key() == Some(ENVIRONMENT) && t.value() == Some(suffix.as_str()))
    };
    found.extend(
        nats.nat_gateways()
            .iter()
            .filter(ours)
            .filter(|n| n.state() != Some(&aws_sdk_ec2::types::NatGatewayState::Deleted))
            .map(|n| format!("nat-gateway {}", n.nat_gateway_id().unwrap_or_default())),
    );
    let addresses = ec2
        .describe_addresses()
        .filters(tag())
        .send()
        .await
        .expect("DescribeAddresses");
    found.extend(
        addresses
            .addresses()
            .iter()
            .map(|a| format!("elastic-ip {}", a.allocation_id().unwrap_or_default())),
    );
    let tables = ec2
        .describe_route_tables()
        .filters(tag())
        .send()
        .await
        .expect("DescribeRouteTables");
    found.extend(
        tables
            .route_tables()
            .iter()
            .map(|t| format!("route-table {}", t.route_table_id().unwrap_or_default())),
    );
    let group_names: Vec<String> = Tier::ALL
        .iter()
        .map(|&tier| names.of(NameKind::SecurityGroup(tier)))
        .collect();
    let groups = ec2
        .describe_security_groups()
        .send()
        .await
        .expect("DescribeSecurityGroups");
    found.extend(
        groups
            .security_groups()
            .iter()
            .filter(|g| {
                g.group_name()
                    .is_some_and(|name| group_names.iter().any(|n| n == name))
            })
            .map(|g| format!("security-group {}", g.group_name().unwrap_or_default())),
    );
    let endpoints = ec2
        .describe_vpc_endpoints()
        .filters(tag())
        .send()
        .await
        .expect("DescribeVpcEndpoints");
    found.extend(
        endpoints
            .vpc_endpoints()
            .iter()
            .filter(|e| !endpoint_deleted(e))
            .map(|e| format!("vpc-endpoint {}", e.vpc_endpoint_id().unwrap_or_default())),
    );
    let flow_log_group = names.of(NameKind::FlowLogGroup);
    let flow_logs = ec2
        .describe_flow_logs()
        .send()
        .await
        .expect("DescribeFlowLogs");
    found.extend(
        flow_logs
            .flow_logs()
            .iter()
            .filter(|f| f.log_group_name() == Some(flow_log_group.as_str()))
            .map(|f| format!("flow-log {}", f.flow_log_id().unwrap_or_default())),
    );
    found.extend(log_groups(config, &[flow_log_group]).await);
    found.extend(roles(config, &[names.of(NameKind::FlowLogRole)]).await);
    let alias = names.of(NameKind::KmsAlias);
    let aliases = aws_sdk_kms::Client::new(config)
        .list_aliases()
        .limit(1000)
        .send()
        .await
        .expect("ListAliases");
    found.extend(
        aliases
            .aliases()
            .iter()
            .filter(|a| a.alias_name() == Some(alias.as_str()))
            .map(|a| format!("kms-alias {}", a.alias_name().unwrap_or_default())),
    );
    found
}

/// Aurora cluster and instances, subnet and parameter groups, the secrets, the rotation role.
async fn database(config: &SdkConfig, names: Names<'_>) -> Vec<String> {
    let rds = aws_sdk_rds::Client::new(config);
    let mut found = Vec::new();
    let cluster = names.of(NameKind::AuroraCluster);
    let clusters = rds
        .describe_db_clusters()
        .send()
        .await
        .expect("DescribeDBClusters");
    found.extend(
        clusters
            .db_clusters()
            .iter()
            .filter(|c| c.db_cluster_identifier() == Some(cluster.as_str()))
            .map(|_| format!("aurora-cluster {cluster}")),
    );
    let instance_names = [
        names.of(NameKind::AuroraWriter),
        names.of(NameKind::AuroraReader),
    ];
    let instances = rds
        .describe_db_instances()
        .send()
        .await
        .expect("DescribeDBInstances");
    found.extend(
        instances
            .db_instances()
            .iter()
            .filter_map(|i| i.db_instance_identifier())
            .filter(|id| instance_names.iter().any(|n| n == id))
            .map(|id| format!("aurora-instance {id}")),
    );
    let subnet_group = names.of(NameKind::DbSubnetGroup);
    let subnet_groups = rds
        .describe_db_subnet_groups()
        .send()
        .await
        .expect("DescribeDBSubnetGroups");
    found.extend(
        subnet_groups
            .db_subnet_groups()
            .iter()
            .filter(|g| g.db_subnet_group_name() == Some(subnet_group.as_str()))
            .map(|_| format!("db-subnet-group {subnet_group}")),
    );
    let parameter_group = names.of(NameKind::DbClusterParameterGroup);
    let parameter_groups = rds
        .describe_db_cluster_parameter_groups()
        .send()
        .await
        .expect("DescribeDBClusterParameterGroups");
    found.extend(
        parameter_groups
            .db_cluster_parameter_groups()
            .iter()
            .filter(|g| g.db_cluster_parameter_group_name() == Some(parameter_group.as_str()))
            .map(|_| format!("db-cluster-parameter-group {parameter_group}")),
    );
    found.extend(
        secrets(
            config,
            &[
                names.of(NameKind::DatabaseSecret),
                names.of(NameKind::ApiKeysSecret),
            ],
        )
        .await,
    );
    found.extend(roles(config, &[names.of(NameKind::RotationRole)]).await);
    let aws_groups = [AwsLogGroup::AuroraPostgresql, AwsLogGroup::RotationFunction];
    found.extend(log_groups(config, &aws_groups.map(|group| names.aws_log_group(group))).await);
    found
}

/// The Redis replication group, its subnet group, its slow-log group and its AUTH secret.
async fn cache(config: &SdkConfig, names: Names<'_>) -> Vec<String> {
    let elasticache = aws_sdk_elasticache::Client::new(config);
    let mut found = Vec::new();
    let group = names.of(NameKind::CacheReplicationGroup);
    let groups = elasticache
        .describe_replication_groups()
        .send()
        .await
        .expect("DescribeReplicationGroups");
    found.extend(
        groups
            .replication_groups()
            .iter()
            .filter(|g| g.replication_group_id() == Some(group.as_str()))
            .map(|g| {
                format!(
                    "replication-group {group} ({})",
                    g.status().unwrap_or_default()
                )
            }),
    );
    let subnet_group = names.of(NameKind::CacheSubnetGroup);
    let subnet_groups = elasticache
        .describe_cache_subnet_groups()
        .send()
        .await
        .expect("DescribeCacheSubnetGroups");
    found.extend(
        subnet_groups
            .cache_subnet_groups()
            .iter()
            .filter(|g| g.cache_subnet_group_name() == Some(subnet_group.as_str()))
            .map(|_| format!("cache-subnet-group {subnet_group}")),
    );
    found.extend(log_groups(config, &[names.of(NameKind::CacheSlowLogGroup)]).await);
    found.extend(secrets(config, &[names.of(NameKind::CacheAuthSecret)]).await);
    found.extend(serverless_cache(&elasticache, names).await);
    found
}

/// `cacheMode: serverless`: the serverless cache, its user group and its user.
async fn serverless_cache(
    elasticache: &aws_sdk_elasticache::Client,
    names: Names<'_>,
) -> Vec<String> {
    let mut found = Vec::new();
    let cache = names.of(NameKind::ServerlessCache);
    let caches = elasticache
        .describe_serverless_caches()
        .send()
        .await
        .expect("DescribeServerlessCaches");
    found.extend(
        caches
            .serverless_caches()
            .iter()
            .filter(|c| c.serverless_cache_name() == Some(cache.as_str()))
            .map(|c| {
                format!(
                    "serverless-cache {cache} ({})",
                    c.status().unwrap_or_default()
                )
            }),
    );
    let group = names.of(NameKind::CacheUserGroup);
    let groups = elasticache
        .describe_user_groups()
        .send()
        .await
        .expect("DescribeUserGroups");
    found.extend(
        groups
            .user_groups()
            .iter()
            .filter(|g| g.user_group_id() == Some(group.as_str()))
            .map(|_| format!("user-group {group}")),
    );
    let user = names.of(NameKind::CacheUser);
    let users = elasticache
        .describe_users()
        .send()
        .await
        .expect("DescribeUsers");
    found.extend(
        users
            .users()
            .iter()
            .filter(|u| u.user_id() == Some(user.as_str()))
            .map(|_| format!("user {user}")),
    );
    found
}

/// The load balancer, the blue, green and wake target groups, the access-log bucket, the
/// certificate.
async fn edge(config: &SdkConfig, names: Names<'_>) -> Vec<String> {
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(config);
    let mut found = Vec::new();
    let balancer = names.of(NameKind::LoadBalancer);
    let balancers = elb
        .describe_load_balancers()
        .send()
        .await
        .expect("DescribeLoadBalancers");
    found.extend(
        balancers
            .load_balancers()
            .iter()
            .filter(|b| b.load_balancer_name() == Some(balancer.as_str()))
            .map(|_| format!("load-balancer {balancer}")),
    );
    let mut target_groups: Vec<String> = Color::ALL
        .iter()
        .map(|&color| names.of(NameKind::TargetGroup(color)))
        .collect();
    target_groups.push(names.of(NameKind::WakeTargetGroup));
    let groups = elb
        .describe_target_groups()
        .send()
        .await
        .expect("DescribeTargetGroups");
    found.extend(
        groups
            .target_groups()
            .iter()
            .filter_map(|g| g.target_group_name())
            .filter(|name| target_groups.iter().any(|n| n == name))
            .map(|name| format!("target-group {name}")),
    );
    // The bucket name ends in the account id (Names::bucket); the hyphen after the suffix keeps
    // `pr-1` from matching `pr-10`.
    let bucket_prefix = format!("{}-", names.of(NameKind::AccessLogBucket));
    let buckets = aws_sdk_s3::Client::new(config)
        .list_buckets()
        .send()
        .await
        .expect("ListBuckets");
    found.extend(
        buckets
            .buckets()
            .iter()
            .filter_map(|b| b.name())
            .filter(|name| name.starts_with(&bucket_prefix))
            .map(|name| format!("bucket {name}")),
    );
    found.extend(certificates(config, &names.of(NameKind::Certificate)).await);
    found
}

/// Certificates whose Name tag is the environment's certificate name.
async fn certificates(config: &SdkConfig, name: &str) -> Vec<String> {
    let acm = aws_sdk_acm::Client::new(config);
    // Every key type, as the edge function asks: ACM lists only RSA 2048 ones otherwise.
    let every_key_type = aws_sdk_acm::types::KeyAlgorithm::values()
        .iter()
        .map(|value| aws_sdk_acm::types::KeyAlgorithm::from(*value));
    let listed = acm
        .list_certificates()
        .includes(
            aws_sdk_acm::types::Filters::builder()
                .set_key_types(Some(every_key_type.collect()))
                .build(),
        )
        .send()
        .await
        .expect("ListCertificates");
    let mut found = Vec::new();
    for arn in listed
        .certificate_summary_list()
        .iter()
        .filter_map(|c| c.certificate_arn())
    {
        let tags = match acm
            .list_tags_for_certificate()
            .certificate_arn(arn)
            .send()
            .await
        {
            Ok(tags) => tags,
            // Another test's teardown deleted it between the listing and this call: not ours.
            Err(error)
                if aws_sdk_acm::error::ProvideErrorMetadata::code(&error)
                    == Some("ResourceNotFoundException") =>
            {
                continue
            }
            Err(error) => panic!("ListTagsForCertificate: {error:?}"),
        };
        let named = tags
            .tags()
            .iter()
            .any(|t| t.key() == "Name" && t.value() == Some(name));
        if named {
            found.push(format!("certificate {arn}"));
        }
    }
    found
}

/// The ECS cluster and service, the task definitions, the scalable target, the service's log group,
/// its roles and its Cloud Map namespace.
async fn service(config: &SdkConfig, names: Names<'_>) -> Vec<String> {
    let ecs = aws_sdk_ecs::Client::new(config);
    let mut found = Vec::new();
    let cluster = names.of(NameKind::EcsCluster);
    let clusters = ecs
        .describe_clusters()
        .clusters(&cluster)
        .send()
        .await
        .expect("DescribeClusters");
    let active = clusters
        .clusters()
        .iter()
        .any(|c| c.status() == Some("ACTIVE"));
    if active {
        found.push(format!("ecs-cluster {cluster}"));
        let services = ecs
            .list_services()
            .cluster(&cluster)
            .send()
            .await
            .expect("ListServices");
        found.extend(
            services
                .service_arns()
                .iter()
                .map(|arn| format!("ecs-service {arn}")),
        );
    }
    // Deregistered revisions count too: the teardown deletes them (DeleteTaskDefinitions).
    let family = format!(":task-definition/{}:", names.of(NameKind::TaskFamily));
    for status in [
        aws_sdk_ecs::types::TaskDefinitionStatus::Active,
        aws_sdk_ecs::types::TaskDefinitionStatus::Inactive,
    ] {
        let definitions = ecs
            .list_task_definitions()
            .family_prefix(names.of(NameKind::TaskFamily))
            .status(status)
            .send()
            .await
            .expect("ListTaskDefinitions");
        found.extend(
            definitions
                .task_definition_arns()
                .iter()
                .filter(|arn| arn.contains(&family))
                .map(|arn| format!("task-definition {arn}")),
        );
    }
    let resource = format!("service/{cluster}/{}", names.of(NameKind::EcsService));
    let targets = aws_sdk_applicationautoscaling::Client::new(config)
        .describe_scalable_targets()
        .service_namespace(aws_sdk_applicationautoscaling::types::ServiceNamespace::Ecs)
        .resource_ids(&resource)
        .send()
        .await
        .expect("DescribeScalableTargets");
    found.extend(
        targets
            .scalable_targets()
            .iter()
            .map(|t| format!("scalable-target {}", t.resource_id())),
    );
    let service_groups = [
        names.of(NameKind::ServiceLogGroup),
        names.aws_log_group(AwsLogGroup::ContainerInsights),
    ];
    found.extend(log_groups(config, &service_groups).await);
    found.extend(
        roles(
            config,
            &[
                names.of(NameKind::ExecutionRole),
                names.of(NameKind::TaskRole),
                names.of(NameKind::EcsInfrastructureRole),
            ],
        )
        .await,
    );
    let namespace = names.of(NameKind::DiscoveryNamespace);
    let namespaces = aws_sdk_servicediscovery::Client::new(config)
        .list_namespaces()
        .send()
        .await
        .expect("ListNamespaces");
    found.extend(
        namespaces
            .namespaces()
            .iter()
            .filter(|n| n.name() == Some(namespace.as_str()))
            .map(|_| format!("namespace {namespace}")),
    );
    found
}

/// The alarm topic, the alarms (any cache size) and the dashboard.
async fn monitoring(config: &SdkConfig, names: Names<'_>) -> Vec<String> {
    let mut found = Vec::new();
    let topic = format!(":{}", names.of(NameKind::AlarmTopic));
    let topics = aws_sdk_sns::Client::new(config)
        .list_topics()
        .send()
        .await
        .expect("ListTopics");
    found.extend(
        topics
            .topics()
            .iter()
            .filter_map(|t| t.topic_arn())
            .filter(|arn| arn.ends_with(&topic))
            .map(|arn| format!("topic {arn}")),
    );
    let cloudwatch = emulator().cloudwatch().await;
    let mut token: Option<String> = None;
    loop {
        let page = cloudwatch
            .describe_alarms()
            .set_next_token(token.clone())
            .send()
            .await
            .expect("DescribeAlarms");
        found.extend(
            page.metric_alarms()
                .iter()
                .filter_map(|a| a.alarm_name())
                .filter(|name| names.owns_alarm(name))
                .map(|name| format!("alarm {name}")),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let dashboard = names.of(NameKind::Dashboard);
    let dashboards = cloudwatch
        .list_dashboards()
        .dashboard_name_prefix(&dashboard)
        .send()
        .await
        .expect("ListDashboards");
    found.extend(
        dashboards
            .dashboard_entries()
            .iter()
            .filter(|d| d.dashboard_name() == Some(dashboard.as_str()))
            .map(|_| format!("dashboard {dashboard}")),
    );
    found
}

/// The log groups of `names` that exist.
async fn log_groups(config: &SdkConfig, names: &[String]) -> Vec<String> {
    let logs = aws_sdk_cloudwatchlogs::Client::new(config);
    let mut found = Vec::new();
    for name in names {
        let groups = logs
            .describe_log_groups()
            .log_group_name_prefix(name)
            .send()
            .await
            .expect("DescribeLogGroups");
        found.extend(
            groups
                .log_groups()
                .iter()
                .filter(|g| g.log_group_name() == Some(name.as_str()))
                .map(|_| format!("log-group {name}")),
        );
    }
    found
}

/// The IAM roles of `names` that exist.
async fn roles(config: &SdkConfig, names: &[String]) -> Vec<String> {
    let iam = aws_sdk_iam::Client::new(config);
    let mut found = Vec::new();
    for name in names {
        match iam.get_role().role_name(name).send().await {
            Ok(_) => found.push(format!("role {name}")),
            Err(error) => {
                let error = error.into_service_error();
                assert!(
                    error.is_no_such_entity_exception(),
                    "GetRole {name}: {error:?}"
                );
            }
        }
    }
    found
}

/// The secrets of `names` that exist, scheduled for deletion or not: a secret in its recovery window
/// still holds its name, so the next provision of the environment could not create it.
async fn secrets(config: &SdkConfig, names: &[String]) -> Vec<String> {
    let secrets = aws_sdk_secretsmanager::Client::new(config);
    let mut found = Vec::new();
    for name in names {
        match secrets.describe_secret().secret_id(name).send().await {
            Ok(secret) => {
                let state = if secret.deleted_date().is_some() {
                    " (scheduled for deletion)"
                } else {
                    ""
                };
                found.push(format!("secret {name}{state}"));
            }
            Err(error) => {
                let error = error.into_service_error();
                assert!(
                    error.is_resource_not_found_exception(),
                    "DescribeSecret {name}: {error:?}"
                );
            }
        }
    }
    found
}
