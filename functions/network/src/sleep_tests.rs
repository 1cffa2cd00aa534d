//! Sleep and wake against the fake: `create` with an asleep spec removes the private default
//! routes, then the NAT gateways, then their Elastic IPs, and answers READY only once they are
//! gone; `status` agrees; awake again, `create` makes them anew; `delete` works from either shape
//! and from halfway between.

use crate::api::{Labels, NatState};
use crate::fake::Fake;
use crate::handler::tests::{configured, strings};
use crate::handler::{handle, NetworkError};
use crate::status::tests::read_only_status;
use env_core::contract::{Event, Outputs, Request};
use env_core::{ErrorName, NamedError, Response, Status};
use serde_json::json;

/// `action` for pr-42 as the workflow of the `execution`-th execution (0–59) sends it (each
/// execution starts a minute after the one before), asleep or awake.
fn request(action: &str, nat_gateways: &str, asleep: bool, execution: u64) -> Request {
    Request::from_event(json!({
        "action": action,
        "spec": {
            "environmentSuffix": "pr-42",
            "natGateways": nat_gateways,
            "containerImage": "public.ecr.aws/acme/catalog-api:1",
            "containerPort": 8080,
            "selfSignedCertificate": true,
            "asleep": asleep
        },
        "startedAt": format!("2026-12-06T21:{execution:02}:00Z")
    }))
    .unwrap()
}

async fn call(
    fake: &Fake,
    action: &str,
    asleep: bool,
    execution: u64,
) -> Result<Response, NetworkError> {
    call_with(fake, "perAz", action, asleep, execution).await
}

async fn call_with(
    fake: &Fake,
    nat_gateways: &str,
    action: &str,
    asleep: bool,
    execution: u64,
) -> Result<Response, NetworkError> {
    let request = request(action, nat_gateways, asleep, execution);
    handle(fake, &configured(), request).await
}

async fn status(fake: &Fake, asleep: bool) -> Response {
    read_only_status(fake, request("status", "perAz", asleep, 0))
        .await
        .unwrap()
}

/// The NAT gateways that are not `deleted`.
fn live_nats(fake: &Fake) -> Vec<String> {
    let world = fake.ec2.world();
    let live = world.nats.iter().filter(|nat| nat.state.is_live());
    live.map(|nat| nat.labels.id.clone()).collect()
}

/// Each named route table's default route target (`None`: no default route), by name.
fn default_routes(fake: &Fake) -> Vec<(String, Option<String>)> {
    let world = fake.ec2.world();
    let named = world.tables.iter().filter_map(|(_, table)| {
        let name = table.labels.name.clone()?;
        let route = table
            .routes
            .iter()
            .find(|route| route.destination_cidr.as_deref() == Some("0.0.0.0/0"));
        Some((name, route.map(|route| route.target.clone().unwrap())))
    });
    named.collect()
}

/// The awake outputs as the asleep ones read: no NAT gateway.
fn without_nats(awake: &Response) -> Outputs {
    let mut outputs = awake.outputs.clone();
    outputs.insert("natGatewayIds".into(), json!([]));
    outputs
}

#[tokio::test]
async fn a_sleep_removes_the_routes_then_the_nat_gateways_then_their_addresses() {
    let fake = Fake::new();
    let awake = call(&fake, "create", false, 0).await.unwrap();
    assert_eq!(awake.status, Status::Ready);
    fake.recorder.lock().changes.clear();

    let asleep = call(&fake, "create", true, 1).await.unwrap();
    assert_eq!(asleep, Response::new(Status::Ready, without_nats(&awake)));
    assert!(live_nats(&fake).is_empty() && fake.ec2.world().addresses.is_empty());
    let routes = default_routes(&fake);
    assert!(
        routes[0].1.as_deref().unwrap().starts_with("igw-"),
        "{routes:?}"
    );
    assert!(
        routes[1..].iter().all(|(_, target)| target.is_none()),
        "{routes:?}"
    );
    let changes = fake.recorder.lock().changes.clone();
    let sleep: Vec<&str> = changes
        .iter()
        .copied()
        .filter(|change| *change != "PutRetentionPolicy")
        .collect();
    assert_eq!(
        sleep,
        [
            ["DeleteRoute"; 3],
            ["DeleteNatGateway"; 3],
            ["ReleaseAddress"; 3]
        ]
        .concat()
    );
    assert_eq!(status(&fake, true).await, asleep);
    let awake_status = status(&fake, false).await;
    assert_eq!(awake_status.status, Status::InProgress, "no NAT gateway");

    // Asleep again: nothing left to remove.
    fake.recorder.lock().changes.clear();
    assert_eq!(call(&fake, "create", true, 2).await.unwrap(), asleep);
    assert_eq!(fake.recorder.lock().changes, ["PutRetentionPolicy"]);
}

#[tokio::test]
async fn a_wake_makes_new_nat_gateways_addresses_and_routes() {
    let fake = Fake::new();
    let first = call(&fake, "create", false, 0).await.unwrap();
    call(&fake, "create", true, 1).await.unwrap();
    let woken = call(&fake, "create", false, 2).await.unwrap();
    assert_eq!(woken.status, Status::Ready);
    let nats = strings(&woken.outputs["natGatewayIds"]);
    assert_eq!(nats, live_nats(&fake));
    assert!(nats
        .iter()
        .all(|nat| !strings(&first.outputs["natGatewayIds"]).contains(nat)));
    let mut expected = first.outputs.clone();
    expected.insert("natGatewayIds".into(), json!(nats));
    assert_eq!(woken.outputs, expected, "all else as it was");
    let routes = default_routes(&fake);
    let targets: Vec<String> = routes[1..].iter().map(|r| r.1.clone().unwrap()).collect();
    assert_eq!(targets, nats, "each zone through its new gateway");
    let counts = |operation| fake.recorder.lock().count(operation);
    assert_eq!(
        (counts("AllocateAddress"), counts("CreateNatGateway")),
        (6, 6)
    );
    assert_eq!(status(&fake, false).await, woken);
}

#[tokio::test]
async fn a_wake_in_the_sleeps_own_execution_would_get_the_deleted_gateways_back() {
    // Why the client token changes with each execution: EC2 answers a token it knows with the
    // gateway it made, deleted or not, so a wake must not reuse the token of the create before.
    let fake = Fake::new();
    call(&fake, "create", false, 0).await.unwrap();
    call(&fake, "create", true, 1).await.unwrap();
    let same_token = call(&fake, "create", false, 0).await.unwrap();
    assert_eq!(same_token.status, Status::InProgress);
    assert!(live_nats(&fake).is_empty());
    assert_eq!(
        call(&fake, "create", false, 3).await.unwrap().status,
        Status::Ready
    );
    assert_eq!(live_nats(&fake).len(), 3);
}

#[tokio::test]
async fn nat_gateways_still_deleting_keep_a_sleep_in_progress_and_their_addresses_allocated() {
    let fake = Fake::new();
    let awake = call(&fake, "create", false, 0).await.unwrap();
    fake.ec2.world().slow_nat_deletion = true;
    for _ in 0..2 {
        let going = call(&fake, "create", true, 1).await.unwrap();
        assert_eq!(
            going,
            Response::new(Status::InProgress, without_nats(&awake))
        );
        assert_eq!(status(&fake, true).await, going);
    }
    let counts = |operation| fake.recorder.lock().count(operation);
    assert_eq!(counts("DeleteNatGateway"), 3, "asked once each");
    assert_eq!(counts("ReleaseAddress"), 0, "addresses wait");

    for nat in fake.ec2.world().nats.iter_mut() {
        nat.state = NatState::Deleted;
    }
    assert_eq!(
        call(&fake, "create", true, 1).await.unwrap().status,
        Status::Ready
    );
    assert!(fake.ec2.world().addresses.is_empty());
}

#[tokio::test]
async fn a_wake_during_a_sleep_waits_for_the_deleting_gateways_then_reuses_their_addresses() {
    let fake = Fake::new();
    call(&fake, "create", false, 0).await.unwrap();
    fake.ec2.world().slow_nat_deletion = true;
    call(&fake, "create", true, 1).await.unwrap();

    let waking = call(&fake, "create", false, 2).await.unwrap();
    assert_eq!(waking.status, Status::InProgress);
    assert_eq!(status(&fake, false).await.status, Status::InProgress);
    assert_eq!(
        fake.recorder.lock().count("CreateNatGateway"),
        3,
        "none yet"
    );
    assert!(default_routes(&fake)[1..].iter().all(|(_, t)| t.is_none()));

    for nat in fake.ec2.world().nats.iter_mut() {
        nat.state = NatState::Deleted;
    }
    let woken = call(&fake, "create", false, 2).await.unwrap();
    assert_eq!(woken.status, Status::Ready);
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("CreateNatGateway"), 6);
    assert_eq!(recorder.count("AllocateAddress"), 3, "the kept addresses");
    assert_eq!(recorder.count("ReleaseAddress"), 0);
}

#[tokio::test]
async fn an_environment_created_asleep_never_makes_a_nat_gateway() {
    let fake = Fake::new();
    let asleep = call(&fake, "create", true, 0).await.unwrap();
    assert_eq!(asleep.status, Status::Ready);
    assert_eq!(asleep.outputs["natGatewayIds"], json!([]));
    assert_eq!(asleep.outputs.len(), 9);
    let recorder = fake.recorder.lock();
    assert_eq!(recorder.count("AllocateAddress"), 0);
    assert_eq!(recorder.count("CreateNatGateway"), 0);
    assert_eq!(recorder.count("CreateRoute"), 1, "the public route only");
    assert_eq!(recorder.count("DeleteRoute"), 0);
}

#[tokio::test]
async fn a_route_left_to_a_gone_gateway_is_replaced_and_keeps_status_in_progress_until_then() {
    let fake = Fake::new();
    let awake = call(&fake, "create", false, 0).await.unwrap();
    for (_, table) in fake.ec2.world().tables.iter_mut().skip(2) {
        // As AWS leaves a route whose NAT gateway is gone: `blackhole`, to the old id.
        table.routes[0].target = Some("nat-gone".into());
    }
    let stale = status(&fake, false).await;
    assert_eq!(
        stale,
        Response::new(Status::InProgress, awake.outputs.clone())
    );
    assert_eq!(call(&fake, "create", false, 1).await.unwrap(), awake);
    assert_eq!(fake.recorder.lock().count("DeleteRoute"), 3);
    assert_eq!(status(&fake, false).await, awake);
}

#[tokio::test]
async fn asleep_a_failed_gateway_is_deleted_and_a_leftover_address_keeps_status_in_progress() {
    let fake = Fake::new();
    let awake = call(&fake, "create", false, 0).await.unwrap();
    fake.ec2.world().nats[1].state = NatState::Failed;
    assert_eq!(status(&fake, true).await.status, Status::InProgress);
    let asleep = call(&fake, "create", true, 1).await.unwrap();
    assert_eq!(asleep, Response::new(Status::Ready, without_nats(&awake)));
    assert!(live_nats(&fake).is_empty());

    fake.ec2.world().addresses.push(Labels {
        id: "eipalloc-left".into(),
        name: Some("eip-a-pr-42".into()),
        environment: Some("pr-42".into()),
    });
    assert_eq!(status(&fake, true).await.status, Status::InProgress);
    assert_eq!(call(&fake, "create", true, 2).await.unwrap(), asleep);
}

#[tokio::test]
async fn a_sleep_retries_what_aws_lets_go_later_and_fails_on_what_it_refuses() {
    let fake = Fake::new();
    call(&fake, "create", false, 0).await.unwrap();
    // A route already gone counts as removed.
    fake.recorder
        .lock()
        .fail("DeleteRoute", "InvalidRoute.NotFound");
    fake.recorder.lock().fail("ReleaseAddress", "AuthFailure");
    let going = call(&fake, "create", true, 1).await.unwrap();
    assert_eq!(going.status, Status::InProgress, "an address to release");
    assert_eq!(fake.ec2.world().addresses.len(), 1);
    // The deleted gateway's association not let go yet: released on a later call.
    fake.recorder
        .lock()
        .fail("ReleaseAddress", "InvalidIPAddress.InUse");
    let still = call(&fake, "create", true, 1).await.unwrap();
    assert_eq!(still.status, Status::InProgress, "the address still in use");
    assert_eq!(fake.ec2.world().addresses.len(), 1);
    assert_eq!(
        call(&fake, "create", true, 1).await.unwrap().status,
        Status::Ready
    );

    for (operation, code, name) in [
        ("DeleteRoute", "RequestLimitExceeded", ErrorName::Retryable),
        (
            "DeleteNatGateway",
            "UnauthorizedOperation",
            ErrorName::AwsRejected,
        ),
        (
            "ReleaseAddress",
            "RequestLimitExceeded",
            ErrorName::Retryable,
        ),
    ] {
        let fake = Fake::new();
        call(&fake, "create", false, 0).await.unwrap();
        fake.recorder.lock().fail(operation, code);
        let error = call(&fake, "create", true, 1).await.unwrap_err();
        assert_eq!(error.error_name(), name, "{operation}");
        assert!(error.to_string().starts_with(operation), "{error}");
        let asleep = call(&fake, "create", true, 1).await.unwrap();
        assert_eq!(asleep.status, Status::Ready, "{operation}");
    }
}

#[tokio::test]
async fn a_single_nat_environment_sleeps_and_wakes() {
    let fake = Fake::new();
    let single = |action, asleep, execution| call_with(&fake, "single", action, asleep, execution);
    single("create", false, 0).await.unwrap();
    let asleep = single("create", true, 1).await.unwrap();
    assert_eq!(asleep.status, Status::Ready);
    assert_eq!(fake.recorder.lock().count("DeleteRoute"), 3);
    assert_eq!(fake.recorder.lock().count("DeleteNatGateway"), 1);
    let woken = single("create", false, 2).await.unwrap();
    let nats = strings(&woken.outputs["natGatewayIds"]);
    assert_eq!(nats.len(), 1);
    assert!(default_routes(&fake)[1..]
        .iter()
        .all(|(_, target)| target.as_deref() == Some(nats[0].as_str())));
    assert_eq!(single("status", false, 2).await.unwrap(), woken);
}

#[tokio::test]
async fn delete_works_from_the_asleep_shape_and_from_halfway_to_it() {
    let fake = Fake::new();
    call(&fake, "create", false, 0).await.unwrap();
    call(&fake, "create", true, 1).await.unwrap();
    let deleted = call(&fake, "delete", true, 2).await.unwrap();
    assert_eq!(deleted, Response::new(Status::Deleted, Outputs::new()));
    assert!(fake.ec2.world().vpcs.is_empty() && fake.ec2.world().tables.is_empty());
    assert_eq!(status(&fake, true).await.status, Status::Deleted);

    // Halfway: routes removed, gateways deleting, addresses still allocated.
    let fake = Fake::new();
    call(&fake, "create", false, 0).await.unwrap();
    fake.ec2.world().slow_nat_deletion = true;
    call(&fake, "create", true, 1).await.unwrap();
    let waiting = call(&fake, "delete", false, 2).await.unwrap();
    assert_eq!(waiting.status, Status::InProgress);
    assert_eq!(strings(&waiting.outputs["waitingFor"]).len(), 3);
    for nat in fake.ec2.world().nats.iter_mut() {
        nat.state = NatState::Deleted;
    }
    assert_eq!(
        call(&fake, "delete", false, 2).await.unwrap().status,
        Status::Deleted
    );
    let world = fake.ec2.world();
    assert!(world.vpcs.is_empty() && world.addresses.is_empty());
}
