//! `create`: every step finds its resource by name (or, for the certificate, by its `Name` and
//! environment tags) and creates only what is missing, then sets the settings the compliance rows
//! ask for, so a repeated call changes nothing. It answers IN_PROGRESS until the load balancer is
//! active and the HTTPS listener could be added, and the workflow's wait loop calls it again to
//! continue; `status` ([`crate::status`]) only reads.

use crate::api::{Cloud, ListenerAction};
use crate::handler::EdgeError;
use crate::inputs::Inputs;
use crate::listeners::{self, HTTPS_PORT, HTTP_PORT, SSL_POLICY};
use crate::load_balancer;
use crate::outputs::{outputs, Parts};
use crate::{access_logs, acm, target_groups};
use env_core::arn::account_of;
use env_core::context::Context;
use env_core::contract::Request;
use env_core::{Response, Status};

pub async fn converge<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, EdgeError> {
    let inputs = Inputs::from_outputs(&request.outputs)?;
    let cx = Context::new(cloud, request);
    let lb = load_balancer::ensure(&cx, &inputs).await?;
    let bucket = access_logs::ensure(&cx, account_of(&lb.arn)).await?;
    load_balancer::configure(&cx, &lb, &bucket).await?;
    let groups = target_groups::ensure(&cx, &inputs.vpc_id).await?;
    let (certificate_arn, issued) = acm::ensure(&cx, &lb).await?;

    let redirect = ListenerAction::RedirectToHttps;
    listeners::listener(cloud.elb(), &lb.arn, HTTP_PORT, &redirect, &cx.tags).await?;
    let https = if issued {
        let forward = ListenerAction::Forward {
            certificate_arn: certificate_arn.clone(),
            ssl_policy: SSL_POLICY.to_owned(),
            target_group_arn: groups[0].clone(),
        };
        let https =
            listeners::listener(cloud.elb(), &lb.arn, HTTPS_PORT, &forward, &cx.tags).await?;
        let rules = listeners::rules(cloud.elb(), &https, &groups, &cx.tags).await?;
        Some((https, rules))
    } else {
        None
    };

    tracing::info!(state = ?lb.state, issued, "converged");
    let ready = load_balancer::active(&lb) && https.is_some();
    let parts = Parts {
        load_balancer: Some(&lb),
        https_listener: https.as_ref().map(|(https, _)| https.as_str()),
        rules: https
            .as_ref()
            .map(|(_, (production, test))| (production.as_str(), test.as_str())),
        target_groups: Some(&groups),
        certificate_arn: Some(&certificate_arn),
        bucket: Some(&bucket),
    };
    let out = outputs(cx.spec, &parts);
    let status = if ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    Ok(Response::new(status, out))
}
