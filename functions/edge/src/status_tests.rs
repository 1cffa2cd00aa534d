//! `status` against the fake: what it answers in each state of the edge, and that it never changes
//! anything, whatever it answers.

use crate::api::Cloud;
use crate::fake::{FakeCloud, ACCOUNT};
use crate::handler::tests::{
    dns, existing, network_outputs, request, run, self_signed, spec_with, steady,
};
use crate::handler::{handle, EdgeError};
use env_core::{ErrorName, NamedError, Response, Status};
use serde_json::{json, Value};

/// Everything the fake and its ELB hold (the recorder apart: status's reads are recorded as calls).
fn snapshot(cloud: &FakeCloud) -> String {
    format!("{:?} {:?}", *cloud.world(), *cloud.elb.world())
}

/// `status`, checked to leave the fake's world exactly as it found it.
async fn read_only_status(cloud: &FakeCloud, spec: Value) -> Result<Response, EdgeError> {
    let before = snapshot(cloud);
    let changes = cloud.recorder.lock().changes.clone();
    let answer = run(cloud, "status", spec).await;
    assert_eq!(
        cloud.recorder.lock().changes,
        changes,
        "status changed something"
    );
    assert_eq!(snapshot(cloud), before, "status changed the world");
    answer
}

/// The output keys, sorted.
fn keys(response: &Response) -> Vec<&str> {
    let mut keys: Vec<&str> = response.outputs.keys().map(String::as_str).collect();
    keys.sort_unstable();
    keys
}

/// A world holding one complete edge for `spec`, and `create`'s answer.
async fn created(spec: Value) -> (FakeCloud, Response) {
    let cloud = FakeCloud::new();
    cloud.world().new_request_status = "ISSUED".into();
    let response = run(&cloud, "create", spec).await.unwrap();
    assert_eq!(response.status, Status::Ready);
    (cloud, response)
}

#[tokio::test]
async fn status_of_an_empty_world_is_deleted_and_creates_nothing() {
    let given =
        "arn:aws:acm:us-west-2:123456789012:certificate/0d1e2c3b-0000-4000-8000-000000000000";
    // A certificate given by ARN is not the environment's: not even described.
    for spec in [self_signed(), dns(), existing(given)] {
        let cloud = FakeCloud::new();
        let response = read_only_status(&cloud, spec).await.unwrap();
        assert_eq!(response, Response::new(Status::Deleted, Default::default()));
        assert!(cloud.recorder.lock().changes.is_empty());
        let world = cloud.world();
        let elb = cloud.elb.world();
        assert!(elb.load_balancers.is_empty());
        assert!(world.buckets.is_empty() && world.certificates.is_empty());
    }
}

#[tokio::test]
async fn another_environments_edge_is_not_this_ones() {
    let cloud = FakeCloud::new();
    let other = json!({
        "environmentSuffix": "pr-7-2", "containerImage": "nginx", "selfSignedCertificate": true
    });
    handle(
        &cloud,
        &steady(),
        request("create", other, network_outputs()),
    )
    .await
    .unwrap();
    let response = read_only_status(&cloud, self_signed()).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
}

#[tokio::test]
async fn status_after_a_complete_create_answers_exactly_what_create_answered() {
    for spec in [self_signed(), dns()] {
        let (cloud, created) = created(spec.clone()).await;
        let response = read_only_status(&cloud, spec).await.unwrap();
        assert_eq!(response, created);
        assert_eq!(
            response.outputs["listenerRuleArns"]
                .as_object()
                .unwrap()
                .len(),
            2
        );
    }
    let cloud = FakeCloud::new();
    let arn = cloud.import_certificate("pem", "key", &[]).await.unwrap();
    let created = run(&cloud, "create", existing(&arn)).await.unwrap();
    assert_eq!(created.status, Status::Ready);
    let response = read_only_status(&cloud, existing(&arn)).await.unwrap();
    assert_eq!(response, created);
    assert_eq!(response.outputs["certificateArn"], arn);
}

#[tokio::test]
async fn a_provisioning_load_balancer_is_in_progress_and_left_alone() {
    let cloud = FakeCloud::new();
    cloud.elb.world().new_lb_state = "provisioning".into();
    let created = run(&cloud, "create", self_signed()).await.unwrap();
    assert_eq!(created.status, Status::InProgress);
    let response = read_only_status(&cloud, self_signed()).await.unwrap();
    assert_eq!(response, created);
    cloud.elb.world().load_balancers[0].1.state = None;
    let response = read_only_status(&cloud, self_signed()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    cloud.elb.world().load_balancers[0].1.state = Some("active".into());
    let response = read_only_status(&cloud, self_signed()).await.unwrap();
    assert_eq!(response, Response::new(Status::Ready, created.outputs));
}

#[tokio::test]
async fn a_pending_certificate_is_in_progress_and_only_create_adds_the_https_listener() {
    let cloud = FakeCloud::new();
    let created = run(&cloud, "create", dns()).await.unwrap();
    assert_eq!(created.status, Status::InProgress);
    let response = read_only_status(&cloud, dns()).await.unwrap();
    assert_eq!(response, created);
    assert!(response.outputs.get("httpsListenerArn").is_none());
    assert_eq!(response.outputs["httpsUrl"], "https://pr-7.example.com");
    // Issued now: status still only reads, the listener waits for the next create.
    cloud.world().certificates[0].status = "ISSUED".into();
    let response = read_only_status(&cloud, dns()).await.unwrap();
    assert_eq!(response, created);
    assert_eq!(cloud.elb.world().listeners.len(), 1);
    let completed = run(&cloud, "create", dns()).await.unwrap();
    assert_eq!(completed.status, Status::Ready);
    let response = read_only_status(&cloud, dns()).await.unwrap();
    assert_eq!(response, completed);
}

#[tokio::test]
async fn a_half_made_edge_is_in_progress_with_what_exists_and_a_later_create_completes_it() {
    let lb_keys = [
        "loadBalancerArn",
        "loadBalancerArnSuffix",
        "loadBalancerDnsName",
        "httpsUrl",
    ];
    // (the create call that fails, calls of it let through first, the outputs status can read)
    let cases: [(&str, usize, &[&str]); 4] = [
        ("CreateTargetGroup", 1, &["accessLogBucket"]),
        (
            "ImportCertificate",
            0,
            &[
                "accessLogBucket",
                "targetGroupArns",
                "targetGroupArnSuffixes",
            ],
        ),
        (
            "CreateListener",
            0,
            &[
                "accessLogBucket",
                "targetGroupArns",
                "targetGroupArnSuffixes",
                "certificateArn",
            ],
        ),
        (
            "CreateRule",
            1,
            &[
                "accessLogBucket",
                "targetGroupArns",
                "targetGroupArnSuffixes",
                "certificateArn",
                "httpsListenerArn",
            ],
        ),
    ];
    for (operation, after, readable) in cases {
        let cloud = FakeCloud::new();
        cloud
            .recorder
            .lock()
            .fail_after(operation, "InternalFailure", after);
        run(&cloud, "create", self_signed()).await.unwrap_err();
        let response = read_only_status(&cloud, self_signed()).await.unwrap();
        assert_eq!(response.status, Status::InProgress, "{operation}");
        let mut expected: Vec<&str> = lb_keys.iter().chain(readable).copied().collect();
        expected.sort_unstable();
        assert_eq!(keys(&response), expected, "{operation}");
        let completed = run(&cloud, "create", self_signed()).await.unwrap();
        assert_eq!(completed.status, Status::Ready, "{operation}");
        let response = read_only_status(&cloud, self_signed()).await.unwrap();
        assert_eq!(response, completed, "{operation}");
    }
}

#[tokio::test]
async fn what_a_teardown_left_is_in_progress_without_a_load_balancer() {
    let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
    let (cloud, created) = created(spec.clone()).await;
    cloud.recorder.lock().fail("DeleteBucket", "BucketNotEmpty");
    cloud
        .recorder
        .lock()
        .fail("DeleteCertificate", "ResourceInUseException");
    let deleting = run(&cloud, "delete", spec.clone()).await.unwrap();
    assert_eq!(deleting.status, Status::InProgress);
    let response = read_only_status(&cloud, spec.clone()).await.unwrap();
    assert_eq!(response.status, Status::InProgress);
    assert_eq!(keys(&response), ["accessLogBucket", "certificateArn"]);
    assert_eq!(
        response.outputs["accessLogBucket"],
        format!("alb-logs-pr-7-{ACCOUNT}")
    );
    assert_eq!(
        response.outputs["certificateArn"],
        created.outputs["certificateArn"]
    );
    run(&cloud, "delete", spec.clone()).await.unwrap();
    let response = read_only_status(&cloud, spec).await.unwrap();
    assert_eq!(response.status, Status::Deleted);
}

#[tokio::test]
async fn a_failed_load_balancer_is_the_error_create_answers() {
    let cloud = FakeCloud::new();
    cloud.elb.world().new_lb_state = "failed".into();
    let created = run(&cloud, "create", self_signed()).await.unwrap_err();
    let error = read_only_status(&cloud, self_signed()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(error.to_string(), created.to_string());
    assert_eq!(
        error.to_string(),
        "load balancer alb-pr-7 failed; delete the environment and create it again"
    );
}

#[tokio::test]
async fn a_certificate_that_will_never_serve_is_the_error_create_answers() {
    let (cloud, created) = created(dns()).await;
    cloud.world().certificates[0].status = "EXPIRED".into();
    let error = read_only_status(&cloud, dns()).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::ComponentFailed);
    assert_eq!(
        error.to_string(),
        format!(
            "certificate {} is EXPIRED; it cannot serve HTTPS",
            created.outputs["certificateArn"].as_str().unwrap()
        )
    );
    assert_eq!(
        run(&cloud, "create", dns()).await.unwrap_err().to_string(),
        error.to_string()
    );
}

#[tokio::test]
async fn a_given_certificate_that_is_gone_is_the_error_create_answers() {
    let cloud = FakeCloud::new();
    let arn = cloud.import_certificate("pem", "key", &[]).await.unwrap();
    run(&cloud, "create", existing(&arn)).await.unwrap();
    cloud.world().certificates.clear();
    let error = read_only_status(&cloud, existing(&arn)).await.unwrap_err();
    assert_eq!(error.error_name(), ErrorName::AwsRejected);
    assert_eq!(
        error.to_string(),
        format!("certificate {arn} does not exist")
    );
}

#[tokio::test]
async fn every_read_failing_is_the_typed_aws_error() {
    for operation in [
        "DescribeLoadBalancers",
        "ListBuckets",
        "DescribeTargetGroups",
        "ListCertificates",
        "DescribeCertificate",
        "DescribeListeners",
        "DescribeRules",
    ] {
        for (code, name) in [
            ("Throttling", ErrorName::Retryable),
            ("AccessDenied", ErrorName::AwsRejected),
        ] {
            let (cloud, _) = created(self_signed()).await;
            cloud.recorder.lock().fail(operation, code);
            let error = read_only_status(&cloud, self_signed()).await.unwrap_err();
            assert_eq!(error.error_name(), name, "{operation} {code}");
            assert!(error.to_string().contains(code), "{operation}: {error}");
            assert!(
                cloud.recorder.lock().faults_answered(),
                "{operation} was not called"
            );
        }
    }
}
