from .defaults import SolverConfig, get_config

__all__ = ["SolverConfig", "get_config"]
