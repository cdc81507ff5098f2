from . import hooks, models  # noqa: F401  (register hooks and models)
