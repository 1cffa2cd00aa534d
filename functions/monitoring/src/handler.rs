//! The monitoring component: `create` puts the metric filters, the alarm topic, every alarm and the
//! dashboard in place (each call an upsert, so a repeated or resumed create converges); `status`
//! reports whether all of it exists; `delete` removes whatever of it is left.
//!
//! CloudWatch, CloudWatch Logs and SNS apply each call at once, so every action finishes within one
//! invocation: `create` answers READY, `delete` answers DELETED, and there is nothing to wait for.

use crate::cloud::Cloud;
use crate::plan::{self, Inputs};
use cloudwatch::{CloudWatchCalls, DELETE_ALARMS_BATCH};
use env_core::contract::{Action, Outputs, Request, Response, Status};
use env_core::error::{AwsCallError, ErrorName, NamedError};
use env_core::naming::{NameKind, Names};
use env_core::outputs::{ComponentOutputs, MissingOutputs, ServiceOutputs};
use env_core::spec::monitoring::AlarmEmail;
use env_core::tags::environment_tags;
use log_groups::MetricFilterCalls;
use sns::SnsCalls;

/// Every alarm name starts with this, so one listing finds an environment's alarms whatever size its
/// cache had when they were made.
const ALARM_PREFIX: &str = "alarm-";

#[derive(Debug, thiserror::Error)]
pub enum MonitoringError {
    #[error(transparent)]
    MissingInput(#[from] MissingOutputs),
    #[error(transparent)]
    Aws(#[from] AwsCallError),
    #[error("the monitoring of this environment is incomplete; missing: {0}")]
    Incomplete(String),
}

impl NamedError for MonitoringError {
    fn error_name(&self) -> ErrorName {
        match self {
            MonitoringError::MissingInput(_) => ErrorName::InvalidEvent,
            MonitoringError::Aws(error) => error.error_name(),
            // Everything is created in one call; a part missing afterwards will not appear by waiting.
            MonitoringError::Incomplete(_) => ErrorName::ComponentFailed,
        }
    }
}

pub async fn handle<C: Cloud>(request: Request, cloud: &C) -> Result<Response, MonitoringError> {
    tracing::info!(environment = %request.spec.suffix(), action = ?request.action, "monitoring");
    match request.action {
        Action::Create => create(&request, cloud).await,
        Action::Status => status(&request, cloud).await,
        Action::Delete => delete(&request, cloud).await,
    }
}

/// The names this environment's monitoring goes by.
struct Named {
    topic: String,
    dashboard: String,
    namespace: String,
    log_group: String,
}

impl Named {
    /// The log group comes from the service component's outputs when the event has them, else from
    /// the naming convention, so a teardown after a half-finished provision still finds it.
    fn of(request: &Request) -> Self {
        let names = Names::new(request.spec.suffix());
        let log_group = ServiceOutputs::of(&request.outputs).map_or_else(
            |_| names.of(NameKind::ServiceLogGroup),
            |service| service.service_log_group,
        );
        Self {
            topic: names.of(NameKind::AlarmTopic),
            dashboard: names.of(NameKind::Dashboard),
            namespace: names.of(NameKind::MetricNamespace),
            log_group,
        }
    }

    fn outputs(&self, topic_arn: &str, alarm_count: usize) -> Outputs {
        let mut outputs = Outputs::new();
        outputs.insert("alarmTopicArn".into(), topic_arn.into());
        outputs.insert("dashboardName".into(), self.dashboard.as_str().into());
        outputs.insert("metricNamespace".into(), self.namespace.as_str().into());
        outputs.insert("alarmCount".into(), alarm_count.into());
        outputs
    }
}

async fn create<C: Cloud>(request: &Request, cloud: &C) -> Result<Response, MonitoringError> {
    let spec = &request.spec;
    let inputs = Inputs::from_outputs(&request.outputs, spec.fields().cache_mode)?;
    let named = Named::of(request);
    let tags = environment_tags(spec, request.started_at);

    // Looked up first: SNS answers CreateTopic for an existing name with an error when the tags
    // differ (the expiry tag differs between executions), rather than with the topic.
    let topic_arn = match cloud.sns().find_topic(&named.topic).await? {
        Some(arn) => arn,
        None => {
            cloud
                .sns()
                .create_topic(&named.topic, &inputs.kms_key_arn, &tags)
                .await?
        }
    };
    subscribe_only(cloud, &topic_arn, spec.fields().alarm_email.as_ref()).await?;

    for filter in plan::metric_filters(spec) {
        cloud
            .logs()
            .put_metric_filter(&inputs.service_log_group, &filter)
            .await?;
    }

    let alarms = plan::alarms(spec, &inputs);
    // Alarms of nodes the cache no longer has (the spec shrank) go; the rest are put as planned.
    let stale: Vec<String> = owned_alarms(request, cloud)
        .await?
        .into_iter()
        .filter(|name| !alarms.iter().any(|alarm| &alarm.name == name))
        .collect();
    delete_alarms(cloud, &stale).await?;
    for alarm in &alarms {
        cloud
            .cloudwatch()
            .put_alarm(alarm, &topic_arn, &tags)
            .await?;
    }

    cloud
        .cloudwatch()
        .put_dashboard(&named.dashboard, &plan::dashboard_body(spec, &inputs))
        .await?;
    tracing::info!(topic = %topic_arn, alarms = alarms.len(), "monitoring in place");
    Ok(Response::new(
        Status::Ready,
        named.outputs(&topic_arn, alarms.len()),
    ))
}

async fn status<C: Cloud>(request: &Request, cloud: &C) -> Result<Response, MonitoringError> {
    let named = Named::of(request);
    let topic = cloud.sns().find_topic(&named.topic).await?;
    let existing_alarms = owned_alarms(request, cloud).await?;
    let dashboard = cloud
        .cloudwatch()
        .dashboard_exists(&named.dashboard)
        .await?;
    let filters = own_filters(request, cloud, &named.log_group).await?;

    let mut missing: Vec<String> = Vec::new();
    let mut present = 0;
    for (name, there) in [
        (named.topic.clone(), topic.is_some()),
        (named.dashboard.clone(), dashboard),
    ] {
        if there {
            present += 1;
        } else {
            missing.push(name);
        }
    }
    let wanted_filters: Vec<String> = plan::metric_filters(&request.spec)
        .into_iter()
        .map(|filter| filter.name)
        .collect();
    let wanted_alarms = plan::alarm_names(&request.spec);
    for (wanted, existing) in [
        (&wanted_filters, &filters),
        (&wanted_alarms, &existing_alarms),
    ] {
        for name in wanted {
            if existing.contains(name) {
                present += 1;
            } else {
                missing.push(name.clone());
            }
        }
    }
    match (present, topic) {
        (0, _) => Ok(Response::new(Status::Deleted, Outputs::new())),
        (_, Some(topic_arn)) if missing.is_empty() => Ok(Response::new(
            Status::Ready,
            named.outputs(&topic_arn, wanted_alarms.len()),
        )),
        _ => Err(MonitoringError::Incomplete(missing.join(", "))),
    }
}

async fn delete<C: Cloud>(request: &Request, cloud: &C) -> Result<Response, MonitoringError> {
    let named = Named::of(request);
    // The four lookups are independent: made at once, a teardown waits for the slowest of them
    // rather than their sum (most teardowns find little or nothing to delete).
    let dashboard = async {
        Ok::<_, MonitoringError>(
            cloud
                .cloudwatch()
                .dashboard_exists(&named.dashboard)
                .await?,
        )
    };
    let topic = async { Ok::<_, MonitoringError>(cloud.sns().find_topic(&named.topic).await?) };
    let (alarms, dashboard_exists, filters, topic_arn) = tokio::try_join!(
        owned_alarms(request, cloud),
        dashboard,
        own_filters(request, cloud, &named.log_group),
        topic,
    )?;
    delete_alarms(cloud, &alarms).await?;
    if dashboard_exists {
        cloud
            .cloudwatch()
            .delete_dashboard(&named.dashboard)
            .await?;
    }
    for filter in filters {
        cloud
            .logs()
            .delete_metric_filter(&named.log_group, &filter)
            .await?;
    }
    if let Some(topic_arn) = topic_arn {
        // Deleting a topic deletes its subscriptions too (SNS API reference, DeleteTopic).
        cloud.sns().delete_topic(&topic_arn).await?;
    }
    tracing::info!(alarms = alarms.len(), "monitoring removed");
    Ok(Response::new(Status::Deleted, Outputs::new()))
}

/// The topic mails the spec's `alarmEmail` and nobody else: an address the spec no longer names (it
/// changed, or was removed) stops getting the environment's alarms. One that has not confirmed yet
/// cannot be deleted and lapses by itself after 48 hours (see `sns::EmailSubscription`).
async fn subscribe_only<C: Cloud>(
    cloud: &C,
    topic_arn: &str,
    email: Option<&AlarmEmail>,
) -> Result<(), MonitoringError> {
    let wanted = email.map(AlarmEmail::as_str);
    let subscribed = cloud.sns().email_subscriptions(topic_arn).await?;
    for stale in subscribed
        .iter()
        .filter(|s| Some(s.email.as_str()) != wanted)
    {
        if let Some(arn) = &stale.arn {
            cloud.sns().unsubscribe(arn).await?;
        }
    }
    if let Some(email) = wanted {
        if !subscribed.iter().any(|s| s.email == email) {
            cloud.sns().subscribe_email(topic_arn, email).await?;
        }
    }
    Ok(())
}

/// This environment's alarms as they exist, whatever the cache's size was when they were made.
async fn owned_alarms<C: Cloud>(
    request: &Request,
    cloud: &C,
) -> Result<Vec<String>, MonitoringError> {
    let names = Names::new(request.spec.suffix());
    Ok(cloud
        .cloudwatch()
        .alarm_names(ALARM_PREFIX)
        .await?
        .into_iter()
        .filter(|name| names.owns_alarm(name))
        .collect())
}

async fn delete_alarms<C: Cloud>(cloud: &C, names: &[String]) -> Result<(), MonitoringError> {
    for batch in names.chunks(DELETE_ALARMS_BATCH) {
        cloud.cloudwatch().delete_alarms(batch).await?;
    }
    Ok(())
}

/// The environment's metric filters on the log group; none when the log group is already gone
/// (the service component deletes it), which AWS reports as ResourceNotFoundException.
async fn own_filters<C: Cloud>(
    request: &Request,
    cloud: &C,
    log_group: &str,
) -> Result<Vec<String>, MonitoringError> {
    let ours: Vec<String> = plan::metric_filters(&request.spec)
        .into_iter()
        .map(|filter| filter.name)
        .collect();
    match cloud.logs().metric_filter_names(log_group).await {
        Ok(existing) => Ok(existing
            .into_iter()
            .filter(|name| ours.contains(name))
            .collect()),
        Err(error) if error.is_code("ResourceNotFoundException") => Ok(Vec::new()),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests;
