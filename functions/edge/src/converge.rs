//! `create` and `status`: every step finds its resource by name (or, for the certificate, by its
//! `Name` and environment tags) and creates only what is missing, then sets the settings the
//! compliance rows ask for, so a repeated call changes nothing.

use crate::api::{Cloud, ListenerAction};
use crate::handler::EdgeError;
use crate::inputs::Inputs;
use crate::listeners::{self, HTTPS_PORT, HTTP_PORT, SSL_POLICY};
use crate::load_balancer::{self, arn_suffix};
use crate::{access_logs, acm, target_groups};
use env_core::arn::account_of;
use env_core::context::Context;
use env_core::contract::{Outputs, Request};
use env_core::spec::CertificateMode;
use env_core::{Response, Status};
use serde_json::json;

pub async fn converge<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, EdgeError> {
    let inputs = Inputs::from_outputs(&request.outputs)?;
    let cx = Context::new(cloud, request);
    let lb = load_balancer::ensure(&cx, &inputs).await?;
    let bucket = access_logs::ensure(&cx, account_of(&lb.arn)).await?;
    load_balancer::configure(&cx, &lb, &bucket).await?;
    let groups = target_groups::ensure(&cx, &inputs.vpc_id).await?;
    let (certificate_arn, issued) = acm::ensure(&cx, &lb).await?;

    let redirect = ListenerAction::RedirectToHttps;
    listeners::listener(cloud, &lb.arn, HTTP_PORT, &redirect, &cx.tags).await?;
    let https = if issued {
        let forward = ListenerAction::Forward {
            certificate_arn: certificate_arn.clone(),
            ssl_policy: SSL_POLICY.to_owned(),
            target_group_arn: groups[0].clone(),
        };
        let https = listeners::listener(cloud, &lb.arn, HTTPS_PORT, &forward, &cx.tags).await?;
        let rules = listeners::rules(cloud, &https, &groups, &cx.tags).await?;
        Some((https, rules))
    } else {
        None
    };

    let host = match cx.spec.certificate() {
        CertificateMode::DnsValidated { domain_name, .. } => domain_name.as_str().to_owned(),
        _ => lb.dns_name.clone(),
    };
    tracing::info!(state = ?lb.state, issued, "converged");
    let ready = lb.state.as_deref() == Some("active") && https.is_some();
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
