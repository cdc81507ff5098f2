import argparse

from transformers import Trainer, TrainingArguments

from data import ToyTokenDataset
from modeling import SmallClassifier
from optim import build_optimization

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--micro_batch_size", type=int, default=4)
    p.add_argument("--grad_accum", type=int, default=16)
    p.add_argument("--warmup_ratio", type=float, default=0.05)
    p.add_argument("--train_size", type=int, default=52000)
    args = p.parse_args()

    training_args = TrainingArguments(
        output_dir="lora-out",
        per_device_train_batch_size=args.micro_batch_size,
        gradient_accumulation_steps=args.grad_accum,
        num_train_epochs=args.epochs,
        learning_rate=3e-4,
        weight_decay=0.0,
        logging_steps=10,
        save_strategy="no",
        report_to="none",
    )
    model = SmallClassifier()
    train_data = ToyTokenDataset(args.train_size)
    optimizers = build_optimization(model, train_data, training_args, args.warmup_ratio)
    Trainer(model=model, args=training_args, train_dataset=train_data, optimizers=optimizers).train()
