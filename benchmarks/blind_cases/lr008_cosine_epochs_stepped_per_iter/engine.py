import logging

logger = logging.getLogger("det.engine")


def do_train_epoch(model, data_loader, optimizer, scheduler, epoch):
    model.train()
    for iteration, (images, targets) in enumerate(data_loader):
        loss_dict = model(images, targets)
        losses = sum(loss_dict.values())
        optimizer.zero_grad()
        losses.backward()
        optimizer.step()
        scheduler.step()
        if iteration % 20 == 0:
            logger.info("epoch %d iter %d loss %.4f lr %.6f", epoch, iteration, losses.item(),
                        optimizer.param_groups[0]["lr"])
