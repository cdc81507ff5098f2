import time


def do_train(cfg, model, data_loader, optimizer, checkpoint_period=2500):
    model.train()
    start = time.time()
    for iteration, (images, targets) in enumerate(data_loader, 1):
        loss = model(images, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if iteration % 20 == 0:
            print(f"iter {iteration} loss {loss.item():.4f} lr {optimizer.param_groups[0]['lr']:.6f} "
                  f"({time.time() - start:.1f}s)")
        if iteration == cfg["max_iter"]:
            break
