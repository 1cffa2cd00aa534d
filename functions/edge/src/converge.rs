//! `create`: every step finds its resource by name (or, for the certificate, by its `Name` and
//! environment tags) and creates only what is missing, then sets the settings the compliance rows
//! ask for, so a repeated call changes nothing. It answers IN_PROGRESS until the load balancer is
//! active and the HTTPS listener could be added, and the workflow's wait loop calls it again to
//! continue; `status` ([`crate::status`]) only reads.
//!
//! The wake rule ([`crate::wake`]) is there while the spec is asleep, and stays on waking until
//! the service serves again. Called after the service answered READY (its outputs in the request),
//! `create` answers IN_PROGRESS while it keeps the rule of an awake spec, so the workflow waits for
//! the first healthy task before it goes on; earlier in the provision it answers READY, the
//! service not having started yet.

use crate::api::{Cloud, ElbCalls, ListenerAction};
use crate::handler::EdgeError;
use crate::inputs::Inputs;
use crate::listeners::{self, HTTPS_PORT, HTTP_PORT, SSL_POLICY};
use crate::load_balancer;
use crate::outputs::{outputs, Parts};
use crate::settings::Readiness;
use crate::{access_logs, acm, rules, target_groups, wake};
use env_core::arn::account_of;
use env_core::context::Context;
use env_core::contract::Request;
use env_core::{Response, Status};

pub async fn converge<C: Cloud>(
    cloud: &C,
    request: &Request,
    readiness: Readiness,
) -> Result<Response, EdgeError> {
    let inputs = Inputs::from_outputs(&request.outputs)?;
    let cx = Context::new(cloud, request);
    let lb = load_balancer::ensure(&cx, &inputs).await?;
    let bucket = access_logs::ensure(&cx, account_of(&lb.arn)).await?;
    load_balancer::configure(&cx, &lb, &bucket).await?;
    let groups = target_groups::ensure(&cx, &inputs.vpc_id).await?;
    let wake_group = wake::ensure(&cx, &lb.arn).await?;
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
        let existing = cloud.elb().rules(&https).await?;
        let found = rules::classify(existing, &groups, Some(&wake_group));
        let asleep = cx.fields().asleep;
        // Only an environment that was asleep has a wake rule to keep.
        let waking = !asleep
            && found.wake.is_some()
            && !wake::serving(cloud.elb(), readiness, &request.outputs, &groups).await?;
        let wanted = (asleep || waking).then_some(wake_group.as_str());
        let arns = rules::converge(cloud.elb(), &https, found, &groups, wanted, &cx.tags).await?;
        Some((https, arns, waking))
    } else {
        None
    };

    // Waiting for the service only makes sense once the service could have answered READY.
    let waiting = https.as_ref().is_some_and(|(_, _, waking)| *waking)
        && wake::service_ready(&request.outputs);
    tracing::info!(state = ?lb.state, issued, waiting, "converged");
    let ready = load_balancer::active(&lb) && https.is_some() && !waiting;
    let parts = Parts {
        load_balancer: Some(&lb),
        https_listener: https.as_ref().map(|(https, _, _)| https.as_str()),
        rules: https
            .as_ref()
            .map(|(_, arns, _)| (arns.production.as_str(), arns.test.as_str())),
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
