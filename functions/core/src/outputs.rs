//! What each component hands on once READY, as one typed struct per component: the contract between
//! the functions. The workflows keep each component's outputs under its own key of the event's
//! `outputs` (`{"network": {...}, "database": {...}}`), so no component can overwrite another's,
//! and a consumer reads the struct of each component it needs ([`ComponentOutputs::of`]): a missing
//! or malformed one is rejected before any AWS call, naming the component and the field.
//!
//! Field names are the JSON keys (camelCase), as the workflows' execution history shows them.
//! Identifiers only, never descriptions: a Step Functions state is limited to 256 KB.

use crate::contract::Outputs;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The outputs of one component, and the key the workflows keep them under.
pub trait ComponentOutputs: Serialize + DeserializeOwned {
    /// The component's name: `network`, `database`, …
    const COMPONENT: &'static str;

    /// This component's outputs from an event's `outputs`.
    fn of(outputs: &Outputs) -> Result<Self, MissingOutputs> {
        let Some(value) = outputs.get(Self::COMPONENT) else {
            return Err(MissingOutputs::of::<Self>("are missing".to_owned()));
        };
        serde_json::from_value(value.clone())
            .map_err(|error| MissingOutputs::of::<Self>(format!("are malformed: {error}")))
    }

    /// `value` of `field`, when it is not empty.
    fn non_empty(field: &'static str, value: &str) -> Result<String, MissingOutputs> {
        if value.is_empty() {
            return Err(MissingOutputs::of::<Self>(format!("{field} is empty")));
        }
        Ok(value.to_owned())
    }

    /// The list `field`, when it holds at least `count` entries and none is empty.
    fn at_least(
        field: &'static str,
        list: &[String],
        count: usize,
    ) -> Result<Vec<String>, MissingOutputs> {
        if list.len() < count || list.iter().any(String::is_empty) {
            let problem = format!(
                "{field} holds {} entries ({} empty); at least {count} non-empty ones are needed",
                list.len(),
                list.iter().filter(|entry| entry.is_empty()).count()
            );
            return Err(MissingOutputs::of::<Self>(problem));
        }
        Ok(list.to_vec())
    }

    /// These outputs as a component's response carries them.
    fn into_outputs(self) -> Outputs {
        // Structs of strings and numbers: serialised to an object, always.
        serde_json::to_value(self)
            .ok()
            .and_then(|value| value.as_object().cloned())
            .unwrap_or_default()
    }
}

/// An event whose `outputs` lack what a consumer needs from an earlier component.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("outputs.{component}: {problem}; the {component} component provides them")]
pub struct MissingOutputs {
    pub component: &'static str,
    pub problem: String,
}

impl MissingOutputs {
    fn of<T: ComponentOutputs>(problem: String) -> Self {
        Self {
            component: T::COMPONENT,
            problem,
        }
    }
}

/// The security group of each tier, by the tier's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupIds {
    pub alb: String,
    pub service: String,
    pub database: String,
    pub cache: String,
    pub rotation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkOutputs {
    pub vpc_id: String,
    pub vpc_cidr: String,
    pub availability_zones: Vec<String>,
    pub public_subnet_ids: Vec<String>,
    pub private_subnet_ids: Vec<String>,
    pub security_group_ids: SecurityGroupIds,
    pub nat_gateway_ids: Vec<String>,
    /// The environment's customer managed key, which every component encrypts with.
    pub kms_key_arn: String,
    pub flow_log_group: String,
}

impl ComponentOutputs for NetworkOutputs {
    const COMPONENT: &'static str = "network";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DatabaseOutputs {
    pub db_cluster_identifier: String,
    pub db_cluster_arn: String,
    pub db_writer_endpoint: String,
    pub db_reader_endpoint: String,
    pub db_port: i32,
    pub db_name: String,
    pub db_master_secret_arn: String,
    /// For `rds-db:connect` (IAM database authentication).
    pub db_cluster_resource_id: String,
    pub db_app_secret_arn: String,
    pub api_keys_secret_arn: String,
    pub rotation_function_arn: String,
}

impl ComponentOutputs for DatabaseOutputs {
    const COMPONENT: &'static str = "database";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CacheOutputs {
    /// "serverless" (then `cacheName` names the ElastiCache Serverless cache) or "cluster";
    /// absent in the outputs of caches made before `cacheMode` existed, which are clusters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_name: Option<String>,
    pub cache_replication_group_id: String,
    /// `host:port`.
    pub cache_configuration_endpoint: String,
    pub cache_auth_secret_arn: String,
    pub cache_slow_log_group: String,
    pub cache_node_ids: Vec<String>,
}

impl ComponentOutputs for CacheOutputs {
    const COMPONENT: &'static str = "cache";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroupArns {
    pub blue: String,
    pub green: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerRuleArns {
    pub production: String,
    pub test: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EdgeOutputs {
    pub load_balancer_arn: String,
    /// `app/<name>/<id>`: the load balancer's CloudWatch dimension.
    pub load_balancer_arn_suffix: String,
    pub load_balancer_dns_name: String,
    pub https_url: String,
    pub https_listener_arn: String,
    pub listener_rule_arns: ListenerRuleArns,
    pub target_group_arns: TargetGroupArns,
    /// `targetgroup/<name>/<id>` of blue then green: their CloudWatch dimension.
    pub target_group_arn_suffixes: Vec<String>,
    pub certificate_arn: String,
    pub access_log_bucket: String,
}

impl ComponentOutputs for EdgeOutputs {
    const COMPONENT: &'static str = "edge";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceOutputs {
    pub cluster_name: String,
    pub service_name: String,
    pub service_log_group: String,
    pub service_discovery_name: String,
    pub task_definition_arn: String,
    pub execution_role_arn: String,
    pub task_role_arn: String,
    /// `rolling` or `blueGreen`.
    pub deployment_strategy: String,
}

impl ComponentOutputs for ServiceOutputs {
    const COMPONENT: &'static str = "service";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MonitoringOutputs {
    pub alarm_topic_arn: String,
    pub dashboard_name: String,
    pub metric_namespace: String,
    pub alarm_count: usize,
}

impl ComponentOutputs for MonitoringOutputs {
    const COMPONENT: &'static str = "monitoring";
}

/// Complete outputs of every component for environment `pr-42`, as the fakes of the consumers'
/// tests hand them on.
#[cfg(any(test, feature = "test-util"))]
pub mod example {
    use super::*;
    use serde_json::Value;

    const ACCOUNT: &str = "123456789012";

    pub fn network() -> NetworkOutputs {
        NetworkOutputs {
            vpc_id: "vpc-1".into(),
            vpc_cidr: "10.0.0.0/16".into(),
            availability_zones: vec![
                "us-west-2a".into(),
                "us-west-2b".into(),
                "us-west-2c".into(),
            ],
            public_subnet_ids: vec!["subnet-p1".into(), "subnet-p2".into(), "subnet-p3".into()],
            private_subnet_ids: vec!["subnet-a".into(), "subnet-b".into(), "subnet-c".into()],
            security_group_ids: SecurityGroupIds {
                alb: "sg-alb".into(),
                service: "sg-svc".into(),
                database: "sg-db".into(),
                cache: "sg-cache".into(),
                rotation: "sg-rot".into(),
            },
            nat_gateway_ids: vec!["nat-1".into()],
            kms_key_arn: format!("arn:aws:kms:us-west-2:{ACCOUNT}:key/k-1"),
            flow_log_group: "vpc-flow-logs-pr-42".into(),
        }
    }

    pub fn database() -> DatabaseOutputs {
        let secret =
            |name: &str| format!("arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:{name}");
        DatabaseOutputs {
            db_cluster_identifier: "aurora-pr-42".into(),
            db_cluster_arn: format!("arn:aws:rds:us-west-2:{ACCOUNT}:cluster:aurora-pr-42"),
            db_writer_endpoint: "aurora-pr-42.cluster-x.us-west-2.rds.amazonaws.com".into(),
            db_reader_endpoint: "aurora-pr-42.cluster-ro-x.us-west-2.rds.amazonaws.com".into(),
            db_port: 5432,
            db_name: "catalog".into(),
            db_master_secret_arn: secret("rds!cluster-1-AbCdEf"),
            db_cluster_resource_id: "cluster-ABCDEF".into(),
            db_app_secret_arn: secret("secret-db-app-pr-42-AbCdEf"),
            api_keys_secret_arn: secret("secret-api-keys-pr-42-AbCdEf"),
            rotation_function_arn: format!(
                "arn:aws:lambda:us-west-2:{ACCOUNT}:function:rotation-pr-42"
            ),
        }
    }

    pub fn cache() -> CacheOutputs {
        CacheOutputs {
            mode: Some("cluster".into()),
            cache_name: None,
            cache_replication_group_id: "redis-pr-42".into(),
            cache_configuration_endpoint: "clustercfg.redis-pr-42.x.usw2.cache.amazonaws.com:6379"
                .into(),
            cache_auth_secret_arn: format!(
                "arn:aws:secretsmanager:us-west-2:{ACCOUNT}:secret:secret-redis-auth-pr-42-AbCdEf"
            ),
            cache_slow_log_group: "/aws/vendedlogs/redis-pr-42/slow-log".into(),
            cache_node_ids: vec!["redis-pr-42-0001-001".into(), "redis-pr-42-0001-002".into()],
        }
    }

    pub fn edge() -> EdgeOutputs {
        let elb = format!("arn:aws:elasticloadbalancing:us-west-2:{ACCOUNT}");
        EdgeOutputs {
            load_balancer_arn: format!("{elb}:loadbalancer/app/alb-pr-42/1"),
            load_balancer_arn_suffix: "app/alb-pr-42/1".into(),
            load_balancer_dns_name: "alb-pr-42-1.us-west-2.elb.amazonaws.com".into(),
            https_url: "https://alb-pr-42-1.us-west-2.elb.amazonaws.com".into(),
            https_listener_arn: format!("{elb}:listener/app/alb-pr-42/1/443"),
            listener_rule_arns: ListenerRuleArns {
                production: format!("{elb}:listener-rule/app/alb-pr-42/1/443/1"),
                test: format!("{elb}:listener-rule/app/alb-pr-42/1/443/2"),
            },
            target_group_arns: TargetGroupArns {
                blue: format!("{elb}:targetgroup/tg-blue-pr-42/1"),
                green: format!("{elb}:targetgroup/tg-green-pr-42/2"),
            },
            target_group_arn_suffixes: vec![
                "targetgroup/tg-blue-pr-42/1".into(),
                "targetgroup/tg-green-pr-42/2".into(),
            ],
            certificate_arn: format!("arn:aws:acm:us-west-2:{ACCOUNT}:certificate/c-1"),
            access_log_bucket: format!("alb-logs-pr-42-{ACCOUNT}"),
        }
    }

    /// An event's `outputs` holding `value` under its component's key.
    pub fn handed_on<T: ComponentOutputs>(value: T) -> Outputs {
        let mut outputs = Outputs::new();
        outputs.insert(T::COMPONENT.into(), Value::Object(value.into_outputs()));
        outputs
    }

    /// A READY response's `outputs`, read as the producer's struct: every key it hands on is a
    /// field of the contract and every field is there.
    pub fn read_as<T: ComponentOutputs>(outputs: &Outputs) -> T {
        let mut handed_on = Outputs::new();
        handed_on.insert(T::COMPONENT.into(), Value::Object(outputs.clone()));
        T::of(&handed_on).expect("the READY outputs are exactly the component's contract")
    }

    pub fn service() -> ServiceOutputs {
        ServiceOutputs {
            cluster_name: "ecs-cluster-pr-42".into(),
            service_name: "ecs-service-pr-42".into(),
            service_log_group: "ecs-logs-pr-42".into(),
            service_discovery_name: "api.catalog-pr-42.local".into(),
            task_definition_arn: format!(
                "arn:aws:ecs:us-west-2:{ACCOUNT}:task-definition/task-pr-42:1"
            ),
            execution_role_arn: format!("arn:aws:iam::{ACCOUNT}:role/role-exec-pr-42"),
            task_role_arn: format!("arn:aws:iam::{ACCOUNT}:role/role-task-pr-42"),
            deployment_strategy: "rolling".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    use example::handed_on as outputs_with;

    #[test]
    fn each_component_reads_back_what_it_handed_on_under_its_own_key() {
        let mut outputs = outputs_with(example::network());
        outputs.extend(outputs_with(example::database()));
        outputs.extend(outputs_with(example::cache()));
        outputs.extend(outputs_with(example::edge()));
        outputs.extend(outputs_with(example::service()));
        assert_eq!(NetworkOutputs::of(&outputs).unwrap(), example::network());
        assert_eq!(DatabaseOutputs::of(&outputs).unwrap(), example::database());
        assert_eq!(CacheOutputs::of(&outputs).unwrap(), example::cache());
        assert_eq!(EdgeOutputs::of(&outputs).unwrap(), example::edge());
        assert_eq!(ServiceOutputs::of(&outputs).unwrap(), example::service());
        assert_eq!(
            outputs["network"]["kmsKeyArn"],
            example::network().kms_key_arn
        );
        assert_eq!(
            outputs["edge"]["targetGroupArns"]["green"],
            example::edge().target_group_arns.green
        );
        let monitoring = MonitoringOutputs {
            alarm_topic_arn: "arn:aws:sns:us-west-2:123456789012:alarms-pr-42".into(),
            dashboard_name: "dashboard-pr-42".into(),
            metric_namespace: "Catalog/pr-42".into(),
            alarm_count: 17,
        };
        let outputs = outputs_with(monitoring.clone());
        assert_eq!(MonitoringOutputs::of(&outputs).unwrap(), monitoring);
        let read: MonitoringOutputs = example::read_as(outputs["monitoring"].as_object().unwrap());
        assert_eq!(read, monitoring);
        assert_eq!(outputs["monitoring"]["alarmCount"], 17);
    }

    #[test]
    fn a_missing_component_or_field_names_both() {
        let error = NetworkOutputs::of(&Outputs::new()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "outputs.network: are missing; the network component provides them"
        );
        let mut network = example::network().into_outputs();
        network.remove("kmsKeyArn");
        let mut outputs = Outputs::new();
        outputs.insert("network".into(), Value::Object(network));
        let error = NetworkOutputs::of(&outputs).unwrap_err();
        assert_eq!(error.component, "network");
        assert!(
            error.to_string().contains("missing field `kmsKeyArn`"),
            "{error}"
        );
        // A key another version of the producer would add is a mismatch too, not silently taken.
        outputs.insert("network".into(), json!({"vpcId": 1}));
        let error = NetworkOutputs::of(&outputs).unwrap_err();
        assert!(
            error.to_string().contains("are malformed: invalid type"),
            "{error}"
        );
    }

    #[test]
    fn values_a_consumer_relies_on_are_checked_by_name() {
        assert_eq!(NetworkOutputs::non_empty("kmsKeyArn", "k").unwrap(), "k");
        let error = NetworkOutputs::non_empty("kmsKeyArn", "").unwrap_err();
        assert_eq!(
            error.to_string(),
            "outputs.network: kmsKeyArn is empty; the network component provides them"
        );
        let subnets = example::network().private_subnet_ids;
        assert_eq!(
            NetworkOutputs::at_least("privateSubnetIds", &subnets, 3).unwrap(),
            subnets
        );
        let error = NetworkOutputs::at_least("privateSubnetIds", &subnets[..2], 3).unwrap_err();
        assert_eq!(
            error.problem,
            "privateSubnetIds holds 2 entries (0 empty); at least 3 non-empty ones are needed"
        );
        let with_empty = vec!["subnet-a".to_owned(), String::new(), "subnet-c".to_owned()];
        let error = NetworkOutputs::at_least("privateSubnetIds", &with_empty, 3).unwrap_err();
        assert!(error.problem.contains("(1 empty)"), "{error}");
    }
}
