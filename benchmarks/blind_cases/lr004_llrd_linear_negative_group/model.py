from torch import nn


class Encoder(nn.Module):
    def __init__(self, num_layers, dim):
        super().__init__()
        self.layers = nn.ModuleList(nn.Sequential(nn.Linear(dim, dim), nn.GELU()) for _ in range(num_layers))

    def forward(self, x):
        for layer in self.layers:
            x = x + layer(x)
        return x


class Classifier(nn.Module):
    def __init__(self, vocab=500, dim=32, num_layers=12, num_labels=2):
        super().__init__()
        self.num_layers = num_layers
        self.embeddings = nn.Embedding(vocab, dim)
        self.encoder = Encoder(num_layers, dim)
        self.head = nn.Linear(dim, num_labels)

    def forward(self, ids):
        return self.head(self.encoder(self.embeddings(ids).mean(1)))
