"""Default config, a small subset of detectron2's defaults (attribute-style access)."""
import copy


class CfgNode(dict):
    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as e:
            raise AttributeError(name) from e

    def __setattr__(self, name, value):
        self[name] = value

    def clone(self):
        return copy.deepcopy(self)

    def merge_from_list(self, opts):
        """Override values from a flat ``["SOLVER.BASE_LR", "0.01", ...]`` list."""
        assert len(opts) % 2 == 0, f"Override list has odd length: {opts}"
        for full_key, raw in zip(opts[0::2], opts[1::2]):
            *parents, leaf = full_key.split(".")
            node = self
            for p in parents:
                node = node[p]
            if leaf not in node:
                raise KeyError(f"Non-existent config key: {full_key}")
            node[leaf] = _coerce(raw, node[leaf])


def _coerce(raw, old):
    if isinstance(old, bool):
        return raw.lower() in ("1", "true", "yes")
    if isinstance(old, (tuple, list)):
        vals = [v for v in raw.strip("()[]").split(",") if v.strip()]
        return tuple(type(old[0])(v) if old else int(v) for v in vals)
    return type(old)(raw)


_C = CfgNode()
_C.MODEL = CfgNode()
_C.MODEL.NUM_CLASSES = 10
_C.MODEL.IN_FEATURES = 32
_C.MODEL.HIDDEN = 64

_C.DATALOADER = CfgNode()
_C.DATALOADER.NUM_SAMPLES = 4096
_C.DATALOADER.IMS_PER_BATCH = 16

_C.SOLVER = CfgNode()
_C.SOLVER.LR_SCHEDULER_NAME = "WarmupMultiStepLR"
_C.SOLVER.MAX_ITER = 90000
_C.SOLVER.BASE_LR = 0.02
_C.SOLVER.MOMENTUM = 0.9
_C.SOLVER.NESTEROV = False
_C.SOLVER.WEIGHT_DECAY = 0.0001
_C.SOLVER.WEIGHT_DECAY_NORM = 0.0
_C.SOLVER.GAMMA = 0.1
_C.SOLVER.STEPS = (60000, 80000)
_C.SOLVER.WARMUP_FACTOR = 1.0 / 1000
_C.SOLVER.WARMUP_ITERS = 1000
_C.SOLVER.WARMUP_METHOD = "linear"
_C.SOLVER.LOG_PERIOD = 20

_C.SEED = 0


def get_cfg():
    return _C.clone()
