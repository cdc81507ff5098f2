import torch
from torch.utils.data import DataLoader, Dataset


class SpeechCommandsStub(Dataset):
    """Random log-mel spectrogram clips; same shapes as the real 35-word Speech Commands set."""

    def __init__(self, n_clips, n_mels=40, n_frames=101, n_classes=35, seed=0):
        g = torch.Generator().manual_seed(seed)
        self.feats = torch.randn(n_clips, n_mels, n_frames, generator=g)
        self.labels = torch.randint(0, n_classes, (n_clips,), generator=g)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return self.feats[i], self.labels[i]


def make_loader(n_clips, batch_size, n_mels, n_frames, workers=0, train=True):
    ds = SpeechCommandsStub(n_clips, n_mels, n_frames, seed=0 if train else 1)
    return DataLoader(ds, batch_size=batch_size, shuffle=train, drop_last=train, num_workers=workers)
