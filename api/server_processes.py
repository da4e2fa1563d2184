"""The server processes of ``hrh serve`` (not health workers), each with a listening socket of its own on one port.

uvicorn's own ``--workers`` shares one listening socket: whichever worker wakes first accepts
every connection waiting, so a few keep-alive clients (a dashboard, a proxy, a benchmark) often
all land on one worker while the others idle. Here each worker binds the port with SO_REUSEPORT
and the kernel spreads new connections over them. A probe bind without SO_REUSEPORT first makes
sure nothing else holds the port (another ``hrh serve`` included); it sets SO_REUSEADDR, so the
connections a crashed server left in TIME_WAIT do not keep a new one off the port, while a socket
that listens there still does. A worker that dies is replaced, and a worker whose parent is gone
(killed, even with SIGKILL) shuts down within a second: no orphan keeps serving, or holding the port.
"""

import contextlib
import logging
import logging.config
import multiprocessing
import os
import signal
import socket
import threading
import time
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

log = logging.getLogger("uvicorn.error")

APP = "api.serving:worker_app"


ORPHAN_CHECK_SECONDS = 0.25


class PortInUse(OSError):
    """Raised when another process listens on the port ``hrh serve`` was asked to listen on."""


def check_port(host: str, port: int) -> socket.AddressFamily:
    """Makes sure nothing listens on ``host:port``; returns the address family to listen with.

    Raises:
        PortInUse: another process listens there.
    """
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise PortInUse(f"Cannot listen on {host}:{port}: {error.strerror}") from None
    return family


def serve(host: str, port: int, workers: int) -> None:
    """Runs ``workers`` worker processes on ``host:port`` until SIGINT or SIGTERM."""
    family = check_port(host, port)
    logging.config.dictConfig(uvicorn.config.LOGGING_CONFIG)
    spawn = multiprocessing.get_context("spawn")
    stop = threading.Event()

    def stopping(signum: int, _: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stopping)

    def start() -> BaseProcess:
        process = spawn.Process(target=_worker, args=(host, port, family, os.getpid()), name="hrh-worker")
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    log.info("Serving on http://%s:%d with %d worker processes", host, port, workers)
    while not stop.wait(0.5):
        for n, process in enumerate(processes):
            if not process.is_alive() and not stop.is_set():
                log.warning("worker process %s exited with %s; starting another", process.pid, process.exitcode)
                processes[n] = start()
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
    for process in processes:
        process.join(timeout=15)
        if process.is_alive():
            process.kill()
            process.join()


def _worker(host: str, port: int, family: socket.AddressFamily, parent: int) -> None:
    threading.Thread(target=_end_with, args=(parent,), name="hrh-orphan-watch", daemon=True).start()
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    config = uvicorn.Config(APP, factory=True, host=host, port=port, access_log=False)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[sock])


def _end_with(parent: int) -> None:
    """Asks this worker to shut down (as SIGTERM does) once its parent process is gone."""
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    log.warning("the hrh serve process %s is gone; this worker (pid %s) stops", parent, os.getpid())
    os.kill(os.getpid(), signal.SIGTERM)
