import torch


def optimizer_step(optimizer, loss, parameters, max_grad_norm=None):
    """Backward, optional clipping, update, and clear the gradients."""
    loss.backward()
    if max_grad_norm:
        torch.nn.utils.clip_grad_norm_(parameters, max_grad_norm)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
