"""`serve --workers N`: several processes behind one port, each with a listening socket of
its own.

uvicorn's own supervisor hands all workers one shared socket, and a connection goes to
whichever worker accepts it first. Tablets and a reverse proxy keep their connections open,
so where a connection lands is where its requests stay: in the capacity benchmark one worker
held every connection in two rounds of six while the other had nothing to do. With a socket
per worker (SO_REUSEPORT), the kernel spreads new connections over the workers evenly.
"""

from __future__ import annotations

import socket

from uvicorn import Config
from uvicorn.supervisors.multiprocess import Multiprocess, Process


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` sockets bound to one address, for the workers to listen on. Refuses a port
    another server already uses, reuse-port or not: two servers sharing a port would split
    the requests between them without a word."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:  # raises OSError (address in use) if taken
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]
    sockets = []
    for _ in range(count):
        sock = socket.socket(family)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.set_inheritable(True)  # the workers are new interpreters (spawn)
        sockets.append(sock)
    return sockets


class OwnSocketEach(Multiprocess):
    """uvicorn's supervisor (signals, health checks, restarts), except that each worker
    starts with a socket of its own. A worker restarted after a crash serves all of them:
    still every socket served, just less evenly until the next start."""

    def init_processes(self) -> None:
        for sock in self.sockets:
            process = Process(self.config, [sock])
            process.start()
            self.processes.append(process)


def serve(app: str, *, workers: int, **options: object) -> None:
    """As ``uvicorn.run(app, workers=N, ...)``, with a socket per worker."""
    config = Config(app, workers=workers, **options)  # type: ignore[arg-type]
    OwnSocketEach(config, sockets=listening_sockets(config.host, config.port, workers)).run()
