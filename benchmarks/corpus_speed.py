"""The project stages of lrlint (``lrlint.project``) on a corpus of real training repositories.

Run through ``python benchmarks/lint_speed.py --corpus [DIR] [--materialise]``. Each measured
command runs in a child process (wall time, CPU time of the child and its workers, peak RSS);
lrlint and Ruff run in the same invocation, so their figures share the machine's load.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MIRROR = Path("/work/.mirror")

# Training repositories at pinned commits: multi-module trainers (detection, segmentation, LLM
# fine-tuning, self-supervised, diffusion) and single-script ones.
CORPUS: tuple[tuple[str, str], ...] = (
    ("A4Bio/PiFold", "b28a0994ae02d7770733bf0aee792ffab99bdf68"),
    ("Abe404/segmentation_of_roots_in_soil_with_unet", "a2f289857ca41118f4f686769fc9cdc876fb99b6"),
    ("CSAILVision/semantic-segmentation-pytorch", "8f27c9b97d2ca7c6e05333d5766d144bf7d8c31b"),
    ("CompVis/latent-diffusion", "a506df5756472e2ebaf9078affdde2c4f1502cd4"),
    ("EleutherAI/gpt-neox", "ea7aefd8f8e183256992d9fede4d7c71a46d67a5"),
    ("Lightning-AI/pytorch-lightning", "7f0c3436cd3f6ad3753125672024fc415cbcb414"),
    ("Lightricks/LTX-Video-Trainer", "31b12733f51cb16b244d23f6552609f369aed883"),
    ("Lornatang/SRGAN-PyTorch", "8842030eb433f8578a77328060121fa5a9a3cb43"),
    ("Megvii-BaseDetection/YOLOX", "6ddff4824372906469a7fae2dc3206c7aa4bbaee"),
    ("NVIDIA/Megatron-LM", "d98e8a64ddf34856e74b24714e3bedb2f5a39553"),
    ("Pointcept/Pointcept", "d74c646db6abec569d0f23e0c34e7ddfce142789"),
    ("PolymathicAI/the_well", "215f55d838d161964a49ce28d3dc1517c6e74b90"),
    ("Spijkervet/SimCLR", "2738efae85b3ca1b70b7919c5d7a7837d9d75235"),
    ("VainF/DeepLabV3Plus-Pytorch", "4e1087de98bc49d55b9239ae92810ef7368660db"),
    ("Vision-CAIR/MiniGPT-4", "d94738a7626ec43eba6c2cddf3cd2043f1a9689a"),
    ("abhishekkrthakur/bert-sentiment", "4283d293253ea4a3c868bcae0ae210b4033d2e1b"),
    ("aimagelab/meshed-memory-transformer", "239100befa61d1e77ddf3b538810c83703d1e3a7"),
    ("alibaba/cascade-stereo", "2ae7da65515c82025383a0fbee8d6fe063dc7101"),
    ("allenai/allennlp", "80fb6061e568cb9d6ab5d45b661e86eb61b92c82"),
    ("artidoro/qlora", "7f4e95a68dc076bea9b3a413d2b512eca6d004e5"),
    ("ashleve/lightning-hydra-template", "bddbc24b82ab6ccfa6243e815a49dc5bfe8d4144"),
    ("bshall/Tacotron", "6fee34a7c3a9d4ceb9215ed3063771a9287010e1"),
    ("clovaai/CutMix-PyTorch", "2d8eb68faff7fe4962776ad51d175c3b01a25734"),
    ("crowsonkb/k-diffusion", "4601bf085320592473f681a62808ed873d17fad5"),
    ("cszn/KAIR", "fc1732f4a4514e42ce15e5b3a1e18c828af47a1e"),
    ("facebookresearch/ConvNeXt", "048efcea897d999aed302f2639b6270aedf8d4c8"),
    ("facebookresearch/ParlAI", "a29567f7ce76992fd1f03c51ba9e3b155a37ea51"),
    ("facebookresearch/SlowFast", "287ec0076846560f44a9327e931a5a2360240533"),
    ("facebookresearch/barlowtwins", "8e8d284ca0bc02f88b92328e53f9b901e86b4a3c"),
    ("facebookresearch/deit", "7e160fe43f0252d17191b71cbb5826254114ea5b"),
    ("facebookresearch/detectron2", "02b5c4e295e990042a714712c21dc79b731e8833"),
    ("facebookresearch/detr", "29901c51d7fe8712168b8d0d64351170bc0f83e0"),
    ("facebookresearch/dino", "7c446df5b9f45747937fb0d72314eb9f7b66930a"),
    ("facebookresearch/dinov2", "b8931f7bf91576930313be2c6d6af376033b35f0"),
    ("facebookresearch/fairseq", "3d262bb25690e4eb2e7d3c1309b1e9c406ca4b99"),
    ("facebookresearch/mae", "efb2a8062c206524e35e47d04501ed4f544c0ae8"),
    ("facebookresearch/maskrcnn-benchmark", "57eec25b75144d9fb1a6857f32553e1574177daf"),
    ("facebookresearch/pycls", "5719de641657c251f807c20a1fcf8ef6f4b60144"),
    ("facebookresearch/segment-anything", "dca509fe793f601edb92606367a655c15ac00fdf"),
    ("facebookresearch/simsiam", "a7bc1772896d0dad0806c51f0bb6f3b16d290468"),
    ("galilai-group/stable-pretraining", "d15ec96d088a30e220f6fab1539dfb5d854729f0"),
    ("galilai-group/stable-worldmodel", "addbab40377da680dadbfbc90250fe749f6f57e3"),
    ("h2oai/h2o-llmstudio", "a4971c11ed2c93e531607670df7ae9cb673936b4"),
    ("hearai/hearai", "4bb062101fcde752c328545aec48785918a6db2d"),
    ("huggingface/accelerate", "16cb6eb80dd9aa8b4df1a63ef57863e455d53b83"),
    ("huggingface/diffusers", "58eb52c0803ea9af3abec60841c2a093bdf1f951"),
    ("huggingface/peft", "5d602fdbff04c33c1c4de55cda9d4ae1d7cb7e40"),
    ("huggingface/pytorch-image-models", "aa4b5850c1543fa488abf260f18390eda46cf85d"),
    ("huggingface/trl", "f2cd57710ae345ea6428ae95363267fcf38a3dc8"),
    ("ildoonet/pytorch-gradual-warmup-lr", "7021d63a49106e22c79b40564a7d39930e7b0f53"),
    ("jeonsworld/ViT-pytorch", "460a162767de1722a014ed2261463dbbc01196b6"),
    ("jettify/pytorch-optimizer", "19c3e41952b94f2d60db06e559ee9a1433b25e53"),
    ("jzhang38/EasyContext", "6b0d31047e4e326cbd603f89d57cf8b1db3ff762"),
    ("karpathy/minGPT", "37baab71b9abea1b76ab957409a1cc2fbfba8a26"),
    ("karpathy/nanoGPT", "3adf61e154c3fe3fca428ad6bc3818b27a3b8291"),
    ("kekmodel/FixMatch-pytorch", "040be3b8950300b052f810df31a0c6c09561e09f"),
    ("kekmodel/MPL-pytorch", "7dc629702034319eda113aba3b006ba968e8e882"),
    ("kohya-ss/sd-scripts", "48d368fa557731ad0488c07304dfeba8c07910eb"),
    ("kuangliu/pytorch-cifar", "49b7aa97b0c12fe0d4054e670403a16b6b834ddd"),
    ("lm-sys/FastChat", "0e6d3e4beaab66f4d3f93db72541a4abab8af28d"),
    ("lucidrains/denoising-diffusion-pytorch", "faed4db28e724735323fa91c70aa9b28a6e1cbac"),
    ("meta-llama/llama-recipes", "faae2fd877995430906e1d0904131ecdaa89a604"),
    ("microsoft/ClimaX", "6d5d354ffb4b91bb684f430b98e8f6f8af7c7f7c"),
    ("microsoft/Swin-Transformer", "f82860bfb5225915aca09c3227159ee9e1df874d"),
    ("microsoft/unilm", "768a3c873f598bb9b4d4dfb9267b099e35f8fe56"),
    ("milesial/Pytorch-UNet", "21d7850f2af30a9695bbeea75f3136aa538cfc4a"),
    ("mlfoundations/open_clip", "89fb801f1e6087880e951fc8354b8a2077b79c6d"),
    ("open-mmlab/mmcv", "a8073c74bf83d62ec36a103f835faa4837fb6585"),
    ("open-mmlab/mmengine", "254342938d9bde1775c39ea7d5181c5d294026c4"),
    ("open-mmlab/mmpretrain", "ee7f2e88501f61aa95c742dd5f429f039935ee90"),
    ("openai/improved-diffusion", "1bc7bbbdc414d83d4abf2ad8cc1446dc36c4e4d5"),
    ("princeton-vl/RAFT", "2888e15a51fa41140771d3f498ed8023cff098d1"),
    ("pytorch/examples", "77f55b912142e11fcfdf5b530231fb9c52f181e8"),
    ("soapisnotfat/pytorch-cifar10", "1e49822683bf0800a3f4f7f0df778cb5ba6a87fe"),
    ("sthalles/SimCLR", "1848fc934ad844ae630e6c452300433fe99acfd9"),
    ("tatsu-lab/stanford_alpaca", "761dc5bfbdeeffa89b8bff5d038781a4055f796a"),
    ("tloen/alpaca-lora", "8bb8579e403dc78e37fe81ffbb253c413007323f"),
    ("ultralytics/yolov5", "5081342f04fb287fc2e5f2b5a4e06752b7937b1c"),
    ("vturrisi/solo-learn", "9187ea39c2c3f43c455ab06664d2b019a9802954"),
    ("weiaicunzai/pytorch-cifar100", "11d8418f415b261e4ae3cb1ffe20d06ec95b98e4"),
    ("yassouali/pytorch-segmentation", "33434fa987bbf348c961473c15f044b85e32ca7f"),
)


# -- the corpus on disk ------------------------------------------------------------------------


def checkout_name(repository: str) -> str:
    """``name``, or ``owner-name`` when two corpus repositories share a name."""
    owner, name = repository.split("/")
    clash = sum(1 for other, _ in CORPUS if other.split("/")[1] == name) > 1
    return f"{owner}-{name}" if clash else name


def materialise(destination: Path) -> None:
    """Write each repository's .py files at its commit (and an empty .git, its root marker)."""
    for repository, commit in CORPUS:
        git_dir = MIRROR / repository.replace("/", "+") / "repo"
        if (git_dir / ".git").is_dir():
            git_dir = git_dir / ".git"
        target = destination / checkout_name(repository)
        if not git_dir.is_dir():
            print(f"  missing snapshot {repository}: fetch github:{repository} first")
            continue
        git = ["git", f"--git-dir={git_dir}"]
        if subprocess.run([*git, "cat-file", "-e", commit], capture_output=True).returncode:
            print(f"  {repository}: commit {commit[:10]} not in the snapshot; using its HEAD")
            commit = "HEAD"
        listing = subprocess.run([*git, "ls-tree", "-r", "-z", commit], capture_output=True,
                                 check=True).stdout
        blobs = []
        for record in listing.split(b"\0"):
            if not record:
                continue
            meta, path = record.split(b"\t", 1)
            mode, kind, sha = meta.split()
            if kind == b"blob" and path.endswith(b".py") and mode != b"120000":
                blobs.append((sha, os.fsdecode(path)))
        if target.exists():
            shutil.rmtree(target)
        (target / ".git").mkdir(parents=True)
        written = _write_blobs(git, blobs, target)
        print(f"  {checkout_name(repository):<45} {written:6d} files")


def _write_blobs(git: list[str], blobs: list[tuple[bytes, str]], target: Path) -> int:
    process = subprocess.Popen([*git, "cat-file", "--batch"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE)

    def feed() -> None:  # a thread: cat-file blocks on a full pipe otherwise
        process.stdin.write(b"".join(sha + b"\n" for sha, _ in blobs))
        process.stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    written = 0
    for _, path in blobs:
        header = process.stdout.readline()
        if header.endswith(b"missing\n"):
            continue  # a file the snapshot lacks
        size = int(header.split()[2])
        data = process.stdout.read(size)
        process.stdout.read(1)
        out = target / path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
        written += 1
    process.wait()
    return written


# -- measuring children ------------------------------------------------------------------------


# Runs a command and reports its peak RSS and CPU from wait4. A small process of its own: a
# child forked from this (large) benchmark process would carry this process's peak RSS.
_LAUNCH = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
sys.stderr.write(f"\\nRUSAGE {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def measured(command: list[str], repeat: int = 1) -> tuple[float, float, float, str]:
    """Median wall time, median CPU time (user+sys, its workers included), peak RSS (MB) of
    the command, and the last run's stdout."""
    walls, cpus, peak, out = [], [], 0.0, ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", _LAUNCH, *command], capture_output=True,
                              text=True)
        walls.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            sys.exit(f"{command[:3]} failed: {done.stderr[-2000:]}")
        rss, cpu = done.stderr.rsplit("RUSAGE", 1)[1].split()[:2]
        cpus.append(float(cpu))
        peak = max(peak, int(rss) / 1024)
        out = done.stdout
    return statistics.median(walls), statistics.median(cpus), peak, out


def _child(code: str, *arguments: str) -> list[str]:
    return [sys.executable, "-c", code, *arguments]


_PLAN = """
import json, os, sys
from lrlint.discovery import discover
from lrlint.project import ProjectCache, plan_run
tree, workers, cache_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files, _ = discover([tree])
cache = ProjectCache(cache_dir) if cache_dir != "-" else None
plan = plan_run([os.fspath(f) for f in files], paths=[tree], cache=cache, workers=workers)
stats = dict(plan.stats.__dict__)
stats["relevant_files"] = sorted(plan.reasons)
stats["implied"] = {p: sorted(w.decode("latin-1") for w in plan.implied(p)) for p in plan.reasons}
stats["components"] = [sorted(c) for c in plan.components]
print(json.dumps(stats))
"""


def run_corpus(directory: Path, repeat: int, materialise_first: bool) -> None:
    directory = directory.resolve()
    if Path(__file__).resolve().parent.parent in (directory, *directory.parents):
        sys.exit("the corpus must live outside this repository")
    if materialise_first or not directory.exists():
        print(f"materialising {len(CORPUS)} repositories into {directory}")
        materialise(directory)
    files = sorted(directory.rglob("*.py"))
    size = sum(f.stat().st_size for f in files)
    lines = sum(f.read_bytes().count(b"\n") for f in files)
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0]
    print(f"\ncorpus: {directory}: {len(CORPUS)} repositories, {len(files):,} .py files, "
          f"{lines:,} lines, {size / 1e6:.1f} MB; {cores} cores; load average {load:.1f}")

    print(f"\n{'':34}{'wall':>9}{'CPU':>9}{'peak RSS':>10}")
    rows: dict[str, tuple[float, float, float]] = {}
    ruff = shutil.which("ruff")
    if ruff:
        wall, cpu, peak, _ = measured([ruff, "check", "--no-cache", "--isolated", "--exit-zero",
                                       "-q", str(directory)], repeat)
        rows["ruff"] = (wall, cpu, peak)
        print(f"{'ruff check --no-cache (defaults)':<34}{wall:8.2f}s{cpu:8.2f}s{peak:8.0f} MB")
    else:
        print("(ruff not installed: pip install -e '.[bench]')")
    lrlint = [sys.executable, "-m", "lrlint", "--no-cache", "--exit-zero", "-q", str(directory)]
    wall, cpu, peak, _ = measured(lrlint, repeat)
    rows["lrlint"] = (wall, cpu, peak)
    print(f"{'lrlint --no-cache (cold)':<34}{wall:8.2f}s{cpu:8.2f}s{peak:8.0f} MB")
    if "ruff" in rows:
        print(f"  lrlint cold / ruff wall: {wall / rows['ruff'][0]:.1f}; "
              f"CPU: {cpu / rows['ruff'][1]:.1f}")
    stats = {}
    with tempfile.TemporaryDirectory() as cache_dir:
        for label, workers, cache in (("plan, 1 process, no cache", 1, "-"),
                                      (f"plan, {cores} processes, cold", cores, cache_dir),
                                      (f"plan, {cores} processes, warm", cores, cache_dir)):
            wall, cpu, peak, out = measured(_child(_PLAN, str(directory), str(workers), cache))
            stats[label] = json.loads(out)
            rows[label] = (wall, cpu, peak)
            print(f"{label:<34}{wall:8.2f}s{cpu:8.2f}s{peak:8.0f} MB")
    if "ruff" in rows:
        cold = rows[f"plan, {cores} processes, cold"]
        warm = rows[f"plan, {cores} processes, warm"]
        print(f"  plan cold / ruff wall: {cold[0] / rows['ruff'][0]:.2f}; "
              f"warm / cold wall: {warm[0] / cold[0]:.3f}")

    single = stats["plan, 1 process, no cache"]
    seconds = single["seconds"]
    print(f"\nstages (one process): {single['universe']:,} files read -> "
          f"{single['passing_bytes']:,} pass a byte gate -> {single['indexed']:,} ast-indexed "
          f"(+{single['installed_indexed']} installed modules) -> {single['relevant']:,} relevant; "
          f"{single['rounds']} rounds")
    print("  seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in seconds.items()))
    libcst_report(directory, single)
    floor_report(directory, rows.get("ruff"))


_LIBCST = """
import json, os, sys, time
import libcst
from lrlint.checks import all_rules
from lrlint.discovery import discover
from lrlint.engine import lint_bytes, rules_for
from lrlint.prefilter import ScanCache
tree, plan_file = sys.argv[1], sys.argv[2]
plan = json.load(open(plan_file))
relevant = set(plan["relevant_files"])
implied = {p: frozenset(w.encode("latin-1") for w in ws) for p, ws in plan["implied"].items()}
rules = [rule() for rule in all_rules()]
files, _ = discover([tree])
today, targets, findings, parse = [], set(), {}, {}
for path in map(os.path.abspath, map(os.fspath, files)):
    data = open(path, "rb").read()
    if rules_for(data, rules):
        today.append(path)
    if path in relevant:
        scan = ScanCache(data, implied.get(path, frozenset()))
        if any(v.matches(scan) for rule in rules for v in rule.vocabulary):
            targets.add(path)
modelled = set(targets)
for component in plan["components"]:
    if targets & set(component):
        modelled |= set(component)
for path in sorted(set(today) | modelled):
    data = open(path, "rb").read()
    start = time.process_time()
    try:
        libcst.parse_module(data.decode("utf-8", "replace"))
    except Exception:
        pass
    parse[path] = time.process_time() - start
    if path in today:
        findings[path] = len([d for d in lint_bytes(path, data, rules).diagnostics if d.code])
print(json.dumps({"today": today, "targets": sorted(targets), "modelled": sorted(modelled),
                  "parse": parse, "findings": findings}))
"""


def libcst_report(directory: Path, plan: dict) -> None:
    """libcst work today (the byte prefilter) against the plan's (relevance, then the rules'
    vocabularies with implied words, plus context), and whether any finding is hidden."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(plan, handle)
    try:
        wall, cpu, _, out = measured(_child(_LIBCST, str(directory), handle.name))
    finally:
        os.unlink(handle.name)
    data = json.loads(out)
    parse = data["parse"]
    today, modelled = set(data["today"]), set(data["modelled"])
    relevant = set(plan["relevant_files"])
    dropped, added = today - modelled, modelled - today

    def mb(paths):
        return sum(os.path.getsize(p) for p in paths) / 1e6

    def seconds(paths):
        return sum(parse[p] for p in paths)

    print(f"\nlibcst: today the byte prefilter sends {len(today):,} files ({mb(today):.1f} MB, "
          f"libcst parse {seconds(today):.1f} s CPU) to libcst")
    print(f"  plan: {len(relevant):,} relevant; {len(data['targets']):,} where a rule's "
          f"vocabulary matches (implied words included); with their components' context "
          f"{len(modelled):,} files ({mb(modelled):.1f} MB, libcst parse {seconds(modelled):.1f} s CPU)")
    print(f"  of today's files, {len(dropped):,} dropped ({mb(dropped):.1f} MB): "
          f"{seconds(dropped):.1f} s of libcst parse saved; {len(added):,} added "
          f"({mb(added):.1f} MB, {seconds(added):.1f} s): cross-module context and receivers")
    with_findings = {p for p, n in data["findings"].items() if n}
    hidden = sorted(with_findings - set(data["targets"]))
    print(f"  files with a finding today: {len(with_findings)}; not planned for the model: "
          f"{len(hidden)}" + "".join(f"\n    HIDDEN {p}" for p in hidden))
    print(f"  (this check: {wall:.1f} s wall, {cpu:.1f} s CPU)")


_FLOOR = """
import ast, gc, json, sys, time
from lrlint.discovery import discover
from lrlint.prefilter import passes_root
files, _ = discover([sys.argv[1]])
texts = [data for path in files if passes_root(data := open(path, "rb").read())]
gc.disable()  # as lrlint's workers run: the collector would only add noise here
parse = walk = 0.0
for data in texts:
    start = time.process_time()
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        continue
    parsed = time.process_time()
    for _ in ast.walk(tree):
        pass
    parse, walk = parse + parsed - start, walk + time.process_time() - parsed
print(json.dumps({"files": len(texts), "bytes": sum(map(len, texts)), "parse": parse,
                  "walk": walk}))
"""


def floor_report(directory: Path, ruff: tuple[float, float, float] | None) -> None:
    """What any CPython design pays before it models anything: CPython's own parser over the
    files that can hold a tracked object (the root gates), and one bare walk of their trees.
    A whole-project model must at least index these files; Ruff's whole run is the yardstick."""
    _, _, _, out = measured(_child(_FLOOR, str(directory)))
    floor = json.loads(out)
    both = floor["parse"] + floor["walk"]
    print(f"\nCPython floor: {floor['files']:,} files pass the root gates "
          f"({floor['bytes'] / 1e6:.1f} MB): ast.parse {floor['parse']:.1f} s CPU, one ast.walk "
          f"{floor['walk']:.1f} s CPU, together {both:.1f} s CPU"
          + (f" = {both / ruff[1]:.2f}x Ruff's whole run ({ruff[1]:.1f} s CPU)" if ruff else ""))

