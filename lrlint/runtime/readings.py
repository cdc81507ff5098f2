"""Reading the LR of the watched param groups at a hook, and handing it to the analysis in order.

Two readers, chosen when the watch starts:

- ``HostReadings``: every watched LR is a Python number. The reading is a list of floats,
  analysed at once; nothing touches a device.
- ``DeviceReadings``: some LR is a tensor (``capturable``/``fused`` optimizers, compiled steps),
  or a fused optimizer on an accelerator may receive GradScaler's ``found_inf``. Tensor values
  are copied, with device-side ops only, into one of two preallocated device buffers of
  ``capacity`` rows (one row per reading); Python numbers travel beside them on the host. When a
  buffer is full, it is copied to pinned host memory without blocking (``non_blocking=True``
  plus a CUDA event) and the other buffer takes over; a chunk is analysed once its event reports
  the copy done (``Event.query`` never waits). ``drain`` — called by ``check()``/``close()`` —
  waits for the rest. No ``.item()``, ``.tolist()`` or ``float()`` of a device tensor on the hot
  path, so a watched step adds no host-device synchronisation.

  Memory is bounded: the two device buffers and a small pool of pinned host buffers; only the
  findings and the bounded history outlive a chunk.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any

import torch

Consumer = Callable[..., None]  # StepAnalyser.on_*: (lrs, flag, *meta)


ReadLRs = Callable[[], list[Any]]  # the current LR of each watched group


class HostReadings:
    def __init__(self, read_lrs: ReadLRs) -> None:
        self._read_lrs = read_lrs

    def record(self, consumer: Consumer, meta: tuple, flag: Any = None) -> None:
        lrs = self._read_lrs()
        consumer(lrs, flag is not None and bool(flag), *meta)

    def drain(self) -> None:
        """Host readings are analysed as they come: nothing is pending."""


def _host_value(value: Any) -> float | None:
    return None if isinstance(value, torch.Tensor) else float(value)


class _Chunk:
    """One spilled half of the device buffer on its way to the host."""

    __slots__ = ("event", "group_count", "host", "rows")

    def __init__(self, event: Any, host: torch.Tensor, rows: list, group_count: int) -> None:
        self.event, self.host, self.rows, self.group_count = event, host, rows, group_count


class DeviceReadings:
    """Records tensor LRs (and GradScaler's ``found_inf``) into a device buffer; see module doc."""

    def __init__(
        self,
        read_lrs: ReadLRs,
        group_count: int,
        device: torch.device,
        dtype: torch.dtype,
        capacity: int = 256,
    ) -> None:
        self._read_lrs = read_lrs
        self._device = device
        self._dtype = dtype
        self._capacity = capacity
        self._is_cuda = device.type == "cuda"
        self._rows: list[tuple] = []  # (consumer, meta, host values, device flag?, host flag)
        self._in_flight: deque[_Chunk] = deque()
        self._allocate(group_count)

    def _allocate(self, group_count: int) -> None:
        """Buffers for ``group_count`` LRs per row (again when param groups are added)."""
        capacity = self._capacity
        self._group_count = group_count
        self._width = group_count + 1  # every group may be a tensor, plus one flag
        self._buffers = [
            torch.zeros((capacity, self._width), dtype=self._dtype, device=self._device)
            for _ in range(2)
        ]
        # Views made once, since indexing a tensor costs host time on every step: whole rows
        # (every LR a tensor, plus a flag) and the LR columns alone (the usual case).
        self._row_views = [[buffer[i] for i in range(capacity)] for buffer in self._buffers]
        self._lr_views = [
            [buffer[i, :group_count] for i in range(capacity)] for buffer in self._buffers
        ]
        self._half = 0
        self._fill = 0
        self._free_hosts: list[torch.Tensor] = [self._new_host() for _ in range(2)]

    def _new_host(self) -> torch.Tensor:
        return torch.empty(
            (self._capacity, self._width), dtype=self._dtype, pin_memory=self._is_cuda
        )

    # -- hot path -------------------------------------------------------------------------

    def record(self, consumer: Consumer, meta: tuple, flag: Any = None) -> None:
        lrs = self._read_lrs()
        if len(lrs) != self._group_count:
            self._regroup(len(lrs))
        on_device = [v for v in lrs if isinstance(v, torch.Tensor)]
        # Host numbers travel beside the row; None marks a value that is in the row.
        host = None if len(on_device) == len(lrs) else [_host_value(v) for v in lrs]
        device_flag = isinstance(flag, torch.Tensor)
        if device_flag:
            on_device.append(flag)
        if on_device:
            self._write(on_device)
        host_flag = flag is not None and not device_flag and bool(flag)
        self._rows.append((consumer, meta, host, device_flag, host_flag))
        self._fill += 1
        if self._fill == self._capacity:
            self._spill()

    def _write(self, values: list[torch.Tensor]) -> None:
        n = len(values)
        if n == self._group_count:
            target = self._lr_views[self._half][self._fill]
        else:
            target = self._row_views[self._half][self._fill]
            if n != self._width:
                target = target[:n]
        try:
            if n == 1:
                target.copy_(values[0])  # a 0-d tensor broadcasts into the 1-element row
            else:
                torch.stack(values, out=target)
        except (RuntimeError, TypeError):
            # Mixed dtypes or devices: one copy per value (each copy_ casts as needed).
            for i, value in enumerate(values):
                target[i].copy_(value)

    def _regroup(self, group_count: int) -> None:
        """Param groups were added: send what is buffered, then widen the rows (rare)."""
        if self._fill:
            self._send(self._fill)
        self._allocate(group_count)

    def _spill(self) -> None:
        """Send the full half to the host and switch halves; analyse chunks that arrived."""
        self._send(self._fill)
        self._half ^= 1
        self._fill = 0
        self._analyse_arrived(wait=False)

    def _send(self, count: int) -> None:
        rows, self._rows = self._rows, []
        device_rows = self._buffers[self._half][:count]
        host = self._free_hosts.pop() if self._free_hosts else self._new_host()
        if self._is_cuda:
            host[:count].copy_(device_rows, non_blocking=True)
            event = torch.cuda.Event()
            event.record()
        else:
            host[:count].copy_(device_rows)
            event = None
        self._in_flight.append(_Chunk(event, host, rows, self._group_count))

    def _analyse_arrived(self, wait: bool) -> None:
        while self._in_flight:
            chunk = self._in_flight[0]
            if chunk.event is not None and not chunk.event.query():
                if not wait:
                    return
                chunk.event.synchronize()
            self._in_flight.popleft()
            # The chunk is host memory now: numpy reads it without touching the device.
            values = chunk.host.numpy()[: len(chunk.rows)].tolist()
            if chunk.group_count == self._group_count:
                self._free_hosts.append(chunk.host)
            for device_values, row in zip(values, chunk.rows):
                self._deliver(device_values, row, chunk.group_count)

    def _deliver(self, device_values: list[float], row: tuple, group_count: int) -> None:
        consumer, meta, host, device_flag, host_flag = row
        if host is None:
            lrs = device_values[:group_count]
            column = group_count
        else:
            lrs, column = [], 0
            for value in host:
                if value is None:
                    value = device_values[column]
                    column += 1
                lrs.append(value)
        flag = bool(device_values[column]) if device_flag else host_flag
        consumer(lrs, flag, *meta)

    # -- check time -----------------------------------------------------------------------

    def drain(self) -> None:
        """Analyse every pending reading (waits for the device: call it off the hot path)."""
        if self._fill:
            self._send(self._fill)
            self._fill = 0
        self._analyse_arrived(wait=True)
