class SimpleTrainer:
    def __init__(self, model, data_loader, optimizer):
        self.model = model
        self.data_loader = data_loader
        self._data_iter = iter(data_loader)
        self.optimizer = optimizer
        self._hooks = []
        self.storage = {}
        self.iter = 0

    def register_hooks(self, hooks):
        for h in hooks:
            h.trainer = self
        self._hooks.extend(hooks)

    def run_step(self):
        try:
            data = next(self._data_iter)
        except StopIteration:
            self._data_iter = iter(self.data_loader)
            data = next(self._data_iter)
        loss = self.model(*data)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.storage["loss"] = loss.item()

    def train(self, start_iter, max_iter):
        for h in self._hooks:
            h.before_train()
        for self.iter in range(start_iter, max_iter):
            self.run_step()
            for h in self._hooks:
                h.after_step()
