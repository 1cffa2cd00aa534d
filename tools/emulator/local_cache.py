"""ElastiCache replication groups run for real, against a Redis server with TLS that the emulator
starts, beside the PostgreSQL that stands in for Aurora (local_rotation.py): together they let the
rotation function rotate the Redis AUTH token as it would in AWS.

moto keeps a replication group's AuthToken and ignores it afterwards: ModifyReplicationGroup takes
no AuthToken, and no server exists to log in to. Here, when rotations run (`--postgres`) and the
machine has `redis-server` (Debian's package, built with TLS):

- **A replication group is the local server.** CreateReplicationGroup with
  TransitEncryptionEnabled and an AuthToken answers the configuration endpoint `localhost` (the name
  the server's certificate carries) and the server's TLS port, and the server then takes exactly
  that token (the `default` user's password; ElastiCache user guide, "Authenticating with the
  Valkey and Redis OSS AUTH command"). One group at a time maps to the server; DeleteReplicationGroup
  turns the `default` user off again.
- **ModifyReplicationGroup changes the token the way ElastiCache does.** "The ROTATE strategy adds
  an additional AUTH token to the server while retaining the previous token", and when two exist
  "the oldest AUTH token will also be removed ..., allowing a server to support up to two most
  recent AUTH tokens at a given time"; with SET "the Redis server supports only the AUTH token
  specified" (same guide, "Modifying the AUTH token on an existing cluster"; SET "allowed only
  after ROTATE", API reference, ModifyReplicationGroup). The group is `modifying`, with
  `PendingModifiedValues.AuthTokenStatus` `ROTATING` or `SETTING`, for APPLY_SECONDS; then the
  server takes the new tokens and the group is `available`. A change meanwhile is refused with
  InvalidReplicationGroupState ("The requested replication group is not in the available state").
"""

import ctypes
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time

# The server's certificate and key: Debian's snakeoil pair (CN and SAN localhost), the same the
# local PostgreSQL serves, so the rotation function's bundle already trusts it.
CERTIFICATE = "/etc/ssl/certs/ssl-cert-snakeoil.pem"
KEY = "/etc/ssl/private/ssl-cert-snakeoil.key"
LOCAL_HOST = "localhost"
# How long a token change takes to apply here (seconds): long enough that the rotation function
# waits for it, as it must in AWS.
APPLY_SECONDS = 1.0
ADMIN = "emulator"


def command(*arguments: str) -> bytes:
    """One command as RESP (an array of bulk strings)."""
    parts = [f"*{len(arguments)}\r\n".encode()]
    for argument in arguments:
        data = argument.encode()
        parts.append(f"${len(data)}\r\n".encode() + data + b"\r\n")
    return b"".join(parts)


def _die_with_parent() -> None:
    """The server ends with the emulator, however the emulator ends (Linux PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)
    except OSError:
        pass


class LocalRedis:
    """A redis-server with TLS only, administered by a user of its own."""

    def __init__(self, binary: str):
        self.directory = tempfile.mkdtemp(prefix="emulator-redis-")
        self.admin_password = os.urandom(16).hex()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = os.path.join(self.directory, "redis.conf")
        with open(config, "w", encoding="utf-8") as out:
            out.write(
                f"port 0\ntls-port {self.port}\nbind 127.0.0.1\n"
                f"tls-cert-file {CERTIFICATE}\ntls-key-file {KEY}\ntls-ca-cert-file {CERTIFICATE}\n"
                "tls-auth-clients no\nsave \"\"\nappendonly no\n"
                f"dir {self.directory}\n"
                "user default off resetpass\n"
                f"user {ADMIN} on >{self.admin_password} ~* &* +@all\n"
            )
        self.process = subprocess.Popen(
            [binary, config],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent,
        )
        self.lock = threading.Lock()
        self.tokens: list[str] = []
        self.live: str | None = None
        deadline = time.monotonic() + 10
        while True:
            try:
                self.admin("PING")
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    error = self.process.stderr.read().decode(errors="replace") if self.process.poll() is not None else "no answer"
                    self.stop()
                    raise RuntimeError(f"redis-server did not start: {error.strip()[:300]}")
                time.sleep(0.05)

    def admin(self, *arguments: str) -> bytes:
        """Runs one command as the administrator; its reply line."""
        context = ssl.create_default_context(cafile=CERTIFICATE)
        with socket.create_connection((LOCAL_HOST, self.port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname=LOCAL_HOST) as tls:
                reader = tls.makefile("rb")
                for sent in (("AUTH", ADMIN, self.admin_password), arguments):
                    tls.sendall(command(*sent))
                    reply = reader.readline()
                    if not reply.startswith((b"+", b"$", b":", b"*")):
                        raise OSError(f"redis-server refused {sent[0]}: {reply.decode(errors='replace').strip()}")
                return reply

    def take(self, tokens: list[str]) -> None:
        """The `default` user logs in with exactly `tokens`; none turns it off."""
        self.tokens = list(tokens)
        if tokens:
            self.admin("ACL", "SETUSER", "default", "reset", "on", "~*", "&*", "+@all", *(f">{t}" for t in tokens))
        else:
            self.admin("ACL", "SETUSER", "default", "reset", "off")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)


def start() -> tuple[LocalRedis | None, str]:
    """The server, or None and why not."""
    binary = shutil.which("redis-server")
    if binary is None:
        return None, "no redis-server on PATH (Debian: apt-get install redis-server): the AUTH token is only stored"
    if not os.access(KEY, os.R_OK):
        return None, f"cannot read {KEY} (the server's TLS key; run as root or in group ssl-cert): the AUTH token is only stored"
    try:
        server = LocalRedis(binary)
    except (RuntimeError, OSError) as error:
        return None, f"{error}: the AUTH token is only stored"
    return server, f"replication groups are the Redis server at {LOCAL_HOST}:{server.port} (TLS, CA {CERTIFICATE})"


def patch(redis: LocalRedis | None) -> None:
    """Maps replication groups to the server and applies token changes (see the module's doc)."""
    if redis is None:
        return
    from moto.elasticache.exceptions import ElastiCacheException, InvalidParameterValueException
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse

    class InvalidReplicationGroupState(ElastiCacheException):
        code = "InvalidReplicationGroupState"

        def __init__(self):
            super().__init__("InvalidReplicationGroupState", "The requested replication group is not in the available state.")

    create = ElastiCacheBackend.create_replication_group
    delete = ElastiCacheBackend.delete_replication_group
    modify = ElastiCacheResponse.modify_replication_group

    def create_replication_group(self, *args, **kwargs):
        token = kwargs.get("auth_token")
        local = bool(token) and bool(kwargs.get("transit_encryption_enabled"))
        with redis.lock:
            if local and redis.live is not None:
                raise InvalidParameterValueException(
                    f"the local Redis server stands in for replication group {redis.live}: one group at a time maps to it (delete that one first)"
                )
            group = create(self, *args, **kwargs)
            if local:
                group.local_redis = True
                if getattr(group, "configuration_endpoint", None):
                    group.configuration_endpoint = {"address": LOCAL_HOST, "port": redis.port}
                redis.live = group.replication_group_id
                redis.take([token])
        return group

    def delete_replication_group(self, replication_group_id, *args, **kwargs):
        group = self.replication_groups.get(replication_group_id)
        result = delete(self, replication_group_id, *args, **kwargs)
        if group is not None and getattr(group, "local_redis", False):
            with redis.lock:
                redis.live = None
                redis.take([])
        return result

    def modify_replication_group(self):
        token = self._get_param("AuthToken")
        group = self.elasticache_backend.replication_groups.get(self._get_param("ReplicationGroupId"))
        if token is None or group is None or not getattr(group, "local_redis", False):
            return modify(self)
        strategy = self._get_param("AuthTokenUpdateStrategy") or "ROTATE"
        with redis.lock:
            if group.status != "available":
                raise InvalidReplicationGroupState()
            if strategy == "SET" and redis.tokens[-1:] != [token]:
                raise InvalidParameterValueException("SET: the AuthToken must be the token last rotated in")
            if strategy == "ROTATE":
                tokens = (redis.tokens + [token])[-2:]
            elif strategy == "SET":
                tokens = [token]
            else:
                raise InvalidParameterValueException(f"AuthTokenUpdateStrategy {strategy} is not modelled here")
            group.status = "modifying"
            group.pending_auth_token_status = "ROTATING" if strategy == "ROTATE" else "SETTING"

        def apply():
            time.sleep(APPLY_SECONDS)
            with redis.lock:
                redis.take(tokens)
                group.status = "available"
                group.pending_auth_token_status = None

        threading.Thread(target=apply, daemon=True).start()
        return modify(self)

    ElastiCacheBackend.create_replication_group = create_replication_group
    ElastiCacheBackend.delete_replication_group = delete_replication_group
    ElastiCacheResponse.modify_replication_group = modify_replication_group
