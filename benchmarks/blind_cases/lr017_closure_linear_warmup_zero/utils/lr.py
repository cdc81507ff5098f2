def linear_warmup(warmup_iters):
    """Multiplicative factor for LambdaLR: ramps 0 -> 1 over warmup_iters, then 1."""
    def factor(it):
        return min(1.0, it / warmup_iters)
    return factor
