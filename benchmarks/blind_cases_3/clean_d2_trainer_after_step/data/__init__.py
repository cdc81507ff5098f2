from .build import build_train_loader

__all__ = ["build_train_loader"]
