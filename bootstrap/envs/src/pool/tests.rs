//! The pool against the in-memory fake, which keeps one execution per name as Step Functions does.

use super::tests_support::{
    block, machines, names, pool_spec, pooled, pr_spec, record, set_status,
};
use super::*;
use crate::fake::FakeWorkflows;
use std::time::Duration;

#[test]
fn a_claim_takes_an_available_environment_under_its_lock_with_the_pull_requests_spec() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let spec = pr_spec(
        42,
        json!({"containerImage": "public.ecr.aws/acme/api:pr-42"}),
    );
    let outcome = block(claim(&cloud, &machines(), &spec)).unwrap();
    let arn = "arn:aws:states:us-west-2:123456789012:execution:claim:claim-pool-a";
    let ClaimOutcome::Claimed {
        suffix,
        execution_arn,
        input,
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    assert_eq!(suffix, "pool-a");
    assert_eq!(execution_arn, arn);
    assert_eq!(input["spec"]["environmentSuffix"], "pool-a");
    assert_eq!(input["spec"]["pullRequest"], 42);
    assert_eq!(
        input["spec"]["containerImage"],
        "public.ecr.aws/acme/api:pr-42"
    );
    assert!(input["spec"].get("standby").is_none(), "{input}");
    assert_eq!(names(&cloud, "claim"), ["claim-pool-a"]);
    let recorded = cloud.executions.borrow();
    assert_eq!(recorded.iter().find(|e| e.arn == arn).unwrap().input, input);
}

#[test]
fn the_same_pull_request_again_finds_the_environment_it_holds() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    pooled(&cloud, "pool-b", "SUCCEEDED");
    let spec = pr_spec(42, json!({}));
    let first = block(claim(&cloud, &machines(), &spec)).unwrap();
    let ClaimOutcome::Claimed { suffix, .. } = first else {
        panic!("{first:?}")
    };
    // Retried once the claim has finished, with another image (a new push): still the same one.
    set_status(&cloud, &format!("claim-{suffix}"), "SUCCEEDED");
    let again = pr_spec(42, json!({"containerImage": "public.ecr.aws/acme/api:v2"}));
    let second = block(claim(&cloud, &machines(), &again)).unwrap();
    let execution_arn =
        format!("arn:aws:states:us-west-2:123456789012:execution:claim:claim-{suffix}");
    assert_eq!(
        second,
        ClaimOutcome::AlreadyHeld {
            suffix,
            execution_arn
        }
    );
    assert_eq!(names(&cloud, "claim").len(), 1);
}

#[test]
fn two_pull_requests_racing_for_one_environment_one_claims_it_the_other_finds_none() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let (first, second) = (pr_spec(1, json!({})), pr_spec(2, json!({})));
    let machines = machines();
    let (one, two) = block(async {
        tokio::join!(
            claim(&cloud, &machines, &first),
            claim(&cloud, &machines, &second)
        )
    });
    let outcomes = [one.unwrap(), two.unwrap()];
    let claimed = outcomes
        .iter()
        .filter(|o| matches!(o, ClaimOutcome::Claimed { suffix, .. } if suffix == "pool-a"))
        .count();
    assert_eq!(claimed, 1, "{outcomes:?}");
    assert!(outcomes.contains(&ClaimOutcome::Empty), "{outcomes:?}");
    assert_eq!(names(&cloud, "claim"), ["claim-pool-a"]);
}

#[test]
fn two_pushes_of_one_pull_request_racing_share_one_environment() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    pooled(&cloud, "pool-b", "SUCCEEDED");
    let first = pr_spec(7, json!({"containerImage": "public.ecr.aws/acme/api:one"}));
    let second = pr_spec(7, json!({"containerImage": "public.ecr.aws/acme/api:two"}));
    let machines = machines();
    let (one, two) = block(async {
        tokio::join!(
            claim(&cloud, &machines, &first),
            claim(&cloud, &machines, &second)
        )
    });
    let mut outcomes = [one.unwrap(), two.unwrap()];
    // join! polls its futures in turns, either first: sort the winner first.
    outcomes.sort_by_key(|outcome| !matches!(outcome, ClaimOutcome::Claimed { .. }));
    let [ClaimOutcome::Claimed {
        suffix,
        execution_arn,
        ..
    }, held] = outcomes
    else {
        panic!("{outcomes:?}")
    };
    assert_eq!(
        held,
        ClaimOutcome::AlreadyHeld {
            suffix,
            execution_arn
        }
    );
    assert_eq!(names(&cloud, "claim").len(), 1);
}

#[test]
fn a_spec_whose_fixed_fields_differ_finds_no_environment() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    // A pool provision whose input is no spec (started by hand) matches nothing.
    record(
        &cloud,
        "provision",
        "pool-odd--x",
        "SUCCEEDED",
        json!({"spec": {}}),
    );
    for fixed in [json!({"containerPort": 8080}), json!({"cacheShards": 3})] {
        let outcome = block(claim(&cloud, &machines(), &pr_spec(5, fixed))).unwrap();
        assert_eq!(outcome, ClaimOutcome::Empty);
    }
    assert!(names(&cloud, "claim").is_empty());
}

#[test]
fn a_claim_needs_the_pull_request_before_any_call() {
    let cloud = FakeWorkflows::default();
    let error = block(claim(&cloud, &machines(), &pool_spec())).unwrap_err();
    assert_eq!(
        error.to_string(),
        "pullRequest is not set: a claim takes a pull request's spec (give --pr N)"
    );
    assert_eq!(*cloud.describes.borrow(), 0);
}

#[test]
fn environments_still_provisioning_failed_or_torn_down_are_not_claimed() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-running", "RUNNING");
    pooled(&cloud, "pool-failed", "FAILED");
    pooled(&cloud, "pool-gone", "SUCCEEDED");
    record(
        &cloud,
        "teardown",
        "pool-gone--down",
        "SUCCEEDED",
        json!({}),
    );
    // A claim that failed burnt its environment, and its rollback tore it down.
    pooled(&cloud, "pool-burnt", "SUCCEEDED");
    let burnt = json!({"spec": {"pullRequest": 9}});
    record(&cloud, "claim", "claim-pool-burnt", "FAILED", burnt);
    record(
        &cloud,
        "teardown",
        "rollback-claim-pool-burnt",
        "SUCCEEDED",
        json!({}),
    );
    // Not a pool environment at all.
    record(
        &cloud,
        "provision",
        "pr-3--abc",
        "SUCCEEDED",
        json!({"spec": {}}),
    );
    let outcome = block(claim(&cloud, &machines(), &pr_spec(9, json!({})))).unwrap();
    assert_eq!(outcome, ClaimOutcome::Empty);
    assert_eq!(names(&cloud, "claim"), ["claim-pool-burnt"]);
}

#[test]
fn a_claim_aged_out_of_the_history_leaves_the_environment_its_pull_requests() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    // Pull request 4 claimed pool-a and pushed again; 90 days on, `claim-pool-a` is gone from
    // the history and the latest provision is the pull request's redeploy.
    let claimed = claim_input(&pr_spec(4, json!({})), "pool-a").unwrap();
    record(&cloud, "provision", "pool-a--push2", "SUCCEEDED", claimed);
    let outcome = block(claim(&cloud, &machines(), &pr_spec(5, json!({})))).unwrap();
    assert_eq!(outcome, ClaimOutcome::Empty);
    assert!(names(&cloud, "claim").is_empty());
    let status = block(status(&cloud, &machines())).unwrap();
    let environment = &status.environments[0];
    assert_eq!(environment.state, PoolState::Claimed);
    assert_eq!(environment.pull_request, Some(4));
    assert_eq!(environment.execution, "pool-a--push2");
    assert_eq!(status.count(PoolState::Available), 0);
    // Not standing by: a fill of one starts a new environment.
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_590_800);
    let started = block(fill_with(&cloud, &machines(), &pool_spec(), 1, now, 7)).unwrap();
    assert_eq!(started, ["pool-tpn6c007"]);
}

#[test]
fn a_pull_request_without_a_time_to_live_claims_nothing_but_keeps_what_it_holds() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let endless = pr_spec(4, json!({"ttlHours": null}));
    assert_eq!(endless.fields().ttl_hours, None);
    let outcome = block(claim_expiring(&cloud, &machines(), &endless)).unwrap();
    assert_eq!(outcome, ClaimOutcome::Empty);
    assert!(names(&cloud, "claim").is_empty());
    // Claimed with a time to live before: a push without one still finds its environment.
    let first = block(claim_expiring(&cloud, &machines(), &pr_spec(4, json!({})))).unwrap();
    assert!(matches!(first, ClaimOutcome::Claimed { .. }), "{first:?}");
    let again = block(claim_expiring(&cloud, &machines(), &endless)).unwrap();
    assert_eq!(
        again,
        ClaimOutcome::AlreadyHeld {
            suffix: "pool-a".into(),
            execution_arn: execution_arn(&machines().claim, "claim-pool-a"),
        }
    );
}

#[test]
fn a_retired_environment_is_gone() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let retire = json!({"retire": true, "spec": {}});
    record(&cloud, "claim", "claim-pool-a", "SUCCEEDED", retire);
    let teardown = json!({});
    record(
        &cloud,
        "teardown",
        "retire-claim-pool-a",
        "SUCCEEDED",
        teardown,
    );
    // Its teardown, named by the claim machine, is the latest of its executions.
    let status = block(status(&cloud, &machines())).unwrap();
    assert!(status.environments.is_empty(), "{status:?}");
}

#[test]
fn pull_requests_spread_over_the_candidates_in_rendezvous_order() {
    let mut first_choices = std::collections::BTreeSet::new();
    for number in 1..=12 {
        let cloud = FakeWorkflows::default();
        pooled(&cloud, "pool-a", "SUCCEEDED");
        pooled(&cloud, "pool-b", "SUCCEEDED");
        let outcome = block(claim(&cloud, &machines(), &pr_spec(number, json!({})))).unwrap();
        let ClaimOutcome::Claimed { suffix, .. } = outcome else {
            panic!("{outcome:?}")
        };
        let key = |s: &str| {
            fnv1a(
                fnv1a(FNV_OFFSET, number.to_string().as_bytes()),
                s.as_bytes(),
            )
        };
        let expected = if key("pool-a") > key("pool-b") {
            "pool-a"
        } else {
            "pool-b"
        };
        assert_eq!(suffix, expected, "pull request {number}");
        first_choices.insert(suffix);
    }
    assert_eq!(first_choices.len(), 2, "{first_choices:?}");
}

#[test]
fn a_lost_race_moves_on_to_the_next_candidate() {
    // Two pull requests whose rendezvous order puts the same environment first (of any three, two
    // agree on the first of two environments).
    let first = |number: u32| {
        let key = |s: &str| {
            fnv1a(
                fnv1a(FNV_OFFSET, number.to_string().as_bytes()),
                s.as_bytes(),
            )
        };
        key("pool-a") > key("pool-b")
    };
    let (one, two) = [(1, 2), (1, 3), (2, 3)]
        .into_iter()
        .find(|(one, two)| first(*one) == first(*two))
        .unwrap();
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    pooled(&cloud, "pool-b", "SUCCEEDED");
    let (spec_one, spec_two) = (pr_spec(one, json!({})), pr_spec(two, json!({})));
    let machines = machines();
    let outcomes = block(async {
        tokio::join!(
            claim(&cloud, &machines, &spec_one),
            claim(&cloud, &machines, &spec_two)
        )
    });
    let suffix = |outcome: anyhow::Result<ClaimOutcome>| match outcome.unwrap() {
        ClaimOutcome::Claimed { suffix, .. } => suffix,
        other => panic!("{other:?}"),
    };
    let mut won = [suffix(outcomes.0), suffix(outcomes.1)];
    won.sort();
    assert_eq!(won, ["pool-a", "pool-b"]);
    assert_eq!(names(&cloud, "claim").len(), 2);
}

#[test]
fn fill_starts_standby_provisions_of_new_suffixes_up_to_the_size() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    pooled(&cloud, "pool-b", "RUNNING");
    pooled(&cloud, "pool-c", "FAILED");
    // 2026-12-06T21:00:00Z
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_590_800);
    let started = block(fill_with(&cloud, &machines(), &pool_spec(), 4, now, 7)).unwrap();
    assert_eq!(started, ["pool-tpn6c007", "pool-tpn6c008"]);
    let executions = cloud.executions.borrow();
    let new = executions
        .iter()
        .find(|e| e.name == "pool-tpn6c007--fill")
        .unwrap();
    assert!(new.arn.contains(":execution:provision:"), "{}", new.arn);
    assert_eq!(new.input["spec"]["environmentSuffix"], "pool-tpn6c007");
    assert_eq!(new.input["spec"]["standby"], true);
    assert!(new.input["spec"].get("pullRequest").is_none());
    drop(executions);
    // Full now: a second fill starts nothing.
    let again = block(fill_with(&cloud, &machines(), &pool_spec(), 4, now, 7)).unwrap();
    assert!(again.is_empty(), "{again:?}");
}

#[test]
fn a_suffix_another_fill_took_is_not_reported_as_started() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-tpn6c007", "FAILED");
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_590_800);
    let started = block(fill_with(&cloud, &machines(), &pool_spec(), 2, now, 7)).unwrap();
    assert_eq!(started, ["pool-tpn6c008"]);
}

#[test]
fn fill_with_fresh_entropy_starts_distinct_pool_suffixes() {
    let cloud = FakeWorkflows::default();
    let started = block(fill(
        &cloud,
        &machines(),
        &pool_spec(),
        2,
        SystemTime::now(),
    ))
    .unwrap();
    assert_eq!(started.len(), 2);
    assert_ne!(started[0], started[1]);
    assert!(started.iter().all(|suffix| suffix.starts_with(POOL_PREFIX)));
    assert!(block(fill(
        &cloud,
        &machines(),
        &pool_spec(),
        0,
        SystemTime::now()
    ))
    .unwrap()
    .is_empty());
}

#[test]
fn fill_rejects_a_size_above_the_bound_and_a_spec_with_a_pull_request_before_any_call() {
    let cloud = FakeWorkflows::default();
    let now = SystemTime::now();
    let error = block(fill(&cloud, &machines(), &pool_spec(), 21, now)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "--size 21 is too large: a pool holds 0 to 20 environments"
    );
    let error = block(fill(&cloud, &machines(), &pr_spec(4, json!({})), 1, now)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "pullRequest 4: a pool spec has no pull request (the claim sets it); remove the field"
    );
    assert!(cloud.executions.borrow().is_empty());
}

#[test]
fn status_reports_each_standing_pool_environment_and_who_holds_it() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-available", "SUCCEEDED");
    pooled(&cloud, "pool-refilling", "RUNNING");
    pooled(&cloud, "pool-failed", "ABORTED");
    for (suffix, status, input) in [
        (
            "pool-claiming",
            "RUNNING",
            json!({"spec": {"pullRequest": 7}}),
        ),
        (
            "pool-claimed",
            "SUCCEEDED",
            json!({"spec": {"pullRequest": 8}}),
        ),
        (
            "pool-retiring",
            "RUNNING",
            json!({"retire": true, "spec": {}}),
        ),
    ] {
        pooled(&cloud, suffix, "SUCCEEDED");
        record(&cloud, "claim", &format!("claim-{suffix}"), status, input);
    }
    pooled(&cloud, "pool-gone", "SUCCEEDED");
    record(
        &cloud,
        "teardown",
        "pool-gone--down",
        "SUCCEEDED",
        json!({}),
    );
    record(
        &cloud,
        "provision",
        "pr-3--abc",
        "SUCCEEDED",
        json!({"spec": {}}),
    );
    let status = block(status(&cloud, &machines())).unwrap();
    let rows: Vec<(&str, PoolState, Option<u32>, &str)> = status
        .environments
        .iter()
        .map(|e| {
            (
                e.suffix.as_str(),
                e.state,
                e.pull_request,
                e.execution.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "pool-available",
                PoolState::Available,
                None,
                "pool-available--fill"
            ),
            (
                "pool-claimed",
                PoolState::Claimed,
                Some(8),
                "claim-pool-claimed"
            ),
            (
                "pool-claiming",
                PoolState::Claiming,
                Some(7),
                "claim-pool-claiming"
            ),
            ("pool-failed", PoolState::Failed, None, "pool-failed--fill"),
            (
                "pool-refilling",
                PoolState::Refilling,
                None,
                "pool-refilling--fill"
            ),
            (
                "pool-retiring",
                PoolState::Retiring,
                None,
                "claim-pool-retiring"
            ),
        ]
    );
    assert_eq!(status.count(PoolState::Available), 1);
    assert_eq!(status.count(PoolState::Claiming), 1);
    let json = serde_json::to_value(&status).unwrap();
    assert_eq!(json["environments"][0]["state"], "available");
    assert_eq!(json["environments"][1]["pullRequest"], 8);
}

#[test]
fn the_pool_spec_of_an_environment_is_its_standby_provisions_input_even_after_a_claim() {
    let cloud = FakeWorkflows::default();
    pooled(&cloud, "pool-a", "SUCCEEDED");
    let claimed = pr_spec(4, json!({}));
    let redeploy = json!({"spec": claim_input(&claimed, "pool-a").unwrap()["spec"]});
    record(&cloud, "provision", "pool-a--push2", "SUCCEEDED", redeploy);
    let spec = block(pool_spec_of(&cloud, &machines(), "pool-a")).unwrap();
    assert!(spec.fields().standby);
    assert_eq!(spec.suffix().as_str(), "pool-a");
    assert_eq!(spec.fields().pull_request, None);
    // Only a pull request's provision is recorded (the standby one aged out of the history).
    let redeploy = claim_input(&claimed, "pool-z").unwrap();
    record(&cloud, "provision", "pool-z--push9", "SUCCEEDED", redeploy);
    let error = block(pool_spec_of(&cloud, &machines(), "pool-z")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "no standby provision of pool-z is recorded: it is not a pool- environment"
    );
}

#[test]
fn a_claim_input_for_a_suffix_that_is_none_names_the_problem() {
    let error = claim_input(&pr_spec(4, json!({})), "Pool A").unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("the spec is invalid for Pool A:\n  environmentSuffix = \"Pool A\""),
        "{text}"
    );
}

#[test]
fn names_and_arns_of_the_pool() {
    assert_eq!(
        machines(),
        Machines {
            provision: "arn:aws:states:us-west-2:123456789012:stateMachine:provision".into(),
            claim: "arn:aws:states:us-west-2:123456789012:stateMachine:claim".into(),
            teardown: "arn:aws:states:us-west-2:123456789012:stateMachine:teardown".into(),
        }
    );
    assert_eq!(
        execution_arn(&machines().claim, "claim-pool-a"),
        "arn:aws:states:us-west-2:123456789012:execution:claim:claim-pool-a"
    );
    assert_eq!(owner("claim-pool-a"), Some("pool-a"));
    assert_eq!(owner("rollback-pool-a--abc"), Some("pool-a"));
    assert_eq!(owner("rollback-claim-pool-a"), Some("pool-a"));
    assert_eq!(owner("retire-claim-pool-a"), Some("pool-a"));
    assert_eq!(owner("retire-claim-pr-4"), None);
    assert_eq!(owner("cleanup-pr-4-2026"), None);
    assert_eq!(
        pull_request_of(&json!({"spec": {"pullRequest": 12}})),
        Some(12)
    );
    assert_eq!(pull_request_of(&json!({"retire": true})), None);
}
