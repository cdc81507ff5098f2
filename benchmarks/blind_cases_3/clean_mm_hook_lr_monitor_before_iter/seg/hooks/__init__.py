from .lr_monitor_hook import LrMonitorHook
from .poly_lr_hook import WarmupPolyLrHook

__all__ = ["LrMonitorHook", "WarmupPolyLrHook"]
