//! What monitoring an environment should have, computed from the spec and the identifiers the earlier
//! components handed on: metric filters, alarms and the dashboard. Pure: no AWS call happens here.

mod alarms;
mod dashboard;
mod description;
mod filters;
mod serverless;

pub use alarms::alarms;
pub use dashboard::dashboard_body;
pub use filters::metric_filters;

use env_core::contract::Outputs;
use env_core::naming::{AlarmKind, CacheNode, NameKind, Names};
use env_core::outputs::{
    CacheOutputs, ComponentOutputs, DatabaseOutputs, EdgeOutputs, MissingOutputs, NetworkOutputs,
    ServiceOutputs,
};
use env_core::spec::{CacheMode, EnvironmentSpec};
use serde_json::Value;

/// The identifiers of earlier components the alarms and the dashboard point at.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub service_log_group: String,
    pub cluster_name: String,
    pub service_name: String,
    /// `app/<name>/<id>`: the part of the load balancer ARN its CloudWatch dimension uses.
    pub load_balancer: String,
    /// `targetgroup/<name>/<id>` for each target group, as their dimension uses them.
    pub target_groups: Vec<String>,
    pub db_cluster: String,
    /// What the cache alarms point at: the replication group's id (its nodes' cluster ids start
    /// with it) or, with `cacheMode: serverless`, the serverless cache's name.
    pub cache_group: String,
    /// The environment's KMS key, which encrypts the alarm topic.
    pub kms_key_arn: String,
}

impl Inputs {
    /// Reads the inputs from the event's outputs, the cache's as the spec's `cache_mode` shapes
    /// them; a missing or mistyped one is an invalid event, so nothing is called before every input
    /// is there.
    pub fn from_outputs(outputs: &Outputs, cache_mode: CacheMode) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        let database = DatabaseOutputs::of(outputs)?;
        let cache_group = cache_target(outputs, cache_mode)?;
        let edge = EdgeOutputs::of(outputs)?;
        let service = ServiceOutputs::of(outputs)?;
        Ok(Self {
            service_log_group: ServiceOutputs::non_empty(
                "serviceLogGroup",
                &service.service_log_group,
            )?,
            cluster_name: ServiceOutputs::non_empty("clusterName", &service.cluster_name)?,
            service_name: ServiceOutputs::non_empty("serviceName", &service.service_name)?,
            load_balancer: EdgeOutputs::non_empty(
                "loadBalancerArnSuffix",
                &edge.load_balancer_arn_suffix,
            )?,
            target_groups: EdgeOutputs::at_least(
                "targetGroupArnSuffixes",
                &edge.target_group_arn_suffixes,
                1,
            )?,
            db_cluster: DatabaseOutputs::non_empty(
                "dbClusterIdentifier",
                &database.db_cluster_identifier,
            )?,
            cache_group,
            kms_key_arn: NetworkOutputs::non_empty("kmsKeyArn", &network.kms_key_arn)?,
        })
    }
}

/// The cache's identifier the alarms and the dashboard use. A serverless cache hands on no
/// replication group and no node, only its name (`cacheName`), which is read alone so that the
/// cluster's fields are not required of it.
fn cache_target(outputs: &Outputs, cache_mode: CacheMode) -> Result<String, MissingOutputs> {
    match cache_mode {
        CacheMode::Cluster => {
            let cache = CacheOutputs::of(outputs)?;
            CacheOutputs::non_empty("cacheReplicationGroupId", &cache.cache_replication_group_id)
        }
        CacheMode::Serverless => {
            let missing = |problem: &str| MissingOutputs {
                component: CacheOutputs::COMPONENT,
                problem: problem.to_owned(),
            };
            let Some(cache) = outputs.get(CacheOutputs::COMPONENT) else {
                return Err(missing("are missing"));
            };
            match cache.get("cacheName") {
                Some(Value::String(name)) => CacheOutputs::non_empty("cacheName", name),
                _ => Err(missing(
                    "cacheName is missing or not a string (cacheMode serverless)",
                )),
            }
        }
    }
}

pub use env_core::spec::aurora_max_connections;

/// Every node of the cluster: shards × (1 primary + replicas); a serverless cache has one virtual
/// node (see `serverless`).
pub fn cache_nodes(spec: &EnvironmentSpec) -> Vec<CacheNode> {
    let fields = spec.fields();
    if fields.cache_mode == CacheMode::Serverless {
        return vec![serverless::VIRTUAL_NODE];
    }
    let per_shard = 1 + fields.cache_replicas_per_shard.get();
    (1..=fields.cache_shards.get())
        .flat_map(|shard| (1..=per_shard).map(move |node| CacheNode { shard, node }))
        .collect()
}

/// The name of every alarm the spec calls for, in the order they are created.
pub fn alarm_names(spec: &EnvironmentSpec) -> Vec<String> {
    let names = Names::new(spec.suffix());
    alarm_kinds(spec)
        .into_iter()
        .map(|kind| names.of(NameKind::Alarm(kind)))
        .collect()
}

/// Every alarm kind: the single ones, and two for each cache node the environment has now (the
/// serverless cache's two for its virtual node). A sleeping one has none (the cache component
/// deletes the replication group, or the serverless cache, and hands on no node), so `create`
/// removes the per-node alarms as it does those of nodes a smaller cache no longer has, and a wake
/// puts them back. Kept, they would watch nodes that
/// publish nothing: with missing data treated as `missing` (theirs), an alarm whose evaluation
/// range has no data point goes to INSUFFICIENT_DATA (CloudWatch user guide, "Configuring how
/// CloudWatch alarms treat missing data"), and each is still billed as a standard alarm metric.
/// The spec, not `cacheNodeIds`, decides: `status` has the spec, and the same nodes' names.
fn alarm_kinds(spec: &EnvironmentSpec) -> Vec<AlarmKind> {
    let mut kinds = AlarmKind::SINGLE.to_vec();
    let nodes = if spec.fields().asleep {
        Vec::new()
    } else {
        cache_nodes(spec)
    };
    for node in nodes {
        kinds.extend([AlarmKind::CacheMemory(node), AlarmKind::CacheCpu(node)]);
    }
    kinds
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use env_core::outputs::example::{self, handed_on};
    use serde_json::json;

    pub(crate) use env_core::spec::example::with as spec;

    pub(crate) fn outputs() -> Outputs {
        let mut outputs = handed_on(NetworkOutputs {
            kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/1234".into(),
            ..example::network()
        });
        outputs.extend(handed_on(example::database()));
        outputs.extend(handed_on(example::cache()));
        outputs.extend(handed_on(EdgeOutputs {
            load_balancer_arn_suffix: "app/alb-pr-42/50dc6c495c0c9188".into(),
            ..example::edge()
        }));
        outputs.extend(handed_on(example::service()));
        outputs
    }

    /// The outputs with a serverless cache's: its name and endpoint, no replication group, no node.
    pub(crate) fn serverless_outputs() -> Outputs {
        let mut outputs = outputs();
        outputs.insert(
            "cache".into(),
            json!({
                "mode": "serverless",
                "cacheName": "valkey-pr-42",
                "cacheReplicationGroupId": "",
                "cacheConfigurationEndpoint": "valkey-pr-42-x.serverless.usw2.cache.amazonaws.com:6379",
                "cacheAuthSecretArn": example::cache().cache_auth_secret_arn,
                "cacheSlowLogGroup": "",
                "cacheNodeIds": []
            }),
        );
        outputs
    }

    /// Inputs of the example spec (a cluster).
    pub(crate) fn inputs() -> Inputs {
        Inputs::from_outputs(&outputs(), CacheMode::Cluster).unwrap()
    }

    #[test]
    fn every_cache_node_is_counted_shards_times_one_plus_replicas() {
        assert_eq!(cache_nodes(&spec(json!({}))).len(), 4);
        let big = spec(json!({"cacheShards": 3, "cacheReplicasPerShard": 2}));
        let nodes = cache_nodes(&big);
        assert_eq!(nodes.len(), 9);
        assert_eq!(nodes[8], CacheNode { shard: 3, node: 3 });
        assert_eq!(alarm_names(&big).len(), 8 + 2 * 9);
    }

    #[test]
    fn a_sleeping_environment_has_no_per_node_cache_alarm_and_every_other_one() {
        let sleeping = spec(json!({"asleep": true}));
        let names = Names::new(sleeping.suffix());
        let asleep = alarm_names(&sleeping);
        let awake = alarm_names(&spec(json!({})));
        assert_eq!(awake.len(), 16);
        let single = AlarmKind::SINGLE.map(|kind| names.of(NameKind::Alarm(kind)));
        assert_eq!(asleep, single);
        assert!(asleep.iter().all(|name| awake.contains(name)));
        assert!(
            asleep.iter().all(|name| !name.starts_with("alarm-redis-")),
            "{asleep:?}"
        );
    }

    #[test]
    fn a_serverless_cache_has_one_virtual_node_with_its_two_alarms_while_awake() {
        let serverless = spec(json!({"cacheMode": "serverless", "cacheShards": 3}));
        assert_eq!(cache_nodes(&serverless), [CacheNode { shard: 1, node: 1 }]);
        let names = alarm_names(&serverless);
        assert_eq!(names.len(), 10);
        assert_eq!(names[8], "alarm-redis-memory-pr-42-0001-001");
        assert_eq!(names[9], "alarm-redis-cpu-pr-42-0001-001");
        let asleep = spec(json!({"cacheMode": "serverless", "asleep": true}));
        assert_eq!(alarm_names(&asleep).len(), 8);
    }

    #[test]
    fn a_serverless_cache_is_found_by_its_name_alone() {
        let inputs = Inputs::from_outputs(&serverless_outputs(), CacheMode::Serverless).unwrap();
        assert_eq!(inputs.cache_group, "valkey-pr-42");
        // A serverless cache has no replication group, so reading it as a cluster's fails.
        let error = Inputs::from_outputs(&serverless_outputs(), CacheMode::Cluster).unwrap_err();
        assert_eq!(error.component, "cache");
        for (cache, problem) in [
            (None, "are missing"),
            (
                Some(json!({"mode": "serverless"})),
                "cacheName is missing or not a string (cacheMode serverless)",
            ),
            (
                Some(json!({"cacheName": 7})),
                "cacheName is missing or not a string (cacheMode serverless)",
            ),
            (Some(json!({"cacheName": ""})), "cacheName is empty"),
        ] {
            let mut outputs = serverless_outputs();
            match cache {
                Some(cache) => outputs.insert("cache".into(), cache),
                None => outputs.remove("cache"),
            };
            let error = Inputs::from_outputs(&outputs, CacheMode::Serverless).unwrap_err();
            assert_eq!(
                (error.component, error.problem.as_str()),
                ("cache", problem)
            );
        }
    }

    #[test]
    fn every_input_is_required_and_named_when_missing() {
        for component in ["network", "database", "cache", "edge", "service"] {
            let mut outputs = outputs();
            outputs.remove(component);
            let error = Inputs::from_outputs(&outputs, CacheMode::Cluster).unwrap_err();
            assert_eq!(error.component, component);
        }
        for (component, key) in [
            ("service", "serviceLogGroup"),
            ("service", "clusterName"),
            ("service", "serviceName"),
            ("edge", "loadBalancerArnSuffix"),
            ("database", "dbClusterIdentifier"),
            ("cache", "cacheReplicationGroupId"),
            ("network", "kmsKeyArn"),
        ] {
            let mut outputs = outputs();
            outputs[component][key] = json!("");
            let error = Inputs::from_outputs(&outputs, CacheMode::Cluster).unwrap_err();
            assert_eq!(error.problem, format!("{key} is empty"));
        }
        let mut mistyped = outputs();
        mistyped["edge"]["targetGroupArnSuffixes"] = json!(["a", 1]);
        assert!(Inputs::from_outputs(&mistyped, CacheMode::Cluster).is_err());
        mistyped["edge"]["targetGroupArnSuffixes"] = json!([]);
        let error = Inputs::from_outputs(&mistyped, CacheMode::Cluster).unwrap_err();
        assert!(
            error.problem.starts_with("targetGroupArnSuffixes holds 0"),
            "{error}"
        );
    }
}
