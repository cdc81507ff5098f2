from .lr_scheduler import LinearWarmUpScheduler, PolyScheduler

__all__ = ["LinearWarmUpScheduler", "PolyScheduler"]
