#!/usr/bin/python3
"""The optional components are named alike in CMake, the vcpkg port and the Conan recipe.

Neither vcpkg nor Conan can run on the development machines, so this reads their files:
  cmake/FaltrainComponents.cmake   option(FALTRAIN_WITH_<NAME> ...) and prerequisites
  cmake/faltrainConfig.cmake.in    the components find_package knows
  ports/faltrain/vcpkg.json        features, default-features, feature dependencies
  ports/faltrain/portfile.cmake    vcpkg_check_features: feature -> FALTRAIN_WITH_<NAME>
  conanfile.py                     options with_<name>, defaults, _prerequisites
Exit status 0 when they agree; otherwise one line per disagreement.
"""
import ast
import json
import re
import sys
from pathlib import Path

root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
problems = []


def expect(what, left, right):
    if left != right:
        problems.append(f"{what}: {sorted(left) if isinstance(left, set) else left} "
                        f"!= {sorted(right) if isinstance(right, set) else right}")


components_cmake = (root / "cmake/FaltrainComponents.cmake").read_text()
cmake_options = {m.lower(): default == "ON" for m, default in
                 re.findall(r'option\(FALTRAIN_WITH_(\w+) "[^"]*" (ON|OFF)\)', components_cmake)}
cmake_prerequisites = {name: set(values.split()) for name, values in
                       re.findall(r"set\(FALTRAIN_COMPONENT_PREREQUISITES_(\w+) ([\w ]+)\)",
                                  components_cmake)}

config_in = (root / "cmake/faltrainConfig.cmake.in").read_text()
known = set(re.search(r"set\(_faltrain_known ([\w ]+)\)", config_in).group(1).split())
expect("find_package components vs CMake options + client", known, set(cmake_options) | {"client"})

vcpkg = json.loads((root / "ports/faltrain/vcpkg.json").read_text())
features = vcpkg.get("features", {})
expect("vcpkg features vs CMake options", set(features), set(cmake_options))
# The default install is client + webhooks (client is always built).
expect("vcpkg default-features", set(vcpkg.get("default-features", [])), {"webhooks"})
portfile = (root / "ports/faltrain/portfile.cmake").read_text()
mapping = dict(re.findall(r"^\s+(\w+)\s+FALTRAIN_WITH_(\w+)\s*$", portfile, re.M))
expect("portfile feature -> option", {k: v.lower() for k, v in mapping.items()},
       {name: name for name in cmake_options})
for name, feature in features.items():
    wanted = set()
    for dependency in feature.get("dependencies", []):
        if isinstance(dependency, dict) and dependency.get("name") == "faltrain":
            wanted |= set(dependency.get("features", []))
    # A feature's own-port dependencies must cover its CMake prerequisites (transitively).
    def closure(names):
        seen = set()
        pending = list(names)
        while pending:
            n = pending.pop()
            if n in seen or n == "client":
                continue
            seen.add(n)
            for d in features.get(n, {}).get("dependencies", []):
                if isinstance(d, dict) and d.get("name") == "faltrain":
                    pending.extend(d.get("features", []))
        return seen
    expect(f"vcpkg feature '{name}' prerequisites", closure(wanted),
           closure(cmake_prerequisites.get(name, set()) - {"client"}) | set())

tree = ast.parse((root / "conanfile.py").read_text())
conan = {}
for node in ast.walk(tree):
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        if node.targets[0].id in ("options", "default_options", "_prerequisites"):
            conan[node.targets[0].id] = ast.literal_eval(node.value)
conan_options = {k[len("with_"):] for k in conan["options"] if k.startswith("with_")}
expect("Conan with_* options vs CMake options", conan_options, set(cmake_options))
conan_defaults = {k[len("with_"):] for k, v in conan["default_options"].items()
                  if k.startswith("with_") and v}
expect("Conan defaults vs vcpkg default-features", conan_defaults, set(vcpkg.get("default-features", [])))
expect("Conan prerequisites vs CMake", {k: set(v) for k, v in conan["_prerequisites"].items()},
       cmake_prerequisites)

if problems:
    print("component option names disagree:")
    for p in problems:
        print("  " + p)
    sys.exit(1)
print(f"component options agree: {', '.join(sorted(cmake_options))} "
      f"(vcpkg features, Conan with_* options, find_package components)")
