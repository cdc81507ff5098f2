def do_train_epoch(model, data_loader, optimizer, scheduler, epoch, log_period=20):
    model.train()
    for iteration, (images, targets) in enumerate(data_loader):
        losses = model(images, targets)
        optimizer.zero_grad()
        losses.backward()
        optimizer.step()
        scheduler.step()
        if iteration % log_period == 0:
            print(f"epoch {epoch} iter {iteration} loss {losses.item():.4f} lr {optimizer.param_groups[0]['lr']:.6f}")
