from .tiny_fcn import TinyFCN

__all__ = ["TinyFCN"]
