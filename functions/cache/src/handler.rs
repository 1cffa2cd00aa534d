//! Create, report and delete one environment's Redis cache.
//!
//! `create` and `status` run the same convergence: the replication group is looked up by its name;
//! when it is absent, its AUTH token secret and subnet group are found or made and the group is
//! created. Creation takes 5–10 minutes (docs/aws-behaviour.md, "Creation: the physical floor"), so
//! `create` answers IN_PROGRESS and the state machine asks `status` until the group is `available`;
//! then the secret is completed with the connection details, its rotation every 30 days with the
//! environment's rotation function is turned on (once the database function has made that
//! function), and the answer is READY. The secret carries, from its creation on, the resource
//! policy that lets only its readers read it.
//!
//! The engine's slow log goes, as JSON, to the environment's own log group, made before the
//! replication group (ElastiCache delivers only to a log group that exists) and kept 14 days.
//!
//! `delete` removes the group (IN_PROGRESS while ElastiCache deletes it), then the subnet group,
//! then the slow-log group, then the secret without a recovery window, and answers DELETED when nothing is left. ElastiCache
//! has no deletion protection for replication groups, so the spec's `deletionProtection` does not
//! apply here.

use crate::api::{Cloud, GroupPlan, GroupState, ReplicationGroup, Secret, Sensitive, Shard};
use env_core::arn::account_of;
use env_core::contract::{Outputs, Request};
use env_core::naming::{NameKind, Names};
use env_core::outputs::{ComponentOutputs, MissingOutputs, NetworkOutputs};
use env_core::secret_policy::{EnvironmentSecret, ROTATION_DAYS};
use env_core::spec::EnvironmentSpec;
use env_core::tags::{environment_tags, Tag};
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response, Status};
use serde_json::{json, Value};

/// Redis OSS 7.1, the newest Redis OSS major ElastiCache offers (ElastiCache user guide,
/// "Supported engines and versions").
pub const ENGINE: &str = "redis";
pub const ENGINE_VERSION: &str = "7.1";
/// ElastiCache's own parameter group for Redis 7 with `cluster-enabled yes`, which a cluster-mode
/// group must use (ElastiCache user guide, "Redis OSS 7 parameter changes": `default.redis7.cluster.on`).
pub const PARAMETER_GROUP: &str = "default.redis7.cluster.on";
pub const PORT: i32 = 6379;
/// ElastiCache.1 asks for automatic backups kept at least a day; one day is enough for throwaway
/// environments and costs the least snapshot storage.
pub const SNAPSHOT_RETENTION_DAYS: i32 = 1;
/// AUTH tokens are 16–128 printable characters, and only `!&#$^<>-` of the punctuation (ElastiCache
/// user guide, "Authenticating with the Redis OSS AUTH command"): 64 letters and digits.
pub const TOKEN_LENGTH: i64 = 64;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingInput(#[from] MissingOutputs),
    #[error("replication group {0} failed to create (create-failed); delete the environment and create it again")]
    Failed(String),
    #[error("replication group {0} exists but its AUTH token secret {1} does not; the token cannot be recovered: delete the environment and create it again")]
    SecretLost(String, String),
    #[error("secret {0} holds no authToken")]
    MalformedSecret(String),
}

impl NamedError for CacheError {
    fn error_name(&self) -> ErrorName {
        match self {
            CacheError::Aws(error) => error.error_name(),
            CacheError::MissingInput(_) => ErrorName::InvalidEvent,
            CacheError::Failed(_) | CacheError::SecretLost(..) | CacheError::MalformedSecret(_) => {
                ErrorName::ComponentFailed
            }
        }
    }
}

pub async fn handle<C: Cloud>(cloud: &C, request: Request) -> Result<Response, CacheError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "cache");
    match request.action {
        Action::Create | Action::Status => converge(cloud, &request).await,
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

/// What the cache needs from the network function's outputs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Inputs {
    private_subnets: Vec<String>,
    zones: Vec<String>,
    security_group: String,
    kms_key_arn: String,
}

impl Inputs {
    fn from_outputs(outputs: &Outputs) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        // The network gives three of each, one per AZ, in AZ order.
        Ok(Self {
            private_subnets: NetworkOutputs::at_least(
                "privateSubnetIds",
                &network.private_subnet_ids,
                3,
            )?,
            zones: NetworkOutputs::at_least("availabilityZones", &network.availability_zones, 3)?,
            security_group: NetworkOutputs::non_empty(
                "securityGroupIds.cache",
                &network.security_group_ids.cache,
            )?,
            kms_key_arn: NetworkOutputs::non_empty("kmsKeyArn", &network.kms_key_arn)?,
        })
    }
}

/// Shard `i`'s primary goes to AZ `i mod 3` and its replicas to the AZs after it, so every shard
/// survives the loss of one AZ and the nodes spread evenly over the three.
pub fn placement(shards: u16, replicas: u8, zones: &[String]) -> Vec<Shard> {
    let zone = |index: usize| zones[index % zones.len()].clone();
    (0..usize::from(shards))
        .map(|shard| Shard {
            id: format!("{:04}", shard + 1),
            primary_zone: zone(shard),
            replica_zones: (1..=usize::from(replicas))
                .map(|replica| zone(shard + replica))
                .collect(),
        })
        .collect()
}

/// The secret's JSON: the token and its group (which the rotation function changes), and once the
/// group is available, how to reach it.
fn secret_document(token: &Sensitive, group: &str, endpoint: Option<&(String, i32)>) -> Sensitive {
    let mut document =
        json!({"authToken": token.expose(), "replicationGroupId": group, "tls": true});
    if let Some((host, port)) = endpoint {
        document["host"] = json!(host);
        document["port"] = json!(port);
    }
    Sensitive::new(document.to_string())
}

/// The token in the secret's value; a value that is not this function's JSON, or a binary one
/// (`None`), holds none.
fn token_of(name: &str, value: Option<&Sensitive>) -> Result<Sensitive, CacheError> {
    value
        .and_then(|value| serde_json::from_str::<Value>(value.expose()).ok())
        .and_then(|document| document.get("authToken")?.as_str().map(str::to_owned))
        .map(Sensitive::new)
        .ok_or_else(|| CacheError::MalformedSecret(name.to_owned()))
}

fn described(name: String) -> String {
    format!("Redis cluster of the catalog environment, {name}")
}

async fn converge<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, CacheError> {
    let (spec, outputs) = (&request.spec, &request.outputs);
    // Checked before any AWS call: an event without the network's outputs changes nothing.
    let inputs = Inputs::from_outputs(outputs)?;
    let names = Names::new(spec.suffix());
    let group_id = names.of(NameKind::CacheReplicationGroup);
    let secret_name = names.of(NameKind::CacheAuthSecret);
    let tags = environment_tags(spec, request.started_at);

    let group = match cloud.replication_group(&group_id).await? {
        Some(group) => group,
        None => match create(cloud, spec, names, &inputs, &tags).await? {
            Some(group) => group,
            // The secret's name is still reserved by a deletion: wait for it to go.
            None => return Ok(Response::new(Status::InProgress, Outputs::new())),
        },
    };
    match group.state {
        GroupState::CreateFailed => return Err(CacheError::Failed(group.id)),
        // A group of the same name from an earlier environment is going away; create once it is gone.
        GroupState::Deleting => return Ok(Response::new(Status::InProgress, Outputs::new())),
        _ => {}
    }
    let secret = match cloud.secret(&secret_name).await? {
        Some(secret) if !secret.pending_deletion => secret,
        _ => return Err(CacheError::SecretLost(group.id, secret_name)),
    };
    let status = if group.state == GroupState::Available {
        // Complete the secret with the connection details once there are some, so the service
        // reads everything it needs to connect from one place.
        let current = cloud.secret_value(&secret.arn).await?;
        let token = token_of(&secret_name, current.as_ref())?;
        let complete = secret_document(&token, &group.id, group.configuration_endpoint.as_ref());
        if current.and_then(|value| serde_json::from_str::<Value>(value.expose()).ok())
            != serde_json::from_str::<Value>(complete.expose()).ok()
        {
            cloud.put_secret_value(&secret.arn, &complete).await?;
        }
        // Again once ready, so a hand-edited policy is put back.
        protect(cloud, names, &secret.arn).await?;
        if rotating(cloud, names, &secret).await? {
            Status::Ready
        } else {
            Status::InProgress
        }
    } else {
        Status::InProgress
    };
    tracing::info!(group = %group.id, state = ?group.state, "replication group");
    Ok(Response::new(status, outputs_of(&group, &secret.arn)))
}

/// Whether the token rotates every 30 days with the environment's rotation function, turning
/// rotation on (the first rotation at once) when that function is `Active`. The database function
/// makes the function once Aurora is available; until then the cache waits for it.
async fn rotating<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    secret: &Secret,
) -> Result<bool, CacheError> {
    let function_name = names.of(NameKind::RotationFunction);
    let ours = format!(":function:{function_name}");
    if matches!(&secret.rotation, Some((lambda, Some(ROTATION_DAYS))) if lambda.ends_with(&ours)) {
        return Ok(true);
    }
    match cloud.rotation_function(&function_name).await? {
        Some(function) if function.active => {
            cloud
                .rotate_with(&secret.arn, &function.arn, ROTATION_DAYS)
                .await?;
            tracing::info!(secret = %secret.arn, "rotation turned on");
            Ok(true)
        }
        _ => {
            tracing::info!(function = %function_name, "waiting for the rotation function");
            Ok(false)
        }
    }
}

/// The secret's resource policy: only its readers read it, only this function changes it
/// ([`env_core::secret_policy`]).
async fn protect<C: Cloud>(cloud: &C, names: Names<'_>, arn: &str) -> Result<(), CacheError> {
    let policy = EnvironmentSecret::CacheAuthToken.policy(names, account_of(arn));
    cloud.put_secret_policy(arn, &policy.to_string()).await?;
    Ok(())
}

fn outputs_of(group: &ReplicationGroup, secret_arn: &str) -> Outputs {
    let mut outputs = Outputs::new();
    outputs.insert("cacheReplicationGroupId".into(), json!(group.id));
    if let Some((host, port)) = &group.configuration_endpoint {
        outputs.insert(
            "cacheConfigurationEndpoint".into(),
            json!(format!("{host}:{port}")),
        );
    }
    outputs.insert("cacheAuthSecretArn".into(), json!(secret_arn));
    if let Some(log_group) = &group.slow_log_group {
        outputs.insert("cacheSlowLogGroup".into(), json!(log_group));
    }
    let mut nodes = group.members.clone();
    nodes.sort();
    outputs.insert("cacheNodeIds".into(), json!(nodes));
    outputs
}

/// The secret, the subnet group, then the replication group; `None` while the secret's name is
/// still reserved by an earlier deletion.
async fn create<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
    inputs: &Inputs,
    tags: &[Tag],
) -> Result<Option<ReplicationGroup>, CacheError> {
    let secret_name = names.of(NameKind::CacheAuthSecret);
    let secret_arn = match cloud.secret(&secret_name).await? {
        // A deleted secret's name stays reserved until Secrets Manager removes it
        // (docs/aws-behaviour.md, "Teardown: what sticks").
        Some(secret) if secret.pending_deletion => return Ok(None),
        Some(secret) => secret.arn,
        None => {
            let token = cloud.random_password(TOKEN_LENGTH).await?;
            let arn = cloud
                .create_secret(
                    &secret_name,
                    &format!(
                        "AUTH token of the Redis cluster {}",
                        names.of(NameKind::CacheReplicationGroup)
                    ),
                    &inputs.kms_key_arn,
                    &secret_document(&token, &names.of(NameKind::CacheReplicationGroup), None),
                    tags,
                )
                .await?;
            // At once: nobody but its readers reads the token during the group's minutes of creation.
            protect(cloud, names, &arn).await?;
            arn
        }
    };
    let stored = cloud.secret_value(&secret_arn).await?;
    let token = token_of(&secret_name, stored.as_ref())?;

    let subnet_group = names.of(NameKind::CacheSubnetGroup);
    if !cloud.subnet_group_exists(&subnet_group).await? {
        cloud
            .create_subnet_group(
                &subnet_group,
                &described(subnet_group.clone()),
                &inputs.private_subnets,
                tags,
            )
            .await?;
    }

    let slow_log_group = names.of(NameKind::CacheSlowLogGroup);
    if !cloud.log_group_exists(&slow_log_group).await? {
        cloud
            .create_log_group(&slow_log_group, &inputs.kms_key_arn, tags)
            .await?;
    }
    cloud
        .set_retention(&slow_log_group, env_core::LOG_RETENTION_DAYS)
        .await?;

    let fields = spec.fields();
    let id = names.of(NameKind::CacheReplicationGroup);
    let plan = GroupPlan {
        description: described(id.clone()),
        id,
        engine: ENGINE,
        engine_version: ENGINE_VERSION,
        parameter_group: PARAMETER_GROUP,
        node_type: fields.cache_node_type.as_str().to_owned(),
        shards: placement(
            fields.cache_shards.get(),
            fields.cache_replicas_per_shard.get(),
            &inputs.zones,
        ),
        replicas_per_shard: i32::from(fields.cache_replicas_per_shard.get()),
        port: PORT,
        subnet_group,
        security_group_id: inputs.security_group.clone(),
        kms_key_arn: inputs.kms_key_arn.clone(),
        auth_token: token,
        snapshot_retention_days: SNAPSHOT_RETENTION_DAYS,
        slow_log_group,
        tags: tags.to_vec(),
    };
    tracing::info!(group = %plan.id, shards = plan.shards.len(), "creating the replication group");
    cloud.create_replication_group(&plan).await?;
    // Reported as creating whatever the answer says: the next `status` describes it afresh.
    Ok(Some(ReplicationGroup {
        id: plan.id,
        state: GroupState::Creating,
        configuration_endpoint: None,
        members: Vec::new(),
        slow_log_group: Some(plan.slow_log_group),
    }))
}

async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, CacheError> {
    let names = Names::new(spec.suffix());
    let group_id = names.of(NameKind::CacheReplicationGroup);
    if let Some(group) = cloud.replication_group(&group_id).await? {
        if group.state != GroupState::Deleting {
            match cloud.delete_replication_group(&group_id).await {
                Ok(()) => {}
                // A group still being created or modified cannot be deleted yet; ask again later.
                Err(error) if error.is_code("InvalidReplicationGroupState") => {}
                Err(error) => return Err(error.into()),
            }
        }
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    let subnet_group = names.of(NameKind::CacheSubnetGroup);
    if cloud.subnet_group_exists(&subnet_group).await? {
        match cloud.delete_subnet_group(&subnet_group).await {
            Ok(()) => {}
            // The group's nodes release it a moment after the group is gone.
            Err(error) if error.is_code("CacheSubnetGroupInUse") => {
                return Ok(Response::new(Status::InProgress, Outputs::new()))
            }
            Err(error) => return Err(error.into()),
        }
    }
    let slow_log_group = names.of(NameKind::CacheSlowLogGroup);
    if cloud.log_group_exists(&slow_log_group).await? {
        cloud.delete_log_group(&slow_log_group).await?;
    }
    // One already scheduled for deletion goes on its own.
    if let Some(secret) = cloud.secret(&names.of(NameKind::CacheAuthSecret)).await? {
        if !secret.pending_deletion {
            cloud.delete_secret(&secret.arn).await?;
        }
    }
    Ok(Response::new(Status::Deleted, Outputs::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{RotationFunction, Secret};
    use crate::fake::{Fake, StoredSecret};
    use env_core::tags::ENVIRONMENT;
    use std::collections::BTreeSet;

    use env_core::outputs::example::{self, handed_on};

    const KEY: &str = "arn:aws:kms:us-west-2:123456789012:key/k-1";

    fn spec(extra: Value) -> EnvironmentSpec {
        let mut value = json!({
            "environmentSuffix": "pr-42",
            "containerImage": "public.ecr.aws/acme/catalog-api:1",
            "selfSignedCertificate": true
        });
        value
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        EnvironmentSpec::from_value(&value).unwrap()
    }

    fn network_outputs() -> Outputs {
        handed_on(example::network())
    }

    async fn run(
        fake: &Fake,
        action: Action,
        spec: &EnvironmentSpec,
    ) -> Result<Response, CacheError> {
        let request = Request {
            action,
            spec: spec.clone(),
            outputs: network_outputs(),
            started_at: std::time::SystemTime::now(),
        };
        handle(fake, request).await
    }

    fn plan(fake: &Fake) -> GroupPlan {
        fake.world().groups["redis-pr-42"].1.clone()
    }

    fn secret_json(fake: &Fake) -> Value {
        let world = fake.world();
        serde_json::from_str(world.secrets["secret-redis-auth-pr-42"].value.expose()).unwrap()
    }

    #[tokio::test]
    async fn create_builds_a_cluster_mode_group_of_2_shards_with_1_replica_each_by_default() {
        let fake = Fake::default();
        let response = run(&fake, Action::Create, &spec(json!({}))).await.unwrap();

        assert_eq!(response.status, Status::InProgress);
        let plan = plan(&fake);
        assert_eq!(plan.id, "redis-pr-42");
        assert_eq!(plan.shards.len(), 2);
        assert_eq!(plan.replicas_per_shard, 1);
        assert_eq!(plan.node_type, "cache.t4g.small");
        assert_eq!((plan.engine, plan.engine_version), ("redis", "7.1"));
        assert_eq!(plan.parameter_group, "default.redis7.cluster.on");
        assert_eq!(plan.port, 6379);
        assert_eq!(plan.subnet_group, "redis-subnets-pr-42");
        assert_eq!(plan.security_group_id, "sg-cache");
        assert_eq!(plan.kms_key_arn, KEY);
        assert!(plan.snapshot_retention_days >= 1);
        assert!(plan
            .tags
            .iter()
            .any(|tag| tag.key == ENVIRONMENT && tag.value == "pr-42"));
        let world = fake.world();
        let (subnets, subnet_tags) = &world.subnet_groups["redis-subnets-pr-42"];
        assert_eq!(subnets.subnet_ids, ["subnet-a", "subnet-b", "subnet-c"]);
        assert!(subnet_tags.iter().any(|tag| tag.key == ENVIRONMENT));
        let secret = &world.secrets["secret-redis-auth-pr-42"];
        assert_eq!(secret.kms_key_arn, KEY);
        assert!(secret.tags.iter().any(|tag| tag.key == ENVIRONMENT));
        let slow_log = &world.log_groups["/aws/vendedlogs/elasticache/redis-slow-log-pr-42"];
        assert_eq!(slow_log.kms_key_arn, KEY);
        assert_eq!(slow_log.retention_days, Some(14));
        assert!(slow_log
            .tags
            .iter()
            .any(|tag| tag.key == ENVIRONMENT && tag.value == "pr-42"));
        drop(world);
        assert_eq!(
            plan.slow_log_group,
            "/aws/vendedlogs/elasticache/redis-slow-log-pr-42"
        );
        let token = secret_json(&fake)["authToken"].as_str().unwrap().to_owned();
        assert_eq!(token.len(), 64);
        assert_eq!(plan.auth_token.expose(), token);

        let outputs = &response.outputs;
        assert_eq!(outputs["cacheReplicationGroupId"], "redis-pr-42");
        assert_eq!(
            outputs["cacheAuthSecretArn"],
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:secret-redis-auth-pr-42-AbCdEf"
        );
        assert_eq!(
            outputs["cacheSlowLogGroup"],
            "/aws/vendedlogs/elasticache/redis-slow-log-pr-42"
        );
        assert!(!outputs.contains_key("cacheConfigurationEndpoint"));
        assert!(!Value::Object(outputs.clone()).to_string().contains(&token));
    }

    #[tokio::test]
    async fn the_spec_chooses_shards_replicas_and_node_type() {
        let fake = Fake::default();
        let spec = spec(
            json!({"cacheShards": 3, "cacheReplicasPerShard": 2, "cacheNodeType": "cache.r7g.large"}),
        );
        run(&fake, Action::Create, &spec).await.unwrap();
        let plan = plan(&fake);
        assert_eq!(plan.shards.len(), 3);
        assert_eq!(plan.replicas_per_shard, 2);
        assert_eq!(plan.node_type, "cache.r7g.large");
        fake.world().settle();
        let response = run(&fake, Action::Status, &spec).await.unwrap();
        assert_eq!(
            response.outputs["cacheNodeIds"].as_array().unwrap().len(),
            9
        );
    }

    #[test]
    fn every_shard_spans_the_three_azs_and_survives_losing_one() {
        let zones: Vec<String> = ["us-west-2a", "us-west-2b", "us-west-2c"]
            .map(String::from)
            .to_vec();
        let two_by_one = placement(2, 1, &zones);
        assert_eq!(two_by_one[0].id, "0001");
        assert_eq!(two_by_one[0].primary_zone, "us-west-2a");
        assert_eq!(two_by_one[0].replica_zones, ["us-west-2b"]);
        assert_eq!(two_by_one[1].id, "0002");
        assert_eq!(two_by_one[1].primary_zone, "us-west-2b");
        assert_eq!(two_by_one[1].replica_zones, ["us-west-2c"]);
        let used: BTreeSet<&String> = two_by_one
            .iter()
            .flat_map(|shard| std::iter::once(&shard.primary_zone).chain(&shard.replica_zones))
            .collect();
        assert_eq!(used.len(), 3);

        for shard in placement(3, 2, &zones) {
            let mut own: Vec<&String> = shard.replica_zones.iter().collect();
            own.push(&shard.primary_zone);
            own.sort();
            own.dedup();
            assert_eq!(own.len(), 3, "shard {} is not in 3 AZs", shard.id);
        }
    }

    #[tokio::test]
    async fn an_available_group_is_ready_and_its_secret_gets_the_connection_details() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        let token = secret_json(&fake)["authToken"].clone();
        assert_eq!(
            run(&fake, Action::Status, &spec).await.unwrap().status,
            Status::InProgress
        );
        fake.world().settle();

        // Available, but the database function has not made the rotation function yet: waiting.
        let waiting = run(&fake, Action::Status, &spec).await.unwrap();
        assert_eq!(waiting.status, Status::InProgress);
        assert_eq!(fake.world().count("RotateSecret"), 0);
        // Made but still Pending (its network interfaces): waiting still.
        let lambda = "arn:aws:lambda:us-west-2:123456789012:function:rotation-pr-42";
        fake.world().rotation_function = Some(RotationFunction {
            arn: lambda.to_owned(),
            active: false,
        });
        let pending = run(&fake, Action::Status, &spec).await.unwrap();
        assert_eq!(pending.status, Status::InProgress);
        fake.world().rotation_function.as_mut().unwrap().active = true;

        let response = run(&fake, Action::Status, &spec).await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let typed: env_core::outputs::CacheOutputs = example::read_as(&response.outputs);
        assert_eq!(typed.cache_replication_group_id, "redis-pr-42");
        // The token rotates every 30 days with the environment's rotation function.
        assert_eq!(
            fake.world().secrets["secret-redis-auth-pr-42"]
                .secret
                .rotation,
            Some((lambda.to_owned(), Some(30)))
        );
        let host = "clustercfg.redis-pr-42.abc123.usw2.cache.amazonaws.com";
        assert_eq!(
            response.outputs["cacheConfigurationEndpoint"],
            format!("{host}:6379")
        );
        assert_eq!(
            response.outputs["cacheNodeIds"],
            json!([
                "redis-pr-42-0001-001",
                "redis-pr-42-0001-002",
                "redis-pr-42-0002-001",
                "redis-pr-42-0002-002"
            ])
        );
        assert_eq!(
            secret_json(&fake),
            json!({"authToken": token, "replicationGroupId": "redis-pr-42", "tls": true,
                   "host": host, "port": 6379})
        );
        // Once complete and rotating, the secret is left alone.
        run(&fake, Action::Status, &spec).await.unwrap();
        assert_eq!(fake.world().count("PutSecretValue"), 1);
        assert_eq!(fake.world().count("RotateSecret"), 1);
        // Rotating with another function, or on another schedule: put back.
        for other in [
            (
                "arn:aws:lambda:us-west-2:123456789012:function:other",
                Some(30),
            ),
            (lambda, Some(90)),
        ] {
            fake.world()
                .secrets
                .get_mut("secret-redis-auth-pr-42")
                .unwrap()
                .secret
                .rotation = Some((other.0.to_owned(), other.1));
            run(&fake, Action::Status, &spec).await.unwrap();
        }
        assert_eq!(fake.world().count("RotateSecret"), 3);
        assert_eq!(
            fake.world().secrets["secret-redis-auth-pr-42"]
                .secret
                .rotation,
            Some((lambda.to_owned(), Some(30)))
        );
    }

    #[tokio::test]
    async fn create_twice_changes_nothing() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        let changes = fake.world().changes.clone();
        assert_eq!(
            changes,
            [
                "CreateSecret",
                "PutResourcePolicy",
                "CreateCacheSubnetGroup",
                "CreateLogGroup",
                "PutRetentionPolicy",
                "CreateReplicationGroup"
            ]
        );
        // From its creation on, only its readers read the token.
        let policy = fake.world().secrets["secret-redis-auth-pr-42"]
            .policy
            .clone();
        let readers = &serde_json::from_str::<Value>(&policy.unwrap()).unwrap()["Statement"][0];
        assert_eq!(
            readers["Condition"]["ArnNotEquals"]["aws:PrincipalArn"],
            json!([
                "arn:aws:iam::123456789012:role/role-ecs-execution-pr-42",
                "arn:aws:iam::123456789012:role/role-ecs-task-pr-42",
                "arn:aws:iam::123456789012:role/role-rotation-pr-42",
                "arn:aws:iam::123456789012:role/catalog-fn-cache"
            ])
        );
        let second = run(&fake, Action::Create, &spec).await.unwrap();
        let third = run(&fake, Action::Create, &spec).await.unwrap();
        assert_eq!(fake.world().changes, changes);
        assert_eq!(second, third);
        assert_eq!(second.outputs["cacheNodeIds"].as_array().unwrap().len(), 4);
    }

    #[tokio::test]
    async fn a_throttled_create_is_retryable_and_the_retry_reuses_the_token() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        fake.world()
            .faults
            .push(("CreateReplicationGroup", "Throttling"));
        let error = run(&fake, Action::Create, &spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        let token = secret_json(&fake)["authToken"].clone();

        run(&fake, Action::Create, &spec).await.unwrap();
        assert_eq!(json!(plan(&fake).auth_token.expose()), token);
        assert_eq!(fake.world().count("CreateSecret"), 1);
        assert_eq!(fake.world().count("CreateCacheSubnetGroup"), 1);
        assert_eq!(fake.world().count("CreateLogGroup"), 1);
    }

    #[tokio::test]
    async fn a_missing_network_output_is_an_invalid_event_named_before_any_call() {
        let mut refusals = vec![(Outputs::new(), "outputs.network: are missing".to_owned())];
        for key in [
            "privateSubnetIds",
            "availabilityZones",
            "securityGroupIds",
            "kmsKeyArn",
        ] {
            let mut outputs = network_outputs();
            outputs["network"].as_object_mut().unwrap().remove(key);
            refusals.push((outputs, format!("missing field `{key}`")));
        }
        // Two private subnets, or a subnet id that is not a string, are not the network's three.
        let mut network = example::network();
        network.private_subnet_ids.pop();
        refusals.push((
            handed_on(network),
            "privateSubnetIds holds 2 entries".into(),
        ));
        let mut outputs = network_outputs();
        outputs["network"]["privateSubnetIds"] = json!(["subnet-a", "subnet-b", 3]);
        refusals.push((outputs, "invalid type: integer `3`".into()));
        let mut network = example::network();
        network.availability_zones.pop();
        refusals.push((handed_on(network), "availabilityZones holds 2".into()));
        let mut network = example::network();
        network.security_group_ids.cache.clear();
        refusals.push((handed_on(network), "securityGroupIds.cache is empty".into()));
        let mut network = example::network();
        network.kms_key_arn.clear();
        refusals.push((handed_on(network), "kmsKeyArn is empty".into()));
        for (outputs, named) in refusals {
            let fake = Fake::default();
            fake.world()
                .faults
                .push(("DescribeReplicationGroups", "AccessDenied"));
            let request = Request {
                action: Action::Create,
                spec: spec(json!({})),
                outputs,
                started_at: std::time::SystemTime::now(),
            };
            let error = handle(&fake, request).await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::InvalidEvent);
            assert!(error.to_string().contains(&named), "{error}");
            assert_eq!(fake.world().faults.len(), 1, "an AWS call was made");
        }
    }

    #[tokio::test]
    async fn a_group_that_failed_to_create_is_component_failed() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        fake.world()
            .group_state("redis-pr-42", GroupState::CreateFailed);
        let error = run(&fake, Action::Status, &spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert!(error.to_string().contains("redis-pr-42"), "{error}");
    }

    #[tokio::test]
    async fn a_group_of_the_same_name_still_deleting_is_waited_for() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        fake.world()
            .group_state("redis-pr-42", GroupState::Deleting);
        let response = run(&fake, Action::Create, &spec).await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert!(response.outputs.is_empty());
        assert_eq!(fake.world().count("CreateReplicationGroup"), 1);
    }

    #[tokio::test]
    async fn a_secret_name_still_reserved_by_a_deletion_is_waited_for() {
        let fake = Fake::default();
        let stored = StoredSecret {
            secret: Secret {
                arn: "arn:old".into(),
                pending_deletion: true,
                rotation: None,
            },
            kms_key_arn: KEY.into(),
            value: Sensitive::new("{}"),
            policy: None,
            tags: Vec::new(),
        };
        fake.world()
            .secrets
            .insert("secret-redis-auth-pr-42".into(), stored);
        let response = run(&fake, Action::Create, &spec(json!({}))).await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert!(fake.world().changes.is_empty());
    }

    #[tokio::test]
    async fn a_group_whose_token_secret_is_gone_is_component_failed() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        fake.world().secrets.clear();
        let error = run(&fake, Action::Status, &spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert!(
            error.to_string().contains("secret-redis-auth-pr-42"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_secret_without_a_token_is_component_failed_and_not_shown() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        fake.world().settle();
        for value in ["not json", r#"{"password": "hunter2"}"#] {
            fake.world()
                .secrets
                .get_mut("secret-redis-auth-pr-42")
                .unwrap()
                .value = Sensitive::new(value);
            let error = run(&fake, Action::Status, &spec).await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::ComponentFailed);
            assert_eq!(
                error.to_string(),
                "secret secret-redis-auth-pr-42 holds no authToken"
            );
        }
    }

    #[test]
    fn a_binary_secret_holds_no_token() {
        let error = token_of("secret-redis-auth-pr-42", None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "secret secret-redis-auth-pr-42 holds no authToken"
        );
    }

    #[tokio::test]
    async fn delete_removes_the_group_then_the_subnet_group_the_slow_log_and_the_secret() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        fake.world().settle();

        let first = run(&fake, Action::Delete, &spec).await.unwrap();
        assert_eq!(first.status, Status::InProgress);
        assert_eq!(fake.world().count("DeleteReplicationGroup"), 1);
        // Still deleting: asked again, nothing is called twice.
        let second = run(&fake, Action::Delete, &spec).await.unwrap();
        assert_eq!(second.status, Status::InProgress);
        assert_eq!(fake.world().count("DeleteReplicationGroup"), 1);
        assert_eq!(fake.world().count("DeleteCacheSubnetGroup"), 0);

        fake.world().settle();
        let done = run(&fake, Action::Delete, &spec).await.unwrap();
        assert_eq!(done.status, Status::Deleted);
        let changes = {
            let world = fake.world();
            assert!(
                world.groups.is_empty()
                    && world.subnet_groups.is_empty()
                    && world.log_groups.is_empty()
                    && world.secrets.is_empty()
            );
            world.changes.clone()
        };
        assert_eq!(
            &changes[6..],
            [
                "DeleteReplicationGroup",
                "DeleteCacheSubnetGroup",
                "DeleteLogGroup",
                "DeleteSecret"
            ]
        );

        // Nothing left: DELETED again, and nothing called.
        let again = run(&fake, Action::Delete, &spec).await.unwrap();
        assert_eq!(again.status, Status::Deleted);
        assert_eq!(fake.world().changes.len(), changes.len());
    }

    #[tokio::test]
    async fn delete_waits_for_a_group_that_cannot_be_deleted_yet() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        fake.world()
            .faults
            .push(("DeleteReplicationGroup", "InvalidReplicationGroupState"));
        let response = run(&fake, Action::Delete, &spec).await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(
            fake.world().groups["redis-pr-42"].0.state,
            GroupState::Creating
        );

        fake.world()
            .faults
            .push(("DeleteReplicationGroup", "AccessDenied"));
        let error = run(&fake, Action::Delete, &spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
    }

    #[tokio::test]
    async fn delete_waits_for_a_subnet_group_still_in_use() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        fake.world().groups.clear();
        fake.world()
            .faults
            .push(("DeleteCacheSubnetGroup", "CacheSubnetGroupInUse"));
        let response = run(&fake, Action::Delete, &spec).await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(fake.world().secrets.len(), 1);

        fake.world()
            .faults
            .push(("DeleteCacheSubnetGroup", "ThrottlingException"));
        let error = run(&fake, Action::Delete, &spec).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);

        assert_eq!(
            run(&fake, Action::Delete, &spec).await.unwrap().status,
            Status::Deleted
        );
    }

    #[tokio::test]
    async fn delete_leaves_a_secret_already_scheduled_for_deletion_to_go_on_its_own() {
        let fake = Fake::default();
        let spec = spec(json!({}));
        run(&fake, Action::Create, &spec).await.unwrap();
        fake.world().groups.clear();
        fake.world()
            .secrets
            .get_mut("secret-redis-auth-pr-42")
            .unwrap()
            .secret
            .pending_deletion = true;
        let response = run(&fake, Action::Delete, &spec).await.unwrap();
        assert_eq!(response.status, Status::Deleted);
        assert_eq!(fake.world().count("DeleteSecret"), 0);
    }

    #[tokio::test]
    async fn delete_needs_no_outputs() {
        let fake = Fake::default();
        let request = Request {
            action: Action::Delete,
            spec: spec(json!({})),
            outputs: Outputs::new(),
            started_at: std::time::SystemTime::now(),
        };
        assert_eq!(
            handle(&fake, request).await.unwrap().status,
            Status::Deleted
        );
    }

    #[test]
    fn failures_carry_their_stable_names() {
        assert_eq!(
            CacheError::MissingInput(NetworkOutputs::of(&Outputs::new()).unwrap_err()).error_name(),
            ErrorName::InvalidEvent
        );
        assert_eq!(
            CacheError::Failed("g".into()).error_name(),
            ErrorName::ComponentFailed
        );
        assert_eq!(
            CacheError::SecretLost("g".into(), "s".into()).error_name(),
            ErrorName::ComponentFailed
        );
        assert_eq!(
            CacheError::MalformedSecret("s".into()).error_name(),
            ErrorName::ComponentFailed
        );
    }
}
