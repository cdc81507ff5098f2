from setuptools import find_packages, setup

# Only the shared library under common/ is installed; the research projects under projects/
# are run directly, e.g. `python projects/segmentation/train.py`.
setup(
    name="perception-research",
    version="0.9.2",
    author="Perception Research Team",
    description="Monorepo for segmentation, depth and tracking research code",
    packages=find_packages(include=["common", "common.*"]),
    python_requires=">=3.8",
    install_requires=["torch>=1.13", "numpy", "pyyaml", "tqdm"],
    extras_require={"dev": ["pytest", "black", "isort"]},
)
