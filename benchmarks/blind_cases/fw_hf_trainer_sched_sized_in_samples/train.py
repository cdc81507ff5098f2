import argparse

import torch
from transformers import Trainer, TrainingArguments, get_linear_schedule_with_warmup

from data import ToyTokenDataset
from modeling import SmallClassifier


def create_optimizer_and_scheduler(model, train_dataset, args):
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    num_training_steps = len(train_dataset) * args.epochs
    scheduler = get_linear_schedule_with_warmup(
        optimizer, num_warmup_steps=int(0.06 * num_training_steps), num_training_steps=num_training_steps
    )
    return optimizer, scheduler


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch_size", type=int, default=32)
    p.add_argument("--train_size", type=int, default=20000)
    args = p.parse_args()

    train_dataset = ToyTokenDataset(args.train_size)
    model = SmallClassifier()
    optimizer, scheduler = create_optimizer_and_scheduler(model, train_dataset, args)
    training_args = TrainingArguments(output_dir="runs/cls", num_train_epochs=args.epochs,
                                      per_device_train_batch_size=args.batch_size, logging_steps=100,
                                      save_strategy="no", report_to="none")
    trainer = Trainer(model=model, args=training_args, train_dataset=train_dataset,
                      optimizers=(optimizer, scheduler))
    trainer.train()


if __name__ == "__main__":
    main()
