//! [`Cloud`] over the AWS SDK: one lookup per method, translated to the plain types of
//! [`crate::api`]. Describe and list calls only; the "not found" answers become `None` here, and
//! everything else is the handler's to decide.

use crate::api::{CallResult, Cloud, DatabaseCluster, LoadBalancer};
use aws_config::SdkConfig;
use aws_sdk_servicediscovery::types as sd;
use ec2::Ec2;
use env_core::error::{aws_error, found, Required};
use log_groups::LogGroups;
use secrets::Secrets;

#[derive(Debug, Clone)]
pub struct AwsCloud {
    region: String,
    ec2: Ec2,
    elb: aws_sdk_elasticloadbalancingv2::Client,
    ecs: aws_sdk_ecs::Client,
    discovery: aws_sdk_servicediscovery::Client,
    rds: aws_sdk_rds::Client,
    secrets: Secrets,
    cache: aws_sdk_elasticache::Client,
    log_groups: LogGroups,
    cloudwatch: aws_sdk_cloudwatch::Client,
    sns: aws_sdk_sns::Client,
}

impl AwsCloud {
    pub fn new(config: &SdkConfig) -> Self {
        Self {
            region: config
                .region()
                .map_or(env_core::aws::DEFAULT_REGION, |region| region.as_ref())
                .to_owned(),
            ec2: Ec2::new(config),
            elb: aws_sdk_elasticloadbalancingv2::Client::new(config),
            ecs: aws_sdk_ecs::Client::new(config),
            discovery: aws_sdk_servicediscovery::Client::new(config),
            rds: aws_sdk_rds::Client::new(config),
            secrets: Secrets::new(config),
            cache: aws_sdk_elasticache::Client::new(config),
            log_groups: LogGroups::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            sns: aws_sdk_sns::Client::new(config),
        }
    }
}

impl Cloud for AwsCloud {
    type Ec2 = Ec2;

    fn ec2(&self) -> &Ec2 {
        &self.ec2
    }

    type Logs = LogGroups;

    fn logs(&self) -> &LogGroups {
        &self.log_groups
    }

    type Secrets = Secrets;

    fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    fn region(&self) -> &str {
        &self.region
    }

    async fn load_balancer(&self, name: &str) -> CallResult<Option<LoadBalancer>> {
        let output = self
            .elb
            .describe_load_balancers()
            .names(name)
            .send()
            .await
            .map_err(aws_error("DescribeLoadBalancers"));
        let output = found(output, &["LoadBalancerNotFound"])?;
        let Some(lb) = output
            .as_ref()
            .and_then(|output| output.load_balancers().first())
        else {
            return Ok(None);
        };
        Ok(Some(LoadBalancer {
            arn: lb
                .load_balancer_arn()
                .required("LoadBalancer.LoadBalancerArn")?
                .to_owned(),
            dns_name: lb.dns_name().required("LoadBalancer.DNSName")?.to_owned(),
        }))
    }

    async fn cluster_status(&self, name: &str) -> CallResult<Option<String>> {
        // An unknown cluster is reported among the answer's failures, not as an error.
        let output = self
            .ecs
            .describe_clusters()
            .clusters(name)
            .send()
            .await
            .map_err(aws_error("DescribeClusters"))?;
        Ok(output
            .clusters()
            .iter()
            .find(|cluster| cluster.cluster_name() == Some(name))
            .and_then(|cluster| cluster.status().map(str::to_owned)))
    }

    async fn service_status(&self, cluster: &str, name: &str) -> CallResult<Option<String>> {
        let output = self
            .ecs
            .describe_services()
            .cluster(cluster)
            .services(name)
            .send()
            .await
            .map_err(aws_error("DescribeServices"));
        Ok(
            found(output, &["ClusterNotFoundException"])?.and_then(|output| {
                output
                    .services()
                    .iter()
                    .find(|service| service.service_name() == Some(name))
                    .and_then(|service| service.status().map(str::to_owned))
            }),
        )
    }

    async fn discovery_services(&self, namespace: &str) -> CallResult<Option<Vec<String>>> {
        let pages = self
            .discovery
            .list_namespaces()
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_error("ListNamespaces"))?;
        let Some(namespace_id) = pages
            .iter()
            .flat_map(|page| page.namespaces())
            .find(|summary| summary.name() == Some(namespace))
            .and_then(sd::NamespaceSummary::id)
        else {
            return Ok(None);
        };
        let pages = self
            .discovery
            .list_services()
            .filters(
                sd::ServiceFilter::builder()
                    .name(sd::ServiceFilterName::NamespaceId)
                    .values(namespace_id)
                    .condition(sd::FilterCondition::Eq)
                    .build()
                    // Name, values and condition, the three required fields, are all set above.
                    .expect("a complete service filter"),
            )
            .into_paginator()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .map_err(aws_error("ListServices"))?;
        // Some emulators ignore the filter (moto): each service's namespace is read back.
        let mut names = Vec::new();
        for summary in pages.iter().flat_map(|page| page.services()) {
            let answer = self
                .discovery
                .get_service()
                .id(summary.id().required("ServiceSummary.Id")?)
                .send()
                .await
                .map_err(aws_error("GetService"));
            // A service deleted between the listing and this call (another environment's teardown,
            // where the filter is ignored) is simply not there.
            let output = found(answer, &["ServiceNotFound"])?;
            if let Some(service) = output
                .as_ref()
                .and_then(|output| output.service())
                .filter(|service| service.namespace_id() == Some(namespace_id))
            {
                names.push(service.name().required("Service.Name")?.to_owned());
            }
        }
        Ok(Some(names))
    }

    async fn database_cluster(&self, id: &str) -> CallResult<Option<DatabaseCluster>> {
        let output = self
            .rds
            .describe_db_clusters()
            .db_cluster_identifier(id)
            .send()
            .await
            .map_err(aws_error("DescribeDBClusters"));
        Ok(
            found(output, &["DBClusterNotFoundFault"])?.and_then(|output| {
                output.db_clusters().first().map(|cluster| DatabaseCluster {
                    writer_endpoint: cluster.endpoint().map(str::to_owned),
                    reader_endpoint: cluster.reader_endpoint().map(str::to_owned),
                    port: cluster.port(),
                    master_secret_arn: cluster
                        .master_user_secret()
                        .and_then(|secret| secret.secret_arn())
                        .map(str::to_owned),
                })
            }),
        )
    }

    async fn cache_endpoint(&self, group_id: &str) -> CallResult<Option<Option<(String, i32)>>> {
        let output = self
            .cache
            .describe_replication_groups()
            .replication_group_id(group_id)
            .send()
            .await
            .map_err(aws_error("DescribeReplicationGroups"));
        Ok(
            found(output, &["ReplicationGroupNotFoundFault"])?.and_then(|output| {
                output.replication_groups().first().map(|group| {
                    group.configuration_endpoint().and_then(|endpoint| {
                        Some((endpoint.address()?.to_owned(), endpoint.port()?))
                    })
                })
            }),
        )
    }

    async fn dashboard_exists(&self, name: &str) -> CallResult<bool> {
        let entries: Vec<aws_sdk_cloudwatch::types::DashboardEntry> = self
            .cloudwatch
            .list_dashboards()
            .dashboard_name_prefix(name)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListDashboards"))?;
        Ok(entries
            .iter()
            .any(|entry| entry.dashboard_name() == Some(name)))
    }

    async fn topic_arn(&self, name: &str) -> CallResult<Option<String>> {
        let topics: Vec<aws_sdk_sns::types::Topic> = self
            .sns
            .list_topics()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(aws_error("ListTopics"))?;
        // A topic ARN ends with `:<name>` (SNS API reference, CreateTopic).
        let wanted = format!(":{name}");
        Ok(topics
            .into_iter()
            .filter_map(|topic| topic.topic_arn)
            .find(|arn| arn.ends_with(&wanted)))
    }
}
