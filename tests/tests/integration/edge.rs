//! The edge function against moto, through its binary, on top of a real network from the network
//! binary: each load-balancer row of docs/compliance.md read back from what moto holds, the three
//! certificate modes, idempotent creates, and teardowns with and without `forceDestroy`.

use aws_sdk_elasticloadbalancingv2::types::{ActionTypeEnum, ProtocolEnum, TargetTypeEnum};
use integration_tests::emulator::emulator;
use integration_tests::functions::{invoke, Invocation};
use integration_tests::unique_suffix;
use serde_json::{json, Value};
use std::collections::HashMap;

fn spec(suffix: &str, extra: Value) -> Value {
    let mut spec = json!({
        "environmentSuffix": suffix,
        "natGateways": "single",
        "containerImage": "public.ecr.aws/acme/catalog-api:1",
    });
    for (key, value) in extra.as_object().expect("an object") {
        spec[key] = value.clone();
    }
    spec
}

/// The edge function with `network`'s outputs, handed on under the network's key as the workflows
/// do.
fn edge(action: &str, spec: &Value, network: &Value) -> Invocation {
    invoke(
        "edge",
        &json!({"action": action, "spec": spec, "outputs": {"network": network}}),
        &emulator().env(),
    )
}

/// One successful invocation's response.
fn call(action: &str, spec: &Value, outputs: &Value) -> Value {
    let result = edge(action, spec, outputs);
    assert!(
        result.success,
        "{action}: {} {}",
        result.body, result.stderr
    );
    result.body
}

/// A real network from the network binary, READY: its outputs are the edge's inputs.
fn network(spec: &Value) -> Value {
    for action in ["create", "create", "create", "create"] {
        let result = invoke(
            "network",
            &json!({"action": action, "spec": spec, "outputs": {}}),
            &emulator().env(),
        );
        assert!(result.success, "network {action}: {}", result.body);
        if result.body["status"] == "READY" {
            return result.body["outputs"].clone();
        }
    }
    panic!("the network did not become READY");
}

/// `create` until READY, as the provision's wait loop calls it (moto makes a load balancer active on
/// its next describe).
fn ready(spec: &Value, outputs: &Value) -> Value {
    let mut response = call("create", spec, outputs);
    for _ in 0..3 {
        if response["status"] == "READY" {
            return response;
        }
        response = call("create", spec, outputs);
    }
    panic!("the edge did not become READY: {response}");
}

/// `delete` until DELETED.
fn delete_all(spec: &Value, outputs: &Value) {
    for _ in 0..5 {
        if call("delete", spec, outputs)["status"] == "DELETED" {
            return;
        }
    }
    panic!("the edge was not deleted after 5 calls");
}

async fn elb() -> aws_sdk_elasticloadbalancingv2::Client {
    aws_sdk_elasticloadbalancingv2::Client::new(&emulator().sdk_config().await)
}

async fn acm() -> aws_sdk_acm::Client {
    aws_sdk_acm::Client::new(&emulator().sdk_config().await)
}

async fn s3() -> aws_sdk_s3::Client {
    let config = emulator().sdk_config().await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    )
}

async fn load_balancer_exists(elb: &aws_sdk_elasticloadbalancingv2::Client, name: &str) -> bool {
    elb.describe_load_balancers()
        .names(name)
        .send()
        .await
        .is_ok()
}

async fn target_group_exists(elb: &aws_sdk_elasticloadbalancingv2::Client, name: &str) -> bool {
    elb.describe_target_groups()
        .names(name)
        .send()
        .await
        .is_ok()
}

async fn bucket_exists(s3: &aws_sdk_s3::Client, name: &str) -> bool {
    s3.head_bucket().bucket(name).send().await.is_ok()
}

async fn certificate_exists(acm: &aws_sdk_acm::Client, arn: &str) -> bool {
    acm.describe_certificate()
        .certificate_arn(arn)
        .send()
        .await
        .is_ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_self_signed_edge_meets_every_load_balancer_row_and_a_second_create_changes_nothing() {
    let suffix = unique_suffix();
    let spec = spec(suffix.as_str(), json!({"selfSignedCertificate": true}));
    let net = network(&spec);
    let created = ready(&spec, &net);
    let out = &created["outputs"];
    let elb = elb().await;

    // The load balancer: 3 public subnets (ELB.13), its group, the attributes of ELB.4/5/6/12.
    let lb_arn = out["loadBalancerArn"].as_str().expect("an ARN");
    let described = elb
        .describe_load_balancers()
        .load_balancer_arns(lb_arn)
        .send()
        .await
        .expect("the emulator answers as set up");
    let lb = &described.load_balancers()[0];
    let mut subnets: Vec<&str> = lb
        .availability_zones()
        .iter()
        .filter_map(|zone| zone.subnet_id())
        .collect();
    subnets.sort();
    let mut public: Vec<&str> = net["publicSubnetIds"]
        .as_array()
        .expect("the emulator answers as set up")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    public.sort();
    assert_eq!(subnets.len(), 3);
    assert_eq!(subnets, public);
    assert_eq!(
        lb.security_groups(),
        [net["securityGroupIds"]["alb"]
            .as_str()
            .expect("the emulator answers as set up")]
    );
    assert_eq!(
        lb.load_balancer_name(),
        Some(format!("alb-{suffix}").as_str())
    );
    assert_eq!(
        out["loadBalancerArnSuffix"]
            .as_str()
            .expect("the emulator answers as set up"),
        lb_arn
            .split_once(":loadbalancer/")
            .expect("the emulator answers as set up")
            .1
    );
    assert!(out["loadBalancerArnSuffix"]
        .as_str()
        .expect("the emulator answers as set up")
        .starts_with("app/"));
    assert_eq!(
        out["httpsUrl"],
        format!(
            "https://{}",
            lb.dns_name().expect("the emulator answers as set up")
        )
    );
    let attributes: HashMap<String, String> = elb
        .describe_load_balancer_attributes()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .expect("the emulator answers as set up")
        .attributes()
        .iter()
        .map(|a| {
            (
                a.key().expect("the emulator answers as set up").to_owned(),
                a.value()
                    .expect("the emulator answers as set up")
                    .to_owned(),
            )
        })
        .collect();
    let bucket = out["accessLogBucket"]
        .as_str()
        .expect("the emulator answers as set up");
    assert_eq!(
        attributes["routing.http.drop_invalid_header_fields.enabled"],
        "true"
    );
    assert_eq!(
        attributes["routing.http.desync_mitigation_mode"],
        "defensive"
    );
    assert_eq!(attributes["idle_timeout.timeout_seconds"], "60");
    assert_eq!(attributes["load_balancing.cross_zone.enabled"], "true");
    assert_eq!(attributes["access_logs.s3.enabled"], "true");
    assert_eq!(attributes["access_logs.s3.bucket"], bucket);
    assert_eq!(attributes["deletion_protection.enabled"], "true");

    // Listeners: HTTPS with the TLS 1.3 policy (ELB.17) to blue, HTTP only redirecting (ELB.1).
    let listeners = elb
        .describe_listeners()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .expect("the emulator answers as set up");
    assert_eq!(listeners.listeners().len(), 2);
    let https = listeners
        .listeners()
        .iter()
        .find(|l| l.port() == Some(443))
        .expect("an HTTPS listener");
    assert_eq!(https.protocol(), Some(&ProtocolEnum::Https));
    assert_eq!(
        https.ssl_policy(),
        Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );
    assert_eq!(
        out["httpsListenerArn"],
        https
            .listener_arn()
            .expect("the emulator answers as set up")
    );
    assert_eq!(
        https.certificates()[0].certificate_arn(),
        out["certificateArn"].as_str()
    );
    let forward = &https.default_actions()[0];
    assert_eq!(forward.r#type(), Some(&ActionTypeEnum::Forward));
    assert_eq!(
        forward.target_group_arn(),
        out["targetGroupArns"]["blue"].as_str()
    );
    let http = listeners
        .listeners()
        .iter()
        .find(|l| l.port() == Some(80))
        .expect("an HTTP listener");
    assert_eq!(http.protocol(), Some(&ProtocolEnum::Http));
    assert_eq!(http.default_actions().len(), 1);
    let redirect = http.default_actions()[0]
        .redirect_config()
        .expect("a redirect");
    assert_eq!(redirect.protocol(), Some("HTTPS"));
    assert_eq!(redirect.port(), Some("443"));
    assert_eq!(redirect.status_code().map(|c| c.as_str()), Some("HTTP_301"));

    // Target groups: ip, the container port, explicit health checks (CKV_AWS_261), 30 s delay.
    let mut suffixes = Vec::new();
    for color in ["blue", "green"] {
        let arn = out["targetGroupArns"][color]
            .as_str()
            .expect("the emulator answers as set up");
        let groups = elb
            .describe_target_groups()
            .target_group_arns(arn)
            .send()
            .await
            .expect("the emulator answers as set up");
        let group = &groups.target_groups()[0];
        assert_eq!(
            group.target_group_name(),
            Some(format!("tg-{color}-{suffix}").as_str())
        );
        assert_eq!(group.target_type(), Some(&TargetTypeEnum::Ip));
        assert_eq!(group.port(), Some(3000));
        assert_eq!(group.vpc_id(), net["vpcId"].as_str());
        assert_eq!(group.health_check_path(), Some("/health"));
        assert_eq!(group.healthy_threshold_count(), Some(2));
        assert_eq!(group.unhealthy_threshold_count(), Some(3));
        assert_eq!(group.health_check_interval_seconds(), Some(15));
        assert_eq!(group.health_check_timeout_seconds(), Some(5));
        assert_eq!(group.matcher().and_then(|m| m.http_code()), Some("200"));
        let attributes = elb
            .describe_target_group_attributes()
            .target_group_arn(arn)
            .send()
            .await
            .expect("the emulator answers as set up");
        let delay = attributes
            .attributes()
            .iter()
            .find(|a| a.key() == Some("deregistration_delay.timeout_seconds"))
            .and_then(|a| a.value());
        assert_eq!(delay, Some("30"));
        suffixes.push(
            arn.rsplit(':')
                .next()
                .expect("the emulator answers as set up"),
        );
    }
    assert_eq!(out["targetGroupArnSuffixes"], json!(suffixes));

    // The log bucket: public access blocked, SSE-S3, the us-west-2 ELB delivery policy, expiry.
    let s3 = s3().await;
    let block = s3
        .get_public_access_block()
        .bucket(bucket)
        .send()
        .await
        .expect("the emulator answers as set up");
    let block = block
        .public_access_block_configuration()
        .expect("the emulator answers as set up");
    assert_eq!(
        (
            block.block_public_acls(),
            block.ignore_public_acls(),
            block.block_public_policy(),
            block.restrict_public_buckets()
        ),
        (Some(true), Some(true), Some(true), Some(true))
    );
    let policy = s3
        .get_bucket_policy()
        .bucket(bucket)
        .send()
        .await
        .expect("the emulator answers as set up");
    let policy: Value =
        serde_json::from_str(policy.policy().expect("the emulator answers as set up"))
            .expect("the emulator answers as set up");
    let delivery = &policy["Statement"][0];
    assert_eq!(
        delivery["Principal"]["AWS"],
        "arn:aws:iam::797873946194:root"
    );
    assert_eq!(delivery["Action"], "s3:PutObject");
    let encryption = s3
        .get_bucket_encryption()
        .bucket(bucket)
        .send()
        .await
        .expect("the emulator answers as set up");
    let rule = &encryption
        .server_side_encryption_configuration()
        .expect("the emulator answers as set up")
        .rules()[0];
    assert_eq!(
        rule.apply_server_side_encryption_by_default()
            .map(|d| d.sse_algorithm().as_str()),
        Some("AES256")
    );
    let lifecycle = s3
        .get_bucket_lifecycle_configuration()
        .bucket(bucket)
        .send()
        .await
        .expect("the emulator answers as set up");
    assert_eq!(
        lifecycle.rules()[0].expiration().and_then(|e| e.days()),
        Some(90)
    );

    // The certificate: imported, ECDSA P-256 (ACM.2), tagged for the environment.
    let certificate = acm()
        .await
        .describe_certificate()
        .certificate_arn(
            out["certificateArn"]
                .as_str()
                .expect("the emulator answers as set up"),
        )
        .send()
        .await
        .expect("the emulator answers as set up");
    let certificate = certificate
        .certificate()
        .expect("the emulator answers as set up");
    assert_eq!(
        certificate.key_algorithm().map(|k| k.as_str()),
        Some("EC_prime256v1")
    );
    assert_eq!(certificate.status().map(|s| s.as_str()), Some("ISSUED"));

    // The two rules ECS blue/green shifts: on the HTTPS listener, the header rule first, both
    // forwarding to blue (weight 1) and green (weight 0).
    let https = out["httpsListenerArn"].as_str().expect("an ARN");
    let rules = elb
        .describe_rules()
        .listener_arn(https)
        .send()
        .await
        .expect("the emulator answers as set up");
    let rule = |arn: &Value| {
        rules
            .rules()
            .iter()
            .find(|rule| rule.rule_arn() == arn.as_str())
            .expect("the rule named in the outputs")
            .clone()
    };
    let production = rule(&out["listenerRuleArns"]["production"]);
    let test = rule(&out["listenerRuleArns"]["test"]);
    assert_eq!(production.priority(), Some("2"));
    assert_eq!(test.priority(), Some("1"));
    assert_eq!(production.conditions()[0].field(), Some("path-pattern"));
    let header = test.conditions()[0]
        .http_header_config()
        .expect("a header condition");
    assert_eq!(header.http_header_name(), Some("X-Catalog-Deployment"));
    assert_eq!(header.values(), ["test"]);
    for rule in [&production, &test] {
        let forward = rule.actions()[0]
            .forward_config()
            .expect("a weighted forward");
        let weights: Vec<(Option<&str>, Option<i32>)> = forward
            .target_groups()
            .iter()
            .map(|group| (group.target_group_arn(), group.weight()))
            .collect();
        assert_eq!(
            weights,
            [
                (out["targetGroupArns"]["blue"].as_str(), Some(1)),
                (out["targetGroupArns"]["green"].as_str(), Some(0))
            ]
        );
    }

    // Again: the same outputs, nothing new.
    let again = call("create", &spec, &net);
    assert_eq!(again, created);
    let listed = elb
        .describe_listeners()
        .load_balancer_arn(lb_arn)
        .send()
        .await
        .expect("the emulator answers as set up");
    assert_eq!(listed.listeners().len(), 2);
    let rules_again = elb
        .describe_rules()
        .listener_arn(https)
        .send()
        .await
        .expect("the emulator answers as set up");
    // The two rules and the listener's default one.
    assert_eq!(rules_again.rules().len(), 3);
    let mine = acm()
        .await
        .list_certificates()
        .send()
        .await
        .expect("the emulator answers as set up")
        .certificate_summary_list()
        .iter()
        .filter(|c| c.domain_name() == Some(format!("cert-{suffix}").as_str()))
        .count();
    assert_eq!(mine, 1);

    let force = spec_with_force(&spec);
    delete_all(&force, &net);
    // The rules went with the listener: neither can be described any more.
    for arn in [
        &out["listenerRuleArns"]["production"],
        &out["listenerRuleArns"]["test"],
    ] {
        let gone = elb
            .describe_rules()
            .rule_arns(arn.as_str().expect("an ARN"))
            .send()
            .await;
        assert!(gone.is_err(), "{arn} is still there");
    }
    assert!(elb
        .describe_listeners()
        .listener_arns(https)
        .send()
        .await
        .is_err());
}

fn spec_with_force(spec: &Value) -> Value {
    let mut spec = spec.clone();
    spec["forceDestroy"] = json!(true);
    spec
}

#[tokio::test(flavor = "multi_thread")]
async fn a_protected_edge_survives_delete_without_force_destroy_and_goes_with_it() {
    let suffix = unique_suffix();
    let spec = spec(suffix.as_str(), json!({"selfSignedCertificate": true}));
    let net = network(&spec);
    let out = ready(&spec, &net)["outputs"].clone();
    let bucket = out["accessLogBucket"]
        .as_str()
        .expect("the emulator answers as set up")
        .to_owned();
    let certificate = out["certificateArn"]
        .as_str()
        .expect("the emulator answers as set up")
        .to_owned();
    let (elb, s3, acm) = (elb().await, s3().await, acm().await);

    let refused = edge("delete", &spec, &net);
    assert!(!refused.success);
    assert_eq!(refused.body["errorType"], "DeletionProtected");
    assert!(load_balancer_exists(&elb, &format!("alb-{suffix}")).await);
    assert!(target_group_exists(&elb, &format!("tg-blue-{suffix}")).await);
    assert!(bucket_exists(&s3, &bucket).await);
    assert!(certificate_exists(&acm, &certificate).await);

    // A log file the load balancer wrote: the bucket is emptied before it is deleted.
    s3.put_object()
        .bucket(&bucket)
        .key("AWSLogs/123456789012/elasticloadbalancing/log.gz")
        .body(b"log".to_vec().into())
        .send()
        .await
        .expect("the emulator answers as set up");
    // Without the network's outputs: a teardown works from names and tags alone.
    delete_all(&spec_with_force(&spec), &json!({}));
    assert!(!load_balancer_exists(&elb, &format!("alb-{suffix}")).await);
    assert!(!target_group_exists(&elb, &format!("tg-blue-{suffix}")).await);
    assert!(!target_group_exists(&elb, &format!("tg-green-{suffix}")).await);
    assert!(!bucket_exists(&s3, &bucket).await);
    assert!(!certificate_exists(&acm, &certificate).await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dns_validated_certificate_writes_its_records_and_waits_for_issue() {
    let suffix = unique_suffix();
    let config = emulator().sdk_config().await;
    let route53 = aws_sdk_route53::Client::new(&config);
    let zone_name = format!("{suffix}.example.com");
    let zone_id = integration_tests::route53::aws_shaped_zone(&config, &zone_name).await;
    let domain = format!("api.{zone_name}");
    let spec = spec(
        suffix.as_str(),
        json!({"domainName": domain, "hostedZoneId": zone_id, "deletionProtection": false}),
    );
    let net = network(&spec);
    // moto issues a requested certificate only after 60 s: until then the edge waits.
    let created = call("create", &spec, &net);
    let status = call("status", &spec, &net);
    assert_eq!(status["status"], "IN_PROGRESS");
    assert_eq!(created["outputs"]["httpsUrl"], format!("https://{domain}"));
    assert!(status["outputs"].get("httpsListenerArn").is_none());
    let arn = status["outputs"]["certificateArn"]
        .as_str()
        .expect("the emulator answers as set up")
        .to_owned();
    let acm = acm().await;
    let described = acm
        .describe_certificate()
        .certificate_arn(&arn)
        .send()
        .await
        .expect("the emulator answers as set up");
    let detail = described
        .certificate()
        .expect("the emulator answers as set up");
    assert_eq!(detail.domain_name(), Some(domain.as_str()));
    let wanted = detail.domain_validation_options()[0]
        .resource_record()
        .expect("the emulator answers as set up");
    let records = route53
        .list_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .send()
        .await
        .expect("the emulator answers as set up");
    let cname = records
        .resource_record_sets()
        .iter()
        .find(|r| r.name().trim_end_matches('.') == wanted.name().trim_end_matches('.'))
        .expect("the validation record");
    assert_eq!(cname.r#type().as_str(), "CNAME");
    assert_eq!(cname.resource_records()[0].value(), wanted.value());
    let listeners = elb()
        .await
        .describe_listeners()
        .load_balancer_arn(
            status["outputs"]["loadBalancerArn"]
                .as_str()
                .expect("the emulator answers as set up"),
        )
        .send()
        .await
        .expect("the emulator answers as set up");
    assert_eq!(
        listeners.listeners().len(),
        1,
        "only the redirect until issued"
    );

    delete_all(&spec, &net);
    assert!(!certificate_exists(&acm, &arn).await);
    let records = route53
        .list_resource_record_sets()
        .hosted_zone_id(&zone_id)
        .send()
        .await
        .expect("the emulator answers as set up");
    assert!(records
        .resource_record_sets()
        .iter()
        .all(|r| r.r#type().as_str() != "CNAME"));
}

/// An RSA 2048 certificate from openssl, imported the way an operator would.
async fn imported_certificate(acm: &aws_sdk_acm::Client, name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("edge-{name}"));
    std::fs::create_dir_all(&dir).expect("the emulator answers as set up");
    let (key, cert) = (dir.join("key.pem"), dir.join("cert.pem"));
    let status = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
        ])
        .arg("-subj")
        .arg(format!("/CN={name}.example.com"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("the emulator answers as set up");
    assert!(status.status.success(), "{status:?}");
    let imported = acm
        .import_certificate()
        .certificate(aws_sdk_acm::primitives::Blob::new(
            std::fs::read(&cert).expect("the emulator answers as set up"),
        ))
        .private_key(aws_sdk_acm::primitives::Blob::new(
            std::fs::read(&key).expect("the emulator answers as set up"),
        ))
        .send()
        .await
        .expect("the emulator answers as set up");
    std::fs::remove_dir_all(&dir).expect("the emulator answers as set up");
    imported
        .certificate_arn()
        .expect("the emulator answers as set up")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_certificate_is_used_as_given_and_kept_at_teardown() {
    let suffix = unique_suffix();
    let acm = acm().await;
    let arn = imported_certificate(&acm, suffix.as_str()).await;
    let spec = spec(
        suffix.as_str(),
        json!({"certificateArn": arn, "forceDestroy": true}),
    );
    let net = network(&spec);
    let out = ready(&spec, &net)["outputs"].clone();
    assert_eq!(out["certificateArn"], arn);
    let listeners = elb()
        .await
        .describe_listeners()
        .load_balancer_arn(
            out["loadBalancerArn"]
                .as_str()
                .expect("the emulator answers as set up"),
        )
        .send()
        .await
        .expect("the emulator answers as set up");
    let https = listeners
        .listeners()
        .iter()
        .find(|l| l.port() == Some(443))
        .expect("the emulator answers as set up");
    assert_eq!(
        https.certificates()[0].certificate_arn(),
        Some(arn.as_str())
    );
    delete_all(&spec, &net);
    assert!(certificate_exists(&acm, &arn).await);
}

#[test]
fn missing_network_outputs_are_an_invalid_event() {
    let spec = spec(
        unique_suffix().as_str(),
        json!({"selfSignedCertificate": true}),
    );
    let result = edge("create", &spec, &json!({"vpcId": "vpc-1"}));
    assert!(!result.success);
    assert_eq!(result.body["errorType"], "InvalidEvent");
    assert_eq!(
        result.body["errorMessage"],
        "outputs.network: are malformed: missing field `vpcCidr`; the network component provides them"
    );
}
