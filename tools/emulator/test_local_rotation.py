"""local_rotation.py: Aurora clusters mapped to the machine's PostgreSQL, and RotateSecret running
the rotation function's package. Needs the PostgreSQL the integration tests use (127.0.0.1:5432,
its superuser `postgres` trusted over TCP, TLS on); the names here are this run's own."""

import io
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.request
import zipfile

import boto3
import botocore.exceptions

import local_rotation

HERE = os.path.dirname(os.path.abspath(__file__))
REGION = "us-west-2"
ACCOUNT = "123456789012"
DATABASE = f"stand_in_{os.getpid()}"
MASTER = f"stand_in_admin_{os.getpid()}"
ASSUME_LAMBDA = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
ADMIN = local_rotation.DEFAULT_CONNINFO


def psql(statement: str) -> list[list[str]]:
    return local_rotation.LocalPostgres.query(ADMIN, statement)


def package(script: str, files: dict[str, str]) -> bytes:
    """A Lambda package whose `bootstrap` is a shell script (executable, as Lambda needs it)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        entry = zipfile.ZipInfo("bootstrap")
        entry.external_attr = 0o100755 << 16
        archive.writestr(entry, "#!/bin/sh\n" + script)
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


# Records each event and what it was given, then answers; fails at the step named by FAIL_AT.
RECORDING = """event=$(cat)
step=$(printf '%s' "$event" | sed 's/.*"Step": *"\\([a-zA-Z]*\\)".*/\\1/')
printf '%s\\t%s\\t%s\\t%s\\n' "$event" "$AWS_ACCESS_KEY_ID" "$DB_CA_BUNDLE" "$(cat "$DB_CA_BUNDLE" | tr '\\n' ' ')" >> "$RECORD"
if [ "$step" = "$FAIL_AT" ]; then
  echo '{"errorType": "ComponentFailed", "errorMessage": "refused"}'
  exit 1
fi
echo null
"""


class Launched:
    def __init__(self, *args):
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "launch.py"), *args],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=HERE, text=True)
        self.endpoint = f"http://127.0.0.1:{self.process.stdout.readline().split()[1]}"

    def client(self, service):
        return boto3.client(service, endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id="test", aws_secret_access_key="test")

    def report(self):
        with urllib.request.urlopen(self.endpoint + local_rotation.REPORT_PATH) as answer:
            return json.load(answer)

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


class Detection(unittest.TestCase):
    def test_none_and_an_unreachable_server_leave_rotation_scheduled_only(self):
        self.assertEqual(local_rotation.detect("none", None),
                         (None, "off (--postgres none): rotation is only scheduled"))
        postgres, why = local_rotation.detect("host=127.0.0.1 port=9 user=postgres connect_timeout=2", None)
        self.assertIsNone(postgres)
        self.assertTrue(why.startswith("no PostgreSQL at 'host=127.0.0.1 port=9"), why)

    def test_a_user_who_is_no_superuser_is_not_used(self):
        role = f"stand_in_plain_{os.getpid()}"
        psql(f"CREATE ROLE {role} LOGIN")
        try:
            postgres, why = local_rotation.detect(f"host=127.0.0.1 port=5432 user={role} dbname=postgres", None)
            self.assertIsNone(postgres)
            self.assertIn("is not a superuser", why)
        finally:
            psql(f"DROP ROLE {role}")

    def test_the_machines_server_is_found_with_tls_and_password_rules(self):
        postgres, why = local_rotation.detect("auto", None)
        self.assertIsNotNone(postgres, why)
        self.assertEqual(postgres.port, 5432)
        self.assertTrue(os.access(postgres.ca_file, os.R_OK))
        # .ci/postgres-password-auth: every login to database catalog needs its password.
        self.assertTrue(postgres.passwords_checked, why)
        self.assertEqual(why, f"Aurora clusters are the PostgreSQL at localhost:5432 (TLS, CA {postgres.ca_file})")


class StandIn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Launched("--postgres", "auto")
        iam = cls.emulator.client("iam")
        cls.role = iam.create_role(RoleName="role-rotation-standin", AssumeRolePolicyDocument=ASSUME_LAMBDA)["Role"]["Arn"]

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()
        for statement in (f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'DROP ROLE IF EXISTS "{MASTER}"'):
            psql(statement)

    def create_cluster(self, identifier):
        return self.emulator.client("rds").create_db_cluster(
            DBClusterIdentifier=identifier, Engine="aurora-postgresql", EngineVersion="16.6",
            DatabaseName=DATABASE, MasterUsername=MASTER, ManageMasterUserPassword=True)["DBCluster"]

    def test_a_cluster_is_the_local_server_with_its_master_user_and_database_until_deleted(self):
        rds, secrets = self.emulator.client("rds"), self.emulator.client("secretsmanager")
        cluster = self.create_cluster("aurora-standin")
        self.assertEqual((cluster["Endpoint"], cluster["ReaderEndpoint"], cluster["Port"]), ("localhost", "localhost", 5432))
        master = json.loads(secrets.get_secret_value(SecretId=cluster["MasterUserSecret"]["SecretArn"])["SecretString"])
        self.assertEqual(master["username"], MASTER)
        self.assertEqual(len(master["password"]), 32)
        owner = psql(f"SELECT pg_get_userbyid(datdba), shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = '{DATABASE}'")
        self.assertEqual(owner, [[MASTER, f"{local_rotation.MARKER}: {cluster['DBClusterArn']}"]])
        self.assertEqual(psql(f"SELECT rolcreaterole, rolsuper FROM pg_roles WHERE rolname = '{MASTER}'"), [["t", "f"]])
        # The master logs in over TLS with the secret's password, as the rotation function does.
        login = subprocess.run(["psql", "-X", "-qAt", "-c", "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                                f"host=localhost port=5432 dbname={DATABASE} user={MASTER} sslmode=verify-full sslrootcert={local_rotation.detect('auto', None)[0].ca_file}"],
                               env={**os.environ, "PGPASSWORD": master["password"]}, capture_output=True, text=True)
        self.assertEqual(login.stdout, f"{MASTER}|t\n", login.stderr)
        # A second cluster while this one stands: refused, naming the first.
        with self.assertRaises(botocore.exceptions.ClientError) as refused:
            self.create_cluster("aurora-second")
        self.assertEqual(refused.exception.response["Error"]["Code"], "InvalidParameterValue")
        self.assertIn(f"stands in for cluster {cluster['DBClusterArn']}", refused.exception.response["Error"]["Message"])

        # What the first rotation makes: an application user granted the database, and its clone.
        psql(f'CREATE ROLE "{DATABASE}_app" LOGIN; CREATE ROLE "{DATABASE}_app_clone" LOGIN IN ROLE "{DATABASE}_app";'
             f'GRANT CONNECT ON DATABASE "{DATABASE}" TO "{DATABASE}_app"')
        rds.delete_db_cluster(DBClusterIdentifier="aurora-standin", SkipFinalSnapshot=True)
        left = psql(f"SELECT rolname FROM pg_roles WHERE rolname LIKE 'stand_in_%{os.getpid()}%' UNION ALL "
                    f"SELECT datname FROM pg_database WHERE datname = '{DATABASE}'")
        self.assertEqual(left, [])

    def test_a_database_of_the_machines_own_is_never_taken_over(self):
        psql(f'CREATE DATABASE "{DATABASE}"')
        try:
            with self.assertRaises(botocore.exceptions.ClientError) as refused:
                self.create_cluster("aurora-foreign")
            self.assertIn(f"already has a database {DATABASE} that this emulator did not make",
                          refused.exception.response["Error"]["Message"])
            self.assertEqual(psql(f"SELECT count(*) FROM pg_roles WHERE rolname = '{MASTER}'"), [["0"]])
        finally:
            psql(f'DROP DATABASE "{DATABASE}"')

    def rotate(self, name, fail_at, record):
        functions, secrets = self.emulator.client("lambda"), self.emulator.client("secretsmanager")
        arn = functions.create_function(
            FunctionName=name, Runtime="provided.al2023", Handler="bootstrap", Role=self.role, Timeout=10,
            Code={"ZipFile": package(RECORDING, {"rds-ca-bundle.pem": "PACKAGED-CA\n"})},
            Environment={"Variables": {"DB_CA_BUNDLE": "/var/task/rds-ca-bundle.pem", "RECORD": record, "FAIL_AT": fail_at}},
        )["FunctionArn"]
        secret = secrets.create_secret(Name=f"secret-{name}", SecretString='{"password": "old"}')["ARN"]
        token = secrets.rotate_secret(SecretId=secret, RotationLambdaARN=arn,
                                      RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
        for _ in range(100):
            run = next((r for r in self.emulator.report()["rotations"] if r["secretId"] == secret), None)
            if run and ("error" in run or run["rotated"] or any(not step["ok"] for step in run["steps"])):
                return secret, token, run
            time.sleep(0.1)
        self.fail(f"the rotation of {secret} did not end: {self.emulator.report()}")

    def test_rotate_secret_runs_the_packages_four_steps_as_its_role_then_sets_last_rotated(self):
        record = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"stand-in-steps-{os.getpid()}")
        try:
            secret, token, run = self.rotate("rotation-standin", "none", record)
            self.assertTrue(run["rotated"], run)
            self.assertEqual([step["step"] for step in run["steps"]], list(local_rotation.STEPS))
            with open(record, encoding="utf-8") as lines:
                calls = [line.rstrip("\n").split("\t") for line in lines]
            self.assertEqual([json.loads(call[0]) for call in calls],
                             [{"SecretId": secret, "ClientRequestToken": token, "Step": step} for step in local_rotation.STEPS])
            # Signed as its role; /var/task is the unpacked package; its CA bundle plus the server's.
            self.assertEqual({call[1] for call in calls}, {"role-rotation-standin"})
            self.assertTrue(calls[0][2].endswith("/.emulator-ca-bundle.pem"), calls[0][2])
            self.assertTrue(calls[0][3].startswith("PACKAGED-CA -----BEGIN CERTIFICATE-----"), calls[0][3])
            described = self.emulator.client("secretsmanager").describe_secret(SecretId=secret)
            self.assertIn("LastRotatedDate", described)
            self.assertEqual(described["VersionIdsToStages"][token], ["AWSPENDING"])
        finally:
            os.remove(record)

    def test_a_failed_step_stops_the_rotation_and_leaves_it_pending(self):
        record = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"stand-in-failed-{os.getpid()}")
        try:
            secret, token, run = self.rotate("rotation-failing", "setSecret", record)
            self.assertFalse(run["rotated"])
            self.assertEqual(run["steps"][-1], {**run["steps"][-1], "step": "setSecret", "ok": False,
                                                "error": "ComponentFailed: refused"})
            self.assertEqual(len(run["steps"]), 2)
            described = self.emulator.client("secretsmanager").describe_secret(SecretId=secret)
            self.assertNotIn("LastRotatedDate", described)
        finally:
            os.remove(record)


class Off(unittest.TestCase):
    def test_without_postgres_the_report_says_why_and_clusters_stay_moto_s(self):
        emulator = Launched("--postgres", "none")
        try:
            report = emulator.report()
            self.assertEqual(report, {"postgres": None, "why": "off (--postgres none): rotation is only scheduled", "rotations": []})
            cluster = emulator.client("rds").create_db_cluster(
                DBClusterIdentifier="aurora-moto", Engine="aurora-postgresql", DatabaseName=DATABASE,
                MasterUsername=MASTER, ManageMasterUserPassword=True)["DBCluster"]
            self.assertTrue(cluster["Endpoint"].endswith(".rds.amazonaws.com"), cluster["Endpoint"])
            self.assertEqual(psql(f"SELECT count(*) FROM pg_database WHERE datname = '{DATABASE}'"), [["0"]])
        finally:
            emulator.stop()


if __name__ == "__main__":
    unittest.main()
