import argparse

from transformers import Trainer, TrainingArguments

from data import ToyTokenDataset
from modeling import SmallClassifier


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--output_dir", default="out/classifier")
    parser.add_argument("--learning_rate", type=float, default=5e-5)
    parser.add_argument("--num_train_epochs", type=float, default=3)
    parser.add_argument("--warmup_ratio", type=float, default=0.1)
    parser.add_argument("--per_device_train_batch_size", type=int, default=32)
    parser.add_argument("--train_size", type=int, default=100000)
    args = parser.parse_args()

    training_args = TrainingArguments(
        output_dir=args.output_dir,
        learning_rate=args.learning_rate,
        num_train_epochs=args.num_train_epochs,
        per_device_train_batch_size=args.per_device_train_batch_size,
        lr_scheduler_type="constant_with_warmup",
        warmup_steps=args.warmup_ratio,  # a value below 1 is a fraction of the total steps
        weight_decay=0.01,
        logging_steps=50,
        save_strategy="no",
        report_to="none",
    )
    trainer = Trainer(model=SmallClassifier(), args=training_args, train_dataset=ToyTokenDataset(args.train_size))
    trainer.train()


if __name__ == "__main__":
    main()
