//! One problem per invalid field, all of them collected before anything is rejected.

use serde_json::Value;
use std::fmt;

/// What is wrong with one field of a spec: the field, the value given, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    /// The offending value as JSON text, or `(missing)` for a required field that is absent.
    pub value: String,
    pub allowed: String,
}

impl Problem {
    pub fn new(field: impl Into<String>, value: &Value, allowed: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            value: value.to_string(),
            allowed: allowed.into(),
        }
    }

    pub fn missing(field: impl Into<String>, allowed: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            value: "(missing)".to_owned(),
            allowed: format!("required: {}", allowed.into()),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}: {}", self.field, self.value, self.allowed)
    }
}

/// Every problem found in a spec; never empty.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct InvalidSpec {
    problems: Vec<Problem>,
}

impl InvalidSpec {
    /// For callers that have just found at least one problem.
    pub(crate) fn non_empty(problems: Vec<Problem>) -> Self {
        debug_assert!(!problems.is_empty());
        Self { problems }
    }

    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for InvalidSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.problems.len();
        let plural = if count == 1 { "" } else { "s" };
        let header = format!("the environment spec has {count} invalid field{plural}: ");
        f.write_str(&header)?;
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{problem}")?;
        }
        Ok(())
    }
}
