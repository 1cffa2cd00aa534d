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
//! `create` converges ([`crate::converge`]): every step finds its resource by name (or, for the
//! certificate, by its `Name` and environment tags) and creates only what is missing, then sets the
//! settings the compliance rows ask for, so a repeated call changes nothing. The HTTPS listener
//! needs an issued certificate: with DNS validation that takes minutes, so `create` answers
//! IN_PROGRESS until then and the workflow's wait loop calls `create` again, which adds the listener
//! once ACM has issued the certificate.
//!
//! `status` ([`crate::status`]) only reads: with the same lookups it answers DELETED when nothing
//! exists, READY with `create`'s outputs when everything does and is usable, IN_PROGRESS otherwise,
//! and never creates, modifies or deletes anything.
//!
//! `delete` ([`crate::teardown`]) refuses a protected load balancer unless the spec says `forceDestroy`, then removes
//! listeners, the load balancer, target groups, the certificate it created (never one given by ARN)
//! with its validation records, and the log bucket. It answers IN_PROGRESS while it found anything
//! and DELETED once a call finds nothing left.

use crate::api::Cloud;
use crate::converge::converge;
use crate::settings::Settings;
use crate::status::status;
use crate::teardown::delete;
use env_core::contract::Request;
use env_core::outputs::MissingOutputs;
use env_core::settings::Misconfigured;
use env_core::{Action, AwsCallError, ErrorName, NamedError, Response};

#[derive(Debug, thiserror::Error)]
pub enum EdgeError {
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error(transparent)]
    MissingOutput(#[from] MissingOutputs),
    #[error(transparent)]
    Misconfigured(#[from] Misconfigured),
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
            EdgeError::Misconfigured(error) => error.error_name(),
            EdgeError::DeletionProtected(_) => ErrorName::DeletionProtected,
            EdgeError::CertificateMissing(_) => ErrorName::AwsRejected,
            EdgeError::LoadBalancerFailed(_)
            | EdgeError::CertificateUnusable { .. }
            | EdgeError::Generation(_) => ErrorName::ComponentFailed,
        }
    }
}

pub async fn handle<C: Cloud>(
    cloud: &C,
    settings: &Result<Settings, Misconfigured>,
    request: Request,
) -> Result<Response, EdgeError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "edge");
    match request.action {
        Action::Create => {
            let settings = settings.as_ref().map_err(Clone::clone)?;
            converge(cloud, &request, settings.readiness).await
        }
        Action::Status => status(cloud, &request).await,
        Action::Delete => delete(cloud, &request.spec).await,
    }
}

#[cfg(test)]
#[path = "handler_tests.rs"]
pub(crate) mod tests;
