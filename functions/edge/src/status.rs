//! `status`: reads what `create` makes, with the same lookups, and never creates, modifies, tags or
//! deletes anything (the workflow's wait loop calls `create` to continue).
//!
//! DELETED when none of the resources `delete` looks for exists (load balancer, target groups, the
//! wake group, the certificate this environment created, the log bucket); READY with exactly
//! `create`'s outputs when everything `create` makes exists and is usable (the load balancer
//! active, the certificate issued, both listeners, the production and test rules and the wake
//! group in place, and, while the spec is asleep, the wake rule); IN_PROGRESS with what could be
//! read otherwise. An awake environment whose wake rule is still there (it is waking) is READY as
//! well: the rule goes with `create`, after the service.
//! A failed load balancer or a certificate that will never issue is the error `create` answers.

use crate::api::{Cloud, ElbCalls};
use crate::handler::EdgeError;
use crate::listeners::{self, HTTPS_PORT, HTTP_PORT};
use crate::outputs::{outputs, Parts};
use crate::{access_logs, acm, load_balancer, rules, target_groups, wake};
use env_core::arn::account_of;
use env_core::contract::{Outputs, Request};
use env_core::naming::{NameKind, Names};
use env_core::spec::CertificateMode;
use env_core::{Response, Status};

pub async fn status<C: Cloud>(cloud: &C, request: &Request) -> Result<Response, EdgeError> {
    let spec = &request.spec;
    let names = Names::new(spec.suffix());
    let name = names.of(NameKind::LoadBalancer);
    let lb = match cloud.elb().load_balancer(&name).await? {
        Some(lb) => Some(load_balancer::usable(name, lb)?),
        None => None,
    };
    let account = lb.as_ref().map(|lb| account_of(&lb.arn));
    let bucket = access_logs::find(cloud, names, account).await?;
    let found_groups = target_groups::find(cloud.elb(), names).await?;
    let wake_group = wake::find(cloud.elb(), names).await?;
    let created_certificate = acm::created(cloud, spec, names).await?;
    let anything = lb.is_some()
        || bucket.is_some()
        || found_groups.iter().any(Option::is_some)
        || wake_group.is_some()
        || created_certificate.is_some();
    if !anything {
        tracing::info!("status: nothing exists");
        return Ok(Response::new(Status::Deleted, Outputs::new()));
    }

    let certificate_arn = match spec.certificate() {
        CertificateMode::Existing(arn) => Some(arn.as_str().to_owned()),
        _ => created_certificate,
    };
    let issued = match &certificate_arn {
        Some(arn) => {
            let cert = acm::describe(cloud, arn.clone()).await?;
            acm::issued(&cert.arn, &cert.status)?
        }
        None => false,
    };
    let existing_listeners = match &lb {
        Some(lb) => cloud.elb().listeners(&lb.arn).await?,
        None => Vec::new(),
    };
    let http = listeners::on_port(&existing_listeners, HTTP_PORT);
    let https = listeners::on_port(&existing_listeners, HTTPS_PORT);
    // Blue and green are named together in the outputs: both or neither.
    let groups: Option<Vec<String>> = found_groups.into_iter().collect();
    let found = match https {
        Some(https) => {
            let existing = cloud.elb().rules(https).await?;
            let colored = groups.as_deref().unwrap_or_default();
            rules::classify(existing, colored, wake_group.as_deref())
        }
        None => rules::Found::default(),
    };
    let wake_in_place = !spec.fields().asleep || found.wake.is_some();
    let rules = found
        .production
        .map(|rule| rule.arn)
        .zip(found.test.map(|rule| rule.arn));

    let ready = lb.as_ref().is_some_and(load_balancer::active)
        && bucket.is_some()
        && groups.is_some()
        && issued
        && http.is_some()
        && https.is_some()
        && rules.is_some()
        && wake_group.is_some()
        && wake_in_place;
    tracing::info!(ready, issued, "status");
    let parts = Parts {
        load_balancer: lb.as_ref(),
        https_listener: https,
        rules: rules
            .as_ref()
            .map(|(production, test)| (production.as_str(), test.as_str())),
        target_groups: groups.as_deref(),
        certificate_arn: certificate_arn.as_deref(),
        bucket: bucket.as_deref(),
    };
    let status = if ready {
        Status::Ready
    } else {
        Status::InProgress
    };
    Ok(Response::new(status, outputs(spec, &parts)))
}

#[cfg(test)]
#[path = "status_tests.rs"]
mod tests;
