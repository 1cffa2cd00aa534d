//! `delete` end to end against the fake: what it removes, in which order, what keeps it in
//! progress, and what it leaves alone.

use crate::api::NatState;
use crate::fake::Fake;
use crate::handler::handle;
use crate::handler::tests::{configured, request, run, strings};
use crate::settings::tests::settings;
use ec2::NetworkInterface;
use env_core::contract::Outputs;
use env_core::{ErrorName, NamedError, Response, Status};

fn lambda_interface(fake: &Fake, status: &str) {
    let mut world = fake.ec2.world();
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
async fn without_its_boundary_create_fails_before_any_call_and_status_and_delete_still_work() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    lambda_interface(&fake, "available");
    let calls = fake.recorder.lock().calls.len();
    let wrong = settings(None);
    let error = handle(&fake, &wrong, request("create", "pr-42", "perAz"))
        .await
        .unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Misconfigured);
    assert_eq!(error.to_string(), wrong.clone().unwrap_err().to_string());
    assert_eq!(
        fake.recorder.lock().calls.len(),
        calls,
        "create made a call"
    );
    let status = handle(&fake, &wrong, request("status", "pr-42", "perAz"))
        .await
        .unwrap();
    assert_eq!(status.status, Status::Ready);
    let deleted = handle(&fake, &wrong, request("delete", "pr-42", "perAz"))
        .await
        .unwrap();
    assert_eq!(deleted, Response::new(Status::Deleted, Outputs::new()));
    assert!(fake.ec2.world().vpcs.is_empty() && fake.roles.roles().is_empty());
}

#[tokio::test]
async fn delete_removes_everything_in_dependency_order() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    lambda_interface(&fake, "available");
    fake.recorder.lock().changes.clear();
    let response = run(&fake, "delete").await.unwrap();
    assert_eq!(response, Response::new(Status::Deleted, Outputs::new()));
    let world = fake.ec2.world();
    assert!(world.nats.iter().all(|nat| nat.state == NatState::Deleted));
    assert!(world.vpcs.is_empty() && world.subnets.is_empty() && world.addresses.is_empty());
    assert!(world.gateways.is_empty() && world.groups.is_empty() && world.tables.is_empty());
    assert!(
        world.interfaces.is_empty() && world.flow_logs.is_empty() && world.endpoints.is_empty()
    );
    assert!(fake.logs.groups().is_empty() && fake.roles.roles().is_empty());
    let kms = fake.world();
    assert!(kms.aliases.is_empty() && kms.keys[0].pending_deletion);
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
        "DeleteRolePolicy",
        "DeleteRole",
        "ScheduleKeyDeletion",
        "DeleteAlias",
    ];
    let changes = fake.recorder.lock().changes.clone();
    let first: Vec<usize> = order
        .iter()
        .map(|op| changes.iter().position(|change| change == op).unwrap())
        .collect();
    assert!(
        first.windows(2).all(|pair| pair[0] < pair[1]),
        "{changes:?}"
    );
}

#[tokio::test]
async fn nat_gateways_still_deleting_keep_delete_in_progress() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    fake.ec2.world().slow_nat_deletion = true;
    let response = run(&fake, "delete").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(strings(&response.outputs["waitingFor"]).len(), 3);
    assert_eq!(
        run(&fake, "delete").await.unwrap().status,
        Status::InProgress
    );
    assert_eq!(
        fake.recorder.lock().count("DeleteNatGateway"),
        3,
        "asked once each"
    );
    assert_eq!(
        fake.recorder.lock().count("ReleaseAddress"),
        0,
        "EIPs wait for the NATs"
    );

    for nat in fake.ec2.world().nats.iter_mut() {
        nat.state = NatState::Deleted;
    }
    assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
}

#[tokio::test]
async fn an_eip_release_auth_failure_is_retried_on_the_next_call() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    fake.recorder.lock().fail("ReleaseAddress", "AuthFailure");
    let response = run(&fake, "delete").await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    let waiting = strings(&response.outputs["waitingFor"]);
    assert!(waiting[0].contains("AuthFailure"), "{waiting:?}");
    assert_eq!(fake.ec2.world().addresses.len(), 1);
    assert_eq!(fake.recorder.lock().count("DeleteVpc"), 0);

    assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
    assert!(fake.ec2.world().addresses.is_empty());
}

#[tokio::test]
async fn delete_resumes_after_a_partial_delete() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    fake.recorder
        .lock()
        .fail_after("DeleteRouteTable", "RequestLimitExceeded", 1);
    fake.recorder
        .lock()
        .fail("DeleteAlias", "RequestLimitExceeded");
    let error = run(&fake, "delete").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::Retryable);
    assert!(fake.ec2.world().subnets.is_empty());
    assert_eq!(fake.ec2.world().vpcs.len(), 1);

    let error = run(&fake, "delete").await.unwrap_err();
    assert!(
        error.to_string().starts_with("DeleteAlias failed"),
        "{error}"
    );
    assert!(fake.world().keys[0].pending_deletion);
    // The log group and the role are already gone: AWS says so (ResourceNotFoundException,
    // NoSuchEntity), and that counts as deleted.
    assert!(fake.logs.groups().is_empty() && fake.roles.roles().is_empty());
    let calls = fake.recorder.lock().calls.len();

    assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
    let recorder = fake.recorder.lock();
    let asked: Vec<&str> = recorder.calls[calls..]
        .iter()
        .copied()
        .filter(|op| ["DeleteLogGroup", "DeleteRolePolicy", "DeleteRole"].contains(op))
        .collect();
    assert_eq!(asked, ["DeleteLogGroup", "DeleteRolePolicy", "DeleteRole"]);
    assert_eq!(recorder.count("DeleteLogGroup"), 1, "deleted once");
    assert_eq!(recorder.count("DeleteRole"), 1, "deleted once");
    assert_eq!(recorder.count("ScheduleKeyDeletion"), 1, "scheduled once");
    assert_eq!(recorder.count("DeleteNatGateway"), 3);
    assert!(fake.ec2.world().vpcs.is_empty() && fake.world().aliases.is_empty());
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
    assert_eq!(fake.recorder.lock().count("DeleteSecurityGroup"), 0);

    fake.ec2.world().interfaces[0].1.status = "available".into();
    fake.recorder
        .lock()
        .fail("DeleteVpc", "DependencyViolation");
    assert_eq!(
        run(&fake, "delete").await.unwrap().status,
        Status::InProgress
    );
    assert!(fake.ec2.world().subnets.is_empty());
    assert_eq!(
        fake.recorder.lock().count("DeleteLogGroup"),
        0,
        "the VPC goes first"
    );

    fake.recorder.lock().fail("DeleteRole", "DeleteConflict");
    assert_eq!(
        run(&fake, "delete").await.unwrap().status,
        Status::InProgress
    );
    assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
    assert!(fake.roles.roles().is_empty());
}

#[tokio::test]
async fn a_refused_delete_fails_as_aws_rejected() {
    let fake = Fake::new();
    run(&fake, "create").await.unwrap();
    fake.recorder
        .lock()
        .fail("DeleteSubnet", "UnauthorizedOperation");
    let error = run(&fake, "delete").await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
}

#[tokio::test]
async fn another_environment_is_left_alone() {
    let fake = Fake::new();
    handle(&fake, &configured(), request("create", "pr-7", "single"))
        .await
        .unwrap();
    run(&fake, "create").await.unwrap();
    assert_eq!(fake.ec2.world().vpcs.len(), 2);
    assert_eq!(run(&fake, "delete").await.unwrap().status, Status::Deleted);
    let world = fake.ec2.world();
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
