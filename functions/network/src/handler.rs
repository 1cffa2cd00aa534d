//! Create, report and delete one environment's network.
//!
//! `create` and `status` run the same convergence: every step looks its resource up by name and the
//! environment tag and creates only what is missing, so a retried, resumed or repeated call never
//! makes a second VPC or NAT gateway. The private subnets' default routes wait for their NAT gateway
//! to be `available` (1.5–2 min after creation, docs/aws-behaviour.md), which is why `status`
//! converges too: it adds those routes once it can, and reports READY only when every NAT gateway
//! is available (and the flow log, which a just-created IAM role can delay, exists).
//!
//! `delete` works through the dependency order aws-nuke and cloud-nuke use, from what is tagged for
//! the environment, and returns IN_PROGRESS as soon as one stage has to wait for AWS. Two steps
//! move for a reason: security groups are deleted after the leftover ENIs that use them, and flow
//! logs and endpoints before the route tables that hold the endpoints' routes.

use crate::api::{
    CallResult, Cloud, Labels, NatGateway, NatState, RouteTarget, Rule, SecurityGroup, Subnet, Vpc,
};
use crate::cidr::subnet_blocks;
use crate::rules::{desired_rules, group_description, plan};
use env_core::arn::account_of;
use env_core::contract::{Outputs, Request};
use env_core::naming::{AzSlot, NameKind, Names, Tier};
use env_core::spec::{EnvironmentSpec, NatStrategy};
use env_core::tags::{environment_tags, Tag};
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response, Status};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::SystemTime;

/// The shortest waiting period KMS allows before it deletes a key (KMS API reference,
/// ScheduleKeyDeletion `PendingWindowInDays`: 7–30).
pub const KEY_DELETION_WINDOW_DAYS: i32 = 7;
/// The inline policy of the flow-logs role.
pub const FLOW_LOG_POLICY: &str = "deliver-flow-logs";

#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error("us-west-2 lists {0} available availability zones; an environment needs 3")]
    TooFewZones(usize),
    #[error("NAT gateway {0} failed; delete the environment and create it again")]
    NatFailed(String),
}

impl NamedError for NetworkError {
    fn error_name(&self) -> ErrorName {
        match self {
            NetworkError::Aws(error) => error.error_name(),
            NetworkError::TooFewZones(_) | NetworkError::NatFailed(_) => ErrorName::ComponentFailed,
        }
    }
}

pub async fn handle<C: Cloud>(cloud: &C, request: Request) -> Result<Response, NetworkError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "network");
    match request.action {
        Action::Create | Action::Status => converge(cloud, &request.spec, request.started_at).await,
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

fn is_mine(labels: &Labels, environment: &str) -> bool {
    labels.environment.as_deref() == Some(environment)
}

fn is_named(labels: &Labels, name: &str) -> bool {
    labels.name.as_deref() == Some(name)
}

fn with_name(tags: &[Tag], name: String) -> Vec<Tag> {
    let mut tags = tags.to_vec();
    tags.push(Tag {
        key: "Name",
        value: name,
    });
    tags
}

fn nat_slots(strategy: NatStrategy) -> &'static [AzSlot] {
    match strategy {
        NatStrategy::PerAz => &AzSlot::ALL,
        NatStrategy::Single => &[AzSlot::A],
    }
}

/// What each step hands on; the outputs are built from it.
struct Built {
    zones: Vec<String>,
    public: Vec<String>,
    private: Vec<String>,
}

async fn converge<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    started_at: SystemTime,
) -> Result<Response, NetworkError> {
    let names = Names::new(spec.suffix());
    let tags = environment_tags(spec, started_at);

    let zones = zones(cloud).await?;
    let region = spec.fields().region.as_str();
    let role_arn = flow_log_role(cloud, names, region, &tags).await?;
    let account = account_of(&role_arn).to_owned();
    let key_arn = key(cloud, names, (&account, region), &tags).await?;
    let log_group = names.of(NameKind::FlowLogGroup);
    if !cloud.log_group_exists(&log_group).await? {
        cloud.create_log_group(&log_group, &key_arn, &tags).await?;
    }
    cloud
        .set_retention(&log_group, env_core::LOG_RETENTION_DAYS)
        .await?;
    let policy = flow_log_policy(&account, region, &log_group);
    cloud
        .put_role_policy(&names.of(NameKind::FlowLogRole), FLOW_LOG_POLICY, &policy)
        .await?;

    let vpc = vpc(cloud, spec, names, &tags).await?;
    cloud.enable_dns(&vpc.labels.id).await?;
    let built = subnets(cloud, spec, names, &tags, &vpc, zones).await?;
    let gateway = internet_gateway(cloud, names, &tags, &vpc).await?;
    let nats = nat_gateways(cloud, spec, names, &tags, &vpc, &built.public).await?;
    let private_tables = routes(cloud, spec, names, &tags, &vpc, &built, &gateway, &nats).await?;
    let groups = security_groups(cloud, spec, names, &tags, &vpc).await?;
    let mut refused = Vec::new();
    if cloud.flow_logs(&vpc.labels.id).await?.is_empty() {
        let tags = with_name(&tags, names.of(NameKind::FlowLog));
        // Usually a role created moments ago that EC2 cannot assume yet: IAM changes take a while
        // to be visible everywhere (IAM user guide, "Changes that I make are not always
        // immediately visible"). Not ready; the next call creates it.
        refused = cloud
            .create_flow_log(&vpc.labels.id, &log_group, &role_arn, &tags)
            .await?;
    }
    if cloud.s3_endpoints(&vpc.labels.id).await?.is_empty() {
        let tags = with_name(&tags, names.of(NameKind::S3Endpoint));
        cloud
            .create_s3_endpoint(&vpc.labels.id, &private_tables, &tags)
            .await?;
    }

    let pending: Vec<&str> = nats
        .iter()
        .filter(|(_, nat)| nat.state != NatState::Available)
        .map(|(_, nat)| nat.labels.id.as_str())
        .collect();
    tracing::info!(
        ?pending,
        ?refused,
        "converged; pending: NAT gateways not yet available, flow logs refused"
    );
    let status = if pending.is_empty() && refused.is_empty() {
        Status::Ready
    } else {
        Status::InProgress
    };
    let mut outputs = Outputs::new();
    outputs.insert("vpcId".into(), json!(vpc.labels.id));
    outputs.insert("vpcCidr".into(), json!(spec.fields().vpc_cidr.to_string()));
    outputs.insert("availabilityZones".into(), json!(built.zones));
    outputs.insert("publicSubnetIds".into(), json!(built.public));
    outputs.insert("privateSubnetIds".into(), json!(built.private));
    outputs.insert("securityGroupIds".into(), Value::Object(groups));
    let nat_ids: Vec<&str> = nats.iter().map(|(_, nat)| nat.labels.id.as_str()).collect();
    outputs.insert("natGatewayIds".into(), json!(nat_ids));
    outputs.insert("kmsKeyArn".into(), json!(key_arn));
    outputs.insert("flowLogGroup".into(), json!(log_group));
    Ok(Response::new(status, outputs))
}

/// The first three available AZs by name: us-west-2a, b, c where the account has them.
async fn zones<C: Cloud>(cloud: &C) -> Result<Vec<String>, NetworkError> {
    let mut zones = cloud.availability_zones().await?;
    if zones.len() < AzSlot::ALL.len() {
        return Err(NetworkError::TooFewZones(zones.len()));
    }
    zones.sort();
    zones.truncate(AzSlot::ALL.len());
    Ok(zones)
}

async fn flow_log_role<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    region: &str,
    tags: &[Tag],
) -> CallResult<String> {
    let name = names.of(NameKind::FlowLogRole);
    match cloud.role(&name).await? {
        Some(arn) => Ok(arn),
        None => {
            let trust = flow_log_trust(&cloud.account().await?, region);
            cloud.create_role(&name, &trust.to_string(), tags).await
        }
    }
}

/// Only the VPC flow-logs service may assume the role, and only for this account's flow logs (VPC
/// user guide, "IAM role for publishing flow logs to CloudWatch Logs": "The source account is the
/// owner of the flow log and the source ARN is the flow log ARN").
fn flow_log_trust(account: &str, region: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": format!("arn:aws:ec2:{region}:{account}:vpc-flow-log/*")}
            }
        }]
    })
}

/// Least privilege: write streams and events into this one log group.
fn flow_log_policy(account: &str, region: &str, log_group: &str) -> String {
    let group = format!("arn:aws:logs:{region}:{account}:log-group:{log_group}");
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [group.clone(), format!("{group}:*")]
        }, {
            // The VPC user guide lists it among the role's permissions; it has no resource type.
            "Effect": "Allow",
            "Action": "logs:DescribeLogGroups",
            "Resource": "*"
        }]
    })
    .to_string()
}

/// The account administers the key through IAM (the KMS default key policy); CloudWatch Logs in
/// this region may use it only for this account's log groups (CloudWatch Logs user guide, "Encrypt
/// log data in CloudWatch Logs using AWS KMS"); CloudWatch alarms may use it only on behalf of this
/// account, to publish to the alarm topic the monitoring function encrypts with this key (SNS
/// developer guide, "Configuring AWS KMS permissions": a CloudWatch alarm needs kms:Decrypt and
/// kms:GenerateDataKey* to publish to an encrypted topic). No statement has an unconditioned `*`
/// principal.
///
/// The backend's functions get their uses of the key here, by their roles, rather than by tag in
/// their IAM policies: a key policy holds from the key's creation, while tags and aliases can take
/// up to five minutes to count for authorization (KMS developer guide, "Use tags to control access
/// to KMS keys"), which would deny the alias made right after the key and leave a second key behind
/// on the retry; and a right granted by tag would reach any key someone tags alike. KMS checks that
/// these roles exist (envctl deploy makes them first).
fn key_policy(account: &str, region: &str) -> String {
    let role = |function: &str| {
        format!(
            "arn:aws:iam::{account}:role/{}",
            env_core::iam::function_role(function)
        )
    };
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{account}:root")},
                "Action": "kms:*",
                "Resource": "*"
            },
            {
                "Sid": "CloudWatchLogsEncryptsThisAccountsLogGroups",
                "Effect": "Allow",
                "Principal": {"Service": format!("logs.{region}.amazonaws.com")},
                "Action": [
                    "kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*",
                    "kms:GenerateDataKey*", "kms:Describe*"
                ],
                "Resource": "*",
                "Condition": {"ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn":
                        format!("arn:aws:logs:{region}:{account}:log-group:*")
                }}
            },
            {
                "Sid": "CloudWatchAlarmsPublishToTheEncryptedAlarmTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}}
            },
            {
                "Sid": "TheNetworkFunctionAdministersTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": role("network")},
                "Action": [
                    "kms:DescribeKey", "kms:EnableKeyRotation", "kms:CreateAlias",
                    "kms:DeleteAlias", "kms:ScheduleKeyDeletion"
                ],
                "Resource": "*"
            },
            {
                "Sid": "AuroraAndSecretsManagerUseTheKeyForTheDatabaseFunction",
                "Effect": "Allow",
                "Principal": {"AWS": role("database")},
                "Action": ["kms:DescribeKey", "kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {"kms:ViaService": [
                    format!("rds.{region}.amazonaws.com"),
                    format!("secretsmanager.{region}.amazonaws.com")
                ]}}
            },
            {
                "Sid": "AuroraHoldsGrantsForTheDatabaseFunction",
                "Effect": "Allow",
                "Principal": {"AWS": role("database")},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {
                    "StringEquals": {"kms:ViaService": format!("rds.{region}.amazonaws.com")},
                    "Bool": {"kms:GrantIsForAWSResource": "true"}
                }
            },
            {
                "Sid": "SecretsManagerUsesTheKeyForTheCacheFunction",
                "Effect": "Allow",
                "Principal": {"AWS": role("cache")},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {
                    "kms:ViaService": format!("secretsmanager.{region}.amazonaws.com")
                }}
            },
            {
                // ElastiCache supports no kms:ViaService (ElastiCache user guide, "At-Rest
                // Encryption in ElastiCache"): it reads the key, and its grant is bound to AWS
                // resources instead.
                "Sid": "ElastiCacheReadsTheKeyForTheCacheFunction",
                "Effect": "Allow",
                "Principal": {"AWS": role("cache")},
                "Action": "kms:DescribeKey",
                "Resource": "*"
            },
            {
                "Sid": "ElastiCacheHoldsGrantsForTheCacheFunction",
                "Effect": "Allow",
                "Principal": {"AWS": role("cache")},
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}
            }
        ]
    })
    .to_string()
}

/// The environment's customer-managed key, found by alias. An alias left on a key that a teardown
/// already scheduled for deletion is moved off it: that key can no longer encrypt.
async fn key<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    (account, region): (&str, &str),
    tags: &[Tag],
) -> CallResult<String> {
    let alias = names.of(NameKind::KmsAlias);
    let existing = cloud.key_by_alias(&alias).await?;
    if let Some(key) = &existing {
        if !key.pending_deletion {
            cloud.enable_key_rotation(&key.arn).await?;
            return Ok(key.arn.clone());
        }
        cloud.delete_alias(&alias).await?;
    }
    let key = cloud.create_key(&key_policy(account, region), tags).await?;
    // The alias right away: it is how this function, and every later component, finds the key.
    cloud.create_alias(&alias, &key.arn).await?;
    cloud.enable_key_rotation(&key.arn).await?;
    Ok(key.arn)
}

async fn vpc<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
    tags: &[Tag],
) -> CallResult<Vpc> {
    let name = names.of(NameKind::Vpc);
    let environment = spec.suffix().as_str();
    let existing = cloud
        .vpcs(environment)
        .await?
        .into_iter()
        .find(|vpc| is_mine(&vpc.labels, environment) && is_named(&vpc.labels, &name));
    match existing {
        Some(vpc) => Ok(vpc),
        None => {
            let cidr = spec.fields().vpc_cidr.to_string();
            cloud.create_vpc(&cidr, &with_name(tags, name)).await
        }
    }
}

async fn subnets<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
    tags: &[Tag],
    vpc: &Vpc,
    zones: Vec<String>,
) -> CallResult<Built> {
    let existing: Vec<Subnet> = cloud.subnets(&vpc.labels.id).await?;
    let blocks = subnet_blocks(spec.fields().vpc_cidr);
    let kinds = AzSlot::ALL
        .map(NameKind::PublicSubnet)
        .into_iter()
        .chain(AzSlot::ALL.map(NameKind::PrivateSubnet));
    let mut ids = Vec::new();
    for (index, kind) in kinds.enumerate() {
        let name = names.of(kind);
        let zone = &zones[index % AzSlot::ALL.len()];
        let id = match existing
            .iter()
            .find(|subnet| is_named(&subnet.labels, &name))
        {
            Some(subnet) => subnet.labels.id.clone(),
            None => {
                let cidr = blocks[index].to_string();
                let tags = with_name(tags, name);
                cloud
                    .create_subnet(&vpc.labels.id, &cidr, zone, &tags)
                    .await?
                    .labels
                    .id
            }
        };
        ids.push(id);
    }
    let private = ids.split_off(AzSlot::ALL.len());
    Ok(Built {
        zones,
        public: ids,
        private,
    })
}

async fn internet_gateway<C: Cloud>(
    cloud: &C,
    names: Names<'_>,
    tags: &[Tag],
    vpc: &Vpc,
) -> CallResult<String> {
    let name = names.of(NameKind::InternetGateway);
    let environment = vpc.labels.environment.as_deref().unwrap_or_default();
    let existing = cloud
        .internet_gateways(environment)
        .await?
        .into_iter()
        .find(|gateway| is_mine(&gateway.labels, environment) && is_named(&gateway.labels, &name));
    let gateway = match existing {
        Some(gateway) => gateway,
        None => {
            cloud
                .create_internet_gateway(&with_name(tags, name))
                .await?
        }
    };
    if !gateway.attached_vpcs.contains(&vpc.labels.id) {
        cloud
            .attach_internet_gateway(&gateway.labels.id, &vpc.labels.id)
            .await?;
    }
    Ok(gateway.labels.id)
}

async fn nat_gateways<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
    tags: &[Tag],
    vpc: &Vpc,
    public_subnets: &[String],
) -> Result<Vec<(AzSlot, NatGateway)>, NetworkError> {
    let environment = spec.suffix().as_str();
    let existing: Vec<NatGateway> = cloud
        .nat_gateways(environment)
        .await?
        .into_iter()
        .filter(|nat| is_mine(&nat.labels, environment) && nat.state.is_live())
        .collect();
    let addresses = cloud.addresses(environment).await?;
    let mut nats = Vec::new();
    for (index, slot) in nat_slots(spec.fields().nat_gateways).iter().enumerate() {
        let name = names.of(NameKind::NatGateway(*slot));
        let nat = match existing.iter().find(|nat| is_named(&nat.labels, &name)) {
            Some(nat) => nat.clone(),
            None => {
                let address_name = names.of(NameKind::ElasticIp(*slot));
                let address = addresses.iter().find(|address| {
                    is_mine(address, environment) && is_named(address, &address_name)
                });
                let allocation = match address {
                    Some(address) => address.id.clone(),
                    None => {
                        let tags = with_name(tags, address_name);
                        cloud.allocate_address(&tags).await?.id
                    }
                };
                // The token makes a retried create return the same NAT gateway; the VPC id in it
                // keeps a later environment of the same name from getting back a deleted one.
                let token = format!("{}-{}", vpc.labels.id, slot.letter());
                let tags = with_name(tags, name);
                cloud
                    .create_nat_gateway(&public_subnets[index], &allocation, &token, &tags)
                    .await?
            }
        };
        if nat.state == NatState::Failed {
            return Err(NetworkError::NatFailed(nat.labels.id));
        }
        nats.push((*slot, nat));
    }
    Ok(nats)
}

/// Route tables, default routes and associations; returns the private tables' ids.
#[allow(clippy::too_many_arguments)]
async fn routes<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
    tags: &[Tag],
    vpc: &Vpc,
    built: &Built,
    gateway: &str,
    nats: &[(AzSlot, NatGateway)],
) -> CallResult<Vec<String>> {
    let existing = cloud.route_tables(&vpc.labels.id).await?;
    let mut wanted = vec![(
        NameKind::PublicRouteTable,
        built.public.clone(),
        Some(RouteTarget::InternetGateway(gateway.to_owned())),
    )];
    for (index, slot) in AzSlot::ALL.into_iter().enumerate() {
        // perAz: the NAT gateway of the subnet's own AZ; single: the one shared gateway.
        let nat = match spec.fields().nat_gateways {
            NatStrategy::PerAz => &nats[index].1,
            NatStrategy::Single => &nats[0].1,
        };
        // A route to a NAT gateway that is not available yet waits for a later call.
        let target = (nat.state == NatState::Available)
            .then(|| RouteTarget::NatGateway(nat.labels.id.clone()));
        wanted.push((
            NameKind::PrivateRouteTable(slot),
            vec![built.private[index].clone()],
            target,
        ));
    }
    let mut private_tables = Vec::new();
    for (kind, subnets, target) in wanted {
        let name = names.of(kind);
        let table = match existing.iter().find(|table| is_named(&table.labels, &name)) {
            Some(table) => table.clone(),
            None => {
                cloud
                    .create_route_table(&vpc.labels.id, &with_name(tags, name))
                    .await?
            }
        };
        let has_default = table
            .routes
            .iter()
            .any(|(destination, _)| destination == "0.0.0.0/0");
        if let (false, Some(target)) = (has_default, target) {
            cloud
                .create_default_route(&table.labels.id, &target)
                .await?;
        }
        for subnet in subnets {
            let associated = table
                .associations
                .iter()
                .any(|association| association.subnet_id.as_deref() == Some(subnet.as_str()));
            if !associated {
                cloud
                    .associate_route_table(&table.labels.id, &subnet)
                    .await?;
            }
        }
        if kind != NameKind::PublicRouteTable {
            private_tables.push(table.labels.id);
        }
    }
    Ok(private_tables)
}

/// The default group stripped of every rule (EC2.2), then the five tiers' groups with exactly their
/// rules. Returns the group ids by tier name, as the outputs give them.
async fn security_groups<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
    tags: &[Tag],
    vpc: &Vpc,
) -> CallResult<serde_json::Map<String, Value>> {
    let mut groups = cloud.security_groups(&vpc.labels.id).await?;
    let mut created = false;
    for tier in Tier::ALL {
        let name = names.of(NameKind::SecurityGroup(tier));
        if !groups.iter().any(|group| group.group_name == name) {
            let tags = with_name(tags, name.clone());
            let description = group_description(tier);
            cloud
                .create_security_group(&vpc.labels.id, &name, description, &tags)
                .await?;
            created = true;
        }
    }
    if created {
        // Read again: AWS gives each new group an allow-all egress rule that has to go.
        groups = cloud.security_groups(&vpc.labels.id).await?;
    }
    let by_name: HashMap<&str, &SecurityGroup> = groups
        .iter()
        .map(|group| (group.group_name.as_str(), group))
        .collect();
    let id = |tier: Tier| -> String {
        let name = names.of(NameKind::SecurityGroup(tier));
        by_name
            .get(name.as_str())
            .map(|group| group.labels.id.clone())
            .unwrap_or_default()
    };
    let port = i32::from(spec.fields().container_port.get());
    let mut plans: Vec<(&SecurityGroup, Vec<Rule>)> = Tier::ALL
        .into_iter()
        .filter_map(|tier| {
            let name = names.of(NameKind::SecurityGroup(tier));
            let group = by_name.get(name.as_str())?;
            Some((*group, desired_rules(tier, id, port)))
        })
        .collect();
    if let Some(default) = by_name.get("default") {
        plans.push((*default, Vec::new()));
    }
    for (group, desired) in plans {
        let (revoke, authorize) = plan(&group.rules, &desired);
        if !revoke.is_empty() {
            cloud.revoke(&group.labels.id, &revoke).await?;
        }
        if !authorize.is_empty() {
            cloud.authorize(&group.labels.id, &authorize).await?;
        }
    }
    Ok(Tier::ALL
        .into_iter()
        .map(|tier| (tier.as_str().to_owned(), json!(id(tier))))
        .collect())
}

/// The codes that mean "already gone": deleting something that is not there has succeeded.
fn is_gone(error: &AwsCallError) -> bool {
    error.code().is_some_and(|code| {
        code.ends_with("NotFound")
            || matches!(
                code,
                "NoSuchEntity"
                    | "NotFoundException"
                    | "ResourceNotFoundException"
                    | "Gateway.NotAttached"
            )
    })
}

/// One delete call's outcome: done (or already gone), or blocked by something AWS has not let go
/// yet (`DependencyViolation`, or the codes the caller names), to be tried again on the next call.
fn settle(
    result: CallResult<()>,
    what: &str,
    blocked: &mut Vec<String>,
    wait_codes: &[&str],
) -> CallResult<()> {
    match result {
        Ok(()) => Ok(()),
        Err(error) if is_gone(&error) => Ok(()),
        Err(error)
            if error.is_code("DependencyViolation")
                || wait_codes.iter().any(|code| error.is_code(code)) =>
        {
            blocked.push(format!("{what} ({error})"));
            Ok(())
        }
        Err(error) => Err(error),
    }
}

fn in_progress(waiting: Vec<String>) -> Response {
    tracing::info!(?waiting, "teardown waits");
    let mut outputs = Outputs::new();
    outputs.insert("waitingFor".into(), json!(waiting));
    Response::new(Status::InProgress, outputs)
}

async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, NetworkError> {
    let environment = spec.suffix().as_str();
    let names = Names::new(spec.suffix());
    let vpcs: Vec<String> = cloud
        .vpcs(environment)
        .await?
        .into_iter()
        .filter(|vpc| is_mine(&vpc.labels, environment))
        .map(|vpc| vpc.labels.id)
        .collect();
    let mut waiting = Vec::new();

    // 1. NAT gateways, until `deleted`: they hold the Elastic IPs and ENIs in the public subnets.
    let live_nats = |nats: Vec<NatGateway>| -> Vec<NatGateway> {
        nats.into_iter()
            .filter(|nat| is_mine(&nat.labels, environment) && nat.state.is_live())
            .collect()
    };
    let nats = live_nats(cloud.nat_gateways(environment).await?);
    for nat in nats.iter().filter(|nat| nat.state != NatState::Deleting) {
        let result = cloud.delete_nat_gateway(&nat.labels.id).await;
        settle(result, &nat.labels.id, &mut waiting, &[])?;
    }
    if !nats.is_empty() {
        // AWS deletes a NAT gateway in about a minute; an emulator may have done so already.
        for nat in live_nats(cloud.nat_gateways(environment).await?) {
            waiting.push(format!("NAT gateway {} to be deleted", nat.labels.id));
        }
    }
    if !waiting.is_empty() {
        return Ok(in_progress(waiting));
    }

    // 2. Their Elastic IPs. Right after the NAT gateway is deleted, EC2 can answer AuthFailure for a
    //    while (docs/aws-behaviour.md, "Teardown: what sticks", as aws-nuke and cloud-nuke retry
    //    it): wait and release again.
    for address in cloud.addresses(environment).await? {
        if is_mine(&address, environment) {
            let result = cloud.release_address(&address.id).await;
            settle(result, &address.id, &mut waiting, &["AuthFailure"])?;
        }
    }

    // 3. The internet gateway, detached first.
    for gateway in cloud.internet_gateways(environment).await? {
        if is_mine(&gateway.labels, environment) {
            for vpc in &gateway.attached_vpcs {
                let result = cloud.detach_internet_gateway(&gateway.labels.id, vpc).await;
                settle(result, &gateway.labels.id, &mut waiting, &[])?;
            }
            let result = cloud.delete_internet_gateway(&gateway.labels.id).await;
            settle(result, &gateway.labels.id, &mut waiting, &[])?;
        }
    }
    if !waiting.is_empty() {
        return Ok(in_progress(waiting));
    }

    for vpc in &vpcs {
        // 4. Security groups: every rule revoked first, since groups referencing each other block
        //    each other's deletion. The groups themselves go once no ENI uses them (step 5).
        let groups = cloud.security_groups(vpc).await?;
        for group in &groups {
            if !group.rules.is_empty() {
                let result = cloud.revoke(&group.labels.id, &group.rules).await;
                settle(result, &group.labels.id, &mut waiting, &[])?;
            }
        }
        // 5. Leftover network interfaces: detached ones (Lambda's `AWS Lambda VPC ENI*` among them)
        //    are deleted; one still in use is waited for (Lambda releases its ENIs up to ~35 min
        //    after the function is deleted, docs/aws-behaviour.md).
        for interface in cloud.network_interfaces(vpc).await? {
            if interface.status == "available" {
                let result = cloud.delete_network_interface(&interface.id).await;
                settle(result, &interface.id, &mut waiting, &[])?;
            } else {
                waiting.push(format!(
                    "network interface {} ({}) to be released",
                    interface.id, interface.description
                ));
            }
        }
        if !waiting.is_empty() {
            return Ok(in_progress(waiting));
        }
        for group in groups.iter().filter(|group| group.group_name != "default") {
            let result = cloud.delete_security_group(&group.labels.id).await;
            settle(result, &group.labels.id, &mut waiting, &[])?;
        }
        // 6. Subnets.
        for subnet in cloud.subnets(vpc).await? {
            let result = cloud.delete_subnet(&subnet.labels.id).await;
            settle(result, &subnet.labels.id, &mut waiting, &[])?;
        }
        // 7. Flow logs, 8. endpoints: before the route tables, since a gateway endpoint's routes
        //    live in them (moto even refuses to delete an endpoint whose table is gone).
        for log in cloud.flow_logs(vpc).await? {
            let result = cloud.delete_flow_log(&log.id).await;
            settle(result, &log.id, &mut waiting, &[])?;
        }
        for endpoint in cloud.s3_endpoints(vpc).await? {
            let result = cloud.delete_endpoint(&endpoint.id).await;
            settle(result, &endpoint.id, &mut waiting, &[])?;
        }
        // 9. Route tables, but the main one, which goes with the VPC.
        for table in cloud.route_tables(vpc).await? {
            if table
                .associations
                .iter()
                .any(|association| association.main)
            {
                continue;
            }
            for association in &table.associations {
                let result = cloud.disassociate_route_table(&association.id).await;
                settle(result, &association.id, &mut waiting, &[])?;
            }
            let result = cloud.delete_route_table(&table.labels.id).await;
            settle(result, &table.labels.id, &mut waiting, &[])?;
        }
        // 10. The VPC, with its default security group and main route table. Anything above that
        //     AWS would not let go yet makes this a DependencyViolation too, so it waits with them.
        settle(cloud.delete_vpc(vpc).await, vpc, &mut waiting, &[])?;
    }
    if !waiting.is_empty() {
        return Ok(in_progress(waiting));
    }

    // What the flow logs needed: their log group, their role, and the environment's key (deletion
    // scheduled after the shortest window KMS allows; the alias goes at once, so a new environment
    // of the same name gets a new key).
    let log_group = names.of(NameKind::FlowLogGroup);
    let result = cloud.delete_log_group(&log_group).await;
    settle(result, &log_group, &mut waiting, &[])?;
    let role = names.of(NameKind::FlowLogRole);
    let result = cloud.delete_role_policy(&role, FLOW_LOG_POLICY).await;
    settle(result, &role, &mut waiting, &[])?;
    // DeleteConflict: a policy is still attached (a create running at the same time put it back).
    let result = cloud.delete_role(&role).await;
    settle(result, &role, &mut waiting, &["DeleteConflict"])?;
    let alias = names.of(NameKind::KmsAlias);
    if let Some(key) = cloud.key_by_alias(&alias).await? {
        if !key.pending_deletion {
            cloud
                .schedule_key_deletion(&key.id, KEY_DELETION_WINDOW_DAYS)
                .await?;
        }
        settle(cloud.delete_alias(&alias).await, &alias, &mut waiting, &[])?;
    }
    if !waiting.is_empty() {
        return Ok(in_progress(waiting));
    }
    Ok(Response::new(Status::Deleted, Outputs::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Direction, NetworkInterface, Peer};
    use crate::fake::Fake;
    use env_core::contract::Event;

    fn request(action: &str, suffix: &str, nat_gateways: &str) -> Request {
        Request::from_event(json!({
            "action": action,
            "spec": {
                "environmentSuffix": suffix,
                "natGateways": nat_gateways,
                "containerImage": "public.ecr.aws/acme/catalog-api:1",
                "containerPort": 8080,
                "selfSignedCertificate": true
            }
        }))
        .unwrap()
    }

    async fn run(fake: &Fake, action: &str) -> Result<Response, NetworkError> {
        handle(fake, request(action, "pr-42", "perAz")).await
    }

    fn strings(value: &Value) -> Vec<String> {
        serde_json::from_value(value.clone()).unwrap()
    }

    /// (table name, default route target, associated subnets) for every named route table.
    fn tables(fake: &Fake) -> Vec<(String, Option<String>, Vec<String>)> {
        fake.world()
            .tables
            .iter()
            .filter_map(|(_, table)| {
                let name = table.labels.name.clone()?;
                let target = table.routes.first().map(|(_, target)| target.clone());
                let subnets = table
                    .associations
                    .iter()
                    .filter_map(|a| a.subnet_id.clone())
                    .collect();
                Some((name, target, subnets))
            })
            .collect()
    }

    #[tokio::test]
    async fn create_from_nothing_builds_the_whole_network_and_is_ready() {
        let fake = Fake::new();
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let outputs = &response.outputs;
        let typed: env_core::outputs::NetworkOutputs = env_core::outputs::example::read_as(outputs);
        assert_eq!(
            typed.security_group_ids.rotation,
            outputs["securityGroupIds"]["rotation"]
        );
        assert_eq!(
            strings(&outputs["availabilityZones"]),
            ["us-west-2a", "us-west-2b", "us-west-2c"]
        );
        assert_eq!(outputs["vpcCidr"], "10.0.0.0/16");
        assert_eq!(outputs["flowLogGroup"], "vpc-flow-logs-pr-42");
        let public = strings(&outputs["publicSubnetIds"]);
        let private = strings(&outputs["privateSubnetIds"]);
        let nats = strings(&outputs["natGatewayIds"]);
        assert_eq!((public.len(), private.len(), nats.len()), (3, 3, 3));
        let groups = outputs["securityGroupIds"].as_object().unwrap();
        let mut keys: Vec<&str> = groups.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(keys, ["alb", "cache", "database", "rotation", "service"]);

        let world = fake.world();
        assert_eq!(world.vpcs.len(), 1);
        assert_eq!(outputs["vpcId"], world.vpcs[0].labels.id);
        let zones: Vec<&str> = world.subnets.iter().map(|(_, s)| s.zone.as_str()).collect();
        assert_eq!(zones, ["us-west-2a", "us-west-2b", "us-west-2c"].repeat(2));
        assert_eq!(world.count("CreateNatGateway"), 3);
        assert_eq!(world.count("AllocateAddress"), 3);
        assert_eq!(
            world.gateways[0].attached_vpcs,
            [world.vpcs[0].labels.id.clone()]
        );
        assert_eq!(world.log_groups["vpc-flow-logs-pr-42"], Some(14));
        assert_eq!(world.roles["role-flow-logs-pr-42"].1, [FLOW_LOG_POLICY]);
        assert_eq!(world.aliases["alias/kms-pr-42"], outputs["kmsKeyArn"]);
        assert_eq!((world.flow_logs.len(), world.endpoints.len()), (1, 1));
        assert_eq!(world.flow_logs[0].1.name.as_deref(), Some("flow-log-pr-42"));
        let default = world
            .groups
            .iter()
            .find(|(_, g)| g.group_name == "default")
            .unwrap();
        assert!(
            default.1.rules.is_empty(),
            "the default group keeps no rule"
        );
        let database = &world
            .groups
            .iter()
            .find(|(_, g)| g.labels.id == groups["database"])
            .unwrap()
            .1;
        assert!(database
            .rules
            .iter()
            .all(|rule| rule.direction == Direction::Ingress));
        assert_eq!(database.rules.len(), 2);
        let alb = &world
            .groups
            .iter()
            .find(|(_, g)| g.labels.id == groups["alb"])
            .unwrap()
            .1;
        let alb_egress: Vec<_> = alb
            .rules
            .iter()
            .filter(|r| r.direction == Direction::Egress)
            .collect();
        assert_eq!(alb_egress.len(), 1);
        assert_eq!(
            (alb_egress[0].from_port, &alb_egress[0].peer),
            (
                Some(8080),
                &Peer::Group(groups["service"].as_str().unwrap().to_owned())
            )
        );
        drop(world);

        let tables = tables(&fake);
        assert_eq!(tables[0].0, "rtb-public-pr-42");
        assert_eq!(tables[0].2, public);
        for (index, letter) in ["a", "b", "c"].into_iter().enumerate() {
            let table = &tables[index + 1];
            assert_eq!(table.0, format!("rtb-private-{letter}-pr-42"));
            assert_eq!(
                table.1.as_deref(),
                Some(nats[index].as_str()),
                "own AZ's NAT"
            );
            assert_eq!(table.2, [private[index].clone()]);
        }
    }

    #[tokio::test]
    async fn create_twice_changes_nothing() {
        let fake = Fake::new();
        let first = run(&fake, "create").await.unwrap();
        let changes = fake.world().changes.len();
        let second = run(&fake, "create").await.unwrap();
        assert_eq!(fake.world().changes.len(), changes);
        assert_eq!(first, second);
    }

    #[tokio::test]
    async fn create_resumes_after_a_partial_create_without_a_second_anything() {
        let fake = Fake::new();
        fake.world()
            .faults
            .push(("CreateSubnet", "RequestLimitExceeded", 3));
        let error = run(&fake, "create").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert_eq!(fake.world().subnets.len(), 3, "three subnets exist");

        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let world = fake.world();
        assert_eq!(world.count("CreateVpc"), 1);
        assert_eq!(world.count("CreateSubnet"), 6);
        assert_eq!(world.count("CreateKey"), 1);
        assert_eq!(world.subnets.len(), 6);
    }

    #[tokio::test]
    async fn throttling_fails_as_retryable_and_keeps_the_aws_code() {
        let fake = Fake::new();
        fake.world()
            .faults
            .push(("DescribeVpcs", "RequestLimitExceeded", 0));
        let error = run(&fake, "create").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert!(
            error
                .to_string()
                .contains("DescribeVpcs failed: RequestLimitExceeded"),
            "{error}"
        );
        assert_eq!(fake.world().count("CreateVpc"), 0);
    }

    #[tokio::test]
    async fn pending_nat_gateways_keep_create_in_progress_until_status_sees_them_available() {
        let fake = Fake::new();
        fake.world().new_nat_state = Some(NatState::Pending);
        let response = run(&fake, "create").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert!(
            tables(&fake)[1..]
                .iter()
                .all(|(_, target, _)| target.is_none()),
            "private routes wait for their NAT gateway"
        );
        assert_eq!(
            run(&fake, "status").await.unwrap().status,
            Status::InProgress
        );

        for nat in fake.world().nats.iter_mut() {
            nat.state = NatState::Available;
        }
        let response = run(&fake, "status").await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let nats = strings(&response.outputs["natGatewayIds"]);
        let targets: Vec<_> = tables(&fake)[1..]
            .iter()
            .map(|(_, t, _)| t.clone().unwrap())
            .collect();
        assert_eq!(targets, nats);
        assert_eq!(fake.world().count("CreateNatGateway"), 3);
    }

    #[tokio::test]
    async fn a_refused_flow_log_keeps_create_in_progress_and_is_created_on_the_next_call() {
        let fake = Fake::new();
        fake.world().flow_log_refusal = Some("Unable to assume given IAM role".into());
        assert_eq!(
            run(&fake, "create").await.unwrap().status,
            Status::InProgress
        );
        assert!(fake.world().flow_logs.is_empty());
        assert_eq!(run(&fake, "status").await.unwrap().status, Status::Ready);
        assert_eq!(fake.world().flow_logs.len(), 1);
    }

    #[tokio::test]
    async fn a_failed_nat_gateway_fails_the_component() {
        let fake = Fake::new();
        run(&fake, "create").await.unwrap();
        fake.world().nats[1].state = NatState::Failed;
        let error = run(&fake, "status").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert!(error.to_string().starts_with("NAT gateway nat-"), "{error}");
    }

    #[tokio::test]
    async fn a_single_nat_gateway_serves_every_private_subnet() {
        let fake = Fake::new();
        let response = handle(&fake, request("create", "pr-42", "single"))
            .await
            .unwrap();
        let nats = strings(&response.outputs["natGatewayIds"]);
        assert_eq!(nats.len(), 1);
        assert_eq!(fake.world().count("AllocateAddress"), 1);
        for (_, target, _) in &tables(&fake)[1..] {
            assert_eq!(target.as_deref(), Some(nats[0].as_str()));
        }
    }

    #[tokio::test]
    async fn fewer_than_three_zones_fail_the_component() {
        let fake = Fake::new();
        fake.world().zones.truncate(2);
        let error = run(&fake, "create").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(
            error.to_string(),
            "us-west-2 lists 2 available availability zones; an environment needs 3"
        );
    }

    #[tokio::test]
    async fn a_key_scheduled_for_deletion_is_replaced_and_an_existing_eip_reused() {
        let fake = Fake::new();
        run(&fake, "create").await.unwrap();
        {
            let mut world = fake.world();
            world.keys[0].pending_deletion = true;
            world.nats.clear();
        }
        let response = run(&fake, "create").await.unwrap();
        let world = fake.world();
        assert_eq!(world.count("CreateKey"), 2);
        assert_eq!(world.count("DeleteAlias"), 1);
        assert_eq!(response.outputs["kmsKeyArn"], world.keys[1].arn);
        assert_eq!(
            world.count("AllocateAddress"),
            3,
            "the tagged EIPs are reused"
        );
        assert_eq!(world.count("CreateNatGateway"), 6);
    }

    fn lambda_interface(fake: &Fake, status: &str) {
        let mut world = fake.world();
        let vpc = world.vpcs[0].labels.id.clone();
        world.interfaces.push((
            vpc,
            NetworkInterface {
                id: "eni-1".into(),
                status: status.into(),
                description: "AWS Lambda VPC ENI-rotation-pr-42".into(),
            },
        ));
    }

    #[tokio::test]
    async fn delete_removes_everything_in_dependency_order() {
        let fake = Fake::new();
        run(&fake, "create").await.unwrap();
        lambda_interface(&fake, "available");
        fake.world().changes.clear();
        let response = run(&fake, "delete").await.unwrap();
        assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
        let world = fake.world();
        assert!(world.nats.iter().all(|nat| nat.state == NatState::Deleted));
        assert!(world.vpcs.is_empty() && world.subnets.is_empty() && world.addresses.is_empty());
        assert!(world.gateways.is_empty() && world.groups.is_empty() && world.tables.is_empty());
        assert!(
            world.interfaces.is_empty() && world.flow_logs.is_empty() && world.endpoints.is_empty()
        );
        assert!(world.log_groups.is_empty() && world.roles.is_empty() && world.aliases.is_empty());
        assert!(world.keys[0].pending_deletion);
        let order = [
            "DeleteNatGateway",
            "ReleaseAddress",
            "DetachInternetGateway",
            "DeleteInternetGateway",
            "RevokeSecurityGroupRules",
            "DeleteNetworkInterface",
            "DeleteSecurityGroup",
            "DeleteSubnet",
            "DeleteFlowLogs",
            "DeleteVpcEndpoints",
            "DisassociateRouteTable",
            "DeleteRouteTable",
            "DeleteVpc",
            "DeleteLogGroup",
            "DeleteRole",
            "ScheduleKeyDeletion",
            "DeleteAlias",
        ];
        let first: Vec<usize> = order
            .iter()
            .map(|op| {
                world
                    .changes
                    .iter()
                    .position(|change| change == op)
                    .unwrap()
            })
            .collect();
        let changes = &world.changes;
        assert!(
            first.windows(2).all(|pair| pair[0] < pair[1]),
            "{changes:?}"
        );
    }

    #[tokio::test]
    async fn nat_gateways_still_deleting_keep_delete_in_progress() {
        let fake = Fake::new();
        run(&fake, "create").await.unwrap();
        fake.world().slow_nat_deletion = true;
        let response = run(&fake, "delete").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(strings(&response.outputs["waitingFor"]).len(), 3);
        assert_eq!(
            run(&fake, "delete").await.unwrap().status,
            Status::InProgress
        );
        assert_eq!(fake.world().count("DeleteNatGateway"), 3, "asked once each");
        assert_eq!(
            fake.world().count("ReleaseAddress"),
            0,
            "EIPs wait for the NATs"
        );

        for nat in fake.world().nats.iter_mut() {
            nat.state = NatState::Deleted;
        }
        assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
    }

    #[tokio::test]
    async fn an_eip_release_auth_failure_is_retried_on_the_next_call() {
        let fake = Fake::new();
        run(&fake, "create").await.unwrap();
        fake.world()
            .faults
            .push(("ReleaseAddress", "AuthFailure", 0));
        let response = run(&fake, "delete").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        let waiting = strings(&response.outputs["waitingFor"]);
        assert!(waiting[0].contains("AuthFailure"), "{waiting:?}");
        assert_eq!(fake.world().addresses.len(), 1);
        assert_eq!(fake.world().count("DeleteVpc"), 0);

        assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
        assert!(fake.world().addresses.is_empty());
    }

    #[tokio::test]
    async fn delete_resumes_after_a_partial_delete() {
        let fake = Fake::new();
        run(&fake, "create").await.unwrap();
        fake.world()
            .faults
            .push(("DeleteRouteTable", "RequestLimitExceeded", 1));
        fake.world()
            .faults
            .push(("DeleteAlias", "RequestLimitExceeded", 0));
        let error = run(&fake, "delete").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert!(fake.world().subnets.is_empty());
        assert_eq!(fake.world().vpcs.len(), 1);

        let error = run(&fake, "delete").await.unwrap_err();
        assert!(
            error.to_string().starts_with("DeleteAlias failed"),
            "{error}"
        );
        assert!(fake.world().keys[0].pending_deletion);
        // The log group is already gone; AWS says so, and that counts as deleted.
        fake.world().log_groups.clear();
        fake.world()
            .faults
            .push(("DeleteLogGroup", "ResourceNotFoundException", 0));

        assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
        let world = fake.world();
        assert_eq!(world.count("ScheduleKeyDeletion"), 1, "scheduled once");
        assert_eq!(world.count("DeleteNatGateway"), 3);
        assert!(world.vpcs.is_empty() && world.aliases.is_empty());
    }

    #[tokio::test]
    async fn an_interface_in_use_or_a_dependency_keeps_delete_in_progress() {
        let fake = Fake::new();
        run(&fake, "create").await.unwrap();
        lambda_interface(&fake, "in-use");
        let response = run(&fake, "delete").await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        let waiting = strings(&response.outputs["waitingFor"]);
        assert_eq!(
            waiting,
            ["network interface eni-1 (AWS Lambda VPC ENI-rotation-pr-42) to be released"]
        );
        assert_eq!(fake.world().count("DeleteSecurityGroup"), 0);

        fake.world().interfaces[0].1.status = "available".into();
        fake.world()
            .faults
            .push(("DeleteVpc", "DependencyViolation", 0));
        assert_eq!(
            run(&fake, "delete").await.unwrap().status,
            Status::InProgress
        );
        assert!(fake.world().subnets.is_empty());
        assert_eq!(
            fake.world().count("DeleteLogGroup"),
            0,
            "the VPC goes first"
        );

        fake.world()
            .faults
            .push(("DeleteRole", "DeleteConflict", 0));
        assert_eq!(
            run(&fake, "delete").await.unwrap().status,
            Status::InProgress
        );
        assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
        assert!(fake.world().roles.is_empty());
    }

    #[tokio::test]
    async fn a_refused_delete_fails_as_aws_rejected() {
        let fake = Fake::new();
        run(&fake, "create").await.unwrap();
        fake.world()
            .faults
            .push(("DeleteSubnet", "UnauthorizedOperation", 0));
        let error = run(&fake, "delete").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
    }

    #[tokio::test]
    async fn another_environment_is_left_alone() {
        let fake = Fake::new();
        handle(&fake, request("create", "pr-7", "single"))
            .await
            .unwrap();
        run(&fake, "create").await.unwrap();
        assert_eq!(fake.world().vpcs.len(), 2);
        assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
        let world = fake.world();
        assert_eq!(world.vpcs.len(), 1);
        assert_eq!(world.vpcs[0].labels.environment.as_deref(), Some("pr-7"));
        assert_eq!(world.addresses.len(), 1);
        assert_eq!(world.gateways.len(), 1);
        assert_eq!(
            world
                .nats
                .iter()
                .filter(|nat| nat.state == NatState::Available)
                .count(),
            1
        );
    }

    #[test]
    fn the_policies_name_this_account_and_log_group_only() {
        let policy: Value = serde_json::from_str(&flow_log_policy(
            "123456789012",
            "us-west-2",
            "vpc-flow-logs-pr-42",
        ))
        .unwrap();
        assert_eq!(
            policy["Statement"][0]["Resource"],
            json!([
                "arn:aws:logs:us-west-2:123456789012:log-group:vpc-flow-logs-pr-42",
                "arn:aws:logs:us-west-2:123456789012:log-group:vpc-flow-logs-pr-42:*"
            ])
        );
        let trust = flow_log_trust("123456789012", "us-west-2");
        assert_eq!(
            trust["Statement"][0]["Condition"]["ArnLike"]["aws:SourceArn"],
            "arn:aws:ec2:us-west-2:123456789012:vpc-flow-log/*"
        );
        assert_eq!(
            trust["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
        let key: Value = serde_json::from_str(&key_policy("123456789012", "us-west-2")).unwrap();
        assert_eq!(
            key["Statement"][0]["Principal"]["AWS"],
            "arn:aws:iam::123456789012:root"
        );
        assert_eq!(
            key["Statement"][1]["Principal"]["Service"],
            "logs.us-west-2.amazonaws.com"
        );
        assert_eq!(
            key["Statement"][1]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"],
            "arn:aws:logs:us-west-2:123456789012:log-group:*"
        );
        assert_eq!(
            key["Statement"][2]["Principal"]["Service"],
            "cloudwatch.amazonaws.com"
        );
        assert_eq!(
            key["Statement"][2]["Action"],
            json!(["kms:Decrypt", "kms:GenerateDataKey*"])
        );
        // The backend's functions use the key by their roles, from the key's first moment.
        let grantee = |sid: &str| -> Value {
            key["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .find(|statement| statement["Sid"] == sid)
                .unwrap()
                .clone()
        };
        let admin = grantee("TheNetworkFunctionAdministersTheKey");
        assert_eq!(
            admin["Principal"]["AWS"],
            "arn:aws:iam::123456789012:role/catalog-fn-network"
        );
        assert!(admin["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("kms:ScheduleKeyDeletion")));
        let database = grantee("AuroraHoldsGrantsForTheDatabaseFunction");
        assert_eq!(
            database["Condition"]["Bool"]["kms:GrantIsForAWSResource"],
            "true"
        );
        assert_eq!(
            grantee("SecretsManagerUsesTheKeyForTheCacheFunction")["Condition"]["StringEquals"]
                ["kms:ViaService"],
            "secretsmanager.us-west-2.amazonaws.com"
        );
        assert_eq!(
            key["Statement"][2]["Condition"]["StringEquals"]["aws:SourceAccount"],
            "123456789012"
        );
    }
}
