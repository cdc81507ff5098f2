from .poly_lr_hook import WarmupPolyLrHook

__all__ = ["WarmupPolyLrHook"]
