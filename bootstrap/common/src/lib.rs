//! What two or more of the envctl crates use: the global options and the SDK configuration they
//! describe, the caller's account, the runtime a command runs on, progress output, the environments
//! found by tag, the checkout a command works in, and reading a spec file.

pub mod account;
pub mod global;
pub mod progress;
pub mod project;
pub mod sdk;
pub mod spec_file;
pub mod tagged;
