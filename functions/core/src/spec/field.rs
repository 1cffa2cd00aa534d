//! The validating newtypes the spec is made of, and the helper that checks one field in isolation.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// A spec field type that can describe, in one sentence, which values it accepts.
pub trait SpecField: DeserializeOwned {
    /// What is allowed, shown when the JSON value has the wrong type altogether.
    const ALLOWED: &'static str;
}

/// Checks one field on its own, so that every bad field is reported, not only the first serde meets.
///
/// A value of the right JSON type but out of range carries the newtype's own, more precise reason;
/// a value of the wrong JSON type gets the field's general description.
pub fn check<T: SpecField>(value: &Value) -> Result<(), String> {
    match serde_json::from_value::<T>(value.clone()) {
        Ok(_) => Ok(()),
        Err(error) => {
            let reason = error.to_string();
            if ["invalid type", "invalid value", "unknown variant"]
                .iter()
                .any(|serde_says| reason.starts_with(serde_says))
            {
                Err(T::ALLOWED.to_owned())
            } else {
                Err(reason)
            }
        }
    }
}

/// A whole number within fixed bounds; `$allowed` must describe the same bounds.
macro_rules! bounded_integer {
    ($(#[$meta:meta])* $name:ident: $repr:ty, $min:expr, $max:expr, $allowed:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "u64", into = "u64")]
        pub struct $name($repr);

        impl $name {
            pub const MIN: $repr = $min;
            pub const MAX: $repr = $max;

            pub fn get(self) -> $repr {
                self.0
            }

            /// For the spec's defaults: a constant outside the bounds is a programming error.
            #[allow(unused_comparisons, clippy::absurd_extreme_comparisons)]
            pub const fn from_constant(value: $repr) -> Self {
                assert!(value >= Self::MIN && value <= Self::MAX, "constant out of range");
                Self(value)
            }
        }

        impl TryFrom<u64> for $name {
            type Error = String;

            fn try_from(value: u64) -> Result<Self, Self::Error> {
                if (u64::from(Self::MIN)..=u64::from(Self::MAX)).contains(&value) {
                    // The range check above makes the conversion lossless.
                    Ok(Self(<$repr>::try_from(value).unwrap_or(Self::MAX)))
                } else {
                    Err($allowed.to_owned())
                }
            }
        }

        impl From<$name> for u64 {
            fn from(value: $name) -> u64 {
                u64::from(value.0)
            }
        }

        impl $crate::spec::field::SpecField for $name {
            const ALLOWED: &'static str = $allowed;
        }
    };
}
pub(crate) use bounded_integer;

impl SpecField for bool {
    const ALLOWED: &'static str = "true or false";
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    bounded_integer!(Small: u8, 2, 5, "a whole number from 2 to 5");

    #[test]
    fn out_of_range_and_wrong_type_both_name_the_bounds() {
        assert_eq!(check::<Small>(&json!(3)), Ok(()));
        assert_eq!(
            check::<Small>(&json!(6)),
            Err("a whole number from 2 to 5".to_owned())
        );
        assert_eq!(
            check::<Small>(&json!("3")),
            Err("a whole number from 2 to 5".to_owned())
        );
        assert_eq!(
            check::<Small>(&json!(-1)),
            Err("a whole number from 2 to 5".to_owned())
        );
        assert_eq!(u64::from(Small::try_from(5).unwrap()), 5);
        assert_eq!(Small::try_from(2).unwrap().get(), 2);
    }

    #[test]
    fn booleans_must_be_json_booleans() {
        assert_eq!(
            check::<bool>(&json!("yes")),
            Err("true or false".to_owned())
        );
    }
}
