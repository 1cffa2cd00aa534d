//! How long the environment lives and which pull request it belongs to.

use super::field::bounded_integer;

bounded_integer!(
    /// Hours until the scheduled cleanup may tear the environment down. A PR environment that must
    /// outlive 30 days should not be a PR environment; leave the field out for no expiry.
    TtlHours: u16, 1, 720, "a whole number of hours from 1 to 720 (30 days); leave it out for no expiry"
);

bounded_integer!(
    /// The pull request the environment serves, recorded as a tag.
    PullRequestNumber: u32, 1, u32::MAX, "a positive whole pull request number"
);
