import csv
import os


class CSVLogger:
    def __init__(self, path, fields):
        self.path = path
        self.fields = fields
        new = not os.path.exists(path)
        self.fh = open(path, "a", newline="")
        self.writer = csv.DictWriter(self.fh, fieldnames=fields)
        if new:
            self.writer.writeheader()

    def log(self, **row):
        self.writer.writerow(row)
        self.fh.flush()


def log_epoch(logger, epoch, train_loss, val_acc, scheduler):
    lr = scheduler.get_lr()[0]
    logger.log(epoch=epoch, train_loss=f"{train_loss:.4f}", val_acc=f"{val_acc:.4f}", lr=lr)
    print(f"epoch {epoch} lr {lr:.6f} loss {train_loss:.4f} acc {val_acc:.4f}")
