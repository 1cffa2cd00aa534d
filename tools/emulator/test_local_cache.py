"""local_cache.py: replication groups mapped to a Redis server with TLS, and their AUTH token
changed as ElastiCache changes it. Needs Debian's redis-server and read access to the snakeoil key
(the CI runs as root); an emulator is launched with `--postgres auto`, as the lifecycle's is."""

import socket
import ssl
import time
import unittest

import botocore.exceptions

import local_cache
from test_local_rotation import Launched


def logs_in(port: int, token: str) -> bool:
    """AUTH with `token` over verified TLS, as a client of the group."""
    context = ssl.create_default_context(cafile=local_cache.CERTIFICATE)
    with socket.create_connection((local_cache.LOCAL_HOST, port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=local_cache.LOCAL_HOST) as tls:
            tls.sendall(local_cache.command("AUTH", token))
            return tls.makefile("rb").readline() == b"+OK\r\n"


class Commands(unittest.TestCase):
    def test_a_command_is_an_array_of_bulk_strings(self):
        self.assertEqual(local_cache.command("AUTH", "tok"), b"*2\r\n$4\r\nAUTH\r\n$3\r\ntok\r\n")


class ReplicationGroups(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Launched("--postgres", "auto")
        cls.elasticache = cls.emulator.client("elasticache")

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def create(self, group: str, token: str):
        self.elasticache.create_replication_group(
            ReplicationGroupId=group, ReplicationGroupDescription="stand-in", Engine="redis",
            CacheNodeType="cache.t4g.micro", NumNodeGroups=2, ReplicasPerNodeGroup=1,
            TransitEncryptionEnabled=True, AuthToken=token, ClusterMode="enabled",
        )
        return self.elasticache.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]

    def rotate(self, group: str, token: str, strategy: str = "ROTATE"):
        self.elasticache.modify_replication_group(
            ReplicationGroupId=group, AuthToken=token, AuthTokenUpdateStrategy=strategy, ApplyImmediately=True)

    def wait_available(self, group: str) -> None:
        deadline = time.monotonic() + 10
        while self.elasticache.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]["Status"] != "available":
            self.assertLess(time.monotonic(), deadline)
            time.sleep(0.1)

    def test_a_group_is_the_server_and_its_token_changes_as_elasticache_changes_it(self):
        group = "redis-stand-in-1"
        t1, t2, t3 = ("first-token-0123456789", "second-token-0123456789", "third-token-0123456789")
        described = self.create(group, t1)
        endpoint = described["ConfigurationEndpoint"]
        self.assertEqual(endpoint["Address"], "localhost")
        port = endpoint["Port"]
        self.assertTrue(logs_in(port, t1))
        self.assertFalse(logs_in(port, t2))
        # A second group while this one maps to the server is refused.
        with self.assertRaises(botocore.exceptions.ClientError) as refused:
            self.create("redis-stand-in-2", t1)
        self.assertIn("one group at a time", str(refused.exception))

        # ROTATE: modifying for a moment, a change meanwhile refused, then both tokens work.
        self.rotate(group, t2)
        self.assertEqual(self.elasticache.describe_replication_groups(ReplicationGroupId=group)["ReplicationGroups"][0]["Status"], "modifying")
        with self.assertRaises(botocore.exceptions.ClientError) as busy:
            self.rotate(group, t3)
        self.assertEqual(busy.exception.response["Error"]["Code"], "InvalidReplicationGroupState")
        self.assertFalse(logs_in(port, t2), "not applied yet")
        self.wait_available(group)
        self.assertTrue(logs_in(port, t1) and logs_in(port, t2))

        # A third token drops the oldest: two at most.
        self.rotate(group, t3)
        self.wait_available(group)
        self.assertEqual([logs_in(port, t) for t in (t1, t2, t3)], [False, True, True])

        # SET keeps only the token last rotated in, and takes no other.
        with self.assertRaises(botocore.exceptions.ClientError):
            self.rotate(group, t2, "SET")
        self.rotate(group, t3, "SET")
        self.wait_available(group)
        self.assertEqual([logs_in(port, t) for t in (t2, t3)], [False, True])

        # Deleted: nothing logs in, and the server takes the next group.
        self.elasticache.delete_replication_group(ReplicationGroupId=group)
        self.assertFalse(logs_in(port, t3))
        self.create("redis-stand-in-2", t1)
        self.assertTrue(logs_in(port, t1))
        self.elasticache.delete_replication_group(ReplicationGroupId="redis-stand-in-2")


if __name__ == "__main__":
    unittest.main()
