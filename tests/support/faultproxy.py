"""A fault-injecting TCP proxy for loopback tests: cut, reset, stall, duplicate, kill-on-response, throttle.

Threads, no asyncio, so plain `requests` clients and a real `ims server` process sit on either side.
Faults are armed for the next request(s), on keep-alive connections too, and counted in
`faults_injected`. A throttle (bytes per second and a one-way delay per direction) turns it into a
slow link for benchmarks.
"""

from __future__ import annotations

import collections
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

UP, DOWN = "up", "down"
REQUEST_LINE = re.compile(rb"[A-Z]+ /")


@dataclass
class Fault:
    """One armed fault: what to do, and to which direction / request it applies."""

    kind: str  # cut | reset | stall | duplicate | kill
    direction: str = UP
    after_bytes: int = 0
    seconds: float = 0.0
    match: bytes = b""
    action: Callable[[], None] | None = None


@dataclass
class Link:
    """A slow link shared by every connection: bytes per second each way (0 = unlimited), one-way delay."""

    rate: float = 0.0
    delay: float = 0.0
    burst: int = 64 * 1024
    """Bytes the link may send back to back after idling (a router's queue), as a token bucket allows."""
    _free_at: dict[str, float] = field(default_factory=lambda: {UP: 0.0, DOWN: 0.0})
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def transmit(self, direction: str, nbytes: int) -> None:
        """Wait until this direction of the link has carried nbytes (after what was queued before)."""
        if not self.rate:
            return
        with self._lock:
            start = max(time.monotonic() - self.burst / self.rate, self._free_at[direction])
            self._free_at[direction] = start + nbytes / self.rate
            done = self._free_at[direction]
        wait = done - time.monotonic()
        if wait > 0:
            time.sleep(wait)


@dataclass
class Stats:
    """What went through the proxy."""

    connections: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    faults_injected: int = 0
    kinds: collections.Counter = field(default_factory=collections.Counter)


class FaultProxy:
    """Listens on 127.0.0.1 and forwards to a target port, injecting armed faults."""

    def __init__(self, target_port: int, *, link: Link | None = None) -> None:
        self.target_port = target_port
        self.link = link or Link()
        self.stats = Stats()
        self._faults: collections.deque[Fault] = collections.deque()
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._closing = False
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Base URL clients use instead of the server's."""
        return f"http://127.0.0.1:{self.port}"

    # -- arming -----------------------------------------------------------------------------------

    def arm(self, fault: Fault) -> None:
        """Apply a fault to the next (matching) request."""
        with self._lock:
            self._faults.append(fault)

    def cut_after(self, n: int, direction: str = UP) -> None:
        """Cut the connection of the next request after n more bytes have passed in one direction."""
        self.arm(Fault("cut", direction, after_bytes=n))

    def reset_next(self) -> None:
        """Answer the next request with a TCP reset."""
        self.arm(Fault("reset"))

    def stall_next(self, seconds: float) -> None:
        """Hold the next request for some seconds, then cut its connection."""
        self.arm(Fault("stall", seconds=seconds))

    def duplicate_next(self, match: bytes = b"POST ") -> None:
        """Replay the next request starting with `match` on a fresh connection, while the first runs."""
        self.arm(Fault("duplicate", match=match))

    def on_response(self, match: bytes, action: Callable[[], None]) -> None:
        """When the response to the next request starting with `match` begins, run action and cut."""
        self.arm(Fault("kill", match=match, action=action))

    def clear(self) -> None:
        """Forget armed faults that have not fired."""
        with self._lock:
            self._faults.clear()

    def armed(self) -> int:
        """Faults still waiting for a connection."""
        with self._lock:
            return len(self._faults)

    def close(self) -> None:
        """Stop accepting connections."""
        self._closing = True
        self._listener.close()

    # -- plumbing ---------------------------------------------------------------------------------

    def _take(self, request: bytes) -> Fault | None:
        """The first armed fault for a request: one for any request, or one that matches its start."""
        with self._lock:
            for fault in list(self._faults):
                if not fault.match or request.startswith(fault.match):
                    self._faults.remove(fault)
                    return fault
        return None

    def _count(self, kind: str) -> None:
        with self._lock:
            self.stats.faults_injected += 1
            self.stats.kinds[kind] += 1

    def _accept_loop(self) -> None:
        while not self._closing:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self.stats.connections += 1
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=30)
        except OSError:
            _rst(client)
            return
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        _Connection(self, client, upstream).run()


class _Connection:
    """One proxied connection: two pumps (up and down) sharing the connection's fault."""

    def __init__(self, proxy: FaultProxy, client: socket.socket, upstream: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.upstream = upstream
        self.fault: Fault | None = None
        self.passed = {UP: 0, DOWN: 0}
        self.request_fault: Fault | None = None
        self.duplicate: bytes | None = None
        self.dead = threading.Event()

    def run(self) -> None:
        down = threading.Thread(target=self._pump, args=(self.upstream, self.client, DOWN), daemon=True)
        down.start()
        self._pump(self.client, self.upstream, UP)
        down.join(60)

    def _kill(self, rst: bool = False) -> None:
        """Drop both sides (shutdown wakes the other pump; with rst the close sends a reset)."""
        if self.dead.is_set():
            return
        self.dead.set()
        for sock in (self.client, self.upstream):
            if rst:
                try:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                except OSError:
                    pass
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _pump(self, source: socket.socket, sink: socket.socket, direction: str) -> None:
        queue: collections.deque[tuple[float, bytes]] = collections.deque()
        ready = threading.Condition()
        done = threading.Event()
        args = (sink, direction, queue, ready, done)
        writer = threading.Thread(target=self._writer, args=args, daemon=True)
        writer.start()
        try:
            while not self.dead.is_set():
                try:
                    data = source.recv(65536)
                except OSError:
                    break
                if not data:
                    break
                data = self._inspect(direction, data)
                if data is None:
                    break
                with ready:
                    queue.append((time.monotonic(), data))
                    ready.notify()
        finally:
            done.set()
            with ready:
                ready.notify()
            writer.join(120)
            if not self.dead.is_set():
                try:
                    sink.shutdown(socket.SHUT_WR)
                except OSError:
                    self._kill()

    def _writer(self, sink, direction, queue, ready, done) -> None:  # type: ignore[no-untyped-def]
        link = self.proxy.link
        while True:
            with ready:
                while not queue and not done.is_set():
                    ready.wait(0.5)
                if not queue:
                    return
                arrived, data = queue.popleft()
            if link.delay:
                wait = arrived + link.delay - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            step = 16384 if link.rate else len(data)
            for start in range(0, len(data), step):
                piece = data[start : start + step]
                link.transmit(direction, len(piece))
                try:
                    sink.sendall(piece)
                except OSError:
                    self._kill()
                    return
            with self.proxy._lock:
                if direction == UP:
                    self.proxy.stats.bytes_up += len(data)
                else:
                    self.proxy.stats.bytes_down += len(data)

    def _inspect(self, direction: str, data: bytes) -> bytes | None:
        """Apply the connection's fault to a block of data; None means the connection was killed."""
        if direction == UP and REQUEST_LINE.match(data):
            fault = self.proxy._take(data)
            if fault is not None and fault.kind == "reset":
                self.proxy._count("reset")
                self._kill(rst=True)
                return None
            if fault is not None and fault.kind in ("cut", "stall"):
                self.fault, self.passed = fault, {UP: 0, DOWN: 0}
            elif fault is not None:
                self.request_fault = fault
                if fault.kind == "duplicate":
                    self.proxy._count("duplicate")
                    self.duplicate = b""
        if direction == UP and self.duplicate is not None:
            self.duplicate += data
            request = _one_request(self.duplicate)
            if request is not None:
                self.duplicate = self.request_fault = None
                threading.Thread(target=self._replay, args=(request,), daemon=True).start()
        fault = self.fault
        if fault is not None and fault.kind == "cut" and fault.direction == direction:
            room = fault.after_bytes - self.passed[direction]
            if len(data) >= room:
                self.proxy._count("cut")
                self.passed[direction] += max(room, 0)
                if room > 0:
                    try:
                        (self.upstream if direction == UP else self.client).sendall(data[:room])
                    except OSError:
                        pass
                self._kill()
                return None
        if fault is not None and fault.kind == "stall":
            self.fault = None
            self.proxy._count("stall")
            time.sleep(fault.seconds)
            self._kill()
            return None
        if direction == DOWN and self.request_fault is not None and self.request_fault.kind == "kill":
            action, self.request_fault = self.request_fault.action, None
            self.proxy._count("kill")
            if action is not None:
                action()
            self._kill(rst=True)
            return None
        self.passed[direction] += len(data)
        return data

    def _replay(self, request: bytes) -> None:
        """Send a captured request again on a fresh connection (read and drop the answer)."""
        try:
            with socket.create_connection(("127.0.0.1", self.proxy.target_port), timeout=30) as sock:
                sock.sendall(request)
                while sock.recv(65536):
                    pass
        except OSError:
            pass


def _one_request(buffer: bytes) -> bytes | None:
    """The first complete HTTP/1.1 request (headers + Content-Length body) in a buffer, if there."""
    head, sep, rest = buffer.partition(b"\r\n\r\n")
    if not sep:
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if len(rest) < length:
        return None
    return head + sep + rest[:length]


def _rst(sock: socket.socket) -> None:
    """Close a socket with a TCP reset."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()
