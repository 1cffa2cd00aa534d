//! The listeners: HTTP redirecting to HTTPS, and, once the certificate is issued, HTTPS forwarding
//! to blue; its rules are [`crate::rules`]'.

use crate::api::{CallResult, ElbCalls, Listener, ListenerAction};
use env_core::tags::Tag;

/// ELB.17: a TLS 1.3 policy (ELB user guide, "Security policies for your Application Load Balancer").
pub const SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";
pub const HTTPS_PORT: i32 = 443;
pub const HTTP_PORT: i32 = 80;
/// The header (and its value) that sends a request to the test listener rule: the green revision
/// during a blue/green deployment, blue otherwise.
pub const TEST_HEADER: &str = "X-Catalog-Deployment";
pub const TEST_HEADER_VALUE: &str = "test";

/// The listener on `port`, created or brought to `action`.
pub async fn listener<E: ElbCalls>(
    elb: &E,
    lb_arn: &str,
    port: i32,
    action: &ListenerAction,
    tags: &[Tag],
) -> CallResult<String> {
    let existing = elb.listeners(lb_arn).await?;
    match existing.into_iter().find(|listener| listener.port == port) {
        Some(listener) => {
            elb.modify_listener(&listener.arn, action).await?;
            Ok(listener.arn)
        }
        None => elb.create_listener(lb_arn, port, action, tags).await,
    }
}

/// The listener on `port` among `listeners`, read only.
pub fn on_port(listeners: &[Listener], port: i32) -> Option<&str> {
    listeners
        .iter()
        .find(|listener| listener.port == port)
        .map(|listener| listener.arn.as_str())
}
