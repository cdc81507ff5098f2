class Registry:
    """Name -> class mapping used to build objects from config dicts."""

    def __init__(self, name):
        self.name = name
        self._module_dict = {}

    def register_module(self, name=None, module=None):
        def _register(cls):
            key = name or cls.__name__
            if key in self._module_dict:
                raise KeyError(f"{key} is already registered in {self.name}")
            self._module_dict[key] = cls
            return cls

        if module is not None:
            return _register(module)
        return _register

    def get(self, key):
        return self._module_dict[key]

    def build(self, cfg, **default_args):
        cfg = dict(cfg)
        obj_type = cfg.pop("type")
        if obj_type not in self._module_dict:
            raise KeyError(f"{obj_type} is not in the {self.name} registry")
        for k, v in default_args.items():
            cfg.setdefault(k, v)
        return self._module_dict[obj_type](**cfg)


HOOKS = Registry("hook")
MODELS = Registry("model")
