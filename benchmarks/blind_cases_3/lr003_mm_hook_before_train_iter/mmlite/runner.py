"""A small epoch-based runner in the style of mmengine.runner.Runner."""
import logging

from .hooks import Hook
from .registry import HOOKS

logger = logging.getLogger(__name__)

PRIORITIES = {"HIGHEST": 0, "VERY_HIGH": 10, "HIGH": 30, "ABOVE_NORMAL": 40, "NORMAL": 50,
              "BELOW_NORMAL": 60, "LOW": 70, "VERY_LOW": 90, "LOWEST": 100}


class Runner:
    def __init__(self, model, train_dataloader, optim_wrapper, param_scheduler=None, train_cfg=None,
                 default_hooks=None, custom_hooks=None, work_dir="work_dirs"):
        self.model = model
        self.train_dataloader = train_dataloader
        self.optim_wrapper = optim_wrapper
        self.param_scheduler = param_scheduler
        self.train_cfg = dict(train_cfg or {})
        self.work_dir = work_dir
        self.max_epochs = self.train_cfg.get("max_epochs", 12)
        self.max_iters = self.max_epochs * len(train_dataloader)
        self.epoch = 0
        self.iter = 0
        self.message_hub = {}
        self._hooks = []
        for cfg in (default_hooks or {}).values():
            if cfg is not None:
                self.register_hook(cfg)
        for cfg in custom_hooks or []:
            self.register_hook(cfg)

    @property
    def hooks(self):
        return self._hooks

    def register_hook(self, hook, priority=None):
        if isinstance(hook, dict):
            hook = dict(hook)
            priority = hook.pop("priority", priority)
            hook = HOOKS.build(hook)
        if not isinstance(hook, Hook):
            raise TypeError(f"hook should be a Hook or a config dict, got {type(hook)}")
        priority = priority or hook.priority
        hook.priority = priority
        # insert the hook after all hooks of the same or higher priority
        rank = PRIORITIES[priority] if isinstance(priority, str) else int(priority)
        pos = len(self._hooks)
        for i in range(len(self._hooks) - 1, -1, -1):
            other = self._hooks[i].priority
            other_rank = PRIORITIES[other] if isinstance(other, str) else int(other)
            if rank >= other_rank:
                pos = i + 1
                break
            pos = i
        self._hooks.insert(pos, hook)

    def call_hook(self, fn_name, **kwargs):
        for hook in self._hooks:
            getattr(hook, fn_name)(self, **kwargs)

    def train(self):
        self.model.train()
        self.call_hook("before_run")
        self.call_hook("before_train")
        while self.epoch < self.max_epochs:
            self.run_epoch()
        self.call_hook("after_train")
        self.call_hook("after_run")
        return self.model

    def run_epoch(self):
        self.call_hook("before_train_epoch")
        for idx, data_batch in enumerate(self.train_dataloader):
            self.run_iter(idx, data_batch)
        self.call_hook("after_train_epoch")
        self.epoch += 1

    def run_iter(self, idx, data_batch):
        self.call_hook("before_train_iter", batch_idx=idx, data_batch=data_batch)
        outputs = self.model.train_step(data_batch, optim_wrapper=self.optim_wrapper)
        self.call_hook("after_train_iter", batch_idx=idx, data_batch=data_batch, outputs=outputs)
        self.iter += 1
