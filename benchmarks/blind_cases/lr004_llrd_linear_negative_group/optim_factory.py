"""Layer-wise learning-rate decay for fine-tuning a pretrained encoder."""
import torch


def get_layer_id(name, num_layers):
    if name.startswith("embeddings"):
        return 0
    if name.startswith("encoder.layers."):
        return int(name.split(".")[2]) + 1
    return num_layers + 1  # pooler / classifier head


def param_groups_lrd(model, base_lr, weight_decay, layer_decay, num_layers):
    """One group per (layer, decay/no-decay); deeper layers keep more of the base LR.

    The scale falls linearly with depth from the head: head 1.0, last block 1 - layer_decay, ...
    """
    groups = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        no_decay = param.ndim == 1 or name.endswith(".bias")
        layer_id = get_layer_id(name, num_layers)
        key = f"layer_{layer_id}_{'no_decay' if no_decay else 'decay'}"
        if key not in groups:
            scale = 1.0 - layer_decay * (num_layers + 1 - layer_id)
            groups[key] = {
                "params": [],
                "weight_decay": 0.0 if no_decay else weight_decay,
                "lr": base_lr * scale,
            }
        groups[key]["params"].append(param)
    return list(groups.values())


def build_optimizer(args, model):
    groups = param_groups_lrd(model, args.lr, args.weight_decay, args.layer_decay, model.num_layers)
    return torch.optim.AdamW(groups, lr=args.lr, betas=(0.9, 0.999))
