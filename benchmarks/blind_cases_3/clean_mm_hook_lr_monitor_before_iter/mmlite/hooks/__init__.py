from .hook import Hook
from .logger_hook import LoggerHook
from .iter_timer_hook import IterTimerHook

__all__ = ["Hook", "LoggerHook", "IterTimerHook"]
