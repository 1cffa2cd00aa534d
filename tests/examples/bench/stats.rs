//! Repeated measurements summarised as min / median / max, so a reader sees the noise.

use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Summary {
    /// The summary of `samples`; the median of an even count is the mean of the middle two.
    pub fn of(samples: &[f64]) -> Self {
        assert!(!samples.is_empty(), "no samples to summarise");
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = if sorted.len() % 2 == 0 {
            (sorted[middle - 1] + sorted[middle]) / 2.0
        } else {
            sorted[middle]
        };
        Self {
            min: sorted[0],
            median,
            max: sorted[sorted.len() - 1],
        }
    }

    pub fn to_json(self) -> Value {
        json!({"min": self.min, "median": self.median, "max": self.max})
    }

    /// `median (min–max)` with `decimals` places.
    pub fn text(self, decimals: usize) -> String {
        format!(
            "{:.d$} ({:.d$}–{:.d$})",
            self.median,
            self.min,
            self.max,
            d = decimals
        )
    }
}
