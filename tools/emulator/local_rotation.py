"""Secrets Manager rotation run for real, against the machine's PostgreSQL (`--postgres`).

moto cannot run a Lambda (it needs docker), so on its own an immediate rotation only leaves a
pending version behind. With a PostgreSQL to stand in for Aurora, this module does what AWS does
instead:

- **An Aurora PostgreSQL cluster is the local server.** CreateDBCluster (engine
  `aurora-postgresql`) answers `Endpoint` and `ReaderEndpoint` `localhost` (the name the local
  server's certificate carries) and the server's port, and makes what RDS makes in a new cluster:
  the master user (`LOGIN CREATEROLE`, as an RDS master manages users) with the password of the
  secret RDS manages for it, and the cluster's database owned by it. DeleteDBCluster drops the
  database and the roles it had granted to it (the application's users) and the master. Both are
  marked as the emulator's (`COMMENT ON`), so a database or role of the machine's own with the same
  name is never taken over: the cluster is refused instead. One cluster at a time maps to the
  server (the database function's names are fixed: `catalog`, `catalog_admin`, `catalog_app`); a
  new cluster replaces what an earlier emulator left.
- **RotateSecret runs the rotation function.** "RotateSecret ... starts the asynchronous process
  of rotating the secret" (Secrets Manager API reference, RotateSecret): Secrets Manager invokes the
  function's four steps, `createSecret`, `setSecret`, `testSecret`, `finishSecret`, each with
  `{"SecretId": <ARN>, "ClientRequestToken": <version>, "Step": ...}` (Secrets Manager user guide,
  "Lambda rotation functions"). Here a thread runs the deployed package moto stored: unpacked, its
  `bootstrap invoke` run once per step with the function's own environment, as its role (the
  access key id names the role), against this emulator, killed after the function's timeout. The
  package's `/var/task` is where it was unpacked: a `DB_CA_BUNDLE` under `/var/task` is read from
  the package (a package without it fails as in AWS), with the local server's certificate added,
  since that server's certificate is not signed by Amazon RDS's authorities. `LastRotatedDate`
  ("the most recent date and time that the Secrets Manager rotation process was successfully
  completed", API reference, DescribeSecret) is set when `finishSecret` succeeds, not before.
- `GET /_emulator/rotations` reports the server used (or why none) and each rotation's steps.

Without `--postgres` (or when no server answers), nothing changes: rotation is only scheduled.
"""

import json
import os
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

import local_cache

REPORT_PATH = "/_emulator/rotations"
MARKER = "catalog-environments emulator"
# The default: the machine's server, its superuser over TCP (trust on a developer's machine and CI).
DEFAULT_CONNINFO = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# The name the server's certificate carries (Debian's snakeoil certificate: CN and SAN localhost).
LOCAL_HOST = "localhost"


def add_arguments(parser) -> None:
    parser.add_argument(
        "--postgres",
        metavar="CONNINFO",
        default=os.environ.get("CATALOG_LOCAL_POSTGRES", "auto"),
        help="a superuser's libpq connection string for the PostgreSQL that stands in for Aurora "
        f"clusters and against which rotations run; 'auto' (default, or CATALOG_LOCAL_POSTGRES): "
        f"'{DEFAULT_CONNINFO}' when it answers with TLS on; 'none': rotation is only scheduled",
    )
    parser.add_argument(
        "--postgres-ca",
        metavar="FILE",
        help="the certificate the server's certificate chains to (default: the server's "
        "ssl_ca_file, else its own ssl_cert_file, self-signed)",
    )


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class PostgresError(Exception):
    pass


class LocalPostgres:
    """The server, administered through `psql` as its superuser (nothing to install with moto)."""

    def __init__(self, conninfo: str, port: int, ca_file: str, passwords_checked: bool):
        self.conninfo = conninfo
        self.port = port
        self.ca_file = ca_file
        self.passwords_checked = passwords_checked
        self.lock = threading.Lock()
        # The clusters of this emulator the server stands in for now.
        self.live: set[str] = set()

    @staticmethod
    def query(conninfo: str, statement: str) -> list[list[str]]:
        try:
            run = subprocess.run(
                ["psql", "-X", "-qAt", "-F", "\x1f", "-v", "ON_ERROR_STOP=1", "-d", conninfo],
                input=statement,
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise PostgresError(f"psql could not run: {error}") from error
        if run.returncode != 0:
            raise PostgresError(run.stderr.strip() or f"psql exited {run.returncode}")
        return [line.split("\x1f") for line in run.stdout.splitlines() if line]

    def sql(self, statement: str) -> list[list[str]]:
        return self.query(self.conninfo, statement)

    def owner_note(self, kind: str, name: str) -> str | None:
        """The comment on database or role `name` (`kind` pg_database / pg_authid); None when
        there is no such object, "" when it has no comment."""
        column = "datname" if kind == "pg_database" else "rolname"
        # Prefixed: psql prints an empty value as an empty line, which would read as no row.
        rows = self.sql(
            f"SELECT 'comment:' || coalesce(shobj_description(oid, '{kind}'), '') FROM {kind} "
            f"WHERE {column} = {quote_literal(name)}"
        )
        return rows[0][0].removeprefix("comment:") if rows else None

    def refuse_foreign(self, database: str, master: str) -> None:
        for kind, name, what in (("pg_database", database, "database"), ("pg_authid", master, "role")):
            note = self.owner_note(kind, name)
            if note is not None and not note.startswith(MARKER):
                raise PostgresError(
                    f"the local PostgreSQL already has a {what} {name} that this emulator did not "
                    "make; it is left alone (drop or rename it, or run the emulator with --postgres none)"
                )
            owner = (note or "")[len(MARKER) + 2:]
            if owner in self.live:
                raise PostgresError(
                    f"the local PostgreSQL's {what} {name} stands in for cluster {owner}: one "
                    "cluster at a time maps to it (delete that one first)"
                )

    def create_cluster(self, arn: str, database: str, master: str, password: str) -> None:
        with self.lock:
            self.refuse_foreign(database, master)
            self.drop_cluster(database, master, locked=True)
            note = quote_literal(f"{MARKER}: {arn}")
            role, db = quote_identifier(master), quote_identifier(database)
            self.sql(
                f"CREATE ROLE {role} LOGIN CREATEROLE PASSWORD {quote_literal(password)};"
                f"COMMENT ON ROLE {role} IS {note};"
            )
            self.sql(f"CREATE DATABASE {db} OWNER {role}")
            self.sql(f"COMMENT ON DATABASE {db} IS {note}")
            self.live.add(arn)

    def drop_cluster(self, database: str, master: str, locked: bool = False) -> list[str]:
        """Drops the emulator's database and the roles it granted to (with their members), then
        the master; returns the roles dropped."""
        if not locked:
            with self.lock:
                return self.drop_cluster(database, master, locked=True)
        dropped = []
        if (self.owner_note("pg_database", database) or "").startswith(MARKER):
            granted = self.sql(
                "SELECT DISTINCT r.rolname, r.oid FROM pg_database d, aclexplode(d.datacl) a "
                "JOIN pg_roles r ON r.oid = a.grantee "
                f"WHERE d.datname = {quote_literal(database)} AND NOT r.rolsuper "
                f"AND r.rolname <> {quote_literal(master)}"
            )
            members = []
            for _, oid in granted:
                members += self.sql(
                    "SELECT r.rolname FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                    f"WHERE m.roleid = {oid} AND NOT r.rolsuper"
                )
            self.sql(f"DROP DATABASE {quote_identifier(database)} WITH (FORCE)")
            for (name, *_) in members + granted:
                if name not in dropped:
                    self.sql(f"DROP ROLE IF EXISTS {quote_identifier(name)}")
                    dropped.append(name)
        if (self.owner_note("pg_authid", master) or "").startswith(MARKER):
            self.sql(f"DROP ROLE {quote_identifier(master)}")
            dropped.append(master)
        return dropped


def detect(setting: str, ca_file: str | None) -> tuple[LocalPostgres | None, str]:
    """The server `setting` names, or None and why not."""
    if setting == "none":
        return None, "off (--postgres none): rotation is only scheduled"
    conninfo = DEFAULT_CONNINFO if setting == "auto" else setting
    try:
        superuser = LocalPostgres.query(conninfo, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if superuser != [["t"]]:
            return None, f"'{conninfo}' is not a superuser: rotation is only scheduled"
        rows = LocalPostgres.query(
            conninfo,
            "SELECT current_setting('ssl'), current_setting('port'), current_setting('ssl_ca_file'), "
            "current_setting('ssl_cert_file'), "
            "(SELECT count(*) FROM pg_hba_file_rules WHERE 'catalog' = ANY(database) "
            "AND auth_method = 'scram-sha-256' AND error IS NULL)",
        )
    except PostgresError as error:
        return None, f"no PostgreSQL at '{conninfo}' ({error.args[0].splitlines()[0]}): rotation is only scheduled"
    ssl, port, server_ca, server_cert, rules = rows[0]
    if ssl != "on":
        return None, "the local PostgreSQL does not offer TLS, which the rotation function requires: rotation is only scheduled"
    ca = ca_file or server_ca or server_cert
    if not os.access(ca, os.R_OK):
        return None, f"cannot read the server's certificate {ca} (give --postgres-ca): rotation is only scheduled"
    checked = int(rules) > 0
    why = f"Aurora clusters are the PostgreSQL at {LOCAL_HOST}:{port} (TLS, CA {ca})"
    if not checked:
        why += "; it trusts logins to database catalog, so passwords are not proven (run .ci/postgres-password-auth as root)"
    return LocalPostgres(conninfo, int(port), ca, checked), why


class Rotations:
    """What `GET /_emulator/rotations` reports; also a WSGI app in front of `app`."""

    def __init__(self, app, postgres: LocalPostgres | None, why: str):
        self.app = app
        self.postgres = postgres
        self.why = why
        self.runs: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") != REPORT_PATH:
            return self.app(environ, start_response)
        with self.lock:
            body = json.dumps(
                {
                    "postgres": None
                    if self.postgres is None
                    else {"host": LOCAL_HOST, "port": self.postgres.port, "passwordsChecked": self.postgres.passwords_checked},
                    "why": self.why,
                    "rotations": self.runs,
                }
            ).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def unpack(code: bytes, into: str) -> None:
    """A Lambda package, with the modes its zip records (Lambda keeps `bootstrap` executable)."""
    import io

    with zipfile.ZipFile(io.BytesIO(code)) as package:
        for entry in package.infolist():
            path = package.extract(entry, into)
            mode = entry.external_attr >> 16
            if mode:
                os.chmod(path, mode & 0o7777)


def host_architecture() -> str:
    return "arm64" if os.uname().machine in ("aarch64", "arm64") else "x86_64"


def function_environment(fn, arn: str, root: str, endpoint: str, ca_file: str) -> dict[str, str]:
    """What Lambda gives the function (Lambda developer guide, "Defined runtime environment
    variables"), its own variables, where the emulator is, and the machine's log and coverage
    settings; `/var/task` is `root`."""
    region = arn.split(":")[3]
    env = {
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.function_name}",
        "LAMBDA_TASK_ROOT": root,
        "_HANDLER": fn.handler or "",
        "TZ": ":UTC",
        "AWS_ACCESS_KEY_ID": fn.role.split("/")[-1],
        "AWS_SECRET_ACCESS_KEY": "local",
        **{key: str(value) for key, value in (fn.environment_vars or {}).items()},
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    for key in ("PATH", "RUST_LOG", "LLVM_PROFILE_FILE"):
        if key in os.environ:
            env[key] = os.environ[key]
    bundle = env.get("DB_CA_BUNDLE", "")
    if bundle.startswith("/var/task/"):
        packaged = os.path.join(root, bundle[len("/var/task/"):])
        env["DB_CA_BUNDLE"] = packaged
        if os.path.isfile(packaged):
            combined = os.path.join(root, ".emulator-ca-bundle.pem")
            # The local servers' certificates: PostgreSQL's, and the Redis server's
            # (local_cache.py), which may be the same file.
            with open(combined, "w", encoding="utf-8") as out:
                for part in dict.fromkeys((packaged, ca_file, local_cache.CERTIFICATE)):
                    if part != packaged and not os.path.isfile(part):
                        continue
                    with open(part, encoding="utf-8") as pem:
                        out.write(pem.read().rstrip("\n") + "\n")
            env["DB_CA_BUNDLE"] = combined
    return env


def run_rotation(rotations: Rotations, secret, token: str, endpoint: str, account: str, region: str) -> None:
    from moto.awslambda.models import lambda_backends

    run = {"secretId": secret.arn, "token": token, "function": secret.rotation_lambda_arn, "steps": [], "rotated": False}
    with rotations.lock:
        rotations.runs.append(run)
    root = tempfile.mkdtemp(prefix="emulator-rotation-")
    try:
        fn = lambda_backends[account][region].get_function(secret.rotation_lambda_arn)
        architecture = (getattr(fn, "architectures", None) or ["x86_64"])[0]
        if fn.run_time != "provided.al2023" or architecture != host_architecture():
            raise RuntimeError(
                f"{fn.function_name} is {fn.run_time} for {architecture}; this machine runs "
                f"provided.al2023 packages for {host_architecture()}"
            )
        unpack(fn.code_bytes, root)
        env = function_environment(fn, secret.rotation_lambda_arn, root, endpoint, rotations.postgres.ca_file)
        for step in STEPS:
            event = {"SecretId": secret.arn, "ClientRequestToken": token, "Step": step}
            started = time.monotonic()
            try:
                done = subprocess.run(
                    [os.path.join(root, "bootstrap"), "invoke"],
                    input=json.dumps(event),
                    capture_output=True,
                    text=True,
                    env=env,
                    cwd=root,
                    timeout=fn.timeout,
                )
                answer = done.stdout
                ok = done.returncode == 0
                if done.stderr:
                    sys.stderr.write(done.stderr)
            except subprocess.TimeoutExpired:
                answer, ok = json.dumps({"errorType": "Sandbox.Timedout", "errorMessage": f"Task timed out after {fn.timeout}.00 seconds"}), False
            except OSError as error:
                answer, ok = json.dumps({"errorType": "Runtime.InvalidEntrypoint", "errorMessage": str(error)}), False
            record = {"step": step, "ok": ok, "ms": round((time.monotonic() - started) * 1000)}
            if not ok:
                try:
                    body = json.loads(answer)
                    record["error"] = f"{body.get('errorType')}: {body.get('errorMessage')}"
                except ValueError:
                    record["error"] = f"Runtime.ExitError: {answer.strip()[:500]}"
            with rotations.lock:
                run["steps"].append(record)
            if not ok:
                print(f"emulator: rotation of {secret.name} failed at {step}: {record['error']}", file=sys.stderr)
                return
        secret.last_rotation_date = int(time.time())
        with rotations.lock:
            run["rotated"] = True
    except Exception as error:  # the report says why; the secret stays pending, as in AWS
        with rotations.lock:
            run["error"] = str(error)
        print(f"emulator: rotation of {secret.name} could not run: {error}", file=sys.stderr)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def patch(rotations: Rotations, endpoint: str) -> None:
    """Maps Aurora clusters to the server and runs rotations (see the module's doc); `endpoint` is
    the emulator's own address, which the rotation function calls."""
    postgres = rotations.postgres
    if postgres is None:
        return
    from moto.rds.exceptions import InvalidParameterValue
    from moto.rds.models import DBCluster, RDSBackend
    from moto.secretsmanager.models import SecretsManagerBackend

    create = RDSBackend.create_db_cluster
    delete = RDSBackend.delete_db_cluster
    writer, reader = DBCluster.endpoint, DBCluster.reader_endpoint

    def create_db_cluster(self, kwargs):
        local = str(kwargs.get("engine", "")).startswith("aurora-postgresql") and kwargs.get("database_name")
        # A cluster that exists already is moto's to refuse (DBClusterAlreadyExistsFault).
        if local and kwargs.get("db_cluster_identifier") not in self.clusters:
            try:
                postgres.refuse_foreign(kwargs["database_name"], kwargs.get("master_username") or "")
            except PostgresError as error:
                raise InvalidParameterValue(str(error)) from error
        cluster = create(self, kwargs)
        if local:
            cluster.local_postgres = True
            cluster.port = postgres.port
            if getattr(cluster, "master_user_secret", None) is not None:
                password = json.loads(cluster.master_user_secret.secret.secret_string)["password"]
            else:
                password = cluster.master_user_password or ""
            try:
                postgres.create_cluster(cluster.arn, cluster.database_name, cluster.master_username, password)
            except PostgresError as error:
                del self.clusters[cluster.db_cluster_identifier]
                raise InvalidParameterValue(f"the local PostgreSQL refused the cluster: {error}") from error
        return cluster

    def delete_db_cluster(self, *args, **kwargs):
        identifier = kwargs.get("cluster_identifier", args[0] if args else None)
        cluster = self.clusters.get(identifier)
        result = delete(self, *args, **kwargs)
        if cluster is not None and getattr(cluster, "local_postgres", False):
            postgres.live.discard(cluster.arn)
            try:
                postgres.drop_cluster(cluster.database_name, cluster.master_username)
            except PostgresError as error:
                print(f"emulator: the local PostgreSQL kept {cluster.database_name}: {error}", file=sys.stderr)
        return result

    RDSBackend.create_db_cluster = create_db_cluster
    RDSBackend.delete_db_cluster = delete_db_cluster
    DBCluster.endpoint = property(lambda self: LOCAL_HOST if getattr(self, "local_postgres", False) else writer.fget(self))
    DBCluster.reader_endpoint = property(lambda self: LOCAL_HOST if getattr(self, "local_postgres", False) else reader.fget(self))

    rotate = SecretsManagerBackend.rotate_secret

    def rotate_secret(self, *args, **kwargs):
        secret_id = kwargs.get("secret_id", args[0] if args else None)
        secret = self.secrets[secret_id] if self._is_valid_identifier(secret_id) else None
        last = secret.last_rotation_date if secret is not None else None
        result = rotate(self, *args, **kwargs)
        if secret is not None and secret.rotation_lambda_arn and kwargs.get("rotate_immediately", True):
            secret.last_rotation_date = last
            token = next(
                version for version, value in secret.versions.items() if "AWSPENDING" in value["version_stages"]
            )
            threading.Thread(
                target=run_rotation,
                args=(rotations, secret, token, endpoint, self.account_id, self.region_name),
                daemon=True,
            ).start()
        return result

    SecretsManagerBackend.rotate_secret = rotate_secret


def master_secret_as_rds_makes_it() -> None:
    """moto's RDS-managed master secret holds `{"username": "admin", "password": "P@55w0rd!"}`
    whatever the master user is. RDS stores the master user's own name and a password it generates
    (RDS user guide, "Password management with Amazon RDS and AWS Secrets Manager"): a rotation
    function that logs in as the master needs both."""
    from moto.rds.models import MasterUserSecret

    def secret_string(self) -> str:
        alphabet = string.ascii_letters + string.digits
        password = "".join(secrets.choice(alphabet) for _ in range(32))
        return json.dumps({"username": self.resource.master_username, "password": password})

    MasterUserSecret._generate_secret_string = secret_string
