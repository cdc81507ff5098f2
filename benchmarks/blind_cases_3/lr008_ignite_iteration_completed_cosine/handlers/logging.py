from minignite import Events


class ProgressLogger:
    def __init__(self, every=100):
        self.every = every

    def log_iteration(self, engine):
        if engine.state.iteration % self.every == 0:
            lr = engine.state.metrics.get("lr", float("nan"))
            print(f"Epoch[{engine.state.epoch}/{engine.state.max_epochs}] "
                  f"Iter[{engine.state.iteration}] loss: {engine.state.output:.4f} lr: {lr:.5f}",
                  flush=True)

    def log_epoch(self, engine):
        print(f"Epoch {engine.state.epoch} complete", flush=True)

    def attach(self, engine):
        engine.add_event_handler(Events.ITERATION_COMPLETED, self.log_iteration)
        engine.add_event_handler(Events.EPOCH_COMPLETED, self.log_epoch)
