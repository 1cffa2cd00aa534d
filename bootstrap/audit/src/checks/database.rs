//! Aurora PostgreSQL controls: the cluster and each of its instances.

use super::{missing, Control};
use crate::facts::{Database, DbInstance, Environment};
use crate::outcome::{Finding, Outcome};
use std::collections::BTreeSet;

pub(crate) const CONTROLS: [Control; 12] = [
    ("RDS.27", "fsbp-rds-27-encrypted-at-rest", encrypted),
    ("RDS.15", "fsbp-rds-15-multi-az", multi_az),
    (
        "RDS.7",
        "fsbp-rds-7-deletion-protection",
        deletion_protection,
    ),
    ("RDS.12", "fsbp-rds-12-iam-authentication", iam_auth),
    ("RDS.11", "fsbp-rds-11-backups-7-days", backups),
    (
        "RDS.13 / RDS.35",
        "fsbp-rds-13-35-auto-minor-upgrade",
        auto_minor_upgrade,
    ),
    ("RDS.2", "fsbp-rds-2-not-public", not_public),
    ("RDS.16", "fsbp-rds-16-copy-tags-to-snapshots", copy_tags),
    ("RDS.9 / RDS.37", "fsbp-rds-9-37-log-exports", log_exports),
    (
        "RDS.24",
        "fsbp-rds-24-custom-master-user",
        custom_master_user,
    ),
    ("TLS", "rds-force-ssl", force_ssl),
    (
        "CKV_AWS_353/354",
        "ckv-aws-353-354-performance-insights",
        performance_insights,
    ),
];

/// docs/compliance.md RDS.11.
const BACKUP_DAYS: i32 = 7;

fn with_db(env: &Environment, judge: impl Fn(&Database) -> Vec<Finding>) -> Outcome {
    match &env.database {
        Some(db) => Outcome::from_findings(judge(db)),
        None => missing(
            "Aurora cluster",
            "run the database component's create again",
        ),
    }
}

fn cluster_setting(db: &Database, ok: bool, problem: &str, fix: &str) -> Vec<Finding> {
    if ok {
        vec![]
    } else {
        vec![Finding::new(
            format!("cluster {}", db.cluster_id),
            problem,
            fix,
        )]
    }
}

fn per_instance(
    db: &Database,
    bad: impl Fn(&DbInstance) -> bool,
    problem: &str,
    fix: &str,
) -> Vec<Finding> {
    db.instances
        .iter()
        .filter(|i| bad(i))
        .map(|i| Finding::new(format!("instance {}", i.id), problem, fix))
        .collect()
}

/// A control one setting of the cluster decides, with the same finding whatever its value.
fn cluster_control(
    env: &Environment,
    ok: impl Fn(&Database) -> bool,
    problem: &str,
    fix: &str,
) -> Outcome {
    with_db(env, |db| cluster_setting(db, ok(db), problem, fix))
}

/// A control each instance decides on its own.
fn instance_control(
    env: &Environment,
    bad: impl Fn(&DbInstance) -> bool,
    problem: &str,
    fix: &str,
) -> Outcome {
    with_db(env, |db| per_instance(db, &bad, problem, fix))
}

fn encrypted(env: &Environment) -> Outcome {
    with_db(env, |db| {
        let customer_key = match (&db.kms_key_id, &env.key) {
            (Some(used), Some(key)) => used == &key.arn,
            (Some(_), None) => true,
            (None, _) => false,
        };
        cluster_setting(
            db,
            db.storage_encrypted && customer_key,
            "storage is not encrypted with the environment's key",
            "create the cluster with StorageEncrypted and the environment's KMS key",
        )
    })
}

fn multi_az(env: &Environment) -> Outcome {
    with_db(env, |db| {
        let zones: BTreeSet<&str> = db
            .instances
            .iter()
            .filter_map(|i| i.zone.as_deref())
            .collect();
        cluster_setting(
            db,
            zones.len() >= 2,
            &format!(
                "{} instance(s) in {} AZ(s)",
                db.instances.len(),
                zones.len()
            ),
            "run a writer and a reader in different AZs",
        )
    })
}

fn deletion_protection(env: &Environment) -> Outcome {
    if env.force_destroy {
        return Outcome::waived(
            "forceDestroy: true",
            "a throwaway environment the teardown must be able to remove without manual steps",
        );
    }
    cluster_control(
        env,
        |db| db.deletion_protection,
        "deletion protection is off",
        "modify the cluster with DeletionProtection (the spec's deletionProtection)",
    )
}

fn iam_auth(env: &Environment) -> Outcome {
    cluster_control(
        env,
        |db| db.iam_auth,
        "IAM database authentication is off",
        "enable IAM database authentication",
    )
}

fn backups(env: &Environment) -> Outcome {
    with_db(env, |db| {
        cluster_setting(
            db,
            db.backup_retention_days >= BACKUP_DAYS,
            &format!("backups kept {} day(s)", db.backup_retention_days),
            "keep backups at least 7 days",
        )
    })
}

fn auto_minor_upgrade(env: &Environment) -> Outcome {
    with_db(env, |db| {
        let mut findings = cluster_setting(
            db,
            db.auto_minor_upgrade,
            "auto minor version upgrade is off",
            "enable AutoMinorVersionUpgrade",
        );
        findings.extend(per_instance(
            db,
            |i| !i.auto_minor_upgrade,
            "auto minor version upgrade is off",
            "enable AutoMinorVersionUpgrade",
        ));
        findings
    })
}

fn not_public(env: &Environment) -> Outcome {
    instance_control(
        env,
        |i| i.publicly_accessible,
        "publicly accessible",
        "set PubliclyAccessible to false",
    )
}

fn copy_tags(env: &Environment) -> Outcome {
    cluster_control(
        env,
        |db| db.copy_tags_to_snapshot,
        "snapshots do not get the tags",
        "set CopyTagsToSnapshot",
    )
}

fn log_exports(env: &Environment) -> Outcome {
    cluster_control(
        env,
        |db| db.log_exports.iter().any(|l| l == "postgresql"),
        "the postgresql log is not exported to CloudWatch",
        "set EnableCloudwatchLogsExports to [\"postgresql\"]",
    )
}

fn custom_master_user(env: &Environment) -> Outcome {
    with_db(env, |db| {
        let default_name = ["postgres", "admin"].contains(&db.master_username.as_str());
        let mut findings = cluster_setting(
            db,
            !default_name,
            &format!("master user name {:?} is a default", db.master_username),
            "use a custom master user name",
        );
        findings.extend(cluster_setting(
            db,
            db.manages_master_password,
            "the master password is not managed in Secrets Manager",
            "set ManageMasterUserPassword",
        ));
        findings
    })
}

fn force_ssl(env: &Environment) -> Outcome {
    with_db(env, |db| {
        cluster_setting(
            db,
            db.force_ssl.as_deref() == Some("1"),
            &format!(
                "rds.force_ssl is {:?}",
                db.force_ssl.as_deref().unwrap_or("unset")
            ),
            "set rds.force_ssl = 1 in the cluster parameter group",
        )
    })
}

fn performance_insights(env: &Environment) -> Outcome {
    instance_control(
        env,
        |i| !(i.performance_insights && i.performance_insights_kms),
        "Performance Insights is off or not encrypted",
        "enable Performance Insights with the environment's KMS key",
    )
}

#[cfg(test)]
mod tests {
    use super::super::sample::{compliant, fired};
    use super::*;

    fn db(env: &mut Environment) -> &mut Database {
        env.database.as_mut().unwrap()
    }

    #[test]
    fn cluster_settings_each_fire_their_control() {
        let mut env = compliant();
        let d = db(&mut env);
        d.storage_encrypted = false;
        d.deletion_protection = false;
        d.iam_auth = false;
        d.backup_retention_days = 1;
        d.auto_minor_upgrade = false;
        d.copy_tags_to_snapshot = false;
        d.log_exports.clear();
        d.master_username = "postgres".into();
        d.manages_master_password = false;
        d.force_ssl = Some("0".into());
        let c = "cluster aurora-pr-42";
        assert_eq!(
            fired(&env, "RDS.27"),
            [format!(
                "{c}: storage is not encrypted with the environment's key"
            )]
        );
        assert_eq!(
            fired(&env, "RDS.7"),
            [format!("{c}: deletion protection is off")]
        );
        assert_eq!(
            fired(&env, "RDS.12"),
            [format!("{c}: IAM database authentication is off")]
        );
        assert_eq!(
            fired(&env, "RDS.11"),
            [format!("{c}: backups kept 1 day(s)")]
        );
        assert_eq!(
            fired(&env, "RDS.13 / RDS.35"),
            [format!("{c}: auto minor version upgrade is off")]
        );
        assert_eq!(
            fired(&env, "RDS.16"),
            [format!("{c}: snapshots do not get the tags")]
        );
        assert_eq!(
            fired(&env, "RDS.9 / RDS.37"),
            [format!(
                "{c}: the postgresql log is not exported to CloudWatch"
            )]
        );
        assert_eq!(
            fired(&env, "RDS.24"),
            [
                format!("{c}: master user name \"postgres\" is a default"),
                format!("{c}: the master password is not managed in Secrets Manager"),
            ]
        );
        assert_eq!(fired(&env, "TLS"), [format!("{c}: rds.force_ssl is \"0\"")]);
        db(&mut env).force_ssl = None;
        assert_eq!(
            fired(&env, "TLS"),
            [format!("{c}: rds.force_ssl is \"unset\"")]
        );
    }

    #[test]
    fn the_key_must_be_the_environments_own() {
        let mut env = compliant();
        db(&mut env).kms_key_id = Some("arn:aws:kms:us-west-2:123456789012:key/aws-rds".into());
        assert_eq!(fired(&env, "RDS.27").len(), 1);
        db(&mut env).kms_key_id = None;
        assert_eq!(fired(&env, "RDS.27").len(), 1);
        // Without the environment key to compare against, any key counts.
        db(&mut env).kms_key_id = Some("arn:aws:kms:us-west-2:123456789012:key/other".into());
        env.key = None;
        assert!(fired(&env, "RDS.27").is_empty());
    }

    #[test]
    fn instance_settings_each_fire_their_control() {
        let mut env = compliant();
        let writer = &mut db(&mut env).instances[0];
        writer.publicly_accessible = true;
        writer.auto_minor_upgrade = false;
        writer.performance_insights_kms = false;
        db(&mut env).instances[1].zone = db(&mut env).instances[0].zone.clone();
        let w = "instance aurora-writer-pr-42";
        assert_eq!(fired(&env, "RDS.2"), [format!("{w}: publicly accessible")]);
        assert_eq!(
            fired(&env, "RDS.13 / RDS.35"),
            [format!("{w}: auto minor version upgrade is off")]
        );
        assert_eq!(
            fired(&env, "CKV_AWS_353/354"),
            [format!("{w}: Performance Insights is off or not encrypted")]
        );
        assert_eq!(
            fired(&env, "RDS.15"),
            ["cluster aurora-pr-42: 2 instance(s) in 1 AZ(s)"]
        );
        // A reader RDS is still placing counts no zone yet.
        db(&mut env).instances[1].zone = None;
        assert_eq!(
            fired(&env, "RDS.15"),
            ["cluster aurora-pr-42: 2 instance(s) in 1 AZ(s)"]
        );
    }

    #[test]
    fn force_destroy_waives_deletion_protection() {
        let mut env = compliant();
        env.force_destroy = true;
        db(&mut env).deletion_protection = false;
        let checks = super::super::run(&env);
        assert_eq!(
            checks
                .iter()
                .find(|c| c.id == "RDS.7")
                .unwrap()
                .outcome
                .label(),
            "waived"
        );
    }
}
