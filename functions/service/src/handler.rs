//! Create, report and delete one environment's API service.
//!
//! `create` and `status` run the same convergence: the log group, the two roles and their inline
//! policies (and, for blue/green, the infrastructure role ECS assumes), the cluster, the task definition, the Cloud Map namespace and service, the ECS service
//! and its autoscaling, each looked up by name and created only when missing, so a retried or
//! repeated call never makes a second one. A task definition is registered again only when what it
//! should say changed (a fingerprint tag on the revision), and an existing service only gets the new
//! revision: its desired count stays what the autoscaler chose. The deployment strategy is a spec
//! change like any other: an existing service whose strategy differs is switched by UpdateService.
//!
//! `delete` removes the autoscaling, scales the service to 0 and deletes it with force, and then,
//! once ECS has drained it, everything else. It reports DELETED only from a call that found nothing.

use crate::api::{BlueGreen, CallResult, Cloud, EcsService, ServiceSpec, TaskSpec};
use crate::policy::{self, TaskScope};
use env_core::arn::{account_of, region_of};
use env_core::contract::{Outputs, Request};
use env_core::naming::{AwsLogGroup, NameKind, Names};
use env_core::outputs::{
    CacheOutputs, ComponentOutputs, DatabaseOutputs, EdgeOutputs, MissingOutputs, NetworkOutputs,
};
use env_core::spec::{DeploymentStrategy, EnvironmentSpec};
use env_core::tags::{environment_tags, Tag};
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response, Status};
use serde_json::{json, Value};

/// The inline policy names of the two roles.
pub const EXECUTION_POLICY: &str = "ecs-execution";
pub const TASK_POLICY: &str = "catalog-api";
/// The inline policy of the infrastructure role blue/green deployments use.
pub const INFRASTRUCTURE_POLICY: &str = "ecs-blue-green";
/// How long a blue/green deployment keeps the old revision after production traffic moved, so a
/// rollback is instant: short, as PR environments see little traffic to judge by (ECS API
/// reference, `DeploymentConfiguration.bakeTimeInMinutes`, 0–1440).
pub const BAKE_TIME_MINUTES: i32 = 5;
/// The Cloud Map service inside the environment's own namespace: `api.catalog-<suffix>.local`.
pub const DISCOVERY_SERVICE: &str = "api";
/// The one container of the task, as the load balancer and Cloud Map address it.
pub const CONTAINER_NAME: &str = "api";
/// The target-tracking policy's name; policy names are scoped to their scalable target.
pub const CPU_POLICY: &str = "cpu-target-tracking";
/// Scale out fast for flash sales, scale in slowly so a short lull does not drop capacity that
/// is needed again a minute later (Application Auto Scaling user guide, "Target tracking
/// scaling policies": cooldowns).
pub const SCALE_OUT_COOLDOWN_SECONDS: i32 = 60;
pub const SCALE_IN_COOLDOWN_SECONDS: i32 = 300;
/// Time a new task gets before failed load balancer health checks count: a Node.js API that
/// connects to Aurora and Redis at start-up needs well under a minute.
pub const HEALTH_CHECK_GRACE_SECONDS: i32 = 60;
/// A non-zero uid (control ECS.20); 1000 is the `node` user of the official Node.js images.
pub const CONTAINER_USER: &str = "1000:1000";
/// The tag that records what a task definition revision was registered from.
pub const FINGERPRINT_TAG: &str = "catalog:task-fingerprint";
/// The environment variable that tells the function how to judge READY.
pub const READINESS_SETTING: &str = "SERVICE_READY_WHEN";

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingInput(#[from] MissingOutputs),
    #[error("{READINESS_SETTING} is {0:?}; allowed: `steady` (the default) or `accepted`")]
    Misconfigured(String),
    #[error("the deployment of ECS service {0} failed (the circuit breaker rolled it back)")]
    DeploymentFailed(String),
}

impl NamedError for ServiceError {
    fn error_name(&self) -> ErrorName {
        match self {
            ServiceError::Aws(error) => error.error_name(),
            ServiceError::MissingInput(_) => ErrorName::InvalidEvent,
            ServiceError::Misconfigured(_) => ErrorName::Misconfigured,
            ServiceError::DeploymentFailed(_) => ErrorName::ComponentFailed,
        }
    }
}

/// When `create`/`status` report READY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// AWS's "services stable": the service is ACTIVE, its running count is its desired count and
    /// its deployment rolled out.
    Steady,
    /// The service is ACTIVE with a deployment that has not failed. For emulators, which never run
    /// tasks (moto: tests/emulator/README.md), so that the local lifecycle can finish.
    Accepted,
}

impl Readiness {
    pub fn parse(setting: Option<&str>) -> Result<Self, ServiceError> {
        match setting {
            None | Some("steady") => Ok(Readiness::Steady),
            Some("accepted") => Ok(Readiness::Accepted),
            Some(other) => Err(ServiceError::Misconfigured(other.to_owned())),
        }
    }
}

/// What earlier components handed on, checked before any AWS call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub vpc_id: String,
    pub private_subnets: Vec<String>,
    pub service_group: String,
    pub key_arn: String,
    pub blue_target_group: String,
    pub db_secret_arn: String,
    pub db_endpoint: String,
    pub cache_secret_arn: String,
    pub cache_endpoint: String,
    /// The API keys secret, read by the API at run time (both AWSCURRENT and AWSPREVIOUS).
    pub api_keys_secret_arn: String,
    /// Optional: the cluster's `DbClusterResourceId` for `rds-db:connect`.
    pub db_resource_id: Option<String>,
    /// Only with the `blueGreen` strategy.
    pub blue_green: Option<BlueGreenInputs>,
}

/// What a blue/green service needs from the edge component.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlueGreenInputs {
    pub green_target_group: String,
    pub production_rule: String,
    pub test_rule: String,
}

impl Inputs {
    pub fn from_outputs(
        outputs: &Outputs,
        strategy: DeploymentStrategy,
    ) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        let database = DatabaseOutputs::of(outputs)?;
        let cache = CacheOutputs::of(outputs)?;
        let edge = EdgeOutputs::of(outputs)?;
        let target_groups = &edge.target_group_arns;
        let rules = &edge.listener_rule_arns;
        Ok(Self {
            vpc_id: NetworkOutputs::non_empty("vpcId", &network.vpc_id)?,
            private_subnets: NetworkOutputs::at_least(
                "privateSubnetIds",
                &network.private_subnet_ids,
                1,
            )?,
            service_group: NetworkOutputs::non_empty(
                "securityGroupIds.service",
                &network.security_group_ids.service,
            )?,
            key_arn: NetworkOutputs::non_empty("kmsKeyArn", &network.kms_key_arn)?,
            blue_target_group: EdgeOutputs::non_empty("targetGroupArns.blue", &target_groups.blue)?,
            db_secret_arn: DatabaseOutputs::non_empty(
                "dbAppSecretArn",
                &database.db_app_secret_arn,
            )?,
            db_endpoint: DatabaseOutputs::non_empty(
                "dbWriterEndpoint",
                &database.db_writer_endpoint,
            )?,
            cache_secret_arn: CacheOutputs::non_empty(
                "cacheAuthSecretArn",
                &cache.cache_auth_secret_arn,
            )?,
            cache_endpoint: CacheOutputs::non_empty(
                "cacheConfigurationEndpoint",
                &cache.cache_configuration_endpoint,
            )?,
            api_keys_secret_arn: DatabaseOutputs::non_empty(
                "apiKeysSecretArn",
                &database.api_keys_secret_arn,
            )?,
            db_resource_id: DatabaseOutputs::non_empty(
                "dbClusterResourceId",
                &database.db_cluster_resource_id,
            )
            .ok(),
            blue_green: match strategy {
                DeploymentStrategy::Rolling => None,
                DeploymentStrategy::BlueGreen => Some(BlueGreenInputs {
                    green_target_group: EdgeOutputs::non_empty(
                        "targetGroupArns.green",
                        &target_groups.green,
                    )?,
                    production_rule: EdgeOutputs::non_empty(
                        "listenerRuleArns.production",
                        &rules.production,
                    )?,
                    test_rule: EdgeOutputs::non_empty("listenerRuleArns.test", &rules.test)?,
                }),
            },
        })
    }
}

/// `setting` is the value of [`READINESS_SETTING`], read once by `main`.
pub async fn handle<C: Cloud>(
    cloud: &C,
    setting: Option<&str>,
    request: Request,
) -> Result<Response, ServiceError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "service");
    let readiness = Readiness::parse(setting)?;
    match request.action {
        Action::Create | Action::Status => {
            let strategy = request.spec.fields().deployment_strategy;
            let inputs = Inputs::from_outputs(&request.outputs, strategy)?;
            converge(cloud, &request, &inputs, readiness).await
        }
        // A teardown works from names alone: it may run on an environment whose earlier
        // components never finished.
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

/// FNV-1a (64 bits) of the task definition's description: stable within a build, so the same
/// wanted definition is never registered twice.
pub fn fingerprint(task: &TaskSpec) -> String {
    let text = format!("{task:?}");
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

fn with_tag(tags: &[Tag], key: &'static str, value: String) -> Vec<Tag> {
    let mut tags = tags.to_vec();
    tags.push(Tag { key, value });
    tags
}

/// The role's ARN, created with `trust` when missing.
async fn role<C: Cloud>(cloud: &C, name: &str, trust: &Value, tags: &[Tag]) -> CallResult<String> {
    match cloud.role(name).await? {
        Some(arn) => Ok(arn),
        None => cloud.create_role(name, &trust.to_string(), tags).await,
    }
}

/// The wanted task definition.
pub fn task_spec(
    spec: &EnvironmentSpec,
    names: Names<'_>,
    inputs: &Inputs,
    execution_role_arn: &str,
    task_role_arn: &str,
) -> TaskSpec {
    let fields = spec.fields();
    let port = fields.container_port.get();
    // The API is Node.js: `node` itself probes the health path, so the image needs no curl.
    let url = json!(format!(
        "http://127.0.0.1:{port}{}",
        fields.health_check_path.as_str()
    ));
    let probe = format!(
        "require('http').get({url},r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))"
    );
    TaskSpec {
        family: names.of(NameKind::TaskFamily),
        execution_role_arn: execution_role_arn.to_owned(),
        task_role_arn: task_role_arn.to_owned(),
        cpu: fields.task_cpu.get().to_string(),
        memory: fields.task_memory.get().to_string(),
        cpu_architecture: fields.cpu_architecture.ecs_name().to_owned(),
        container_name: CONTAINER_NAME.to_owned(),
        image: fields.container_image.as_str().to_owned(),
        port: i32::from(port),
        user: CONTAINER_USER.to_owned(),
        log_group: names.of(NameKind::ServiceLogGroup),
        region: fields.region.as_str().to_owned(),
        // Only non-secret settings (control ECS.8): endpoints and the port.
        environment: vec![
            ("NODE_ENV".into(), "production".into()),
            ("PORT".into(), port.to_string()),
            ("DB_HOST".into(), inputs.db_endpoint.clone()),
            (
                "REDIS_CONFIGURATION_ENDPOINT".into(),
                inputs.cache_endpoint.clone(),
            ),
            // Which secret the API reads its keys from, both the current and the previous
            // version, so a rotation never rejects a client in flight (README, "API keys"): its
            // ARN, a pointer and no value (the audit's ECS.8 rule: a secret-looking name may hold
            // an ARN only).
            (
                "API_KEYS_SECRET_ARN".into(),
                inputs.api_keys_secret_arn.clone(),
            ),
        ],
        // ECS reads these at task start through the execution role: `arn:json-key:version-stage:
        // version-id` (ECS developer guide, "Pass Secrets Manager secrets through environment
        // variables").
        secrets: vec![
            (
                "DB_USERNAME".into(),
                format!("{}:username::", inputs.db_secret_arn),
            ),
            (
                "DB_PASSWORD".into(),
                format!("{}:password::", inputs.db_secret_arn),
            ),
            (
                "REDIS_AUTH_TOKEN".into(),
                format!("{}:authToken::", inputs.cache_secret_arn),
            ),
        ],
        health_check: vec!["CMD".into(), "node".into(), "-e".into(), probe],
        tmp_volume: "tmp".into(),
    }
}

/// Everything the outputs name, from names and ARNs known before the service exists.
fn outputs(
    spec: &EnvironmentSpec,
    names: Names<'_>,
    task_definition: &str,
    roles: (&str, &str),
) -> Outputs {
    let mut outputs = Outputs::new();
    outputs.insert("clusterName".into(), json!(names.of(NameKind::EcsCluster)));
    outputs.insert("serviceName".into(), json!(names.of(NameKind::EcsService)));
    outputs.insert(
        "serviceLogGroup".into(),
        json!(names.of(NameKind::ServiceLogGroup)),
    );
    outputs.insert(
        "serviceDiscoveryName".into(),
        json!(format!(
            "{DISCOVERY_SERVICE}.{}",
            names.of(NameKind::DiscoveryNamespace)
        )),
    );
    outputs.insert("taskDefinitionArn".into(), json!(task_definition));
    outputs.insert("executionRoleArn".into(), json!(roles.0));
    outputs.insert("taskRoleArn".into(), json!(roles.1));
    outputs.insert(
        "deploymentStrategy".into(),
        json!(spec.fields().deployment_strategy),
    );
    outputs
}

/// Application Auto Scaling's id of an ECS service.
fn scaling_resource(names: Names<'_>) -> String {
    format!(
        "service/{}/{}",
        names.of(NameKind::EcsCluster),
        names.of(NameKind::EcsService)
    )
}

/// Whether the service deploys blue/green now. AWS always reports the strategy (`ROLLING` unless
/// set). moto 5.2 keeps the load balancer's `advancedConfiguration` but drops the
/// `deploymentConfiguration` CreateService was given (the integration tests show it), so without a
/// reported strategy the alternate target group decides.
fn deploys_blue_green(service: &EcsService) -> bool {
    match service.strategy.as_deref() {
        Some(strategy) => strategy == "BLUE_GREEN",
        None => service.alternate_target_group.is_some(),
    }
}

/// The infrastructure role of blue/green deployments, with its policy on this environment's rules
/// and target groups; its ARN.
async fn infrastructure_role<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    inputs: &Inputs,
    blue_green: &BlueGreenInputs,
    tags: &[Tag],
) -> CallResult<String> {
    let name = names.of(NameKind::EcsInfrastructureRole);
    let arn = role(
        cloud,
        &name,
        &policy::trust_policy(policy::ECS_PRINCIPAL),
        tags,
    )
    .await?;
    let document = policy::infrastructure_policy(
        &[
            blue_green.production_rule.as_str(),
            blue_green.test_rule.as_str(),
        ],
        &[
            inputs.blue_target_group.as_str(),
            blue_green.green_target_group.as_str(),
        ],
    );
    cloud
        .put_role_policy(&name, INFRASTRUCTURE_POLICY, &document.to_string())
        .await?;
    Ok(arn)
}

fn is_ready(service: &EcsService, readiness: Readiness) -> bool {
    match readiness {
        Readiness::Steady => {
            service.running_count == service.desired_count
                && service.rollout.as_deref() != Some("IN_PROGRESS")
        }
        Readiness::Accepted => true,
    }
}

/// A log group with the environment's key, created when missing or given the key when it lacks
/// it, its retention set on every call so a hand-changed one is put back.
async fn ensure_log_group<C: Cloud>(
    cloud: &C,
    name: &str,
    key_arn: &str,
    tags: &[Tag],
) -> Result<(), ServiceError> {
    match cloud.log_group_key(name).await? {
        // Made meanwhile by a concurrent call, or by ECS for Container Insights: ours to keep.
        None => match cloud.create_log_group(name, key_arn, tags).await {
            Err(error) if error.is_code("ResourceAlreadyExistsException") => {}
            created => created?,
        },
        // One ECS made before the environment did, or a key changed by hand: the environment's
        // key from now on.
        Some(key) if key.as_deref() != Some(key_arn) => {
            cloud.associate_log_group_key(name, key_arn).await?;
        }
        Some(_) => {}
    }
    cloud
        .set_retention(name, env_core::LOG_RETENTION_DAYS)
        .await?;
    Ok(())
}

async fn converge<C: Cloud>(
    cloud: &C,
    request: &Request,
    inputs: &Inputs,
    readiness: Readiness,
) -> Result<Response, ServiceError> {
    let spec = &request.spec;
    let names = Names::new(spec.suffix());
    let tags = environment_tags(spec, request.started_at);
    let fields = spec.fields();

    let log_group = names.of(NameKind::ServiceLogGroup);
    ensure_log_group(cloud, &log_group, &inputs.key_arn, &tags).await?;
    // Before the cluster: Container Insights would create its group itself, keeping logs forever.
    let insights = names.aws_log_group(AwsLogGroup::ContainerInsights);
    ensure_log_group(cloud, &insights, &inputs.key_arn, &tags).await?;

    let execution_role = names.of(NameKind::ExecutionRole);
    let task_role = names.of(NameKind::TaskRole);
    // The key's ARN (the network's) names the account before either role exists.
    let key_account = account_of(&inputs.key_arn);
    let trust = policy::tasks_trust_policy(key_account);
    let task_trust = policy::task_role_trust_policy(key_account, region_of(&inputs.key_arn));
    let execution_arn = role(cloud, &execution_role, &trust, &tags).await?;
    let task_arn = role(cloud, &task_role, &task_trust, &tags).await?;
    let account = account_of(&execution_arn);
    // ECS injects the credentials at start (execution role); the API itself also reads its keys,
    // by stage, while it runs (task role).
    let secrets = [
        inputs.db_secret_arn.as_str(),
        inputs.cache_secret_arn.as_str(),
    ];
    let task_secrets = [
        inputs.db_secret_arn.as_str(),
        inputs.cache_secret_arn.as_str(),
        inputs.api_keys_secret_arn.as_str(),
    ];
    let execution = policy::execution_policy(
        account,
        &log_group,
        &secrets,
        &inputs.key_arn,
        fields.container_image.as_str(),
    );
    cloud
        .put_role_policy(&execution_role, EXECUTION_POLICY, &execution.to_string())
        .await?;
    let scope = TaskScope {
        db_resource_id: inputs.db_resource_id.as_deref(),
        replication_group: &names.of(NameKind::CacheReplicationGroup),
        metric_namespace: &names.of(NameKind::MetricNamespace),
    };
    let task = policy::task_policy(account, &task_secrets, &inputs.key_arn, scope);
    cloud
        .put_role_policy(&task_role, TASK_POLICY, &task.to_string())
        .await?;

    let cluster = names.of(NameKind::EcsCluster);
    let active = cloud
        .cluster(&cluster)
        .await?
        .is_some_and(|found| found.status == "ACTIVE");
    if !active {
        cloud.create_cluster(&cluster, &tags).await?;
    }

    let wanted = task_spec(spec, names, inputs, &execution_arn, &task_arn);
    let print = fingerprint(&wanted);
    let task_definition = match cloud.latest_task_definition(&wanted.family).await? {
        Some(latest) if latest.fingerprint.as_deref() == Some(print.as_str()) => latest.arn,
        _ => {
            let tags = with_tag(&tags, FINGERPRINT_TAG, print);
            cloud.register_task_definition(&wanted, &tags).await?.arn
        }
    };
    let outputs = outputs(spec, names, &task_definition, (&execution_arn, &task_arn));
    let in_progress = |outputs| Ok(Response::new(Status::InProgress, outputs));

    let namespace_name = names.of(NameKind::DiscoveryNamespace);
    let namespace = match cloud.namespace(&namespace_name).await? {
        Some(namespace) => namespace,
        None => {
            // The VPC in the token: a later environment of the same name gets its own namespace.
            let token = format!("{namespace_name}-{}", inputs.vpc_id);
            cloud
                .create_namespace(&namespace_name, &inputs.vpc_id, &token, &tags)
                .await?;
            // Cloud Map creates namespaces asynchronously (API reference,
            // CreatePrivateDnsNamespace returns an operation): a later call goes on.
            match cloud.namespace(&namespace_name).await? {
                Some(namespace) => namespace,
                None => return in_progress(outputs),
            }
        }
    };
    let registry = match cloud
        .discovery_services(&namespace.id)
        .await?
        .into_iter()
        .find(|service| service.name == DISCOVERY_SERVICE)
    {
        Some(service) => service,
        None => {
            let token = format!("{}-{DISCOVERY_SERVICE}", namespace.id);
            cloud
                .create_discovery_service(DISCOVERY_SERVICE, &namespace.id, &token, &tags)
                .await?
        }
    };

    let blue_green = match &inputs.blue_green {
        Some(blue_green) => Some(BlueGreen {
            alternate_target_group_arn: blue_green.green_target_group.clone(),
            production_listener_rule: blue_green.production_rule.clone(),
            test_listener_rule: blue_green.test_rule.clone(),
            role_arn: infrastructure_role(cloud, names, inputs, blue_green, &tags).await?,
            bake_time_minutes: BAKE_TIME_MINUTES,
        }),
        None => None,
    };
    let name = names.of(NameKind::EcsService);
    let wanted = ServiceSpec {
        cluster: cluster.clone(),
        name: name.clone(),
        task_definition: task_definition.clone(),
        desired_count: i32::from(fields.min_tasks.get()),
        subnets: inputs.private_subnets.clone(),
        security_group: inputs.service_group.clone(),
        target_group_arn: inputs.blue_target_group.clone(),
        container_name: CONTAINER_NAME.to_owned(),
        container_port: i32::from(fields.container_port.get()),
        registry_arn: registry.arn.clone(),
        grace_period_seconds: HEALTH_CHECK_GRACE_SECONDS,
        // Updates that never drop below the desired count, rolled back when the new tasks do not
        // become healthy.
        rollback_on_failure: true,
        deployment_percents: (100, 200),
        blue_green,
    };
    let mut updated = false;
    let service = match cloud.service(&cluster, &name).await? {
        Some(service) if service.status == "ACTIVE" => {
            // The strategy first: the new revision, if any, then deploys the wanted way.
            if deploys_blue_green(&service) != wanted.blue_green.is_some() {
                cloud.update_deployment(&wanted).await?;
                updated = true;
            }
            if service.task_definition != task_definition {
                cloud
                    .update_task_definition(&cluster, &name, &task_definition)
                    .await?;
                updated = true;
            }
            service
        }
        // A teardown's deletion still draining: the name is free once it is INACTIVE.
        Some(service) if service.status == "DRAINING" => return in_progress(outputs),
        _ => cloud.create_service(&wanted, &tags).await?,
    };

    // Registering again with the same bounds changes nothing; the desired count the autoscaler
    // chose is kept unless it falls outside them.
    let resource = scaling_resource(names);
    cloud
        .register_scalable_target(
            &resource,
            i32::from(fields.min_tasks.get()),
            i32::from(fields.max_tasks.get()),
        )
        .await?;
    cloud
        .put_cpu_policy(
            &resource,
            CPU_POLICY,
            f64::from(fields.cpu_target_percent.get()),
            (SCALE_OUT_COOLDOWN_SECONDS, SCALE_IN_COOLDOWN_SECONDS),
        )
        .await?;

    if service.rollout.as_deref() == Some("FAILED") {
        return Err(ServiceError::DeploymentFailed(name));
    }
    let ready = !updated && is_ready(&service, readiness);
    tracing::info!(
        running = service.running_count,
        desired = service.desired_count,
        rollout = ?service.rollout,
        ready,
        "service"
    );
    let status = if ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    Ok(Response::new(status, outputs))
}

async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, ServiceError> {
    let names = Names::new(spec.suffix());
    let mut found = false;

    let resource = scaling_resource(names);
    for policy in cloud.scaling_policies(&resource).await? {
        found = true;
        cloud.delete_scaling_policy(&resource, &policy).await?;
    }
    if cloud.scalable_target(&resource).await?.is_some() {
        found = true;
        cloud.deregister_scalable_target(&resource).await?;
    }

    let cluster = names.of(NameKind::EcsCluster);
    let name = names.of(NameKind::EcsService);
    let draining = match cloud.service(&cluster, &name).await? {
        Some(service) if service.status == "ACTIVE" => {
            if service.desired_count > 0 {
                cloud.scale_service(&cluster, &name, 0).await?;
            }
            cloud.delete_service(&cluster, &name).await?;
            true
        }
        Some(service) => service.status == "DRAINING",
        None => false,
    };
    for arn in cloud
        .task_definitions(&names.of(NameKind::TaskFamily))
        .await?
    {
        found = true;
        cloud.deregister_task_definition(&arn).await?;
    }
    // Draining tasks still log through the execution role and are still registered in Cloud Map;
    // the cluster cannot go while it holds a service. The rest waits for ECS to finish.
    if draining {
        return Ok(Response::new(Status::InProgress, Outputs::new()));
    }
    // A deregistered revision stays INACTIVE for good unless deleted (ECS API reference,
    // DeleteTaskDefinitions: INACTIVE revisions only, up to 10 a call), and a pull request makes
    // one per deploy. One ECS refuses is listed again by the next call.
    let family = names.of(NameKind::TaskFamily);
    for batch in cloud.inactive_task_definitions(&family).await?.chunks(10) {
        found = true;
        let refused = cloud.delete_task_definitions(batch).await?;
        tracing::info!(deleted = batch.len(), ?refused, "task definitions");
    }

    if let Some(namespace) = cloud
        .namespace(&names.of(NameKind::DiscoveryNamespace))
        .await?
    {
        found = true;
        let mut services_left = false;
        for service in cloud.discovery_services(&namespace.id).await? {
            // ECS deregisters a stopped task's instance on its own time; until it has, Cloud Map
            // refuses with ResourceInUse ("Service contains registered instances"), and the
            // namespace with its services (DeleteNamespace: "If the namespace still contains one
            // or more services, the request fails"). The next call deletes them.
            match cloud.delete_discovery_service(&service.id).await {
                Err(error) if error.is_code("ResourceInUse") => services_left = true,
                deleted => deleted?,
            }
        }
        if !services_left {
            // DeleteNamespace runs asynchronously (it answers an operation id): a later call
            // that still finds the namespace meets DuplicateRequest ("The operation is already in
            // progress"), or ResourceInUse while Cloud Map still counts a service (Cloud Map API
            // reference, DeleteNamespace). Both wait for the next call.
            match cloud.delete_namespace(&namespace.id).await {
                Err(error)
                    if error.is_code("DuplicateRequest") || error.is_code("ResourceInUse") => {}
                deleted => deleted?,
            }
        }
    }
    let roles = [
        NameKind::ExecutionRole,
        NameKind::TaskRole,
        NameKind::EcsInfrastructureRole,
    ];
    for role in roles.map(|kind| names.of(kind)) {
        if cloud.role(&role).await?.is_some() {
            found = true;
            for policy in cloud.role_policies(&role).await? {
                cloud.delete_role_policy(&role, &policy).await?;
            }
            cloud.delete_role(&role).await?;
        }
    }
    let log_group = names.of(NameKind::ServiceLogGroup);
    if cloud.log_group_exists(&log_group).await? {
        found = true;
        cloud.delete_log_group(&log_group).await?;
    }
    let active = cloud
        .cluster(&cluster)
        .await?
        .is_some_and(|found| found.status == "ACTIVE");
    if active {
        found = true;
        cloud.delete_cluster(&cluster).await?;
    } else {
        // Only once a call finds the cluster gone: ECS's service-linked role may create this
        // group (AmazonECSServiceRolePolicy, CWLogGroupManagement), and a report still on its way
        // when the cluster is deleted would make it again, without our key.
        let insights = names.aws_log_group(AwsLogGroup::ContainerInsights);
        if cloud.log_group_exists(&insights).await? {
            found = true;
            cloud.delete_log_group(&insights).await?;
        }
    }
    let status = if found {
        Status::InProgress
    } else {
        Status::Deleted
    };
    Ok(Response::new(status, Outputs::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::Fake;
    use crate::policy::tests::assert_least_privilege;
    use env_core::outputs::example::{self, handed_on};
    use env_core::outputs::{ListenerRuleArns, SecurityGroupIds, ServiceOutputs, TargetGroupArns};

    fn spec() -> Value {
        json!({
            "environmentSuffix": "pr-42",
            "containerImage": "public.ecr.aws/acme/catalog-api:1",
            "selfSignedCertificate": true
        })
    }

    /// The earlier components' outputs, with the values the assertions below name.
    fn inputs_with(edge: EdgeOutputs) -> Value {
        let secret =
            |name: &str| format!("arn:aws:secretsmanager:us-west-2:123456789012:secret:{name}");
        let network = example::network();
        let network = NetworkOutputs {
            security_group_ids: SecurityGroupIds {
                service: "sg-service".into(),
                ..network.security_group_ids
            },
            kms_key_arn: "arn:aws:kms:us-west-2:123456789012:key/k".into(),
            ..network
        };
        let database = DatabaseOutputs {
            db_app_secret_arn: secret("db"),
            api_keys_secret_arn: secret("api-keys"),
            // None unless a test gives it: `rds-db:connect` on any cluster of the environment.
            db_cluster_resource_id: String::new(),
            ..example::database()
        };
        let cache = CacheOutputs {
            cache_auth_secret_arn: secret("redis"),
            cache_configuration_endpoint: "redis-pr-42.x.clustercfg.usw2.cache.amazonaws.com:6379"
                .into(),
            ..example::cache()
        };
        let mut outputs = handed_on(network);
        outputs.extend(handed_on(database));
        outputs.extend(handed_on(cache));
        outputs.extend(handed_on(edge));
        Value::Object(outputs)
    }

    fn edge() -> EdgeOutputs {
        EdgeOutputs {
            target_group_arns: TargetGroupArns {
                blue: "arn:tg/blue".into(),
                green: "arn:tg/green".into(),
            },
            listener_rule_arns: ListenerRuleArns {
                production: "arn:rule/production".into(),
                test: "arn:rule/test".into(),
            },
            ..example::edge()
        }
    }

    fn inputs() -> Value {
        inputs_with(edge())
    }

    fn request(action: &str, spec: Value, outputs: Value) -> Request {
        use env_core::contract::Event;
        Request::from_event(json!({"action": action, "spec": spec, "outputs": outputs})).unwrap()
    }

    async fn run(fake: &Fake, action: &str) -> Result<Response, ServiceError> {
        handle(fake, Some("accepted"), request(action, spec(), inputs())).await
    }

    /// `delete` until DELETED, at most 5 calls.
    async fn delete_all(fake: &Fake) -> usize {
        let mut calls = 0;
        loop {
            calls += 1;
            assert!(calls <= 5, "not deleted after 5 calls");
            if run(fake, "delete").await.unwrap().status == Status::Deleted {
                return calls;
            }
        }
    }

    /// `times` delete calls, each answering IN_PROGRESS.
    async fn deletes_in_progress(fake: &Fake, times: usize) {
        for _ in 0..times {
            assert_eq!(
                run(fake, "delete").await.unwrap().status,
                Status::InProgress
            );
        }
    }

    async fn steady_status(fake: &Fake) -> Status {
        let response = handle(fake, None, request("status", spec(), inputs()));
        response.await.unwrap().status
    }

    fn document(fake: &Fake, role: &str, policy: &str) -> Value {
        serde_json::from_str(&fake.world().roles[role].2[policy]).unwrap()
    }

    #[tokio::test]
    async fn create_from_nothing_builds_the_whole_service_and_its_autoscaling() {
        let fake = Fake::default();
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let outputs = &response.outputs;
        let typed: ServiceOutputs = example::read_as(outputs);
        assert_eq!(typed.deployment_strategy, "rolling");
        assert_eq!(outputs["clusterName"], "ecs-cluster-pr-42");
        assert_eq!(outputs["serviceName"], "ecs-service-pr-42");
        assert_eq!(outputs["serviceLogGroup"], "ecs-logs-pr-42");
        assert_eq!(outputs["serviceDiscoveryName"], "api.catalog-pr-42.local");
        assert_eq!(
            outputs["executionRoleArn"],
            "arn:aws:iam::123456789012:role/role-ecs-execution-pr-42"
        );
        assert_eq!(
            outputs["taskRoleArn"],
            "arn:aws:iam::123456789012:role/role-ecs-task-pr-42"
        );
        assert_ne!(outputs["executionRoleArn"], outputs["taskRoleArn"]);

        let world = fake.world();
        // Container Insights' group too, made before the cluster with the key and 14 days.
        let insights =
            &world.log_groups["/aws/ecs/containerinsights/ecs-cluster-pr-42/performance"];
        assert_eq!(insights.retention_days, Some(14));
        assert_eq!(
            insights.kms_key_id.as_deref(),
            Some("arn:aws:kms:us-west-2:123456789012:key/k")
        );
        let group = &world.log_groups["ecs-logs-pr-42"];
        assert_eq!(group.retention_days, Some(14));
        assert_eq!(
            group.kms_key_id.as_deref(),
            Some("arn:aws:kms:us-west-2:123456789012:key/k")
        );
        assert_eq!(world.clusters["ecs-cluster-pr-42"].status, "ACTIVE");
        let tasks = world.active_task_definitions();
        assert_eq!(tasks.len(), 1);
        let task = tasks[0];
        assert_eq!(outputs["taskDefinitionArn"], world.task_definitions[0].0);
        assert_eq!((task.cpu.as_str(), task.memory.as_str()), ("512", "1024"));
        assert_eq!(task.cpu_architecture, "X86_64");
        assert_eq!(outputs["deploymentStrategy"], "rolling");
        assert_eq!(task.port, 3000);
        assert_eq!(task.user, "1000:1000");
        assert_eq!(task.log_group, "ecs-logs-pr-42");
        assert!(task.health_check[3].contains("http://127.0.0.1:3000/health"));
        let secrets: Vec<&str> = task.secrets.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(secrets, ["DB_USERNAME", "DB_PASSWORD", "REDIS_AUTH_TOKEN"]);
        assert_eq!(
            task.secrets[2].1,
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:redis:authToken::"
        );
        // The API reads its keys at run time through the task role; ECS injects only the
        // credentials at start through the execution role.
        let reads = |role: &str, policy: &str| -> Value {
            let document: Value = serde_json::from_str(&world.roles[role].2[policy]).unwrap();
            let statements = document["Statement"].as_array().unwrap().clone();
            let read = statements
                .into_iter()
                .find(|statement| statement["Sid"] == "ReadTheEnvironmentsSecrets")
                .unwrap();
            read["Resource"].clone()
        };
        let (db, redis, keys) = (
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:db",
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:redis",
            "arn:aws:secretsmanager:us-west-2:123456789012:secret:api-keys",
        );
        assert_eq!(
            reads("role-ecs-task-pr-42", TASK_POLICY),
            json!([db, redis, keys])
        );
        assert_eq!(
            reads("role-ecs-execution-pr-42", EXECUTION_POLICY),
            json!([db, redis])
        );
        // Where the API reads its keys from, by the secret's ARN.
        assert!(task
            .environment
            .contains(&("API_KEYS_SECRET_ARN".to_owned(), keys.to_owned())));
        // No secret reaches `environment`: no credential-looking name, and the one pointer to a
        // secret is an ARN, never a value.
        for (name, value) in &task.environment {
            assert!(
                !name.contains("PASSWORD") && !name.contains("TOKEN"),
                "{name}"
            );
            assert!(!value.contains("secretsmanager") || value == keys, "{name}");
        }

        let (wanted, service) = &world.services["ecs-service-pr-42"];
        assert_eq!(wanted.desired_count, 2);
        assert_eq!(wanted.subnets, ["subnet-a", "subnet-b", "subnet-c"]);
        assert_eq!(wanted.security_group, "sg-service");
        assert_eq!(wanted.target_group_arn, "arn:tg/blue");
        assert_eq!(
            (wanted.container_name.as_str(), wanted.container_port),
            ("api", 3000)
        );
        assert_eq!(wanted.registry_arn, world.discovery[0].1.arn);
        assert!(wanted.rollback_on_failure);
        assert_eq!(wanted.deployment_percents, (100, 200));
        assert_eq!(wanted.grace_period_seconds, 60);
        // Rolling: no blue/green settings, no infrastructure role.
        assert_eq!(wanted.blue_green, None);
        assert!(!world.roles.contains_key("role-ecs-infra-pr-42"));
        assert_eq!(service.strategy.as_deref(), Some("ROLLING"));
        assert_eq!(service.task_definition, world.task_definitions[0].0);
        assert_eq!(world.namespaces[0].0.name, "catalog-pr-42.local");
        assert_eq!(world.namespaces[0].1, "vpc-1");
        assert_eq!(world.discovery[0].1.name, "api");

        let resource = "service/ecs-cluster-pr-42/ecs-service-pr-42";
        assert_eq!(world.targets[resource], (2, 10));
        assert_eq!(
            world.policies[&(resource.to_owned(), "cpu-target-tracking".to_owned())],
            (70.0, (60, 300))
        );
    }

    #[tokio::test]
    async fn both_roles_get_least_privilege_documents() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        let execution = document(&fake, "role-ecs-execution-pr-42", EXECUTION_POLICY);
        let task = document(&fake, "role-ecs-task-pr-42", TASK_POLICY);
        assert_least_privilege(&execution);
        assert_least_privilege(&task);
        assert_ne!(execution, task);
        let trust: Value =
            serde_json::from_str(&fake.world().roles["role-ecs-task-pr-42"].1).unwrap();
        assert_eq!(
            trust["Statement"][0]["Principal"]["Service"],
            "ecs-tasks.amazonaws.com"
        );
        assert_eq!(
            task["Statement"][2]["Resource"],
            "arn:aws:rds-db:us-west-2:123456789012:dbuser:*/catalog_app"
        );
        assert_eq!(
            task["Statement"][3]["Resource"],
            serde_json::json!([
                "arn:aws:elasticache:us-west-2:123456789012:replicationgroup:redis-pr-42",
                "arn:aws:elasticache:us-west-2:123456789012:user:redis-pr-42-app"
            ])
        );
        assert_eq!(
            task["Statement"][4]["Condition"]["StringEquals"]["cloudwatch:namespace"],
            "catalog-api-pr-42"
        );
    }

    #[tokio::test]
    async fn a_cluster_resource_id_narrows_rds_db_connect_to_that_cluster() {
        let fake = Fake::default();
        let mut outputs = inputs();
        outputs["database"]["dbClusterResourceId"] = json!("cluster-ABCDEF");
        handle(&fake, None, request("create", spec(), outputs))
            .await
            .unwrap();
        let task = document(&fake, "role-ecs-task-pr-42", TASK_POLICY);
        assert_eq!(
            task["Statement"][2]["Resource"],
            "arn:aws:rds-db:us-west-2:123456789012:dbuser:cluster-ABCDEF/catalog_app"
        );
    }

    #[tokio::test]
    async fn a_repeated_create_changes_nothing_and_keeps_the_autoscalers_count() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        // The autoscaler moved the service to 6 tasks.
        fake.world()
            .services
            .get_mut("ecs-service-pr-42")
            .unwrap()
            .1
            .desired_count = 6;
        let before = fake.world().changes.len();
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let world = fake.world();
        let created: Vec<&str> = world.changes[before..]
            .iter()
            .copied()
            .filter(|op| {
                op.starts_with("Create")
                    || (op.starts_with("Register") && *op != "RegisterScalableTarget")
            })
            .collect();
        assert!(created.is_empty(), "{created:?}");
        assert_eq!(world.count("RegisterTaskDefinition"), 1);
        assert_eq!(world.count("UpdateServiceTaskDefinition"), 0);
        assert_eq!(world.services["ecs-service-pr-42"].1.desired_count, 6);
    }

    #[tokio::test]
    async fn a_changed_spec_registers_a_new_revision_and_rolls_the_service_onto_it() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        let mut changed = spec();
        changed["containerImage"] = json!("public.ecr.aws/acme/catalog-api:2");
        let response = handle(
            &fake,
            Some("accepted"),
            request("create", changed, inputs()),
        )
        .await
        .unwrap();
        // The new deployment has to roll out first.
        assert_eq!(response.status, Status::InProgress);
        let world = fake.world();
        assert_eq!(world.count("RegisterTaskDefinition"), 2);
        let service = &world.services["ecs-service-pr-42"].1;
        assert_eq!(service.task_definition, world.task_definitions[1].0);
        assert_eq!(
            response.outputs["taskDefinitionArn"],
            world.task_definitions[1].0
        );
        assert_eq!(world.count("CreateService"), 1);
    }

    #[tokio::test]
    async fn steady_readiness_waits_for_the_running_count_and_the_rollout() {
        let fake = Fake::default();
        assert_eq!(
            handle(&fake, Some("steady"), request("create", spec(), inputs()))
                .await
                .unwrap()
                .status,
            Status::InProgress
        );
        fake.world()
            .services
            .get_mut("ecs-service-pr-42")
            .unwrap()
            .1
            .running_count = 2;
        // Running, but the rollout is not complete yet.
        assert_eq!(steady_status(&fake).await, Status::InProgress);
        fake.world()
            .services
            .get_mut("ecs-service-pr-42")
            .unwrap()
            .1
            .rollout = Some("COMPLETED".into());
        assert_eq!(steady_status(&fake).await, Status::Ready);
    }

    #[tokio::test]
    async fn a_failed_rollout_is_a_component_failure() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.world()
            .services
            .get_mut("ecs-service-pr-42")
            .unwrap()
            .1
            .rollout = Some("FAILED".into());
        let error = run(&fake, "status").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert!(error.to_string().contains("ecs-service-pr-42"), "{error}");
    }

    #[tokio::test]
    async fn an_unknown_readiness_setting_is_misconfigured_before_any_call() {
        let fake = Fake::default();
        let error = handle(&fake, Some("soon"), request("create", spec(), inputs()))
            .await
            .unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Misconfigured);
        assert!(error.to_string().contains("SERVICE_READY_WHEN"), "{error}");
        assert!(fake.world().changes.is_empty());
    }

    #[tokio::test]
    async fn a_missing_output_is_an_invalid_event_naming_the_key_before_any_call() {
        let mut cases: Vec<(Value, String)> = Vec::new();
        for component in ["network", "database", "cache", "edge"] {
            let mut outputs = inputs();
            outputs.as_object_mut().unwrap().remove(component);
            cases.push((outputs, format!("outputs.{component}: are missing")));
        }
        for (component, field, value) in [
            ("network", "vpcId", json!("")),
            ("network", "privateSubnetIds", json!([])),
            ("network", "kmsKeyArn", json!("")),
            ("database", "dbAppSecretArn", json!("")),
            ("database", "dbWriterEndpoint", json!("")),
            ("database", "apiKeysSecretArn", json!("")),
            ("cache", "cacheAuthSecretArn", json!("")),
            ("cache", "cacheConfigurationEndpoint", json!("")),
        ] {
            let mut outputs = inputs();
            outputs[component][field] = value;
            cases.push((outputs, format!("outputs.{component}: {field} ")));
        }
        let mut outputs = inputs();
        outputs["network"]["securityGroupIds"]["service"] = json!("");
        cases.push((outputs, "securityGroupIds.service is empty".into()));
        let mut outputs = inputs();
        outputs["edge"]["targetGroupArns"]["blue"] = json!("");
        cases.push((
            outputs,
            "outputs.edge: targetGroupArns.blue is empty".into(),
        ));
        let mut outputs = inputs();
        outputs["database"]["dbAppSecretArn"] = json!(7);
        cases.push((
            outputs,
            "outputs.database: are malformed: invalid type".into(),
        ));
        for (outputs, named) in cases {
            let fake = Fake::default();
            let error = handle(&fake, None, request("create", spec(), outputs))
                .await
                .unwrap_err();
            assert_eq!(error.error_name(), ErrorName::InvalidEvent, "{named}");
            assert!(error.to_string().contains(&named), "{named}: {error}");
            assert!(fake.world().changes.is_empty());
        }
    }

    #[tokio::test]
    async fn a_create_interrupted_at_each_step_resumes_without_duplicates() {
        let steps = [
            "CreateLogGroup",
            "PutRetentionPolicy",
            "CreateRole",
            "PutRolePolicy",
            "CreateCluster",
            "RegisterTaskDefinition",
            "CreatePrivateDnsNamespace",
            "CreateDiscoveryService",
            "CreateService",
            "RegisterScalableTarget",
            "PutScalingPolicy",
        ];
        // (step, calls of it that succeed first): the second role's creation and policy too.
        let cases = steps
            .map(|step| (step, 0))
            .into_iter()
            .chain([("CreateRole", 1), ("PutRolePolicy", 1)]);
        for (step, after) in cases {
            let fake = Fake::default();
            fake.world()
                .faults
                .push((step, "ThrottlingException", after));
            let error = run(&fake, "create").await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Retryable, "{step}");
            assert!(error.to_string().contains(step), "{error}");
            let response = run(&fake, "status").await.unwrap();
            assert_eq!(response.status, Status::Ready, "{step}");
            let world = fake.world();
            assert_eq!(world.roles.len(), 2, "{step}");
            assert_eq!(world.active_task_definitions().len(), 1, "{step}");
            assert_eq!(world.namespaces.len(), 1, "{step}");
            assert_eq!(world.discovery.len(), 1, "{step}");
            assert_eq!(world.count("CreateService"), 1, "{step}");
        }
    }

    #[tokio::test]
    async fn a_log_group_made_meanwhile_is_taken_as_made_and_gets_its_retention() {
        let fake = Fake::default();
        fake.world().made_meanwhile =
            Some("/aws/ecs/containerinsights/ecs-cluster-pr-42/performance");
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let world = fake.world();
        let insights =
            &world.log_groups["/aws/ecs/containerinsights/ecs-cluster-pr-42/performance"];
        assert_eq!(insights.retention_days, Some(14));
    }

    #[tokio::test]
    async fn a_group_ecs_made_without_the_key_gets_the_environments_key() {
        let fake = Fake::default();
        let insights = "/aws/ecs/containerinsights/ecs-cluster-pr-42/performance";
        fake.world().log_groups.insert(
            insights.to_owned(),
            crate::fake::StoredLogGroup {
                retention_days: Some(1),
                kms_key_id: None,
            },
        );
        run(&fake, "create").await.unwrap();
        let world = fake.world();
        assert_eq!(world.count("AssociateKmsKey"), 1);
        let group = &world.log_groups[insights];
        assert_eq!(group.retention_days, Some(14));
        assert_eq!(
            group.kms_key_id.as_deref(),
            Some("arn:aws:kms:us-west-2:123456789012:key/k")
        );
    }

    #[tokio::test]
    async fn throttled_lookups_are_retryable() {
        for lookup in [
            "DescribeLogGroups",
            "GetRole",
            "DescribeClusters",
            "DescribeTaskDefinition",
            "ListNamespaces",
            "ListServices",
            "DescribeServices",
        ] {
            let fake = Fake::default();
            fake.world().faults.push((lookup, "ThrottlingException", 0));
            let error = run(&fake, "create").await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Retryable, "{lookup}");
        }
        let fake = Fake::default();
        fake.world()
            .faults
            .push(("CreateService", "AccessDeniedException", 0));
        let error = run(&fake, "create").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
    }

    #[tokio::test]
    async fn a_namespace_that_cloud_map_is_still_creating_makes_create_wait() {
        let fake = Fake::default();
        fake.world().slow_namespace = true;
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(response.outputs["clusterName"], "ecs-cluster-pr-42");
        assert!(fake.world().services.is_empty());
        let response = run(&fake, "status").await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let world = fake.world();
        assert_eq!(world.count("CreatePrivateDnsNamespace"), 1);
        assert_eq!(world.count("CreateService"), 1);
    }

    #[tokio::test]
    async fn delete_removes_everything_and_reports_deleted_only_when_nothing_is_left() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        // 1: autoscaling and the service; 2: the rest, once ECS reports the service gone; 3:
        // Container Insights' group, once a call finds the cluster gone; 4: nothing found.
        assert_eq!(delete_all(&fake).await, 4);
        let world = fake.world();
        assert!(world.is_empty(), "{world:?}");
        assert_eq!(world.count("ScaleService"), 1);
        assert_eq!(world.count("DeleteService"), 1);
        assert_eq!(world.count("DeleteRolePolicy"), 2);
        assert_eq!(world.count("DeleteRole"), 2);
        assert_eq!(world.count("DeleteCluster"), 1);
        assert_eq!(world.count("DeleteTaskDefinitions"), 1);
        assert_eq!(world.count("DeleteLogGroup"), 2);
    }

    /// A pull request deployed many times leaves a revision per deploy: all deleted, ten a call.
    #[tokio::test]
    async fn every_revision_of_the_family_is_deleted_ten_at_a_time_and_no_other_family() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        {
            let mut world = fake.world();
            let (_, spec, role, _) = world.task_definitions[0].clone();
            for revision in 2..=12 {
                world.task_definitions.push((
                    format!(
                        "arn:aws:ecs:us-west-2:123456789012:task-definition/{}:{revision}",
                        spec.family
                    ),
                    spec.clone(),
                    role.clone(),
                    revision % 2 == 0,
                ));
            }
            let mut other = spec.clone();
            other.family = format!("{}0", spec.family);
            world.task_definitions.push((
                format!(
                    "arn:aws:ecs:us-west-2:123456789012:task-definition/{}:1",
                    other.family
                ),
                other,
                role,
                false,
            ));
        }
        delete_all(&fake).await;
        let world = fake.world();
        assert_eq!(world.count("DeregisterTaskDefinition"), 7);
        assert_eq!(world.count("DeleteTaskDefinitions"), 2);
        assert_eq!(
            world.task_definitions.len(),
            1,
            "only the other family's is left"
        );
    }

    #[tokio::test]
    async fn delete_waits_for_the_service_to_drain_before_the_rest() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.world().slow_service_deletion = true;
        for _ in 0..2 {
            let response = run(&fake, "delete").await.unwrap();
            assert_eq!(response.status, Status::InProgress);
            let world = fake.world();
            assert_eq!(world.roles.len(), 2);
            assert_eq!(world.namespaces.len(), 1);
            assert_eq!(world.clusters["ecs-cluster-pr-42"].status, "ACTIVE");
            assert!(world.active_task_definitions().is_empty());
            assert!(world.targets.is_empty() && world.policies.is_empty());
        }
        // A create during the drain waits too.
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(fake.world().count("CreateService"), 1);
        fake.world()
            .services
            .get_mut("ecs-service-pr-42")
            .unwrap()
            .1
            .status = "INACTIVE".into();
        delete_all(&fake).await;
        assert!(fake.world().is_empty());
    }

    #[tokio::test]
    async fn a_discovery_service_still_holding_instances_is_deleted_by_a_later_call() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.world()
            .faults
            .push(("DeleteDiscoveryService", "ResourceInUse", 0));
        // 1: autoscaling and the service; 2: Cloud Map refuses, the namespace is left; 3: both
        // deleted; 4: nothing found.
        deletes_in_progress(&fake, 2).await;
        {
            let world = fake.world();
            assert_eq!(world.discovery.len(), 1);
            assert_eq!(world.namespaces.len(), 1);
            assert_eq!(world.count("DeleteNamespace"), 0);
        }
        assert_eq!(delete_all(&fake).await, 2);
        assert!(fake.world().is_empty());
    }

    #[tokio::test]
    async fn a_namespace_deletion_already_under_way_waits_for_the_next_call() {
        for code in ["DuplicateRequest", "ResourceInUse"] {
            let fake = Fake::default();
            run(&fake, "create").await.unwrap();
            fake.world().faults.push(("DeleteNamespace", code, 0));
            deletes_in_progress(&fake, 2).await;
            assert_eq!(fake.world().namespaces.len(), 1, "{code}");
            delete_all(&fake).await;
            assert!(fake.world().is_empty(), "{code}");
        }
    }

    #[tokio::test]
    async fn a_delete_interrupted_at_each_step_resumes_and_finishes() {
        let steps = [
            "DeleteScalingPolicy",
            "DeregisterScalableTarget",
            "ScaleService",
            "DeleteService",
            "DeregisterTaskDefinition",
            "DeleteDiscoveryService",
            "DeleteNamespace",
            "DeleteRolePolicy",
            "DeleteRole",
            "DeleteLogGroup",
            "DeleteCluster",
        ];
        for step in steps {
            let fake = Fake::default();
            run(&fake, "create").await.unwrap();
            fake.world().faults.push((step, "ThrottlingException", 0));
            let mut failed = false;
            for _ in 0..3 {
                match run(&fake, "delete").await {
                    Err(error) => {
                        assert_eq!(error.error_name(), ErrorName::Retryable, "{step}");
                        failed = true;
                        break;
                    }
                    Ok(response) => assert_eq!(response.status, Status::InProgress, "{step}"),
                }
            }
            assert!(failed, "{step} was never called");
            delete_all(&fake).await;
            assert!(fake.world().is_empty(), "{step}");
        }
    }

    #[tokio::test]
    async fn delete_of_an_environment_that_never_existed_is_deleted_at_once() {
        let fake = Fake::default();
        // A teardown needs no outputs.
        let response = handle(&fake, None, request("delete", spec(), json!({})))
            .await
            .unwrap();
        assert_eq!(response.status, Status::Deleted);
        assert!(fake.world().changes.is_empty());
    }

    #[tokio::test]
    async fn a_service_scaled_to_zero_is_deleted_without_scaling_again() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.world()
            .services
            .get_mut("ecs-service-pr-42")
            .unwrap()
            .1
            .desired_count = 0;
        delete_all(&fake).await;
        assert_eq!(fake.world().count("ScaleService"), 0);
        assert!(fake.world().is_empty());
    }

    fn blue_green_spec() -> Value {
        let mut spec = spec();
        spec["deploymentStrategy"] = json!("blueGreen");
        spec
    }

    fn blue_green_inputs() -> Value {
        inputs()
    }

    async fn run_blue_green(fake: &Fake, action: &str) -> Result<Response, ServiceError> {
        let request = request(action, blue_green_spec(), blue_green_inputs());
        handle(fake, Some("accepted"), request).await
    }

    #[tokio::test]
    async fn blue_green_hands_ecs_the_green_group_the_rules_and_an_infrastructure_role() {
        let fake = Fake::default();
        let response = run_blue_green(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::Ready);
        assert_eq!(response.outputs["deploymentStrategy"], "blueGreen");
        {
            let world = fake.world();
            let (wanted, service) = &world.services["ecs-service-pr-42"];
            assert_eq!(wanted.target_group_arn, "arn:tg/blue");
            assert_eq!(
                wanted.blue_green,
                Some(BlueGreen {
                    alternate_target_group_arn: "arn:tg/green".into(),
                    production_listener_rule: "arn:rule/production".into(),
                    test_listener_rule: "arn:rule/test".into(),
                    role_arn: "arn:aws:iam::123456789012:role/role-ecs-infra-pr-42".into(),
                    bake_time_minutes: 5,
                })
            );
            assert!(wanted.rollback_on_failure);
            assert_eq!(service.strategy.as_deref(), Some("BLUE_GREEN"));
            let (_, trust, policies) = &world.roles["role-ecs-infra-pr-42"];
            let trust: Value = serde_json::from_str(trust).unwrap();
            assert_eq!(
                trust["Statement"][0]["Principal"]["Service"],
                "ecs.amazonaws.com"
            );
            let document: Value = serde_json::from_str(&policies[INFRASTRUCTURE_POLICY]).unwrap();
            assert_least_privilege(&document);
            assert_eq!(
                document["Statement"][1]["Resource"],
                json!(["arn:rule/production", "arn:rule/test"])
            );
            assert_eq!(
                document["Statement"][2]["Resource"],
                json!(["arn:tg/blue", "arn:tg/green"])
            );
        }
        // The infrastructure role goes with the rest at teardown.
        assert_eq!(delete_all(&fake).await, 4);
        let world = fake.world();
        assert!(world.is_empty(), "{world:?}");
        assert_eq!(world.count("DeleteRole"), 3);
    }

    #[tokio::test]
    async fn switching_the_strategy_updates_the_existing_service_and_keeps_its_count() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.world()
            .services
            .get_mut("ecs-service-pr-42")
            .unwrap()
            .1
            .desired_count = 6;
        // Rolling → blue/green: one UpdateService, then nothing more.
        let response = run_blue_green(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(
            run_blue_green(&fake, "status").await.unwrap().status,
            Status::Ready
        );
        {
            let world = fake.world();
            assert_eq!(world.count("UpdateServiceDeployment"), 1);
            assert_eq!(world.count("CreateService"), 1);
            assert_eq!(world.count("UpdateServiceTaskDefinition"), 0);
            let (wanted, service) = &world.services["ecs-service-pr-42"];
            assert_eq!(service.desired_count, 6);
            assert_eq!(service.strategy.as_deref(), Some("BLUE_GREEN"));
            assert_eq!(
                wanted
                    .blue_green
                    .as_ref()
                    .unwrap()
                    .alternate_target_group_arn,
                "arn:tg/green"
            );
        }
        // And back to rolling.
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(run(&fake, "status").await.unwrap().status, Status::Ready);
        let world = fake.world();
        assert_eq!(world.count("UpdateServiceDeployment"), 2);
        let (wanted, service) = &world.services["ecs-service-pr-42"];
        assert_eq!(wanted.blue_green, None);
        assert_eq!(service.strategy.as_deref(), Some("ROLLING"));
        assert_eq!(service.alternate_target_group, None);
        assert_eq!(service.desired_count, 6);
    }

    #[tokio::test]
    async fn a_failed_strategy_switch_is_retried_by_the_next_call() {
        let fake = Fake::default();
        run(&fake, "create").await.unwrap();
        fake.world()
            .faults
            .push(("UpdateServiceDeployment", "ThrottlingException", 0));
        let error = run_blue_green(&fake, "create").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        run_blue_green(&fake, "create").await.unwrap();
        let world = fake.world();
        assert_eq!(world.count("UpdateServiceDeployment"), 1);
        assert_eq!(
            world.services["ecs-service-pr-42"].1.strategy.as_deref(),
            Some("BLUE_GREEN")
        );
    }

    #[test]
    fn without_a_reported_strategy_the_alternate_target_group_decides() {
        let service = |strategy: Option<&str>, alternate: Option<&str>| EcsService {
            strategy: strategy.map(str::to_owned),
            alternate_target_group: alternate.map(str::to_owned),
            ..EcsService::default()
        };
        assert!(deploys_blue_green(&service(Some("BLUE_GREEN"), None)));
        assert!(!deploys_blue_green(&service(
            Some("ROLLING"),
            Some("arn:tg/green")
        )));
        assert!(deploys_blue_green(&service(None, Some("arn:tg/green"))));
        assert!(!deploys_blue_green(&service(None, None)));
    }

    #[tokio::test]
    async fn blue_green_without_the_edges_rules_is_an_invalid_event_before_any_call() {
        let mut green = edge();
        green.target_group_arns.green.clear();
        let mut production = edge();
        production.listener_rule_arns.production.clear();
        let mut test = edge();
        test.listener_rule_arns.test.clear();
        let cases = [
            ("targetGroupArns.green", green),
            ("listenerRuleArns.production", production),
            ("listenerRuleArns.test", test),
        ];
        for (name, edge) in cases.clone() {
            let fake = Fake::default();
            let outputs = inputs_with(edge);
            let error = handle(&fake, None, request("create", blue_green_spec(), outputs))
                .await
                .unwrap_err();
            assert_eq!(error.error_name(), ErrorName::InvalidEvent, "{name}");
            assert!(
                error.to_string().contains(&format!("{name} is empty")),
                "{error}"
            );
            assert!(fake.world().changes.is_empty());
        }
        // A rolling service does not need them.
        for (_, edge) in cases {
            let fake = Fake::default();
            handle(
                &fake,
                Some("accepted"),
                request("create", spec(), inputs_with(edge)),
            )
            .await
            .unwrap();
        }
    }

    #[tokio::test]
    async fn the_task_runs_on_the_architecture_the_spec_names() {
        let fake = Fake::default();
        let mut spec = spec();
        spec["cpuArchitecture"] = json!("arm64");
        spec["taskCpu"] = json!(1024);
        spec["taskMemory"] = json!(3072);
        handle(&fake, Some("accepted"), request("create", spec, inputs()))
            .await
            .unwrap();
        let world = fake.world();
        let task = world.active_task_definitions()[0];
        assert_eq!(task.cpu_architecture, "ARM64");
        assert_eq!((task.cpu.as_str(), task.memory.as_str()), ("1024", "3072"));
    }

    #[test]
    fn the_fingerprint_follows_the_definition() {
        let inputs =
            Inputs::from_outputs(inputs().as_object().unwrap(), DeploymentStrategy::Rolling)
                .unwrap();
        let spec = request("create", spec(), json!({})).spec;
        let names = Names::new(spec.suffix());
        let one = task_spec(&spec, names, &inputs, "arn:e", "arn:t");
        let mut two = one.clone();
        assert_eq!(fingerprint(&one), fingerprint(&two));
        assert_eq!(fingerprint(&one).len(), 16);
        two.image.push('x');
        assert_ne!(fingerprint(&one), fingerprint(&two));
    }

    #[test]
    fn readiness_defaults_to_steady() {
        assert_eq!(Readiness::parse(None).unwrap(), Readiness::Steady);
        assert_eq!(Readiness::parse(Some("steady")).unwrap(), Readiness::Steady);
        assert_eq!(
            Readiness::parse(Some("accepted")).unwrap(),
            Readiness::Accepted
        );
    }
}
