from .registry import HOOKS, Registry
from .runner import Runner

__all__ = ["HOOKS", "Registry", "Runner"]
