//! The IAM policy of the edge function's role (`catalog-fn-edge`), beside the function it
//! authorizes: `envctl deploy` writes it with the logging every function gets (bootstrap/deploy,
//! `policies`), and the integration test `permissions` proves it against every request the function
//! makes (tests/iam).
//!
//! The edge function: the certificate, the load balancer with its listeners, rules and target
//! groups (the wake group with the waker registered in it), and the access-log bucket.

use env_core::arn::unscoped;
use env_core::arn::ArnScope;
use env_core::naming::{Color, NameKind};
use env_core::policy::{any, service_linked_roles, tagged, tagged_at_creation, Arns, Statement};
use serde_json::json;

pub fn statements(scope: &ArnScope) -> Vec<Statement> {
    let arns = Arns::new(scope);
    let mut statements = certificates(arns);
    statements.extend(load_balancers(arns));
    statements.extend(access_log_buckets());
    statements.push(certificate_validation_records());
    statements.push(service_linked_roles(
        scope,
        &[(
            "elasticloadbalancing.amazonaws.com",
            "AWSServiceRoleForElasticLoadBalancing",
        )],
    ));
    statements
}

/// The certificates the function imports or requests, and reading any certificate.
fn certificates(arns: Arns<'_>) -> Vec<Statement> {
    let certificates = vec![arns.regional("acm", "certificate/*")];
    vec![
        // ACM names certificates by id: the function makes them tagged, and changes only tagged
        // ones. Tags at import or request need acm:AddTagsToCertificate too.
        Statement::allow(
            "ImportCertificatesTagged",
            &["acm:ImportCertificate", "acm:AddTagsToCertificate"],
            certificates.clone(),
        )
        .when(tagged_at_creation()),
        // RequestCertificate supports no resource type, and its tags are authorized before the
        // certificate exists, on "*" (as KMS does for a key's; the ACM guide does not say):
        // NotResource keeps that right off every existing certificate.
        Statement::allow(
            "RequestCertificatesTagged",
            &["acm:RequestCertificate"],
            any(),
        )
        .when(tagged_at_creation()),
        Statement::allow_except(
            "TagOnlyTheCertificateBeingRequested",
            &["acm:AddTagsToCertificate"],
            vec![ArnScope::new("*", "*").regional("acm", "certificate/*")],
        )
        .when(tagged_at_creation()),
        Statement::allow(
            "ChangeOnlyTheBackendsCertificates",
            &["acm:ImportCertificate", "acm:DeleteCertificate"],
            certificates.clone(),
        )
        .when(tagged()),
        // Finding its certificates means reading every certificate's tags, and a spec may name a
        // certificate the backend did not make (certificateArn): reads only.
        Statement::allow(
            "ReadCertificates",
            &["acm:DescribeCertificate", "acm:ListTagsForCertificate"],
            certificates,
        ),
        Statement::allow("ListCertificates", &["acm:ListCertificates"], any()),
    ]
}

/// The load balancer, its listeners, rules and target groups, and reading any load balancer.
fn load_balancers(arns: Arns<'_>) -> Vec<Statement> {
    let balancer = NameKind::LoadBalancer.wildcard();
    vec![
        Statement::allow(
            "LoadBalancer",
            &[
                "elasticloadbalancing:CreateLoadBalancer",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
                // The test and production rules make way for the wake rule and come back (rule
                // ARNs; Service Authorization Reference, Elastic Load Balancing V2).
                "elasticloadbalancing:SetRulePriorities",
                "elasticloadbalancing:CreateTargetGroup",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                // The waker into the wake group (target group ARNs). ELB checks too that the
                // function's resource policy lets elasticloadbalancing.amazonaws.com invoke it;
                // no lambda: permission of the caller is needed (ELB user guide, "Lambda
                // functions as targets").
                "elasticloadbalancing:RegisterTargets",
            ],
            balancer_arns(arns, &balancer),
        ),
        // ELB user guide, "Tag on create": tags given to a create need AddTags, here only within
        // those creates.
        Statement::allow(
            "TagOnlyWhileCreating",
            &["elasticloadbalancing:AddTags"],
            balancer_arns(arns, &balancer),
        )
        .when(
            json!({"StringEquals": {"elasticloadbalancing:CreateAction": [
                "CreateLoadBalancer", "CreateListener", "CreateRule", "CreateTargetGroup"
            ]}}),
        ),
        Statement::allow(
            "ReadLoadBalancers",
            &[
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                // Whether the waker is registered, and whether a waking environment's tasks
                // are healthy; no resource-level permission (Service Authorization Reference).
                "elasticloadbalancing:DescribeTargetHealth",
            ],
            any(),
        ),
    ]
}

/// The access-log buckets: made, emptied and deleted; and finding them.
fn access_log_buckets() -> Vec<Statement> {
    let buckets = unscoped("s3", &NameKind::AccessLogBucket.wildcard());
    vec![
        Statement::allow(
            "AccessLogBuckets",
            &[
                "s3:CreateBucket",
                "s3:PutBucketTagging",
                "s3:PutBucketPublicAccessBlock",
                "s3:PutEncryptionConfiguration",
                "s3:PutLifecycleConfiguration",
                "s3:PutBucketPolicy",
                "s3:ListBucket",
                "s3:DeleteBucket",
            ],
            vec![buckets.clone()],
        ),
        Statement::allow(
            "EmptyTheAccessLogBuckets",
            &["s3:DeleteObject"],
            vec![format!("{buckets}/*")],
        ),
        Statement::allow("FindBuckets", &["s3:ListAllMyBuckets"], any()),
    ]
}

/// The CNAME records of the certificates' DNS validation, in the spec's hosted zone.
fn certificate_validation_records() -> Statement {
    // DNS validation writes and removes ACM's CNAME records only (Route 53 developer guide,
    // "Using IAM policy conditions for fine-grained access control"; ACM's validation names
    // start with an underscore). The hosted zone is the spec's, so any zone.
    Statement::allow(
        "CertificateValidationRecords",
        &["route53:ChangeResourceRecordSets"],
        vec![unscoped("route53", "hostedzone/*")],
    )
    .when(json!({
        "ForAllValues:StringLike": {"route53:ChangeResourceRecordSetsNormalizedRecordNames": ["_*"]},
        "ForAllValues:StringEquals": {
            "route53:ChangeResourceRecordSetsRecordTypes": ["CNAME"],
            "route53:ChangeResourceRecordSetsActions": ["UPSERT", "DELETE"]
        }
    }))
}

/// The load balancers `alb-<suffix>`, their listeners and rules, and the blue, green and wake
/// target groups (ELB ARN formats, Service Authorization Reference).
fn balancer_arns(arns: Arns<'_>, balancer: &str) -> Vec<String> {
    let mut resources = vec![
        arns.regional(
            "elasticloadbalancing",
            &format!("loadbalancer/app/{balancer}/*"),
        ),
        arns.regional(
            "elasticloadbalancing",
            &format!("listener/app/{balancer}/*/*"),
        ),
        arns.regional(
            "elasticloadbalancing",
            &format!("listener-rule/app/{balancer}/*/*/*"),
        ),
    ];
    for color in Color::ALL {
        resources.push(arns.regional(
            "elasticloadbalancing",
            &format!("targetgroup/{}/*", NameKind::TargetGroup(color).wildcard()),
        ));
    }
    resources.push(arns.regional(
        "elasticloadbalancing",
        &format!("targetgroup/{}/*", NameKind::WakeTargetGroup.wildcard()),
    ));
    resources
}
