#!/usr/bin/env python3
"""Runs ../shared/bench/torch_lm_quality.py with Adam's second-moment decay set: the PyTorch side of
Carousel's train.adam_beta2 measurements (scripts/bench-quality.sh, a fifth field of --torch).

The anchor builds torch.optim.Adam(params, lr) with PyTorch's default betas (0.9, 0.999). Rather than keep a
second copy of the anchor, this launcher gives torch.optim.Adam another default beta2 and runs the anchor's file
unchanged, so both sides differ only in the one setting being measured.

Usage:  torch_adam_beta2.py BETA2 ANCHOR.py [the anchor's arguments...]
"""
import os, runpy, sys, torch


def refuse(msg):
    print(f"torch_adam_beta2.py: {msg}", file=sys.stderr)
    sys.exit(2)


if len(sys.argv) < 3:
    refuse("usage: torch_adam_beta2.py BETA2 ANCHOR.py [args...]")
try:
    beta2 = float(sys.argv[1])
except ValueError:
    refuse(f"beta2 must be a number, got {sys.argv[1]!r}")
if not 0.0 < beta2 < 1.0:
    refuse(f"beta2 must lie in (0, 1), got {beta2}")
anchor = sys.argv[2]
if not os.path.isfile(anchor):
    refuse(f"{anchor}: no such file (the anchor script to run)")
_Adam = torch.optim.Adam


class Adam(_Adam):
    def __init__(self, params, lr=1e-3, betas=None, **kw):
        super().__init__(params, lr, betas=betas or (0.9, beta2), **kw)


torch.optim.Adam = Adam
print(f"torch_adam_beta2: Adam betas (0.9, {beta2})", file=sys.stderr)
sys.argv = [anchor] + sys.argv[3:]
runpy.run_path(anchor, run_name="__main__")
