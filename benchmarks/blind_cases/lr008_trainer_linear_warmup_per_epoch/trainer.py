import torch
from torch.utils.data import DataLoader
from transformers import get_linear_schedule_with_warmup


class SequenceClassifierTrainer:
    def __init__(self, model, train_dataset, args):
        self.model = model
        self.args = args
        self.train_loader = DataLoader(train_dataset, batch_size=args.batch_size, shuffle=True)
        self.optimizer = None
        self.scheduler = None

    def setup_optimization(self):
        no_decay = ("bias", "LayerNorm.weight")
        grouped = [
            {"params": [p for n, p in self.model.named_parameters() if not any(nd in n for nd in no_decay)],
             "weight_decay": self.args.weight_decay},
            {"params": [p for n, p in self.model.named_parameters() if any(nd in n for nd in no_decay)],
             "weight_decay": 0.0},
        ]
        self.optimizer = torch.optim.AdamW(grouped, lr=self.args.learning_rate, eps=1e-8)
        num_training_steps = len(self.train_loader) * self.args.num_epochs
        self.scheduler = get_linear_schedule_with_warmup(
            self.optimizer,
            num_warmup_steps=int(self.args.warmup_proportion * num_training_steps),
            num_training_steps=num_training_steps,
        )

    def train_epoch(self, epoch):
        self.model.train()
        total = 0.0
        for input_ids, labels in self.train_loader:
            loss = torch.nn.functional.cross_entropy(self.model(input_ids), labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
            self.optimizer.step()
            self.optimizer.zero_grad()
            total += loss.item()
        self.scheduler.step()
        return total / len(self.train_loader)

    def train(self):
        self.setup_optimization()
        for epoch in range(self.args.num_epochs):
            loss = self.train_epoch(epoch)
            print(f"epoch {epoch} train loss {loss:.4f} lr {self.scheduler.get_last_lr()[0]:.2e}")
