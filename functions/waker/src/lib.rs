//! The waker function's library: its role's IAM policy ([`iam_policy`]), for `envctl deploy` to
//! give the role. The function itself is the binary (src/main.rs).

pub mod iam_policy;
