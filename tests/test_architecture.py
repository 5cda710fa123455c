"""The shape of the package: no import circle, and classifying stays light (no scikit-learn, no pickle)."""

from __future__ import annotations

import ast
import subprocess
import sys

from conftest import REPO


def _imports() -> dict[str, set[str]]:
    """For each module of eduplan, the eduplan modules it imports anywhere (module level or inside functions)."""
    modules = {path.stem: path for path in (REPO / "eduplan").glob("*.py")}
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        graph[name] = found & set(modules)
    return graph


def test_there_is_no_import_circle():
    graph = _imports()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            assert state.get(nxt) != 1, f"import circle: {' -> '.join(path + [nxt])}"
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_the_ground_floor_imports_nothing_above_it():
    ground = {"errors", "persist", "resources", "taxonomy", "normalizer", "tokens", "records"}
    graph = _imports()
    for module in ground:
        assert graph[module] <= ground, (module, graph[module] - ground)


def test_classifying_a_text_imports_no_scikit_learn_and_unpickles_nothing():
    code = (
        "import sys, pickle\n"
        "loads = pickle.loads\n"
        "pickle.loads = lambda *a, **k: (_ for _ in ()).throw(AssertionError('unpickled'))\n"
        "sys.argv = ['eduplan', 'classify', '加强教师队伍建设', '-f', 'jsonl']\n"
        "from eduplan.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('sklearn', 'joblib', 'pandas', 'scipy') if m in sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert '"label": "teachers"' in proc.stdout, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == "[]"
