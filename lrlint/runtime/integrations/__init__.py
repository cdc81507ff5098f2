"""Zero-configuration watches for the training frameworks people use.

- ``lrlint.runtime.integrations.huggingface.LRWatchCallback``: a transformers ``TrainerCallback``.
- ``lrlint.runtime.integrations.lightning.LRWatchCallback``: a Lightning ``Callback``.
- accelerate needs no callback: ``watch`` takes the ``AcceleratedOptimizer`` and
  ``AcceleratedScheduler`` that ``Accelerator.prepare`` returns.

Each module imports its framework (and torch) when it is imported; this package imports neither.
"""
