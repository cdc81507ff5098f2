import logging
import time


class BaseTrainer:
    """Iteration-based training loop. Subclasses build model/optimizer/scheduler and may
    override the before_train / before_iter / after_iter / after_train hooks."""

    def __init__(self, cfg, data_loader):
        self.cfg = cfg
        self.data_loader = data_loader
        self.max_iters = cfg["max_iters"]
        self.iter = 0
        self.logger = logging.getLogger(type(self).__name__)
        self.model = self.build_model()
        self.optimizer = self.build_optimizer()

    # ---- to be implemented by subclasses -------------------------------------------------
    def build_model(self):
        raise NotImplementedError

    def build_optimizer(self):
        raise NotImplementedError

    def compute_loss(self, batch):
        raise NotImplementedError

    # ---- hooks ---------------------------------------------------------------------------
    def before_train(self):
        pass

    def before_iter(self):
        pass

    def after_iter(self, loss):
        pass

    def after_train(self):
        pass

    # ---- loop ----------------------------------------------------------------------------
    def _batches(self):
        while True:
            for batch in self.data_loader:
                yield batch

    def run_step(self, batch):
        loss = self.compute_loss(batch)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.detach()

    def train(self):
        self.logger.info("Starting training for %d iterations", self.max_iters)
        self.model.train()
        self.before_train()
        batches = self._batches()
        start = time.perf_counter()
        while self.iter < self.max_iters:
            batch = next(batches)
            self.before_iter()
            loss = self.run_step(batch)
            self.after_iter(loss)
            self.iter += 1
        self.after_train()
        self.logger.info("Done in %.1fs", time.perf_counter() - start)
