"""The runner in-process: lifecycle order, statuses, return values, logs and files."""

from __future__ import annotations

import textwrap

import pytest

from app.execution.submit import run_in_process
from app.models import FileProxy
from app.models import JobLogEntry
from app.models import JobRecord
from tests.conftest import make_config
from tests.conftest import setup_database

LIFECYCLE = '''
from app.jobs import Job, StringVar, register_jobs

name = "Lifecycle"
CALLS = []


class Recorder(Job):
    class Meta:
        has_sensitive_variables = False

    mode = StringVar(default="ok")

    def before_start(self, task_id, args, kwargs):
        assert task_id == self.request.id
        if kwargs["mode"] == "before":
            raise RuntimeError("before_start refused")
        self.logger.info("before_start saw %s", kwargs["mode"])

    def run(self, *, mode):
        self.logger.info("run called")
        if mode == "raise":
            raise ValueError("run blew up")
        if mode == "fail":
            self.fail("soft failure")
            self.logger.info("still running after fail()")
        if mode == "object":
            return object()
        return {"mode": mode}

    def on_success(self, retval, task_id, args, kwargs):
        self.logger.info("on_success retval=%s", retval)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        self.logger.info("on_failure exc=%r einfo=%s", exc, einfo is not None)

    def after_return(self, status, retval, task_id, args, kwargs, einfo):
        self.logger.info("after_return status=%s", status)


class Secrets(Job):
    def run(self):
        self.logger.info("connecting to https://admin:hunter2@router.example.net/api")
        self.logger.info("password=hunter2 token: abcdef123456")
        self.logger.info("console only", extra={"skip_db_logging": True})
        self.logger.warning("explicit group", extra={"grouping": "checks"})
        self.logger.success("great")
        self.logger.failure("not great")


class Files(Job):
    def run(self):
        self.create_file("report.csv", "a,b\\n1,2\\n")
        self.create_file("blob.bin", b"\\x00\\x01")
        try:
            self.create_file("huge.txt", "x" * 2048)
        except ValueError as exc:
            self.logger.warning("refused: %s", exc)
        try:
            self.load_yaml("../outside.yaml")
        except ValueError as exc:
            self.logger.warning("refused: %s", exc)
        return self.load_yaml("data.yaml")


class Chatty(Job):
    def run(self):
        for number in range(20000):
            self.logger.info("line %d", number)


register_jobs(Recorder, Secrets, Files, Chatty)
'''


@pytest.fixture
def lifecycle(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "__init__.py").write_text("")
    (source / "lifecycle.py").write_text(textwrap.dedent(LIFECYCLE))
    (source / "data.yaml").write_text("answer: 42\n")
    config = make_config(tmp_path, source, job_create_file_max_size=1024)
    setup_database(config)
    for record in JobRecord.select():
        record.enabled = True
        record.save()
    return config


def run(class_path, **data):
    return run_in_process(JobRecord.get_for_class_path(class_path), None, data)


def log_lines(result):
    query = JobLogEntry.select().where(JobLogEntry.job_result == result).order_by(JobLogEntry.id)
    return [(entry.log_level, entry.grouping, entry.message) for entry in query]


def test_success_runs_every_stage_in_order_and_stores_the_return_value(lifecycle):
    result = run("lifecycle.Recorder", mode="ok")
    assert result.status == "SUCCESS"
    assert result.result == {"mode": "ok"}
    assert result.traceback is None
    assert [message for _level, _group, message in log_lines(result)] == [
        "Running job",
        "before_start saw ok",
        "run called",
        "on_success retval={'mode': 'ok'}",
        "after_return status=SUCCESS",
        "Job completed",
    ]
    assert result.date_started <= result.date_done


def test_exception_in_before_start_fails_without_calling_run(lifecycle):
    result = run("lifecycle.Recorder", mode="before")
    messages = [message for _level, _group, message in log_lines(result)]
    assert result.status == "FAILURE"
    assert "run called" not in messages
    assert "before_start refused" in result.traceback
    assert "after_return status=FAILURE" in messages


def test_exception_in_run_is_failure_with_traceback(lifecycle):
    result = run("lifecycle.Recorder", mode="raise")
    assert result.status == "FAILURE"
    assert "ValueError: run blew up" in result.traceback
    assert ("info", "on_failure", "on_failure exc=ValueError('run blew up') einfo=True") in log_lines(result)


def test_fail_marks_failure_without_traceback_and_run_continues(lifecycle):
    result = run("lifecycle.Recorder", mode="fail")
    lines = log_lines(result)
    assert result.status == "FAILURE"
    assert result.traceback is None
    assert ("failure", "run", "soft failure") in lines
    assert ("info", "run", "still running after fail()") in lines
    assert result.result == {"mode": "fail"}


def test_a_return_value_json_cannot_hold_is_stored_as_its_string(lifecycle):
    result = run("lifecycle.Recorder", mode="object")
    assert result.status == "SUCCESS"
    assert result.result.startswith("<object object at")


def test_inputs_are_stored_only_for_jobs_without_sensitive_variables(lifecycle):
    assert run("lifecycle.Recorder", mode="ok").task_kwargs == {"mode": "ok"}
    assert run("lifecycle.Secrets").task_kwargs is None


def test_log_levels_grouping_and_sanitizing(lifecycle):
    lines = log_lines(run("lifecycle.Secrets"))
    text = "\n".join(message for _level, _group, message in lines)
    assert "hunter2" not in text and "abcdef123456" not in text
    assert "console only" not in text
    assert ("warning", "checks", "explicit group") in lines
    assert ("success", "run", "great") in lines
    assert ("failure", "run", "not great") in lines


def test_files_size_limit_and_paths_outside_the_job_folder(lifecycle):
    result = run("lifecycle.Files")
    files = {proxy.name: bytes(proxy.content) for proxy in FileProxy.select().where(FileProxy.job_result == result)}
    assert files == {"report.csv": b"a,b\n1,2\n", "blob.bin": b"\x00\x01"}
    warnings = [message for level, _group, message in log_lines(result) if level == "warning"]
    assert any("over the 1,024-byte limit" in message for message in warnings)
    assert any("outside the job's folder" in message for message in warnings)
    assert result.result == {"answer": 42}


def test_many_log_lines_are_all_kept_in_order(lifecycle):
    result = run("lifecycle.Chatty")
    messages = [message for _level, group, message in log_lines(result) if group == "run"]
    assert messages == [f"line {number}" for number in range(20000)]
    assert result.log_count == 20002


def test_a_disabled_job_is_refused_and_an_uninstalled_one_errors_at_start(lifecycle):
    from app.exceptions import JobNotRunnable
    from app.execution.runner import execute
    from app.execution.submit import RunOptions
    from app.execution.submit import create_result
    from app.execution.submit import prepare

    record = JobRecord.get_for_class_path("lifecycle.Recorder")
    job_class, cleaned, queue = prepare(record, None, {"mode": "ok"})
    result, payload = create_result(record, None, job_class, cleaned, queue, RunOptions())
    record.enabled = False
    record.save()
    with pytest.raises(JobNotRunnable, match="not enabled"):
        run("lifecycle.Recorder", mode="ok")
    assert execute(result.id, payload) == "ERRORED"
    assert "not enabled" in type(result).get_by_id(result.id).traceback


# -- the job process's pipe and its supervisor's side -----------------------------------------------


def started_result(class_path="lifecycle.Recorder"):
    from app.execution import status
    from app.execution.submit import RunOptions
    from app.execution.submit import create_result
    from app.execution.submit import prepare

    record = JobRecord.get_for_class_path(class_path)
    job_class, cleaned, queue = prepare(record, None, {"mode": "ok"})
    result, _payload = create_result(record, None, job_class, cleaned, queue, RunOptions())
    assert status.mark_started(result, "test:1")
    return result


def row(message, created=1_700_000_000.0, level="info", grouping="run"):
    return (created, level, grouping, message, "", "", "", "")


def test_messages_split_anywhere_decode_whole_and_a_cut_one_is_dropped():
    from app.execution.events import FILE
    from app.execution.events import LOG
    from app.execution.events import OUTCOME
    from app.execution.events import FrameDecoder
    from app.execution.events import encode

    sent = [(LOG, row(f"line {number}")) for number in range(50)]
    sent += [(FILE, ("f0e1d2c3-0000-4000-8000-000000000000", "big.bin", bytes(range(256)) * 100)),
             (OUTCOME, ("SUCCESS", '{"a":1}', None))]
    stream = b"".join(encode(kind, value) for kind, value in sent)
    decoder = FrameDecoder()
    received = []
    for start in range(0, len(stream), 777):
        received += decoder.feed(stream[start:start + 777])
    assert received == sent and decoder.pending == 0

    cut = encode(LOG, row("never finished"))
    assert decoder.feed(encode(LOG, row("whole")) + cut[:-3]) == [(LOG, row("whole"))]
    assert decoder.pending == len(cut) - 3
    assert decoder.feed(encode(99, "unknown kind")) == [] and decoder.malformed == 1


def test_pipe_sink_keeps_messages_whole_across_threads_and_long_writes():
    import os
    import threading

    from app.execution.events import LOG
    from app.execution.events import FrameDecoder
    from app.execution.events import PipeSink

    read_fd, write_fd = os.pipe()
    sink = PipeSink(write_fd, result=None)
    decoder = FrameDecoder()
    received = []

    def drain():
        while data := os.read(read_fd, 65536):
            received.extend(decoder.feed(data))

    reader = threading.Thread(target=drain)
    reader.start()

    def log(name):
        for number in range(300):
            sink.log(row(f"{name} {number} " + "x" * (number * 37 % 9000)))  # some over PIPE_BUF

    writers = [threading.Thread(target=log, args=(f"thread-{index}",)) for index in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    os.close(write_fd)
    reader.join()
    os.close(read_fd)
    assert decoder.pending == 0 and decoder.malformed == 0 and len(received) == 1200
    for index in range(4):
        numbers = [int(value[3].split()[1]) for kind, value in received if value[3].startswith(f"thread-{index} ")]
        assert numbers == list(range(300))  # each thread's lines whole and in order
    assert {kind for kind, _ in received} == {LOG}


def test_a_soft_limit_during_a_long_message_is_raised_once_it_is_whole(monkeypatch):
    import os

    from app.exceptions import SoftTimeLimitExceeded
    from app.execution import events
    from app.execution.events import FrameDecoder
    from app.execution.events import PipeSink

    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    sink = PipeSink(write_fd, result=None)
    real_write = os.write

    def write_in_pieces(fd, data):
        if not sink.interruptible and sink.deferred is None:
            sink.deferred = SoftTimeLimitExceeded("soft time limit (1s) exceeded")  # as the signal handler does
        return real_write(fd, bytes(data[:1000]))

    monkeypatch.setattr(events.os, "write", write_in_pieces)
    with pytest.raises(SoftTimeLimitExceeded):
        sink.log(row("y" * 20_000))
    monkeypatch.setattr(events.os, "write", real_write)
    sink.log(row("next"))
    decoder = FrameDecoder()
    messages = decoder.feed(os.read(read_fd, 1 << 20))
    os.close(read_fd)
    os.close(write_fd)
    assert [value[3] for _, value in messages] == ["y" * 20_000, "next"] and decoder.pending == 0


def test_the_recorder_batches_lines_and_settles_in_one_go(lifecycle):
    from app.execution.events import FILE
    from app.execution.events import LOG
    from app.execution.events import OUTCOME
    from app.execution.events import encode
    from app.execution.recorder import RunRecorder
    from app.models import JobResult

    result = started_result()
    recorder = RunRecorder(result.id, batch_size=100)
    assert not recorder.feed(b"".join(encode(LOG, row(f"line {n}")) for n in range(99)))
    assert not recorder.due(recorder.flush_at - 0.01) and recorder.due(recorder.flush_at)  # oldest line waits
    assert recorder.feed(encode(LOG, row("password=hunter2")))  # a full batch
    recorder.flush()
    assert JobResult.get_by_id(result.id).log_count == 100 and len(log_lines(result)) == 100
    assert JobResult.get_by_id(result.id).status == "STARTED"

    recorder.feed(encode(FILE, ("f0e1d2c3-0000-4000-8000-000000000001", "out.txt", b"data")))
    recorder.feed(encode(LOG, row("last")) + encode(OUTCOME, ("SUCCESS", '{"answer":42}', None)))
    assert recorder.settle(None) is None
    result = JobResult.get_by_id(result.id)
    assert result.status == "SUCCESS" and result.result == {"answer": 42} and result.log_count == 101
    messages = [message for _level, _group, message in log_lines(result)]
    assert messages[:99] == [f"line {n}" for n in range(99)] and messages[-1] == "last"
    assert "hunter2" not in messages[99]  # sanitized by the supervisor
    assert {proxy.name: bytes(proxy.content) for proxy in result.files} == {"out.txt": b"data"}


def test_the_recorder_drops_a_cut_message_and_records_why_the_process_stopped(lifecycle):
    from app.execution.events import FILE
    from app.execution.events import LOG
    from app.execution.events import encode
    from app.execution.recorder import RunRecorder
    from app.models import JobResult

    result = started_result()
    recorder = RunRecorder(result.id)
    cut = encode(FILE, ("f0e1d2c3-0000-4000-8000-000000000002", "half.bin", b"z" * 10_000))
    recorder.feed(encode(LOG, row("before the kill")) + cut[:5000])
    assert recorder.settle("the job process was killed by signal SIGKILL") == (
        "the job process was killed by signal SIGKILL"
    )
    result = JobResult.get_by_id(result.id)
    assert result.status == "ERRORED" and result.traceback == "the job process was killed by signal SIGKILL"
    assert log_lines(result) == [("info", "run", "before the kill"),
                                 ("error", "supervisor", "The job process was killed by signal SIGKILL.")]
    assert result.log_count == 2 and list(result.files) == []


def test_the_snapshot_is_the_result_with_its_record_and_user(lifecycle):
    from app.execution.snapshot import load_run
    from app.models import JobResult
    from tests.factories import make_user

    result = started_result()
    user = make_user("snap")
    JobResult.update(user=user).where(JobResult.id == result.id).execute()
    loaded = load_run(result.id)
    expected = JobResult.get_by_id(result.id)
    assert loaded.__data__ == expected.__data__
    assert loaded.job_record.__data__ == expected.job_record.__data__
    assert loaded.user.__data__ == expected.user.__data__
    assert loaded.__rel__["job_record"] is loaded.job_record and loaded.__rel__["user"] is loaded.user
    assert load_run("00000000-0000-0000-0000-000000000000") is None
