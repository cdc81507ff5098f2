"""An event-driven training engine in the style of pytorch-ignite."""
import logging
from collections import defaultdict
from enum import Enum

logger = logging.getLogger(__name__)


class Events(Enum):
    STARTED = "started"
    EPOCH_STARTED = "epoch_started"
    ITERATION_STARTED = "iteration_started"
    ITERATION_COMPLETED = "iteration_completed"
    EPOCH_COMPLETED = "epoch_completed"
    COMPLETED = "completed"


class State:
    def __init__(self):
        self.iteration = 0
        self.epoch = 0
        self.max_epochs = 0
        self.epoch_length = 0
        self.batch = None
        self.output = None
        self.metrics = {}


class Engine:
    """Runs ``process_function(engine, batch)`` over the data and fires events around it."""

    def __init__(self, process_function):
        self._process_function = process_function
        self._event_handlers = defaultdict(list)
        self.state = State()
        self.should_terminate = False

    def add_event_handler(self, event_name, handler, *args, **kwargs):
        if not isinstance(event_name, Events):
            raise ValueError(f"Unknown event {event_name!r}")
        self._event_handlers[event_name].append((handler, args, kwargs))
        return handler

    def on(self, event_name, *args, **kwargs):
        def decorator(f):
            self.add_event_handler(event_name, f, *args, **kwargs)
            return f

        return decorator

    def has_event_handler(self, handler, event_name):
        return any(h is handler for h, _, _ in self._event_handlers[event_name])

    def _fire_event(self, event_name):
        for handler, args, kwargs in self._event_handlers[event_name]:
            handler(self, *args, **kwargs)

    def terminate(self):
        self.should_terminate = True

    def run(self, data, max_epochs=1):
        self.state.max_epochs = max_epochs
        self.state.epoch_length = len(data)
        self._fire_event(Events.STARTED)
        while self.state.epoch < max_epochs and not self.should_terminate:
            self.state.epoch += 1
            self._fire_event(Events.EPOCH_STARTED)
            for batch in data:
                self.state.batch = batch
                self.state.iteration += 1
                self._fire_event(Events.ITERATION_STARTED)
                self.state.output = self._process_function(self, batch)
                self._fire_event(Events.ITERATION_COMPLETED)
                if self.should_terminate:
                    break
            self._fire_event(Events.EPOCH_COMPLETED)
        self._fire_event(Events.COMPLETED)
        return self.state


def create_supervised_trainer(model, optimizer, loss_fn, device="cpu"):
    def _update(engine, batch):
        model.train()
        x, y = (t.to(device) for t in batch)
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss.item()

    return Engine(_update)
