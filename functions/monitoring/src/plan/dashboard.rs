//! The environment's dashboard: traffic, errors, latency and saturation on one page.

use super::filters::{RESPONSE_TIME_METRIC, SERVER_ERRORS_METRIC};
use super::{cache_nodes, Inputs};
use env_core::naming::{NameKind, Names};
use env_core::spec::{CacheMode, EnvironmentSpec};
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
        cache_graph(spec, inputs),
    ]
}

/// The cache: every node's memory, or what a serverless cache stores and the ECPUs it uses and
/// has throttled (its metrics' dimension is `clusterId`, see `serverless`).
fn cache_graph(spec: &EnvironmentSpec, inputs: &Inputs) -> Graph {
    let cache = inputs.cache_group.as_str();
    if spec.fields().cache_mode == CacheMode::Serverless {
        return (
            "Serverless cache: data stored (bytes), ECPUs and throttled commands",
            json!([
                ["AWS/ElastiCache", "BytesUsedForCache", "clusterId", cache],
                ["AWS/ElastiCache", "ElastiCacheProcessingUnits", "clusterId", cache, {"stat": "Sum", "yAxis": "right"}],
                ["AWS/ElastiCache", "ThrottledCmds", "clusterId", cache, {"stat": "Sum", "yAxis": "right"}]
            ]),
            "Maximum",
        );
    }
    let memory: Vec<Value> = cache_nodes(spec)
        .into_iter()
        .map(|node| {
            json!([
                "AWS/ElastiCache",
                "DatabaseMemoryUsagePercentage",
                "CacheClusterId",
                node.cluster_id(cache)
            ])
        })
        .collect();
    (
        "Redis memory used per node (%)",
        Value::Array(memory),
        "Maximum",
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{inputs, serverless_outputs, spec};
    use super::*;

    #[test]
    fn the_dashboard_shows_traffic_errors_latency_and_saturation() {
        let body = dashboard_body(&spec(json!({})), &inputs());
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

    #[test]
    fn a_serverless_cache_is_drawn_by_its_name_not_by_node() {
        let inputs = Inputs::from_outputs(&serverless_outputs(), CacheMode::Serverless).unwrap();
        let body = dashboard_body(&spec(json!({"cacheMode": "serverless"})), &inputs);
        let body: Value = serde_json::from_str(&body).unwrap();
        let cache = &body["widgets"][5]["properties"];
        assert!(cache["title"]
            .as_str()
            .unwrap()
            .starts_with("Serverless cache"));
        assert_eq!(
            cache["metrics"][0],
            json!([
                "AWS/ElastiCache",
                "BytesUsedForCache",
                "clusterId",
                "valkey-pr-42"
            ])
        );
        assert_eq!(cache["metrics"][2][1], "ThrottledCmds");
        assert_eq!(cache["metrics"][1][4]["stat"], "Sum");
    }
}
