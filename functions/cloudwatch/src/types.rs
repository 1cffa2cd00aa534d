//! The alarms as the callers plan them, in plain types: what the SDK implementation writes into
//! PutMetricAlarm and the fake keeps.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    Average,
    Maximum,
    Minimum,
    Sum,
    P99,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    GreaterThan,
    GreaterThanOrEqual,
}

/// What an alarm does while its metric has no data; chosen per alarm, never left to the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingData {
    /// No data means no traffic or nothing to count: nothing is wrong.
    NotBreaching,
    /// The metric is published continuously while the resource lives; its absence shows as
    /// INSUFFICIENT_DATA rather than paging anyone.
    Missing,
}

impl MissingData {
    pub fn as_str(self) -> &'static str {
        match self {
            MissingData::NotBreaching => "notBreaching",
            MissingData::Missing => "missing",
        }
    }
}

/// One metric, or the sum of the same metric over several dimension sets (metric math).
#[derive(Debug, Clone, PartialEq)]
pub enum AlarmMetric {
    Single {
        namespace: String,
        name: &'static str,
        dimensions: Vec<(&'static str, String)>,
        statistic: Statistic,
    },
    SumOf {
        namespace: &'static str,
        name: &'static str,
        series: Vec<Vec<(&'static str, String)>>,
        statistic: Statistic,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Alarm {
    pub name: String,
    pub description: String,
    pub metric: AlarmMetric,
    pub period_seconds: i32,
    pub evaluation_periods: i32,
    pub threshold: f64,
    pub comparison: Comparison,
    pub missing_data: MissingData,
}
