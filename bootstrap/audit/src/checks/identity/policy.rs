//! Reading IAM, KMS and secret policy documents: their statements, actions and principals.

use serde_json::Value;

pub(super) fn list(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// The statements of a policy document, whether `Statement` is one object or a list.
pub fn statements(document: &Value) -> Vec<&Value> {
    match document.get("Statement") {
        Some(Value::Array(many)) => many.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => vec![],
    }
}

pub(super) fn allows(statement: &Value) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some("Allow")
}

/// `"*"` or `{"AWS": "*"}` as a principal.
pub(super) fn open_principal(statement: &Value) -> bool {
    match statement.get("Principal") {
        Some(Value::String(star)) => star == "*",
        Some(principal) => list(principal.get("AWS")).contains(&"*"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn statements_come_as_one_object_or_a_list() {
        assert_eq!(
            statements(&json!({"Statement": {"Effect": "Allow"}})).len(),
            1
        );
        assert_eq!(statements(&json!({"Statement": [{}, {}]})).len(), 2);
        assert!(statements(&json!({"Statement": "x"})).is_empty());
        assert!(list(Some(&json!(3))).is_empty());
    }
}
