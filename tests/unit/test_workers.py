"""`serve --workers N` gives each worker a listening socket of its own (app.workers), so the
kernel spreads connections over the workers instead of the first to accept taking them."""

from __future__ import annotations

import socket

import pytest

from app.workers import listening_sockets
from tests.browser import free_port


def test_each_worker_gets_its_own_socket_on_the_one_port() -> None:
    port = free_port()
    sockets = listening_sockets("127.0.0.1", port, 3)
    try:
        assert len({s.fileno() for s in sockets}) == 3
        assert {s.getsockname() for s in sockets} == {("127.0.0.1", port)}
        assert all(s.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) for s in sockets)
        assert all(s.get_inheritable() for s in sockets)
    finally:
        for s in sockets:
            s.close()


def test_a_port_another_server_listens_on_is_refused() -> None:
    """Two servers sharing a port would split the requests between them without a word."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        with pytest.raises(OSError):
            listening_sockets("127.0.0.1", other.getsockname()[1], 2)


def test_a_second_serve_on_the_same_port_is_refused() -> None:
    first = listening_sockets("127.0.0.1", free_port(), 2)
    try:
        for s in first:
            s.listen()
        with pytest.raises(OSError):
            listening_sockets("127.0.0.1", first[0].getsockname()[1], 2)
    finally:
        for s in first:
            s.close()
