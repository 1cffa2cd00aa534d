//! The network function end to end against the fake: what `create` makes, keeps and reports;
//! `delete`'s run is in `teardown_tests.rs`, `status`'s in `status_tests.rs`.

use super::*;
use crate::api::NatState;
use crate::api::{Direction, Peer};
use crate::fake::Fake;
use crate::flow_logs::{
    flow_log_policy, flow_log_trust, FLOW_LOG_POLICY, FLOW_LOG_ROLE_DESCRIPTION,
};
use crate::key::key_policy;
use crate::settings::tests::{settings, BOUNDARY};
use env_core::contract::Event;
use env_core::Status;
use serde_json::{json, Value};

pub(crate) fn request(action: &str, suffix: &str, nat_gateways: &str) -> Request {
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

/// The settings of a deployed function.
pub(crate) fn configured() -> Result<Settings, Misconfigured> {
    settings(Some(BOUNDARY))
}

pub(crate) async fn run(fake: &Fake, action: &str) -> Result<Response, NetworkError> {
    handle(fake, &configured(), request(action, "pr-42", "perAz")).await
}

pub(crate) fn strings(value: &Value) -> Vec<String> {
    serde_json::from_value(value.clone()).unwrap()
}

/// (table name, default route target, associated subnets) for every named route table.
fn tables(fake: &Fake) -> Vec<(String, Option<String>, Vec<String>)> {
    fake.ec2
        .world()
        .tables
        .iter()
        .filter_map(|(_, table)| {
            let name = table.labels.name.clone()?;
            let target = table.routes.first().and_then(|route| route.target.clone());
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

    let world = fake.ec2.world();
    assert_eq!(world.vpcs.len(), 1);
    assert_eq!(outputs["vpcId"], world.vpcs[0].labels.id);
    let zones: Vec<&str> = world.subnets.iter().map(|(_, s)| s.zone.as_str()).collect();
    assert_eq!(zones, ["us-west-2a", "us-west-2b", "us-west-2c"].repeat(2));
    assert_eq!(fake.recorder.lock().count("CreateNatGateway"), 3);
    assert_eq!(fake.recorder.lock().count("AllocateAddress"), 3);
    assert_eq!(
        world.gateways[0].attached_vpcs,
        [world.vpcs[0].labels.id.clone()]
    );
    let group = fake.logs.groups()["vpc-flow-logs-pr-42"].clone();
    assert_eq!(group.retention_days, Some(14));
    assert_eq!(
        group.kms_key_arn.as_deref(),
        outputs["kmsKeyArn"].as_str(),
        "under the environment's key"
    );
    let role = fake.roles.roles()["role-flow-logs-pr-42"].clone();
    let policies: Vec<&str> = role.policies.keys().map(String::as_str).collect();
    assert_eq!(policies, [FLOW_LOG_POLICY]);
    assert_eq!(role.description, FLOW_LOG_ROLE_DESCRIPTION);
    let trust: Value = serde_json::from_str(&role.trust_policy).unwrap();
    assert_eq!(trust, flow_log_trust("123456789012", "us-west-2"));
    assert_eq!(
        fake.world().aliases["alias/kms-pr-42"],
        outputs["kmsKeyArn"]
    );
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
    let changes = fake.recorder.lock().changes.len();
    let second = run(&fake, "create").await.unwrap();
    // Only the retention, which create sets on every call (to the same days): CloudWatch Logs
    // cannot be asked for it by the capability, and setting it again is no new resource. The
    // role's unchanged policy is not put again.
    assert_eq!(
        fake.recorder.lock().changes[changes..],
        ["PutRetentionPolicy"]
    );
    assert_eq!(first, second);
}

#[tokio::test]
async fn create_resumes_after_a_partial_create_without_a_second_anything() {
    let fake = Fake::new();
    fake.recorder
        .lock()
        .fail_after("CreateSubnet", "RequestLimitExceeded", 3);
    let error = run(&fake, "create").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert_eq!(fake.ec2.world().subnets.len(), 3, "three subnets exist");

    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("CreateVpc"), 1);
    assert_eq!(recorder.count("CreateSubnet"), 6);
    assert_eq!(recorder.count("CreateKey"), 1);
    assert_eq!(fake.ec2.world().subnets.len(), 6);
}

#[tokio::test]
async fn throttling_fails_as_retryable_and_keeps_the_aws_code() {
    let fake = Fake::new();
    fake.recorder
        .lock()
        .fail("DescribeVpcs", "RequestLimitExceeded");
    let error = run(&fake, "create").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(
        error
            .to_string()
            .contains("DescribeVpcs failed: RequestLimitExceeded"),
        "{error}"
    );
    assert_eq!(fake.recorder.lock().count("CreateVpc"), 0);
}

#[tokio::test]
async fn pending_nat_gateways_keep_create_in_progress_until_create_sees_them_available() {
    let fake = Fake::new();
    fake.ec2.world().new_nat_state = Some(NatState::Pending);
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

    for nat in fake.ec2.world().nats.iter_mut() {
        nat.state = NatState::Available;
    }
    let response = run(&fake, "create").await.unwrap();
    assert_eq!(response.status, Status::Ready);
    let nats = strings(&response.outputs["natGatewayIds"]);
    let targets: Vec<_> = tables(&fake)[1..]
        .iter()
        .map(|(_, t, _)| t.clone().unwrap())
        .collect();
    assert_eq!(targets, nats);
    assert_eq!(fake.recorder.lock().count("CreateNatGateway"), 3);
}

#[tokio::test]
async fn a_refused_flow_log_keeps_create_in_progress_and_is_created_on_the_next_call() {
    let fake = Fake::new();
    fake.ec2.world().flow_log_refusal = Some("Unable to assume given IAM role".into());
    assert_eq!(
        run(&fake, "create").await.unwrap().status,
        Status::InProgress
    );
    assert!(fake.ec2.world().flow_logs.is_empty());
    assert_eq!(run(&fake, "create").await.unwrap().status, Status::Ready);
    assert_eq!(fake.ec2.world().flow_logs.len(), 1);
}

#[tokio::test]
async fn a_failed_nat_gateway_fails_the_component() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    fake.ec2.world().nats[1].state = NatState::Failed;
    let error = run(&fake, "status").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert!(error.to_string().starts_with("NAT gateway nat-"), "{error}");
}

#[tokio::test]
async fn a_single_nat_gateway_serves_every_private_subnet() {
    let fake = Fake::new();
    let response = handle(&fake, &configured(), request("create", "pr-42", "single"))
        .await
        .unwrap();
    let nats = strings(&response.outputs["natGatewayIds"]);
    assert_eq!(nats.len(), 1);
    assert_eq!(fake.recorder.lock().count("AllocateAddress"), 1);
    for (_, target, _) in &tables(&fake)[1..] {
        assert_eq!(target.as_deref(), Some(nats[0].as_str()));
    }
}

#[tokio::test]
async fn fewer_than_three_zones_fail_the_component() {
    let fake = Fake::new();
    fake.ec2.world().zones.truncate(2);
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
        fake.world().keys[0].pending_deletion = true;
        fake.ec2.world().nats.clear();
    }
    let response = run(&fake, "create").await.unwrap();
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("CreateKey"), 2);
    assert_eq!(recorder.count("DeleteAlias"), 1);
    assert_eq!(response.outputs["kmsKeyArn"], fake.world().keys[1].arn);
    assert_eq!(
        recorder.count("AllocateAddress"),
        3,
        "the tagged EIPs are reused"
    );
    assert_eq!(recorder.count("CreateNatGateway"), 6);
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
