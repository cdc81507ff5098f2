class Callback:
    def on_epoch_start(self, trainer, epoch):
        pass


class BackboneUnfreeze(Callback):
    """Train the head alone for `unfreeze_at` epochs, then fine-tune everything."""

    def __init__(self, unfreeze_at):
        self.unfreeze_at = unfreeze_at

    def on_epoch_start(self, trainer, epoch):
        if epoch == self.unfreeze_at:
            trainer.unfreeze()
            print(f"epoch {epoch}: backbone unfrozen")
