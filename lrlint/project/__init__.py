"""The project model's foundation: an ``ast`` index of a project, and the plan of a run.

lrlint's libcst model is precise but costly; this package decides, with CPython's ``ast`` and
byte scans, which files it must see, and answers the cross-module questions it asks.

Entry point (the runner calls it once, in the main process, before linting)::

    from lrlint.project import ProjectCache, config_fingerprint, findings_key, plan_run

    cache = None if no_cache else ProjectCache(config.root)     # .lrlint_cache/ there
    plan = plan_run(files, read_bytes, config, paths=cli_paths, cache=cache, workers=jobs)

    plan.wants(path)        # True: a tracked object can be visible in this linted file; False:
                            #   skip it (no decode, no libcst): no rule can fire there
    plan.implied(path)      # words to pass as ScanCache(data, implied) so the rules' byte
                            #   vocabularies see the scheduler built in another module
    plan.context            # files outside the linted set whose models the targets need
                            #   (main.py calling the linted engine.py; the custom scheduler)
    plan.components         # relevant files joined by uses: model each group in one worker
    plan.component_of(path) # path's group
    plan.syntax_errors      # linted files CPython cannot parse (still in plan.needs_model)
    plan.stats              # what each stage let through, seconds per stage
    plan.index              # the ProjectIndex, for the libcst model:
    plan.index.resolve("sched.WarmupCosine", importer=path)     # Symbol(module, path, name, kind)
    plan.index.class_kind("sched.WarmupCosine", importer=path)  # (Kind.SCHEDULER, "LambdaLR")
    plan.index.class_summary(...), plan.index.returned_kinds("solver.build_lr_scheduler", path)

    # findings cache, per component (lrlint.runner): JSON-serialisable findings of each member
    key = findings_key([(path, codes, content_hash), ...], context_paths, settings)
    cache.component_findings(key, member_paths)   # None unless all inputs are unchanged
    cache.record_component(key, {path: (data, findings)}, other_files_the_model_read)
    cache.save()                   # once, at the end of the run

Modules (one job each): ``modules`` (paths and dotted names), ``search_path`` (installed
packages' source, never imported), ``summary`` (ast -> ModuleSummary), ``index`` (ProjectIndex:
resolution, class kinds, factories), ``gates`` (byte tests), ``relevance`` (which files need the
model; components; implied words), ``shards`` (byte and ast work in worker processes), ``plan``
(the stages and RunPlan), ``cache`` (the persistent cache). Importing this package imports no
libcst and no torch.
"""

from __future__ import annotations

from lrlint.project.cache import ProjectCache, config_fingerprint, findings_key
from lrlint.project.index import ProjectIndex, Symbol
from lrlint.project.plan import PlanStats, RunPlan, plan_run
from lrlint.project.summary import ClassSummary, FunctionSummary, ModuleSummary

__all__ = [
    "ClassSummary", "FunctionSummary", "ModuleSummary", "PlanStats", "ProjectCache",
    "ProjectIndex", "RunPlan", "Symbol", "config_fingerprint", "findings_key", "plan_run",
]
