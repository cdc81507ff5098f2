class Hook:
    """Base hook class. All hooks should inherit from this class.

    The runner calls, in order::

        before_run
        before_train
            before_train_epoch
                before_train_iter -> runner.model.train_step(...) -> after_train_iter
            after_train_epoch
        after_train
        after_run
    """

    priority = "NORMAL"
    stages = ("before_run", "before_train", "before_train_epoch", "before_train_iter",
              "after_train_iter", "after_train_epoch", "after_train", "after_run")

    def before_run(self, runner):
        pass

    def after_run(self, runner):
        pass

    def before_train(self, runner):
        pass

    def after_train(self, runner):
        pass

    def before_train_epoch(self, runner):
        pass

    def after_train_epoch(self, runner):
        pass

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        pass

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        pass

    def every_n_train_iters(self, runner, n):
        return (runner.iter + 1) % n == 0 if n > 0 else False

    def end_of_epoch(self, dataloader, batch_idx):
        return batch_idx + 1 == len(dataloader)
