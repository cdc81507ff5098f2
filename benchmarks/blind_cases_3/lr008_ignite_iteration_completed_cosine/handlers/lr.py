from minignite import Events


class LRSchedulerHandler:
    """Steps a torch LR scheduler from engine events and records the LR into ``engine.state``.

    Usage::

        LRSchedulerHandler(scheduler).attach(trainer, Events.ITERATION_COMPLETED)
    """

    def __init__(self, lr_scheduler, param_group_index=0):
        self.lr_scheduler = lr_scheduler
        self.param_group_index = param_group_index

    def __call__(self, engine):
        engine.state.metrics["lr"] = self.lr_scheduler.get_last_lr()[self.param_group_index]
        self.lr_scheduler.step()

    def attach(self, engine, event_name=Events.ITERATION_COMPLETED):
        engine.add_event_handler(event_name, self)
        return self
