"""The embedded PostgreSQL and Redis are real servers whose data outlives a restart."""

from __future__ import annotations

import psycopg
import pytest
import redis

from kefu.embedded import EmbeddedPostgres, EmbeddedRedis


@pytest.fixture
def scratch_dir(tmp_path_factory):
    # A short path: unix socket paths are limited to ~100 bytes.
    return tmp_path_factory.mktemp("emb")


def test_data_survives_a_restart_of_the_embedded_database(scratch_dir):
    server = EmbeddedPostgres(scratch_dir / "pgdata").start()
    try:
        assert server.owned
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE notes (body text)")
            conn.execute("INSERT INTO notes VALUES ('你好, still here')")
            # Large knowledge bases' search indexes fit PostgreSQL's own cache.
            assert conn.execute("SHOW shared_buffers").fetchone() == ("1GB",)
        server.stop()
        assert not server.is_running()

        again = EmbeddedPostgres(scratch_dir / "pgdata").start()
        assert again.owned, "a stopped server is started again, not attached to"
        with psycopg.connect(again.url) as conn:
            assert conn.execute("SELECT body FROM notes").fetchall() == [("你好, still here",)]
        second_handle = EmbeddedPostgres(scratch_dir / "pgdata").start()
        assert not second_handle.owned, "a running server is reused, not started twice"
        second_handle.stop()
        assert again.is_running(), "only the process that started it stops it"
        again.stop()
    finally:
        server.stop()


def test_embedded_redis_keeps_queued_data_across_a_restart(scratch_dir):
    server = EmbeddedRedis(scratch_dir / "redis").start()
    try:
        client = redis.Redis.from_url(server.url)
        client.rpush("jobs", "job-1")
        client.close()
        server.stop()
        assert not server.is_running()

        server = EmbeddedRedis(scratch_dir / "redis").start()
        client = redis.Redis.from_url(server.url)
        assert client.lrange("jobs", 0, -1) == [b"job-1"]
        client.close()
    finally:
        server.stop()
