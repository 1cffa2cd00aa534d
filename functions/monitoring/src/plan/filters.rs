//! The metric filters that turn the service's request logs into the API's own metrics.

use env_core::naming::{LogMetric, NameKind, Names};
use env_core::spec::EnvironmentSpec;

// A metric filter on the service's log group, in the CloudWatch Logs capability's plain types.
use log_groups::{MetricFilter, Unit};

/// The API's request log contract (README, "Monitoring"): one JSON line per request with
/// `responseTimeMs` (a number) and `status` (the HTTP status code, a number).
pub const RESPONSE_TIME_METRIC: &str = "ResponseTime";
pub const SERVER_ERRORS_METRIC: &str = "ServerErrors";

pub fn metric_filters(spec: &EnvironmentSpec) -> Vec<MetricFilter> {
    let names = Names::new(spec.suffix());
    let namespace = names.of(NameKind::MetricNamespace);
    LogMetric::ALL
        .into_iter()
        .map(|metric| {
            let name = names.of(NameKind::MetricFilter(metric));
            match metric {
                // A numeric comparison matches only lines whose field is a number.
                LogMetric::ResponseTime => MetricFilter {
                    name,
                    pattern: "{ $.responseTimeMs >= 0 }",
                    namespace: namespace.clone(),
                    metric_name: RESPONSE_TIME_METRIC,
                    value: "$.responseTimeMs",
                    unit: Unit::Milliseconds,
                },
                LogMetric::ServerErrors => MetricFilter {
                    name,
                    pattern: "{ $.status >= 500 }",
                    namespace: namespace.clone(),
                    metric_name: SERVER_ERRORS_METRIC,
                    value: "1",
                    unit: Unit::Count,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::spec;
    use super::*;
    use serde_json::json;

    #[test]
    fn the_request_log_filters_read_response_time_and_status() {
        let filters = metric_filters(&spec(json!({})));
        assert_eq!(filters.len(), 2);
        assert_eq!(filters[0].name, "metric-response-time-pr-42");
        assert_eq!(filters[0].pattern, "{ $.responseTimeMs >= 0 }");
        assert_eq!(filters[0].value, "$.responseTimeMs");
        assert_eq!(filters[0].namespace, "catalog-api-pr-42");
        assert_eq!(filters[0].unit, Unit::Milliseconds);
        assert_eq!(filters[1].pattern, "{ $.status >= 500 }");
        assert_eq!(filters[1].metric_name, "ServerErrors");
        assert_eq!(filters[1].unit, Unit::Count);
    }
}
