import torch
from torch import nn


class PatchMLP(nn.Module):
    """A tiny patch-embedding MLP classifier (stand-in for a ViT during debugging)."""

    def __init__(self, img_size=32, patch_size=8, in_chans=3, embed_dim=96, depth=2, num_classes=100):
        super().__init__()
        self.patch_embed = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)
        num_patches = (img_size // patch_size) ** 2
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches, embed_dim))
        self.blocks = nn.Sequential(*[
            nn.Sequential(nn.LayerNorm(embed_dim), nn.Linear(embed_dim, 2 * embed_dim), nn.GELU(),
                          nn.Linear(2 * embed_dim, embed_dim))
            for _ in range(depth)
        ])
        self.norm = nn.LayerNorm(embed_dim)
        self.head = nn.Linear(embed_dim, num_classes)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)

    def forward(self, x):
        x = self.patch_embed(x).flatten(2).transpose(1, 2) + self.pos_embed
        for blk in self.blocks:
            x = x + blk(x)
        return self.head(self.norm(x).mean(dim=1))


def create_model(name, num_classes):
    if name == "patch_mlp_tiny":
        return PatchMLP(embed_dim=96, depth=2, num_classes=num_classes)
    if name == "patch_mlp_small":
        return PatchMLP(embed_dim=192, depth=4, num_classes=num_classes)
    raise KeyError(name)
