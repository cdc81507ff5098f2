from .engine import Engine, Events, State, create_supervised_trainer

__all__ = ["Engine", "Events", "State", "create_supervised_trainer"]
