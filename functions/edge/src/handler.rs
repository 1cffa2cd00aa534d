//! Create, report and delete one environment's edge: the TLS certificate, the application load
//! balancer with its listeners, blue/green target groups and the two listener rules ECS blue/green
//! deployments shift, and the bucket its access logs go to.
//!
//! The rules exist whatever the spec's deployment strategy, like the green target group, so that
//! switching strategy is a change of the service alone. Both sit on the HTTPS listener: the test
//! rule takes requests with the header `X-Catalog-Deployment: test`, the production rule everything
//! else. A separate test listener (say on 8443) would need another port open to the internet on
//! the load balancer's security group, which the network component keeps to 80 and 443; a header
//! on the same listener gets the same TLS policy and certificate for free.
//!
//! `create` and `status` run the same convergence: every step finds its resource by name (or, for
//! the certificate, by its `Name` and environment tags) and creates only what is missing, then sets
//! the settings the compliance rows ask for, so a repeated call changes nothing. The HTTPS listener
//! needs an issued certificate: with DNS validation that takes minutes, which is why `status`
//! converges too and adds the listener once ACM has issued the certificate.
//!
//! `delete` refuses a protected load balancer unless the spec says `forceDestroy`, then removes
//! listeners, the load balancer, target groups, the certificate it created (never one given by ARN)
//! with its validation records, and the log bucket. It answers IN_PROGRESS while it found anything
//! and DELETED once a call finds nothing left.

use crate::api::{
    BucketSettings, CallResult, Cloud, ListenerAction, LoadBalancer, LoadBalancerSettings,
    RuleCondition, RuleSettings, TargetGroupSettings,
};
use crate::certificate::self_signed;
use env_core::arn::account_of;
use env_core::contract::{Outputs, Request};
use env_core::naming::{Color, NameKind, Names};
use env_core::outputs::{ComponentOutputs, MissingOutputs, NetworkOutputs};
use env_core::spec::{CertificateMode, EnvironmentSpec};
use env_core::tags::{environment_tags, Tag};
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response, Status};
use serde_json::json;
use std::time::SystemTime;

/// ELB.17: a TLS 1.3 policy (ELB user guide, "Security policies for your Application Load Balancer").
pub const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";
/// ELB.12: `defensive` is AWS's default and the level FSBP asks for at least.
pub const DESYNC_MITIGATION: &str = "defensive";
/// AWS's default idle timeout, set explicitly so a drifted value is put back.
pub const IDLE_TIMEOUT_SECONDS: u32 = 60;
/// The account of Elastic Load Balancing in us-west-2, which writes the access logs (ELB user
/// guide, "Enable access logs for your Application Load Balancer", regions available before
/// August 2022).
pub const ELB_ACCOUNT_US_WEST_2: &str = "797873946194";
/// Access logs are for investigating recent incidents; a PR environment's logs are not kept longer.
pub const LOG_EXPIRY_DAYS: i32 = 90;
/// CKV_AWS_261: explicit health-check thresholds. Two passes in a row mark a new task healthy
/// (30 s at a 15 s interval), three failures take it out; 5 s leaves room for a slow first request.
pub const HEALTHY_THRESHOLD: i32 = 2;
pub const UNHEALTHY_THRESHOLD: i32 = 3;
pub const HEALTH_CHECK_INTERVAL_SECONDS: i32 = 15;
pub const HEALTH_CHECK_TIMEOUT_SECONDS: i32 = 5;
pub const HEALTH_CHECK_MATCHER: &str = "200";
pub const HTTPS_PORT: i32 = 443;
pub const HTTP_PORT: i32 = 80;
/// The header (and its value) that sends a request to the test listener rule: the green revision
/// during a blue/green deployment, blue otherwise.
pub const TEST_HEADER: &str = "X-Catalog-Deployment";
pub const TEST_HEADER_VALUE: &str = "test";
/// Rules are evaluated from the lowest priority up (ELB user guide, "Listener rules"): the header
/// rule must come before the production rule, which matches every path.
pub const TEST_RULE_PRIORITY: i32 = 1;
pub const PRODUCTION_RULE_PRIORITY: i32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingOutput(#[from] MissingOutputs),
    #[error("load balancer {0} has deletion protection; set forceDestroy to delete it")]
    DeletionProtected(String),
    #[error("load balancer {0} failed; delete the environment and create it again")]
    LoadBalancerFailed(String),
    #[error("certificate {0} does not exist")]
    CertificateMissing(String),
    #[error("certificate {arn} is {status}; it cannot serve HTTPS")]
    CertificateUnusable { arn: String, status: String },
    #[error("the self-signed certificate could not be generated: {0}")]
    Generation(#[from] rcgen::Error),
}

impl NamedError for EdgeError {
    fn error_name(&self) -> ErrorName {
        match self {
            EdgeError::Aws(error) => error.error_name(),
            EdgeError::MissingOutput(_) => ErrorName::InvalidEvent,
            EdgeError::DeletionProtected(_) => ErrorName::DeletionProtected,
            EdgeError::CertificateMissing(_) => ErrorName::AwsRejected,
            EdgeError::LoadBalancerFailed(_)
            | EdgeError::CertificateUnusable { .. }
            | EdgeError::Generation(_) => ErrorName::ComponentFailed,
        }
    }
}

pub async fn handle<C: Cloud>(cloud: &C, request: Request) -> Result<Response, EdgeError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "edge");
    match request.action {
        Action::Create | Action::Status => converge(cloud, &request).await,
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

/// What the edge needs from the network component.
#[derive(Debug, PartialEq, Eq)]
struct Inputs {
    vpc_id: String,
    public_subnets: Vec<String>,
    alb_group: String,
}

impl Inputs {
    /// Checked before any AWS call: a missing key is the workflow's mistake, not AWS's.
    fn from_outputs(outputs: &Outputs) -> Result<Self, MissingOutputs> {
        let network = NetworkOutputs::of(outputs)?;
        Ok(Self {
            vpc_id: NetworkOutputs::non_empty("vpcId", &network.vpc_id)?,
            // ELB.13: the load balancer spans the environment's 3 AZs.
            public_subnets: NetworkOutputs::at_least(
                "publicSubnetIds",
                &network.public_subnet_ids,
                3,
            )?,
            alb_group: NetworkOutputs::non_empty(
                "securityGroupIds.alb",
                &network.security_group_ids.alb,
            )?,
        })
    }
}

fn with_name(tags: &[Tag], name: String) -> Vec<Tag> {
    let mut tags = tags.to_vec();
    tags.push(Tag {
        key: "Name",
        value: name,
    });
    tags
}

/// The part of an ELB ARN CloudWatch uses as its dimension value: `app/<name>/<id>` for a load
/// balancer, `targetgroup/<name>/<id>` for a target group (the resource after the last `:`).
pub fn arn_suffix(arn: &str) -> &str {
    let resource = arn.rsplit(':').next().unwrap_or_default();
    resource.strip_prefix("loadbalancer/").unwrap_or(resource)
}

/// The load balancer's attributes as the compliance rows want them (ELB.4, 5, 6, 12).
fn attributes(spec: &EnvironmentSpec, bucket: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "routing.http.drop_invalid_header_fields.enabled",
            "true".into(),
        ),
        (
            "routing.http.desync_mitigation_mode",
            DESYNC_MITIGATION.into(),
        ),
        (
            "idle_timeout.timeout_seconds",
            IDLE_TIMEOUT_SECONDS.to_string(),
        ),
        // Always on for an ALB; set so the audit reads it back.
        ("load_balancing.cross_zone.enabled", "true".into()),
        ("access_logs.s3.enabled", "true".into()),
        ("access_logs.s3.bucket", bucket.into()),
        (
            "deletion_protection.enabled",
            spec.fields().deletion_protection.to_string(),
        ),
    ]
}

/// Lets Elastic Load Balancing in us-west-2 write this account's logs, and nothing else.
pub fn bucket_policy(bucket: &str, account: &str) -> String {
    json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ElbLogDelivery",
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{ELB_ACCOUNT_US_WEST_2}:root")},
                "Action": "s3:PutObject",
                "Resource": format!("arn:aws:s3:::{bucket}/AWSLogs/{account}/*")
            }
        ]
    })
    .to_string()
}

fn target_group_settings(
    spec: &EnvironmentSpec,
    name: String,
    vpc_id: &str,
) -> TargetGroupSettings {
    let fields = spec.fields();
    TargetGroupSettings {
        name,
        vpc_id: vpc_id.to_owned(),
        port: i32::from(fields.container_port.get()),
        health_check_path: fields.health_check_path.as_str().to_owned(),
        healthy_threshold: HEALTHY_THRESHOLD,
        unhealthy_threshold: UNHEALTHY_THRESHOLD,
        interval_seconds: HEALTH_CHECK_INTERVAL_SECONDS,
        timeout_seconds: HEALTH_CHECK_TIMEOUT_SECONDS,
        matcher: HEALTH_CHECK_MATCHER.to_owned(),
    }
}

/// ACM's idempotency token: letters, digits and `_`, at most 32 (ACM API reference,
/// RequestCertificate). A suffix has at most 23 characters and never an `_`, so this is unique.
fn request_token(spec: &EnvironmentSpec) -> String {
    spec.suffix().as_str().replace('-', "_")
}

async fn converge<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, EdgeError> {
    let (spec, outputs) = (&request.spec, &request.outputs);
    let inputs = Inputs::from_outputs(outputs)?;
    let names = Names::new(spec.suffix());
    let tags = environment_tags(spec, request.started_at);

    let lb_name = names.of(NameKind::LoadBalancer);
    let lb = match cloud.load_balancer(&lb_name).await? {
        Some(lb) => lb,
        None => {
            let settings = LoadBalancerSettings {
                name: lb_name.clone(),
                subnets: inputs.public_subnets.clone(),
                security_group: inputs.alb_group.clone(),
            };
            cloud
                .create_load_balancer(&settings, &with_name(&tags, lb_name.clone()))
                .await?
        }
    };
    if lb.state == "failed" {
        return Err(EdgeError::LoadBalancerFailed(lb_name));
    }

    let account = account_of(&lb.arn);
    let bucket = names.bucket(account);
    if !cloud.bucket_names().await?.contains(&bucket) {
        cloud.create_bucket(&bucket, &tags).await?;
    }
    let settings = BucketSettings {
        name: bucket.clone(),
        policy: bucket_policy(&bucket, account),
        expiry_days: LOG_EXPIRY_DAYS,
    };
    cloud.configure_bucket(&settings).await?;
    cloud
        .set_load_balancer_attributes(&lb.arn, &attributes(spec, &bucket))
        .await?;

    let mut groups = Vec::new();
    for color in Color::ALL {
        let settings =
            target_group_settings(spec, names.of(NameKind::TargetGroup(color)), &inputs.vpc_id);
        let arn = match cloud.target_group(&settings.name).await? {
            Some(arn) => {
                cloud.modify_target_group(&arn, &settings).await?;
                arn
            }
            None => {
                let tags = with_name(&tags, settings.name.clone());
                cloud.create_target_group(&settings, &tags).await?
            }
        };
        let delay = i32::from(spec.fields().deregistration_delay_seconds.get());
        cloud.set_deregistration_delay(&arn, delay).await?;
        groups.push(arn);
    }

    let (certificate_arn, issued) = certificate(cloud, spec, names, &lb, &tags).await?;

    listener(
        cloud,
        &lb.arn,
        HTTP_PORT,
        &ListenerAction::RedirectToHttps,
        &tags,
    )
    .await?;
    let https = if issued {
        let forward = ListenerAction::Forward {
            certificate_arn: certificate_arn.clone(),
            ssl_policy: SSL_POLICY.to_owned(),
            target_group_arn: groups[0].clone(),
        };
        let https = listener(cloud, &lb.arn, HTTPS_PORT, &forward, &tags).await?;
        let rules = listener_rules(cloud, &https, &groups, &tags).await?;
        Some((https, rules))
    } else {
        None
    };

    let host = match spec.certificate() {
        CertificateMode::DnsValidated { domain_name, .. } => domain_name.as_str().to_owned(),
        _ => lb.dns_name.clone(),
    };
    tracing::info!(state = %lb.state, issued, "converged");
    let ready = lb.state == "active" && https.is_some();
    let mut out = Outputs::new();
    out.insert("loadBalancerArn".into(), json!(lb.arn));
    out.insert("loadBalancerArnSuffix".into(), json!(arn_suffix(&lb.arn)));
    out.insert("loadBalancerDnsName".into(), json!(lb.dns_name));
    out.insert("httpsUrl".into(), json!(format!("https://{host}")));
    if let Some((https, (production, test))) = https {
        out.insert("httpsListenerArn".into(), json!(https));
        out.insert(
            "listenerRuleArns".into(),
            json!({"production": production, "test": test}),
        );
    }
    out.insert(
        "targetGroupArns".into(),
        json!({"blue": groups[0], "green": groups[1]}),
    );
    let suffixes: Vec<&str> = groups.iter().map(|arn| arn_suffix(arn)).collect();
    out.insert("targetGroupArnSuffixes".into(), json!(suffixes));
    out.insert("certificateArn".into(), json!(certificate_arn));
    out.insert("accessLogBucket".into(), json!(bucket));
    let status = if ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    Ok(Response::new(status, out))
}

/// The listener on `port`, created or brought to `action`.
async fn listener<C: Cloud>(
    cloud: &C,
    lb_arn: &str,
    port: i32,
    action: &ListenerAction,
    tags: &[Tag],
) -> CallResult<String> {
    let existing = cloud.listeners(lb_arn).await?;
    match existing.into_iter().find(|listener| listener.port == port) {
        Some(listener) => {
            cloud.modify_listener(&listener.arn, action).await?;
            Ok(listener.arn)
        }
        None => cloud.create_listener(lb_arn, port, action, tags).await,
    }
}

/// The production and test rules on the HTTPS listener, created when missing; their ARNs. A rule
/// that exists is left as it is: during a blue/green deployment ECS holds its weights.
async fn listener_rules<C: Cloud>(
    cloud: &C,
    https: &str,
    groups: &[String],
    tags: &[Tag],
) -> CallResult<(String, String)> {
    let existing = cloud.rules(https).await?;
    let wanted = [
        (PRODUCTION_RULE_PRIORITY, RuleCondition::AnyPath),
        (
            TEST_RULE_PRIORITY,
            RuleCondition::Header {
                name: TEST_HEADER.to_owned(),
                value: TEST_HEADER_VALUE.to_owned(),
            },
        ),
    ];
    let mut arns = Vec::new();
    for (priority, condition) in wanted {
        let arn = match existing.iter().find(|rule| rule.priority == priority) {
            Some(rule) => rule.arn.clone(),
            None => {
                let settings = RuleSettings {
                    priority,
                    condition,
                    blue_target_group: groups[0].clone(),
                    green_target_group: groups[1].clone(),
                };
                cloud.create_rule(https, &settings, tags).await?
            }
        };
        arns.push(arn);
    }
    let test = arns.pop().unwrap_or_default();
    let production = arns.pop().unwrap_or_default();
    Ok((production, test))
}

/// The certificate this environment created (self-signed or requested), found by its tags.
async fn own_certificate<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
) -> CallResult<Option<String>> {
    let name = names.of(NameKind::Certificate);
    let environment = spec.suffix().as_str();
    Ok(cloud
        .certificates()
        .await?
        .into_iter()
        .find(|cert| {
            cert.name.as_deref() == Some(name.as_str())
                && cert.environment.as_deref() == Some(environment)
        })
        .map(|cert| cert.arn))
}

/// Whether the certificate can serve HTTPS now; a certificate that never will is an error.
fn issued(arn: &str, status: &str) -> Result<bool, EdgeError> {
    match status {
        "ISSUED" => Ok(true),
        "PENDING_VALIDATION" => Ok(false),
        _ => Err(EdgeError::CertificateUnusable {
            arn: arn.to_owned(),
            status: status.to_owned(),
        }),
    }
}

/// The certificate's ARN and whether it is issued.
async fn certificate<C: Cloud>(
    cloud: &C,
    spec: &EnvironmentSpec,
    names: Names<'_>,
    lb: &LoadBalancer,
    tags: &[Tag],
) -> Result<(String, bool), EdgeError> {
    let tags = with_name(tags, names.of(NameKind::Certificate));
    let arn = match spec.certificate() {
        CertificateMode::Existing(arn) => arn.as_str().to_owned(),
        CertificateMode::SelfSigned => match own_certificate(cloud, spec, names).await? {
            Some(arn) => arn,
            None => {
                // For the load balancer's own DNS name, the only name a throwaway environment
                // is reached by (as the subject alternative name: it is longer than the 64
                // characters X.509 allows a common name, RFC 5280 `ub-common-name`).
                let common_name = names.of(NameKind::Certificate);
                let (pem, key) = self_signed(&common_name, &lb.dns_name, SystemTime::now())?;
                cloud.import_certificate(&pem, &key, &tags).await?
            }
        },
        CertificateMode::DnsValidated { domain_name, .. } => {
            match own_certificate(cloud, spec, names).await? {
                Some(arn) => arn,
                None => {
                    let token = request_token(spec);
                    cloud
                        .request_certificate(domain_name.as_str(), &token, &tags)
                        .await?
                }
            }
        }
    };
    let Some(cert) = cloud.certificate(&arn).await? else {
        return Err(EdgeError::CertificateMissing(arn));
    };
    if let CertificateMode::DnsValidated { hosted_zone_id, .. } = spec.certificate() {
        // ACM may take a moment to publish the records after the request: written on a later call.
        for record in &cert.validation_records {
            cloud
                .change_record(hosted_zone_id.as_str(), record, true)
                .await?;
        }
    }
    Ok((cert.arn.clone(), issued(&cert.arn, &cert.status)?))
}

/// Success, or an error whose code says the thing is already gone or still held (retried later).
fn tolerate(result: CallResult<()>, codes: &[&str]) -> CallResult<()> {
    match result {
        Err(error) if !codes.iter().any(|code| error.is_code(code)) => Err(error),
        _ => Ok(()),
    }
}

async fn delete<C: Cloud>(cloud: &C, spec: &EnvironmentSpec) -> Result<Response, EdgeError> {
    let names = Names::new(spec.suffix());
    let mut found = false;

    let lb_name = names.of(NameKind::LoadBalancer);
    if let Some(lb) = cloud.load_balancer(&lb_name).await? {
        found = true;
        let attributes = cloud.load_balancer_attributes(&lb.arn).await?;
        let protected = attributes
            .iter()
            .any(|(key, value)| key == "deletion_protection.enabled" && value == "true");
        if protected {
            // Checked before anything is deleted, so a refused teardown leaves the edge whole.
            if !spec.fields().force_destroy {
                return Err(EdgeError::DeletionProtected(lb_name));
            }
            let off = [("deletion_protection.enabled", "false".to_owned())];
            cloud.set_load_balancer_attributes(&lb.arn, &off).await?;
        }
        for listener in cloud.listeners(&lb.arn).await? {
            // Deleting a listener deletes its rules too; deleted first all the same, so that an
            // interrupted teardown never leaves a rule behind whatever the emulator does.
            for rule in cloud.rules(&listener.arn).await? {
                cloud.delete_rule(&rule.arn).await?;
            }
            cloud.delete_listener(&listener.arn).await?;
        }
        cloud.delete_load_balancer(&lb.arn).await?;
    }

    for color in Color::ALL {
        if let Some(arn) = cloud
            .target_group(&names.of(NameKind::TargetGroup(color)))
            .await?
        {
            found = true;
            // Still held by the load balancer being deleted: the next call deletes it.
            tolerate(cloud.delete_target_group(&arn).await, &["ResourceInUse"])?;
        }
    }

    if !matches!(spec.certificate(), CertificateMode::Existing(_)) {
        if let Some(arn) = own_certificate(cloud, spec, names).await? {
            found = true;
            if let (CertificateMode::DnsValidated { hosted_zone_id, .. }, Some(cert)) =
                (spec.certificate(), cloud.certificate(&arn).await?)
            {
                for record in &cert.validation_records {
                    // Already deleted: Route 53 refuses the change with InvalidChangeBatch.
                    let deleted = cloud
                        .change_record(hosted_zone_id.as_str(), record, false)
                        .await;
                    tolerate(deleted, &["InvalidChangeBatch"])?;
                }
            }
            // In use until ACM sees the load balancer gone: the next call deletes it.
            tolerate(
                cloud.delete_certificate(&arn).await,
                &["ResourceInUseException"],
            )?;
        }
    }

    let prefix = names.bucket("");
    for bucket in cloud.bucket_names().await? {
        let account = bucket.strip_prefix(&prefix).unwrap_or_default();
        // Only `alb-logs-<suffix>-<12-digit account>`: the bucket of a longer suffix that starts
        // with this one (pr-4 and pr-4-2) has another hyphen after the prefix, so never matches.
        if account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()) {
            found = true;
            cloud.empty_bucket(&bucket).await?;
            // The load balancer delivers logs for minutes after it is deleted (ELB user guide,
            // "Access logs for your Application Load Balancer": a file every five minutes), so a
            // log can land between the emptying and the delete: the next call empties again.
            tolerate(cloud.delete_bucket(&bucket).await, &["BucketNotEmpty"])?;
        }
    }

    let status = if found {
        Status::InProgress
    } else {
        Status::Deleted
    };
    tracing::info!(found, "delete");
    Ok(Response::new(status, Outputs::new()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::{FakeCloud, ACCOUNT};
    use env_core::contract::Event;
    use env_core::outputs::example::{self, handed_on};
    use serde_json::Value;

    fn spec_with(extra: Value) -> Value {
        let mut spec = json!({
            "environmentSuffix": "pr-7",
            "containerImage": "public.ecr.aws/acme/catalog-api:1",
        });
        for (key, value) in extra.as_object().unwrap() {
            spec[key] = value.clone();
        }
        spec
    }

    fn network() -> NetworkOutputs {
        NetworkOutputs {
            public_subnet_ids: vec!["subnet-a".into(), "subnet-b".into(), "subnet-c".into()],
            ..example::network()
        }
    }

    fn network_outputs() -> Value {
        Value::Object(handed_on(network()))
    }

    fn request(action: &str, spec: Value, outputs: Value) -> Request {
        Request::from_event(json!({"action": action, "spec": spec, "outputs": outputs})).unwrap()
    }

    fn self_signed() -> Value {
        spec_with(json!({"selfSignedCertificate": true}))
    }

    fn dns() -> Value {
        spec_with(json!({"domainName": "pr-7.example.com", "hostedZoneId": "Z123"}))
    }

    fn existing(arn: &str) -> Value {
        spec_with(json!({"certificateArn": arn}))
    }

    async fn run(cloud: &FakeCloud, action: &str, spec: Value) -> Result<Response, EdgeError> {
        handle(cloud, request(action, spec, network_outputs())).await
    }

    #[tokio::test]
    async fn a_self_signed_edge_is_ready_after_one_create_with_every_output() {
        let cloud = FakeCloud::new();
        let response = run(&cloud, "create", self_signed()).await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let out = &response.outputs;
        let typed: env_core::outputs::EdgeOutputs = example::read_as(out);
        assert_eq!(typed.load_balancer_arn, out["loadBalancerArn"]);
        let lb_arn = out["loadBalancerArn"].as_str().unwrap();
        assert_eq!(out["loadBalancerArnSuffix"], arn_suffix(lb_arn));
        assert!(out["loadBalancerArnSuffix"]
            .as_str()
            .unwrap()
            .starts_with("app/alb-pr-7/"));
        let dns_name = out["loadBalancerDnsName"].as_str().unwrap();
        assert_eq!(out["httpsUrl"], format!("https://{dns_name}"));
        assert_eq!(out["accessLogBucket"], format!("alb-logs-pr-7-{ACCOUNT}"));
        let blue = out["targetGroupArns"]["blue"].as_str().unwrap();
        assert!(blue.contains("targetgroup/tg-blue-pr-7/"));
        assert!(out["targetGroupArns"]["green"]
            .as_str()
            .unwrap()
            .contains("tg-green-pr-7"));
        let suffixes = out["targetGroupArnSuffixes"].as_array().unwrap();
        assert_eq!(suffixes.len(), 2);
        assert!(suffixes[0]
            .as_str()
            .unwrap()
            .starts_with("targetgroup/tg-blue-pr-7/"));

        let world = cloud.world();
        let (settings, _) = &world.load_balancers[0];
        assert_eq!(settings.subnets, ["subnet-a", "subnet-b", "subnet-c"]);
        assert_eq!(settings.security_group, "sg-alb");
        let certificate = &world.certificates[0];
        assert_eq!(out["certificateArn"], certificate.summary.arn);
        assert_eq!(certificate.summary.name.as_deref(), Some("cert-pr-7"));
        assert_eq!(certificate.summary.environment.as_deref(), Some("pr-7"));
        assert!(certificate
            .imported_pem
            .as_deref()
            .unwrap()
            .contains("BEGIN CERTIFICATE"));
        let attribute = |key: &str| world.attributes.get(key).cloned().unwrap();
        assert_eq!(
            attribute("routing.http.drop_invalid_header_fields.enabled"),
            "true"
        );
        assert_eq!(
            attribute("routing.http.desync_mitigation_mode"),
            "defensive"
        );
        assert_eq!(attribute("idle_timeout.timeout_seconds"), "60");
        assert_eq!(attribute("load_balancing.cross_zone.enabled"), "true");
        assert_eq!(attribute("access_logs.s3.enabled"), "true");
        assert_eq!(
            attribute("access_logs.s3.bucket"),
            format!("alb-logs-pr-7-{ACCOUNT}")
        );
        // Protection is on unless the spec turns it off.
        assert_eq!(attribute("deletion_protection.enabled"), "true");
        let bucket = world.buckets[&format!("alb-logs-pr-7-{ACCOUNT}")]
            .0
            .clone()
            .unwrap();
        assert_eq!(bucket.expiry_days, 90);
        assert!(bucket.policy.contains("arn:aws:iam::797873946194:root"));
        assert!(bucket.policy.contains(&format!("/AWSLogs/{ACCOUNT}/*")));
        for group in &world.target_groups {
            assert_eq!(group.settings.port, 3000);
            assert_eq!(group.settings.health_check_path, "/health");
            assert_eq!(group.settings.vpc_id, "vpc-1");
            assert_eq!(
                (
                    group.settings.healthy_threshold,
                    group.settings.unhealthy_threshold
                ),
                (2, 3)
            );
            assert_eq!(group.settings.matcher, "200");
            assert_eq!(group.delay, Some(30));
        }
        let https = world.listeners.iter().find(|(l, _)| l.port == 443).unwrap();
        assert_eq!(out["httpsListenerArn"], https.0.arn);
        assert_eq!(
            https.1,
            ListenerAction::Forward {
                certificate_arn: certificate.summary.arn.clone(),
                ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
                target_group_arn: blue.to_owned(),
            }
        );
        let http = world.listeners.iter().find(|(l, _)| l.port == 80).unwrap();
        assert_eq!(http.1, ListenerAction::RedirectToHttps);

        // The two rules ECS blue/green shifts, on the HTTPS listener, all weight on blue.
        let green = out["targetGroupArns"]["green"].as_str().unwrap();
        assert_eq!(world.rules.len(), 2);
        let rule = |priority: i32| {
            world
                .rules
                .iter()
                .find(|(_, _, settings)| settings.priority == priority)
                .unwrap()
        };
        let (listener, production, settings) = rule(2);
        assert_eq!(listener, &https.0.arn);
        assert_eq!(out["listenerRuleArns"]["production"], production.as_str());
        assert_eq!(settings.condition, RuleCondition::AnyPath);
        assert_eq!(
            (
                settings.blue_target_group.as_str(),
                settings.green_target_group.as_str()
            ),
            (blue, green)
        );
        let (listener, test, settings) = rule(1);
        assert_eq!(listener, &https.0.arn);
        assert_eq!(out["listenerRuleArns"]["test"], test.as_str());
        assert_eq!(
            settings.condition,
            RuleCondition::Header {
                name: "X-Catalog-Deployment".into(),
                value: "test".into()
            }
        );
    }

    #[tokio::test]
    async fn a_second_create_creates_nothing_new_and_keeps_the_outputs() {
        let cloud = FakeCloud::new();
        let first = run(&cloud, "create", self_signed()).await.unwrap();
        cloud.world().changes.clear();
        let second = run(&cloud, "create", self_signed()).await.unwrap();
        assert_eq!(first, second);
        let changes = cloud.world().changes.clone();
        assert!(
            changes.iter().all(|change| !change.starts_with("Create")
                && !change.starts_with("Import")
                && !change.starts_with("Request")),
            "{changes:?}"
        );
        assert_eq!(cloud.world().certificates.len(), 1);
        assert_eq!(cloud.world().listeners.len(), 2);
        assert_eq!(cloud.world().rules.len(), 2);
        assert_eq!(
            first.outputs["listenerRuleArns"],
            second.outputs["listenerRuleArns"]
        );
    }

    #[tokio::test]
    async fn spec_settings_reach_the_target_groups_and_protection() {
        let cloud = FakeCloud::new();
        let spec = spec_with(json!({
            "selfSignedCertificate": true, "containerPort": 8080, "healthCheckPath": "/ready",
            "deregistrationDelaySeconds": 5, "deletionProtection": false
        }));
        run(&cloud, "create", spec).await.unwrap();
        let world = cloud.world();
        assert!(world.target_groups.iter().all(|g| g.settings.port == 8080
            && g.settings.health_check_path == "/ready"
            && g.delay == Some(5)));
        assert_eq!(world.attributes["deletion_protection.enabled"], "false");
    }

    #[tokio::test]
    async fn a_provisioning_load_balancer_is_in_progress_until_active() {
        let cloud = FakeCloud::new();
        cloud.world().new_lb_state = "provisioning".into();
        let response = run(&cloud, "create", self_signed()).await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        cloud.world().load_balancers[0].1.state = "active".into();
        let response = run(&cloud, "status", self_signed()).await.unwrap();
        assert_eq!(response.status, Status::Ready);
    }

    #[tokio::test]
    async fn a_failed_load_balancer_is_a_component_failure() {
        let cloud = FakeCloud::new();
        cloud.world().new_lb_state = "failed".into();
        let error = run(&cloud, "create", self_signed()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert_eq!(
            error.to_string(),
            "load balancer alb-pr-7 failed; delete the environment and create it again"
        );
    }

    #[tokio::test]
    async fn missing_network_outputs_are_invalid_events_before_any_call() {
        let cloud = FakeCloud::new();
        let mut cases = vec![(json!({}), "outputs.network: are missing".to_owned())];
        for key in ["vpcId", "publicSubnetIds", "securityGroupIds"] {
            let mut outputs = network_outputs();
            outputs["network"].as_object_mut().unwrap().remove(key);
            cases.push((outputs, format!("missing field `{key}`")));
        }
        let mut two_subnets = network();
        two_subnets.public_subnet_ids.pop();
        cases.push((
            Value::Object(handed_on(two_subnets)),
            "publicSubnetIds holds 2 entries (0 empty); at least 3 non-empty ones are needed"
                .into(),
        ));
        let mut no_group = network();
        no_group.security_group_ids.alb.clear();
        cases.push((
            Value::Object(handed_on(no_group)),
            "securityGroupIds.alb is empty".into(),
        ));
        let mut no_vpc = network();
        no_vpc.vpc_id.clear();
        cases.push((Value::Object(handed_on(no_vpc)), "vpcId is empty".into()));
        for (outputs, named) in cases {
            let error = handle(&cloud, request("create", self_signed(), outputs))
                .await
                .unwrap_err();
            assert_eq!(error.error_name(), ErrorName::InvalidEvent);
            assert!(error.to_string().contains(&named), "{error}");
        }
        assert!(cloud.world().changes.is_empty());
    }

    #[tokio::test]
    async fn a_dns_validated_certificate_writes_its_records_and_waits_until_issued() {
        let cloud = FakeCloud::new();
        let response = run(&cloud, "create", dns()).await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        assert_eq!(response.outputs["httpsUrl"], "https://pr-7.example.com");
        assert!(response.outputs.get("httpsListenerArn").is_none());
        {
            let world = cloud.world();
            assert_eq!(
                world.certificates[0].domain.as_deref(),
                Some("pr-7.example.com")
            );
            assert_eq!(
                world.records[&("Z123".to_owned(), "_x1.pr-7.example.com.".to_owned())],
                "_y1.acm-validations.aws."
            );
            // Only the redirecting listener until the certificate is issued, and no rules.
            assert_eq!(world.listeners.len(), 1);
            assert!(world.rules.is_empty());
            assert!(response.outputs.get("listenerRuleArns").is_none());
        }
        cloud.world().certificates[0].status = "ISSUED".into();
        let response = run(&cloud, "status", dns()).await.unwrap();
        assert_eq!(response.status, Status::Ready);
        assert_eq!(cloud.world().certificates.len(), 1);
        assert_eq!(cloud.world().listeners.len(), 2);
        assert_eq!(cloud.world().rules.len(), 2);
    }

    #[tokio::test]
    async fn a_certificate_that_will_never_issue_is_a_component_failure() {
        let cloud = FakeCloud::new();
        cloud.world().new_request_status = "VALIDATION_TIMED_OUT".into();
        let error = run(&cloud, "create", dns()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert!(error
            .to_string()
            .ends_with("is VALIDATION_TIMED_OUT; it cannot serve HTTPS"));
    }

    #[tokio::test]
    async fn an_existing_certificate_is_used_as_given_and_never_deleted() {
        let cloud = FakeCloud::new();
        let arn = cloud.import_certificate("pem", "key", &[]).await.unwrap();
        let response = run(&cloud, "create", existing(&arn)).await.unwrap();
        assert_eq!(response.status, Status::Ready);
        assert_eq!(response.outputs["certificateArn"], arn);
        assert_eq!(cloud.world().certificates.len(), 1);
        let spec = spec_with(json!({"certificateArn": arn, "forceDestroy": true}));
        run(&cloud, "delete", spec.clone()).await.unwrap();
        assert_eq!(
            run(&cloud, "delete", spec).await.unwrap().status,
            Status::Deleted
        );
        assert_eq!(cloud.world().certificates.len(), 1);
    }

    #[tokio::test]
    async fn a_missing_existing_certificate_is_refused() {
        let cloud = FakeCloud::new();
        let arn =
            "arn:aws:acm:us-west-2:123456789012:certificate/0d1e2c3b-0000-4000-8000-000000000000";
        let error = run(&cloud, "create", existing(arn)).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::AwsRejected);
        assert_eq!(
            error.to_string(),
            format!("certificate {arn} does not exist")
        );
    }

    #[tokio::test]
    async fn a_protected_load_balancer_blocks_delete_without_force_destroy() {
        let cloud = FakeCloud::new();
        run(&cloud, "create", self_signed()).await.unwrap();
        cloud.world().changes.clear();
        let error = run(&cloud, "delete", self_signed()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::DeletionProtected);
        assert_eq!(
            error.to_string(),
            "load balancer alb-pr-7 has deletion protection; set forceDestroy to delete it"
        );
        assert!(cloud.world().changes.is_empty());
    }

    #[tokio::test]
    async fn force_destroy_lifts_protection_and_deletes_everything() {
        let cloud = FakeCloud::new();
        let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
        run(&cloud, "create", spec.clone()).await.unwrap();
        cloud
            .world()
            .buckets
            .values_mut()
            .for_each(|bucket| bucket.1 = 3);
        let response = run(&cloud, "delete", spec.clone()).await.unwrap();
        assert_eq!(response.status, Status::InProgress);
        {
            let world = cloud.world();
            assert_eq!(world.attributes["deletion_protection.enabled"], "false");
            assert!(world.changes.contains(&"EmptyBucket"));
            assert!(world.load_balancers.is_empty() && world.listeners.is_empty());
            assert!(world.rules.is_empty());
            assert_eq!(
                world.changes.iter().filter(|c| **c == "DeleteRule").count(),
                2
            );
            assert!(world.target_groups.is_empty() && world.certificates.is_empty());
            assert!(world.buckets.is_empty());
        }
        assert_eq!(
            run(&cloud, "delete", spec).await.unwrap().status,
            Status::Deleted
        );
    }

    #[tokio::test]
    async fn an_unprotected_environment_deletes_without_force_destroy() {
        let cloud = FakeCloud::new();
        let spec = spec_with(json!({"selfSignedCertificate": true, "deletionProtection": false}));
        run(&cloud, "create", spec.clone()).await.unwrap();
        assert_eq!(
            run(&cloud, "delete", spec.clone()).await.unwrap().status,
            Status::InProgress
        );
        assert_eq!(
            run(&cloud, "delete", spec).await.unwrap().status,
            Status::Deleted
        );
    }

    #[tokio::test]
    async fn delete_removes_the_validation_records_and_tolerates_those_already_gone() {
        let cloud = FakeCloud::new();
        let spec = spec_with(json!({
            "domainName": "pr-7.example.com", "hostedZoneId": "Z123", "forceDestroy": true
        }));
        run(&cloud, "create", spec.clone()).await.unwrap();
        cloud.fail("DeleteCertificate", "ResourceInUseException", 0);
        cloud.fail("DeleteTargetGroup", "ResourceInUse", 0);
        assert_eq!(
            run(&cloud, "delete", spec.clone()).await.unwrap().status,
            Status::InProgress
        );
        assert!(cloud.world().records.is_empty());
        assert_eq!(cloud.world().certificates.len(), 1);
        assert_eq!(cloud.world().target_groups.len(), 1);
        // The records are gone: Route 53 refuses the second deletion, which counts as done.
        assert_eq!(
            run(&cloud, "delete", spec.clone()).await.unwrap().status,
            Status::InProgress
        );
        assert!(cloud.world().certificates.is_empty());
        assert_eq!(
            run(&cloud, "delete", spec).await.unwrap().status,
            Status::Deleted
        );
    }

    #[tokio::test]
    async fn a_log_delivered_after_the_emptying_leaves_the_bucket_for_the_next_call() {
        let cloud = FakeCloud::new();
        let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
        run(&cloud, "create", spec.clone()).await.unwrap();
        cloud.fail("DeleteBucket", "BucketNotEmpty", 0);
        assert_eq!(
            run(&cloud, "delete", spec.clone()).await.unwrap().status,
            Status::InProgress
        );
        assert_eq!(cloud.world().buckets.len(), 1);
        assert!(cloud.world().load_balancers.is_empty());
        assert_eq!(
            run(&cloud, "delete", spec.clone()).await.unwrap().status,
            Status::InProgress
        );
        assert!(cloud.world().buckets.is_empty());
        assert_eq!(
            run(&cloud, "delete", spec).await.unwrap().status,
            Status::Deleted
        );
    }

    #[tokio::test]
    async fn other_delete_errors_are_kept() {
        for (operation, code) in [
            ("DeleteTargetGroup", "AccessDenied"),
            ("DeleteCertificate", "AccessDeniedException"),
        ] {
            let cloud = FakeCloud::new();
            let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
            run(&cloud, "create", spec.clone()).await.unwrap();
            cloud.fail(operation, code, 0);
            let error = run(&cloud, "delete", spec).await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::AwsRejected);
            assert!(error.to_string().contains(code), "{error}");
        }
    }

    #[tokio::test]
    async fn throttling_anywhere_is_retryable() {
        for operation in [
            "DescribeLoadBalancers",
            "ImportCertificate",
            "CreateListener",
            "DescribeRules",
            "CreateRule",
        ] {
            let cloud = FakeCloud::new();
            cloud.fail(operation, "Throttling", 0);
            let error = run(&cloud, "create", self_signed()).await.unwrap_err();
            assert_eq!(error.error_name(), ErrorName::Retryable, "{operation}");
        }
    }

    #[tokio::test]
    async fn a_create_interrupted_between_the_rules_adds_only_the_missing_one() {
        let cloud = FakeCloud::new();
        // The production rule is created, the test rule is refused.
        cloud.fail("CreateRule", "Throttling", 1);
        let error = run(&cloud, "create", self_signed()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert_eq!(cloud.world().rules.len(), 1);
        let response = run(&cloud, "create", self_signed()).await.unwrap();
        assert_eq!(response.status, Status::Ready);
        let world = cloud.world();
        let mut priorities: Vec<i32> = world.rules.iter().map(|rule| rule.2.priority).collect();
        priorities.sort_unstable();
        assert_eq!(priorities, [1, 2]);
        assert_eq!(
            world.changes.iter().filter(|c| **c == "CreateRule").count(),
            2
        );
    }

    #[tokio::test]
    async fn a_teardown_interrupted_at_a_rule_finishes_on_the_next_call() {
        let cloud = FakeCloud::new();
        let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
        run(&cloud, "create", spec.clone()).await.unwrap();
        cloud.fail("DeleteRule", "Throttling", 1);
        let error = run(&cloud, "delete", spec.clone()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert_eq!(cloud.world().rules.len(), 1);
        assert_eq!(
            run(&cloud, "delete", spec.clone()).await.unwrap().status,
            Status::InProgress
        );
        assert!(cloud.world().rules.is_empty() && cloud.world().listeners.is_empty());
        assert_eq!(
            run(&cloud, "delete", spec).await.unwrap().status,
            Status::Deleted
        );
    }

    #[tokio::test]
    async fn another_environments_bucket_and_certificate_are_left_alone() {
        let cloud = FakeCloud::new();
        let other = json!({
            "environmentSuffix": "pr-7-2", "containerImage": "nginx",
            "selfSignedCertificate": true, "forceDestroy": true
        });
        handle(&cloud, request("create", other, network_outputs()))
            .await
            .unwrap();
        let spec = spec_with(json!({"selfSignedCertificate": true, "forceDestroy": true}));
        assert_eq!(
            run(&cloud, "delete", spec).await.unwrap().status,
            Status::Deleted
        );
        assert_eq!(cloud.world().buckets.len(), 1);
        assert_eq!(cloud.world().certificates.len(), 1);
    }

    #[tokio::test]
    async fn a_create_that_failed_midway_is_completed_by_the_next() {
        let cloud = FakeCloud::new();
        // The blue target group is created, the green one is refused.
        cloud.fail("CreateTargetGroup", "InternalFailure", 1);
        let error = run(&cloud, "create", self_signed()).await.unwrap_err();
        assert_eq!(error.error_name(), ErrorName::Retryable);
        assert_eq!(cloud.world().target_groups.len(), 1);
        let response = run(&cloud, "create", self_signed()).await.unwrap();
        assert_eq!(response.status, Status::Ready);
        assert_eq!(cloud.world().target_groups.len(), 2);
        assert_eq!(cloud.world().load_balancers.len(), 1);
    }

    #[test]
    fn a_certificate_that_cannot_be_generated_is_a_component_failure() {
        let generation =
            crate::certificate::self_signed("cert", "bücher.example", SystemTime::now())
                .unwrap_err();
        let error = EdgeError::from(generation);
        assert_eq!(error.error_name(), ErrorName::ComponentFailed);
        assert!(error
            .to_string()
            .starts_with("the self-signed certificate could not be generated: "));
    }

    #[test]
    fn arn_suffixes_are_what_cloudwatch_uses() {
        assert_eq!(
            arn_suffix("arn:aws:elasticloadbalancing:us-west-2:1:loadbalancer/app/alb-pr-7/50dc6c"),
            "app/alb-pr-7/50dc6c"
        );
        assert_eq!(
            arn_suffix("arn:aws:elasticloadbalancing:us-west-2:1:targetgroup/tg-blue-pr-7/73e2d6"),
            "targetgroup/tg-blue-pr-7/73e2d6"
        );
    }

    #[test]
    fn the_request_token_is_unique_per_suffix_and_allowed_by_acm() {
        let spec = EnvironmentSpec::from_value(&spec_with(json!({"selfSignedCertificate": true})))
            .unwrap();
        assert_eq!(request_token(&spec), "pr_7");
    }

    #[test]
    fn an_unknown_load_balancer_lookup_code_is_kept() {
        use crate::api::found;
        use crate::fake::aws_failure;
        assert_eq!(found(Ok(1), &["NotFound"]).unwrap(), Some(1));
        assert_eq!(
            found::<i32>(Err(aws_failure("X", "NotFound")), &["NotFound"]).unwrap(),
            None
        );
        assert!(found::<i32>(Err(aws_failure("X", "Denied")), &["NotFound"])
            .unwrap_err()
            .is_code("Denied"));
    }
}
