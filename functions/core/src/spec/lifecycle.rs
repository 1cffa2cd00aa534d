//! How long the environment lives, when it sleeps by itself, and which pull request it belongs to.

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

bounded_integer!(
    /// Minutes without a request to the load balancer after which the scheduled cleanup puts the
    /// environment to sleep (it checks on its own schedule, so sleep comes up to one run later);
    /// leave the field out for an environment that sleeps only when told to.
    IdleMinutes: u16, 15, 1440, "a whole number of minutes from 15 to 1440 (a day); leave it out to sleep only when told to"
);
