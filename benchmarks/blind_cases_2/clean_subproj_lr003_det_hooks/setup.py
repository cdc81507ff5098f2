#!/usr/bin/env python
from setuptools import find_packages, setup

setup(
    name="autonomy-ml",
    version="0.4.0",
    description="Autonomy ML monorepo (shared ops library; projects/ are standalone research code)",
    packages=find_packages(exclude=("projects", "projects.*", "tests")),
    python_requires=">=3.8",
    install_requires=["torch>=1.12", "numpy", "fvcore"],
)
