//! The environment's dashboard: traffic, errors, latency and saturation on one page.

use super::filters::{RESPONSE_TIME_METRIC, SERVER_ERRORS_METRIC};
use super::{cache_nodes, Inputs};
use env_core::naming::{NameKind, Names};
use env_core::spec::EnvironmentSpec;
use serde_json::{json, Value};

/// One graph of the dashboard: its title, the metrics it draws and the statistic.
type Graph = (&'static str, Value, &'static str);

/// The dashboard: traffic, errors, latency (p50/p99) and saturation.
pub fn dashboard_body(spec: &EnvironmentSpec, inputs: &Inputs) -> String {
    let names = Names::new(spec.suffix());
    let namespace = names.of(NameKind::MetricNamespace);
    let region = spec.fields().region.as_str();
    let mut graphs = request_graphs(inputs.load_balancer.as_str(), &namespace);
    graphs.extend(resource_graphs(spec, inputs));
    let widgets: Vec<Value> = graphs
        .into_iter()
        .enumerate()
        .map(|(index, graph)| widget(index, region, graph))
        .collect();
    json!({ "widgets": widgets }).to_string()
}

/// Two graphs a row, each 12 columns wide and 6 high.
fn widget(index: usize, region: &str, (title, metrics, stat): Graph) -> Value {
    json!({
        "type": "metric",
        "x": (index % 2) * 12,
        "y": (index / 2) * 6,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "region": region,
            "stat": stat,
            "period": 60,
            "view": "timeSeries",
            "metrics": metrics
        }
    })
}

/// What the requests tell: traffic, errors and latency.
fn request_graphs(lb: &str, namespace: &str) -> Vec<Graph> {
    vec![
        (
            "Traffic (requests)",
            json!([["AWS/ApplicationELB", "RequestCount", "LoadBalancer", lb]]),
            "Sum",
        ),
        (
            "Errors",
            json!([
                [
                    "AWS/ApplicationELB",
                    "HTTPCode_Target_5XX_Count",
                    "LoadBalancer",
                    lb
                ],
                [
                    "AWS/ApplicationELB",
                    "HTTPCode_ELB_5XX_Count",
                    "LoadBalancer",
                    lb
                ],
                [namespace, SERVER_ERRORS_METRIC]
            ]),
            "Sum",
        ),
        (
            "Latency (ms, from the request logs)",
            json!([
                [namespace, RESPONSE_TIME_METRIC, {"stat": "p50"}],
                [namespace, RESPONSE_TIME_METRIC, {"stat": "p99"}]
            ]),
            "p99",
        ),
    ]
}

/// How full the service, Aurora and every cache node are.
fn resource_graphs(spec: &EnvironmentSpec, inputs: &Inputs) -> Vec<Graph> {
    let service = [
        "ClusterName",
        inputs.cluster_name.as_str(),
        "ServiceName",
        inputs.service_name.as_str(),
    ];
    let db = ["DBClusterIdentifier", inputs.db_cluster.as_str()];
    let redis_memory: Vec<Value> = cache_nodes(spec)
        .into_iter()
        .map(|node| {
            json!([
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                "CacheClusterId",
                node.cluster_id(&inputs.cache_group)
            ])
        })
        .collect();
    vec![
        (
            "Service CPU (%) and running tasks",
            json!([
                ["AWS/ECS", "CPUUtilization", service[0], service[1], service[2], service[3]],
                ["ECS/ContainerInsights", "RunningTaskCount", service[0], service[1], service[2], service[3], {"yAxis": "right"}]
            ]),
            "Average",
        ),
        (
            "Aurora connections and ACU utilisation (%)",
            json!([
                ["AWS/RDS", "DatabaseConnections", db[0], db[1]],
                ["AWS/RDS", "ACUUtilization", db[0], db[1], {"yAxis": "right"}]
            ]),
            "Maximum",
        ),
        (
            "Redis memory used per node (%)",
            Value::Array(redis_memory),
            "Maximum",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::super::tests::{outputs, spec};
    use super::*;

    #[test]
    fn the_dashboard_shows_traffic_errors_latency_and_saturation() {
        let body = dashboard_body(&spec(json!({})), &Inputs::from_outputs(&outputs()).unwrap());
        let body: Value = serde_json::from_str(&body).unwrap();
        let titles: Vec<&str> = body["widgets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["properties"]["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles.len(), 6);
        assert!(titles[0].starts_with("Traffic"));
        assert!(titles[2].starts_with("Latency"));
        let latency = &body["widgets"][2]["properties"]["metrics"];
        assert_eq!(latency[0][2]["stat"], "p50");
        assert_eq!(latency[1][2]["stat"], "p99");
        assert_eq!(
            body["widgets"][5]["properties"]["metrics"]
                .as_array()
                .unwrap()
                .len(),
            4
        );
        assert_eq!(body["widgets"][3]["x"], 12);
    }
}
