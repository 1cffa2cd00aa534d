//! `status` against the fake: what it answers at each point of a create and a delete, and that it
//! never changes anything.

use crate::api::{Direction, NatState, Peer};
use crate::fake::{Fake, World};
use crate::handler::tests::{configured, request, run};
use crate::handler::{handle, NetworkError};
use ec2::fake::Ec2World;
use env_core::contract::{Event, Outputs, Request};
use env_core::{ErrorName, NamedError, Response, Status};
use iam_roles::fake::StoredRole;
use log_groups::fake::StoredLogGroup;
use serde_json::json;
use std::collections::BTreeMap;

/// Everything the fake holds but its log of calls, which reads add to.
#[derive(Debug, PartialEq)]
struct State {
    ec2: Ec2World,
    kms: World,
    log_groups: BTreeMap<String, StoredLogGroup>,
    roles: BTreeMap<String, StoredRole>,
    changes: Vec<&'static str>,
}

fn state(fake: &Fake) -> State {
    State {
        ec2: fake.ec2.world().clone(),
        kms: fake.world().clone(),
        log_groups: fake.logs.groups().clone(),
        roles: fake.roles.roles().clone(),
        changes: fake.recorder.lock().changes.clone(),
    }
}

/// `status`, proven read-only: the world, the log groups, the roles and the changes made are as
/// they were, and every call made was a Describe or a Get.
async fn status_of(fake: &Fake, nat_gateways: &str) -> Result<Response, NetworkError> {
    read_only_status(fake, request("status", "pr-42", nat_gateways)).await
}

/// `status` of `status_request`, proven read-only as [`status_of`] says.
pub(crate) async fn read_only_status(
    fake: &Fake,
    status_request: Request,
) -> Result<Response, NetworkError> {
    let before = state(fake);
    fake.recorder.lock().calls.clear();
    let result = handle(fake, &configured(), status_request).await;
    assert_eq!(state(fake), before, "status changed the world");
    let calls = fake.recorder.lock().calls.clone();
    assert!(!calls.is_empty(), "status read nothing");
    assert!(
        calls
            .iter()
            .all(|op| op.starts_with("Describe") || op.starts_with("Get")),
        "{calls:?}"
    );
    result
}

async fn status(fake: &Fake) -> Result<Response, NetworkError> {
    status_of(fake, "perAz").await
}

#[tokio::test]
async fn status_of_nothing_is_deleted_and_creates_nothing() {
    let fake = Fake::new();
    let response = status(&fake).await.unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
    let recorder = fake.recorder.lock();
    assert!(recorder.changes.is_empty() && fake.ec2.world().vpcs.is_empty());
    assert!(fake.roles.roles().is_empty() && fake.logs.groups().is_empty());
    assert_eq!(
        recorder.calls,
        [
            "GetRole",
            "DescribeKey",
            "DescribeLogGroups",
            "DescribeNatGateways",
            "DescribeAddresses",
            "DescribeInternetGateways",
            "DescribeVpcs"
        ]
    );
}

#[tokio::test]
async fn another_environments_network_does_not_count() {
    let fake = Fake::new();
    handle(&fake, &configured(), request("create", "pr-7", "perAz"))
        .await
        .unwrap();
    let response = status(&fake).await.unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
}

#[tokio::test]
async fn status_after_a_complete_create_answers_what_create_answered() {
    for nat_gateways in ["perAz", "single"] {
        let fake = Fake::new();
        let created = handle(
            &fake,
            &configured(),
            request("create", "pr-42", nat_gateways),
        )
        .await
        .unwrap();
        assert_eq!(created.status, Status::Ready);
        let response = status_of(&fake, nat_gateways).await.unwrap();
        assert_eq!(response, created, "{nat_gateways}");
        assert_eq!(response.outputs.len(), 9);
    }
}

#[tokio::test]
async fn pending_nat_gateways_keep_status_in_progress_and_only_create_adds_their_routes() {
    let fake = Fake::new();
    fake.ec2.world().new_nat_state = Some(NatState::Pending);
    let created = run(&fake, "create").await.unwrap();
    assert_eq!(created.status, Status::InProgress);
    assert_eq!(status(&fake).await.unwrap(), created);

    for nat in fake.ec2.world().nats.iter_mut() {
        nat.state = NatState::Available;
    }
    // Available now, but the private default routes are create's to add.
    let response = status(&fake).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(response.outputs, created.outputs);
    assert_eq!(
        fake.recorder.lock().count("CreateRoute"),
        1,
        "the public route only"
    );

    let ready = run(&fake, "create").await.unwrap();
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(fake.recorder.lock().count("CreateRoute"), 4);
    assert_eq!(status(&fake).await.unwrap(), ready);
}

#[tokio::test]
async fn a_refused_flow_log_keeps_status_in_progress_until_create_makes_it() {
    let fake = Fake::new();
    fake.ec2.world().flow_log_refusal = Some("Unable to assume given IAM role".into());
    let created = run(&fake, "create").await.unwrap();
    assert_eq!(created.status, Status::InProgress);
    assert_eq!(status(&fake).await.unwrap(), created);
    assert!(fake.ec2.world().flow_logs.is_empty());

    let ready = run(&fake, "create").await.unwrap();
    assert_eq!(ready.status, Status::Ready);
    assert_eq!(status(&fake).await.unwrap(), ready);
}

#[tokio::test]
async fn a_half_made_network_is_in_progress_with_what_exists_and_create_completes_it() {
    // (create's step that fails, calls of it let through first, outputs status can give then)
    let interruptions = [
        ("CreateKey", 0, 0),
        ("CreateLogGroup", 0, 1),
        ("CreateVpc", 0, 2),
        ("CreateSubnet", 3, 5),
        ("CreateInternetGateway", 0, 7),
        ("AttachInternetGateway", 0, 7),
        ("AllocateAddress", 1, 7),
        ("CreateNatGateway", 1, 7),
        ("CreateRouteTable", 2, 8),
        ("CreateRoute", 1, 8),
        ("AssociateRouteTable", 2, 8),
        ("CreateSecurityGroup", 2, 8),
        ("RevokeSecurityGroupRules", 0, 9),
        ("AuthorizeSecurityGroupRules", 0, 9),
        ("CreateFlowLogs", 0, 9),
        ("CreateVpcEndpoint", 0, 9),
    ];
    for (operation, let_through, outputs) in interruptions {
        let fake = Fake::new();
        fake.recorder
            .lock()
            .fail_after(operation, "RequestLimitExceeded", let_through);
        let error = run(&fake, "create").await.unwrap_err();
        assert!(error.to_string().starts_with(operation), "{error}");

        let response = status(&fake).await.unwrap();
        assert_eq!(response.status, Status::InProgress, "{operation}");
        assert_eq!(response.outputs.len(), outputs, "{operation}: {response:?}");

        let complete = run(&fake, "create").await.unwrap();
        assert_eq!(complete.status, Status::Ready, "{operation}");
        for (key, value) in &response.outputs {
            assert_eq!(&complete.outputs[key], value, "{operation}: {key}");
        }
        assert_eq!(status(&fake).await.unwrap(), complete, "{operation}");
    }
}

#[tokio::test]
async fn a_create_stopped_before_its_first_resource_leaves_status_deleted() {
    let fake = Fake::new();
    fake.recorder
        .lock()
        .fail("CreateRole", "RequestLimitExceeded");
    run(&fake, "create").await.unwrap_err();
    let response = status(&fake).await.unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
}

#[tokio::test]
async fn a_failed_nat_gateway_or_too_few_zones_fail_status_as_they_fail_create() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    let failed = {
        let mut world = fake.ec2.world();
        world.nats[1].state = NatState::Failed;
        world.nats[1].labels.id.clone()
    };
    let error = status(&fake).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        format!("NAT gateway {failed} failed; delete the environment and create it again")
    );
    let from_create = run(&fake, "create").await.unwrap_err();
    assert_eq!(from_create.to_string(), error.to_string());

    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    fake.ec2.world().zones.truncate(2);
    let error = status(&fake).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    let from_create = run(&fake, "create").await.unwrap_err();
    assert_eq!(from_create.to_string(), error.to_string());
}

#[tokio::test]
async fn status_follows_a_delete_through_in_progress_to_deleted() {
    let fake = Fake::new();
    let created = run(&fake, "create").await.unwrap();
    fake.ec2.world().slow_nat_deletion = true;
    assert_eq!(
        run(&fake, "delete").await.unwrap().status,
        Status::InProgress
    );
    let deleting = status(&fake).await.unwrap();
    assert_eq!(deleting.status, Status::InProgress);
    assert_eq!(
        deleting.outputs, created.outputs,
        "all there, NAT gateways deleting"
    );

    for nat in fake.ec2.world().nats.iter_mut() {
        nat.state = NatState::Deleted;
    }
    // The alias outlives everything else: the key, scheduled for deletion, is no output.
    fake.recorder
        .lock()
        .fail("DeleteAlias", "UnauthorizedOperation");
    run(&fake, "delete").await.unwrap_err();
    assert!(fake.world().keys[0].pending_deletion && fake.ec2.world().vpcs.is_empty());
    let response = status(&fake).await.unwrap();
    assert_eq!(response, Response::new(Status::InProgress, Outputs::new()));

    assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
    let response = status(&fake).await.unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
}

#[tokio::test]
async fn every_read_that_fails_fails_status_with_its_aws_error() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    let reads = [
        "GetRole",
        "DescribeKey",
        "DescribeLogGroups",
        "DescribeNatGateways",
        "DescribeAddresses",
        "DescribeInternetGateways",
        "DescribeVpcs",
        "DescribeAvailabilityZones",
        "DescribeSubnets",
        "DescribeRouteTables",
        "DescribeSecurityGroups",
        "DescribeFlowLogs",
        "DescribeVpcEndpoints",
    ];
    let before = state(&fake);
    for operation in reads {
        fake.recorder.lock().fail(operation, "RequestLimitExceeded");
        let error = run(&fake, "status").await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
        let expected = format!("{operation} failed: RequestLimitExceeded");
        assert!(error.to_string().contains(&expected), "{error}");
        assert_eq!(
            state(&fake),
            before,
            "{operation} was read, nothing changed"
        );
    }
    fake.recorder
        .lock()
        .fail("DescribeVpcs", "UnauthorizedOperation");
    let error = run(&fake, "status").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

/// `action` of environment pr-42 (one NAT gateway per zone) with the cache's mode `cache_mode`.
fn with_cache_mode(action: &str, cache_mode: &str) -> Request {
    Request::from_event(json!({
        "action": action,
        "spec": {
            "environmentSuffix": "pr-42",
            "natGateways": "perAz",
            "containerImage": "public.ecr.aws/acme/catalog-api:1",
            "containerPort": 8080,
            "selfSignedCertificate": true,
            "cacheMode": cache_mode
        }
    }))
    .unwrap()
}

/// The rules of every group that open the serverless cache's reader port.
fn reader_rules(fake: &Fake) -> Vec<(Direction, Peer)> {
    fake.ec2
        .world()
        .groups
        .iter()
        .flat_map(|(_, group)| group.rules.iter())
        .filter(|rule| rule.from_port == Some(6380))
        .map(|rule| (rule.direction, rule.peer.clone()))
        .collect()
}

#[tokio::test]
async fn the_cache_mode_adds_or_removes_the_reader_port_and_status_judges_it() {
    let fake = Fake::new();
    let settings = configured();
    let create = |mode| handle(&fake, &settings, with_cache_mode("create", mode));
    let cluster = create("cluster").await.unwrap();
    assert_eq!(cluster.status, Status::Ready);
    assert!(reader_rules(&fake).is_empty());
    // The cluster's network judged for a serverless cache: its reader rules are missing.
    let status = read_only_status(&fake, with_cache_mode("status", "serverless"))
        .await
        .unwrap();
    assert_eq!(status.status, Status::InProgress);

    let serverless = create("serverless").await.unwrap();
    assert_eq!(serverless, cluster);
    let groups = &cluster.outputs["securityGroupIds"];
    let group = |tier: &str| Peer::Group(groups[tier].as_str().unwrap().to_owned());
    let mut rules = reader_rules(&fake);
    rules.sort_by_key(|(direction, _)| *direction == Direction::Egress);
    assert_eq!(
        rules,
        [
            (Direction::Ingress, group("service")),
            (Direction::Egress, group("cache"))
        ]
    );
    let status = read_only_status(&fake, with_cache_mode("status", "serverless"))
        .await
        .unwrap();
    assert_eq!(status, serverless);
    // Judged for a cluster, the reader rules are too many.
    let status = read_only_status(&fake, with_cache_mode("status", "cluster"))
        .await
        .unwrap();
    assert_eq!(status.status, Status::InProgress);

    // Back to a cluster: exactly the cluster's rules again.
    assert_eq!(create("cluster").await.unwrap(), cluster);
    assert!(reader_rules(&fake).is_empty());
    let status = read_only_status(&fake, with_cache_mode("status", "cluster"))
        .await
        .unwrap();
    assert_eq!(status, cluster);
}
