"""The load benchmark's disk diagnosis (benchmarks/load_study): the probe that finds disk
stalls, which answers a stall held, and the verdict that names what missed the target."""

from __future__ import annotations

import time

from benchmarks.load_study.probe import DiskProbe, split_by_stalls
from benchmarks.load_study.report import verdict


def test_answers_in_flight_during_a_stall_are_told_apart():
    stalls = [(10.0, 10.4), (20.0, 20.1), (30.0, 30.05)]
    answers = [
        (10.2, 50.0),    # 10.15-10.2: inside the first stall
        (10.5, 300.0),   # 10.2-10.5: ended after the stall, began within it
        (9.9, 100.0),    # 9.8-9.9: before it
        (10.45, 20.0),   # 10.43-10.45: began after it ended
        (25.0, 6000.0),  # 19-25: spans the second stall
        (31.0, 10.0),    # after every stall
    ]
    overlapped, others = split_by_stalls(answers, stalls)
    assert overlapped == 3
    assert others == [100.0, 20.0, 10.0]
    assert split_by_stalls(answers, []) == (0, [ms for _, ms in answers])


def test_disk_probe_records_syncs_and_removes_its_file(tmp_path):
    probe = DiskProbe(tmp_path, time.monotonic(), every=0.01)
    probe.thread.start()
    time.sleep(0.3)
    probe.stop.set()
    probe.thread.join(5)
    assert len(probe.syncs) >= 3
    assert all(ms >= 0 for _, ms in probe.syncs)
    starts = [at for at, _ in probe.syncs]
    assert starts == sorted(starts)
    assert not (tmp_path / "disk-probe").exists()
    probe.syncs = [(1.0, 10.0), (2.0, 80.0), (3.0, 51.0)]
    assert probe.slow() == [(2.0, 2.08), (3.0, 3.051)]


def _result(**overrides) -> dict:
    result = {"target_met": False, "errors": 0, "answers_sent": 100, "answers_stored": 100,
              "answer_ms_client": {"p99": 180.0}, "answer_ms_client_p99_other_answers": 40.0,
              "disk_slow_syncs": 2, "disk_sync_ms": {"max": 310.0},
              "answers_during_slow_sync": 25}
    return {**result, **overrides}


def test_verdict_says_what_missed_the_target():
    assert verdict(_result(target_met=True), True, False) == "TARGET MET"
    assert "lost, duplicated" in verdict(_result(), False, False)
    assert verdict(_result(errors=3), True, False).startswith("TARGET MISSED: 3 errors")
    stalled = verdict(_result(), True, False)
    assert stalled.startswith("TARGET MISSED while the disk stalled: 2 syncs")
    assert "held 25 answers" in stalled and "40.0 ms without them" in stalled
    # The app itself was slow: the disk stalled, but the other answers missed too.
    assert verdict(_result(answer_ms_client_p99_other_answers=150.0), True, False) == (
        "TARGET MISSED: answer p99 180.0 ms (target 100 ms)")
    assert verdict(_result(disk_slow_syncs=0), True, False).startswith("TARGET MISSED: answer p99")


def test_lite_client_sends_again_when_an_idle_connection_was_closed():
    """nginx closes a keep-alive connection after keepalive_timeout; the next request on
    it must go out again on a new connection, as a browser's does (the resume check's
    TransportErrors at 500 participants), while a connection refused is still an error."""
    import asyncio

    from benchmarks.load_study.lite_http import LiteClient, TransportError

    async def scenario():
        connections = []

        async def serve(reader, writer):
            connections.append(writer)
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            await writer.drain()
            writer.close()  # as nginx does when the connection has been idle too long

        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = LiteClient("127.0.0.1", port, timeout=5)
        first = await client.request("GET", "/")
        await asyncio.sleep(0.05)
        second = await client.request("GET", "/")
        await client.aclose()
        server.close()
        await server.wait_closed()
        refused = LiteClient("127.0.0.1", port, timeout=5)
        try:
            await refused.request("GET", "/")
        except TransportError:
            refused_error = True
        else:
            refused_error = False
        return first.text, second.text, len(connections), refused_error

    assert asyncio.run(scenario()) == ("ok", "ok", 2, True)
