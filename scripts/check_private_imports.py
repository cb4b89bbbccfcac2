"""Fails when an app imports another app's private names (`from cases.services import _event`)
or private modules (`import cases._x`): the other app's public functions are the way in."""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APPS = ["cdop", "home", "reporting", "rapid_response", "cases", "accounts", "panels", "core"]


def problems(root: Path = ROOT) -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((root / app).rglob("*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules, names = [node.module], [alias.name for alias in node.names]
                elif isinstance(node, ast.Import):
                    modules, names = [alias.name for alias in node.names], []
                else:
                    continue
                for module in modules:
                    parts = module.split(".")
                    if parts[0] not in APPS or parts[0] == app:
                        continue
                    private = [p for p in parts[1:] if p.startswith("_")]
                    private += [n for n in names if n.startswith("_")]
                    if private:
                        where = f"{path.relative_to(root)}:{node.lineno}"
                        found.append(f"{where}: imports {', '.join(private)} from {module}")
    return found


if __name__ == "__main__":
    found = problems()
    for line in found:
        print(line)
    sys.exit(1 if found else 0)
