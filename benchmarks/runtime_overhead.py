"""What ``lrlint.runtime.watch`` costs a training loop.

    python benchmarks/runtime_overhead.py [--repeats 7] [--steps 2000]

Prints:
1. CPU: microseconds added per iteration (``optimizer.step(); scheduler.step()``, watched with
   ``expect=scheduler``) for 1, 10 and 100 param groups, Python-float and tensor LRs — the median
   over repeats of (watched - unwatched) time per iteration. Gradients are set once, so the loop
   measures the optimizer and the watch, not a model. Timed in process CPU time, so that other
   load on the machine does not count.
2. Memory: bytes held by objects lrlint allocated (tracemalloc) after 1k, 10k and 100k steps;
   it stops growing once the bounded history (first + last ``history_size`` steps) is full. (The
   device buffers of a tensor LR are torch memory: 2 x 256 rows, allocated once.)
3. GPU (when CUDA is available): step time of a small convnet on random data with and without
   the watch (CUDA events), and their ratio; tensor-LR fused Adam and float-LR AdamW.
4. Start-up: milliseconds to start a watch with ``expect=scheduler``, and without ``expect=``
   (which finds the schedulers built on the optimizer with a scan of the garbage collector's
   objects: it grows with the heap).

``--cpu-only`` prints section 1 alone (what the README's figure is).
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
import warnings

import torch
from torch.optim import lr_scheduler

from lrlint.runtime import watch


def _optimizer(groups: int, tensor_lr: bool) -> tuple[torch.optim.Optimizer, list]:
    params = [torch.nn.Parameter(torch.randn(16)) for _ in range(groups)]
    for p in params:
        p.grad = torch.randn(16)
    lr = (lambda: torch.tensor(0.1)) if tensor_lr else (lambda: 0.1)
    optimizer = torch.optim.SGD([{"params": [p], "lr": lr()} for p in params], lr=lr())
    return optimizer, params


def _seconds_per_iteration(groups: int, tensor_lr: bool, steps: int, watched: bool) -> float:
    optimizer, _ = _optimizer(groups, tensor_lr)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.9)
    w = watch(optimizer, expect=scheduler) if watched else None
    for _ in range(20):  # warm-up
        optimizer.step()
        scheduler.step()
    start = time.process_time()
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
    elapsed = time.process_time() - start
    if w is not None:
        w.close()
    return elapsed / steps


def cpu_overhead(repeats: int, steps: int) -> None:
    print("CPU: added time per iteration (optimizer.step + scheduler.step), median of", repeats)
    print(f"  {'groups':>6}  {'LR':>6}  {'unwatched':>10}  {'watched':>10}  {'added':>9}")
    for tensor_lr in (False, True):
        for groups in (1, 10, 100):
            n = max(steps // groups, 200)
            plain, watched = [], []
            for _ in range(repeats):  # interleaved, so drifts in machine load hit both
                plain.append(_seconds_per_iteration(groups, tensor_lr, n, watched=False))
                watched.append(_seconds_per_iteration(groups, tensor_lr, n, watched=True))
            base, with_watch = statistics.median(plain), statistics.median(watched)
            added = statistics.median(w - p for w, p in zip(watched, plain))
            kind = "tensor" if tensor_lr else "float"
            print(
                f"  {groups:>6}  {kind:>6}  {base * 1e6:>8.1f}us  {with_watch * 1e6:>8.1f}us"
                f"  {added * 1e6:>7.1f}us"
            )


def _held_by_lrlint() -> int:
    """Bytes of live Python objects allocated by lrlint's code (torch's own caches excluded)."""
    gc.collect()  # count what is held, not garbage that the next collection frees
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, "*/lrlint/*")])
    return sum(stat.size for stat in snapshot.statistics("filename"))


def memory_growth(tensor_lr: bool) -> None:
    optimizer, _ = _optimizer(1, tensor_lr)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1000, gamma=0.9)
    tracemalloc.start()
    w = watch(optimizer, expect=scheduler)  # history_size=1000: first and last 1000 steps
    done = 0
    sizes = []
    for target in (1_000, 10_000, 100_000):
        for _ in range(target - done):
            optimizer.step()
            scheduler.step()
        done = target
        w.check()
        sizes.append((target, _held_by_lrlint()))
    tracemalloc.stop()
    w.close()
    kind = "tensor" if tensor_lr else "float"
    print(f"  {kind:>6} LR: " + ", ".join(f"{n:>7,} steps {b / 1024:7.1f} KiB" for n, b in sizes))


def _convnet() -> torch.nn.Module:
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 32, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.Conv2d(32, 64, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(),
        torch.nn.Linear(64, 10),
    ).cuda()


def _gpu_step_ms(make_optimizer, watched: bool, steps: int) -> float:
    torch.manual_seed(0)
    model = _convnet()
    optimizer = make_optimizer(model.parameters())
    scheduler = lr_scheduler.CosineAnnealingLR(optimizer, T_max=10 * steps)
    images = torch.randn(64, 3, 32, 32, device="cuda")
    labels = torch.randint(0, 10, (64,), device="cuda")
    w = watch(optimizer, expect=scheduler) if watched else None

    def iteration() -> None:
        optimizer.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(images), labels).backward()
        optimizer.step()
        scheduler.step()

    for _ in range(20):
        iteration()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize()
    start.record()
    for _ in range(steps):
        iteration()
    end.record()
    end.synchronize()
    if w is not None:
        w.close()
    return start.elapsed_time(end) / steps


def gpu_overhead(repeats: int, steps: int) -> None:
    if not torch.cuda.is_available():
        print("GPU: skipped (CUDA is not available)")
        return
    print(f"GPU ({torch.cuda.get_device_name()}): small convnet, batch 64x3x32x32")
    setups = {
        "Adam fused, tensor LR": lambda p: torch.optim.Adam(
            p, lr=torch.tensor(1e-3, device="cuda"), fused=True
        ),
        "AdamW, float LR": lambda p: torch.optim.AdamW(p, lr=1e-3),
    }
    for name, make in setups.items():
        ratios, plain, watched = [], [], []
        for _ in range(repeats):
            off = _gpu_step_ms(make, False, steps)
            on = _gpu_step_ms(make, True, steps)
            plain.append(off)
            watched.append(on)
            ratios.append(on / off)
        print(
            f"  {name:<22} unwatched {statistics.median(plain):.3f} ms/step, watched "
            f"{statistics.median(watched):.3f} ms/step, ratio {statistics.median(ratios):.4f}"
        )


def start_up(repeats: int) -> None:
    optimizer, _ = _optimizer(1, tensor_lr=False)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=100, gamma=0.9)
    objects = len(gc.get_objects())
    for label, options in (("expect=scheduler", {"expect": scheduler}), ("no expect=", {})):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            w = watch(optimizer, **options)
            times.append(time.perf_counter() - start)
            w._detach()  # no step was taken: detach without the never-stepped warning
        print(f"  {label:<17} {statistics.median(times) * 1e3:7.2f} ms  ({objects:,} gc objects)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--cpu-only", action="store_true", help="the CPU overhead table alone")
    args = parser.parse_args()
    warnings.simplefilter("ignore", UserWarning)
    torch.manual_seed(0)
    cpu_overhead(args.repeats, args.steps)
    if args.cpu_only:
        return
    print("Memory held by the watch (bounded history, default history_size=1000):")
    memory_growth(tensor_lr=False)
    memory_growth(tensor_lr=True)
    gpu_overhead(args.repeats, steps=200)
    print("Start-up of a watch (median of", args.repeats, "):")
    start_up(args.repeats)


if __name__ == "__main__":
    main()
