"""bench/cpu.py tells whose CPU a load run used: this process's own work is the load client's."""

import threading
import time

from bench import cpu


def test_this_process_cpu_is_counted_as_the_load_client() -> None:
    before = cpu.read()
    until = time.process_time() + 0.2
    while time.process_time() < until:
        pass
    figures = cpu.spent(before, cpu.read())
    assert figures["load client"] >= 0.15
    assert "idle" in figures
    note = cpu.per_request(figures, 10)
    assert note.startswith("CPU ms a request:") and "load client" in note


def test_the_web_workers_cpu_is_written_per_page_and_read_back_by_kind(tmp_path) -> None:
    def app(environ, start_response):
        until = time.process_time() + 0.02  # a page that costs 20 ms of CPU
        while time.process_time() < until:
            pass
        start_response("200 OK", [])
        return [b"page"]

    middleware = cpu.WebCpu(app, tmp_path)
    before = cpu.web_cpu(tmp_path)
    for path in ("/dashboard", "/dashboard/groups/3", "/dashboard"):
        assert middleware({"REQUEST_METHOD": "GET", "PATH_INFO": path}, lambda *args: None) == [b"page"]
    middleware({"REQUEST_METHOD": "POST", "PATH_INFO": "/tracker/commitments/7/progress"}, lambda *args: None)
    middleware.close()
    figures = cpu.web_cpu_since(before, cpu.web_cpu(tmp_path))
    assert set(figures) == {"council dashboard", "group dashboard", "progress report (POST)"}
    count, seconds = figures["council dashboard"]
    assert count == 2 and 0.035 <= seconds < 0.2
    assert cpu.web_cpu_since(cpu.web_cpu(tmp_path), cpu.web_cpu(tmp_path)) == {}


def test_two_requests_served_at_once_by_a_worker_s_threads_count_only_their_own_cpu(tmp_path) -> None:
    """gunicorn's workers run two threads (council/gunicorn_conf.py): a page is charged what its own
    thread spent, not what the whole worker spent meanwhile."""
    both_running = threading.Barrier(2)

    def app(environ, start_response):
        both_running.wait(5)
        until = time.thread_time() + 0.05  # 50 ms of this thread's CPU, the other thread spinning too
        while time.thread_time() < until:
            pass
        start_response("200 OK", [])
        return [b"page"]

    middleware = cpu.WebCpu(app, tmp_path)
    threads = [threading.Thread(target=middleware, args=({"REQUEST_METHOD": "GET", "PATH_INFO": "/my-work"},
                                                         lambda *args: None)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    middleware.close()
    count, seconds = cpu.web_cpu(tmp_path)["my work"]
    assert count == 2 and 0.09 <= seconds < 0.15  # 50 ms each; the worker's CPU would be about 200


def test_pages_are_named_as_the_load_run_names_them() -> None:
    assert cpu.page_kind("GET", "/tracker/commitments/12") == "commitment page"
    assert cpu.page_kind("GET", "/tracker/commitments") == "commitments list"
    assert cpu.page_kind("POST", "/tracker/commitments/12/progress") == "progress report (POST)"
    assert cpu.page_kind("GET", "/dashboard/organisations/4") == "organisation dashboard"
    assert cpu.page_kind("GET", "/bench/trivial") == "trivial signed-in page"
    assert cpu.page_kind("GET", "/meetings") == "other GET"
