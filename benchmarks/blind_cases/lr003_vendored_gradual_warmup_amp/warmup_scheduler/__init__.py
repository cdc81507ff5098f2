from warmup_scheduler.scheduler import GradualWarmupScheduler

__all__ = ["GradualWarmupScheduler"]
