import json
import os
import time

import torch
import torch.nn.functional as F

from fasttext import FastText, synthetic_corpus
from settings import parse_settings


def main():
    s = parse_settings()
    os.makedirs(s.out, exist_ok=True)
    torch.manual_seed(0)
    loader = synthetic_corpus(s)
    model = FastText(s.vocab_size, s.embed_dim, s.num_classes)
    optimizer = torch.optim.SGD(model.parameters(), lr=s.lr, momentum=s.momentum, weight_decay=s.weight_decay)
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=s.milestones, gamma=s.gamma)

    history = []
    for epoch in range(s.epochs):
        model.train()
        t0, total_loss, total_acc, n = time.time(), 0.0, 0.0, 0
        for step, (tokens, labels) in enumerate(loader):
            logits = model(tokens)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            optimizer.step()

            total_loss += loss.item() * labels.size(0)
            total_acc += (logits.argmax(1) == labels).sum().item()
            n += labels.size(0)
            if step % s.log_every == 0:
                print(f"| epoch {epoch:3d} | {step:5d}/{len(loader):5d} batches "
                      f"| lr {scheduler.get_last_lr()[0]:.4f} | loss {loss.item():.4f}")
        scheduler.step()

        history.append({"epoch": epoch, "loss": total_loss / n, "acc": total_acc / n,
                        "time": time.time() - t0})
        print(f"| end of epoch {epoch:3d} | loss {total_loss / n:.4f} | acc {total_acc / n:.3f}")
        with open(os.path.join(s.out, "history.json"), "w") as f:
            json.dump(history, f)
    torch.save(model.state_dict(), os.path.join(s.out, "model.pt"))


if __name__ == "__main__":
    main()
