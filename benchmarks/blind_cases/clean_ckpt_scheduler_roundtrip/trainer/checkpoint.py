import os

import torch


class Checkpointer:
    def __init__(self, save_dir, **checkpointables):
        self.save_dir = save_dir
        self.checkpointables = checkpointables  # e.g. model=, optimizer=, lr_scheduler=

    def save(self, name, **extra):
        os.makedirs(self.save_dir, exist_ok=True)
        data = {key: obj.state_dict() for key, obj in self.checkpointables.items()}
        data.update(extra)
        path = os.path.join(self.save_dir, f"{name}.pth")
        torch.save(data, path)
        with open(os.path.join(self.save_dir, "last_checkpoint"), "w") as f:
            f.write(path)

    def resume(self):
        marker = os.path.join(self.save_dir, "last_checkpoint")
        if not os.path.exists(marker):
            return {}
        with open(marker) as f:
            data = torch.load(f.read().strip(), map_location="cpu")
        for key, obj in self.checkpointables.items():
            obj.load_state_dict(data.pop(key))
        return data
