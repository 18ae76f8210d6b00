"""``python -m benchmarks.job MODULE:FUNCTION JSON``: one measurement in a fresh process.

The function's dict is printed on one marked line of stdout, with the process's peak RSS
(so that the figure is the engine's own: nothing else ran in this process).
"""

from __future__ import annotations

import importlib
import json
import sys

from benchmarks.common import RESULT_MARK, peak_rss_mb


def main() -> None:
    target, raw = sys.argv[1], sys.argv[2]
    module_name, function_name = target.split(":")
    module = importlib.import_module(f"benchmarks.{module_name}")
    result = getattr(module, function_name)(**json.loads(raw))
    result.setdefault("peak_rss_mb", peak_rss_mb())
    sys.stdout.write("\n" + RESULT_MARK + json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
