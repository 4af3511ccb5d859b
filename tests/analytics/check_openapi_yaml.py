#!/usr/bin/env python3
"""docs/api.yaml is valid YAML shaped like an OpenAPI 3 document whose every $ref resolves
and whose every parameter has a name, a location, a schema and an example."""
import sys
import yaml

doc = yaml.safe_load(open(sys.argv[1]))
errors = []
if not str(doc.get("openapi", "")).startswith("3."):
    errors.append("openapi: not 3.x")
for key in ("info", "paths", "components"):
    if key not in doc:
        errors.append(f"missing {key}")

def walk(node, where):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                target = doc
                for part in v.lstrip("#/").split("/"):
                    target = target.get(part) if isinstance(target, dict) else None
                if target is None:
                    errors.append(f"{where}: unresolved $ref {v}")
            walk(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            walk(v, f"{where}[{i}]")

walk(doc, "")
for path, ops in doc.get("paths", {}).items():
    for method, op in ops.items():
        if "responses" not in op:
            errors.append(f"{method} {path}: no responses")
        for p in op.get("parameters", []):
            for k in ("name", "in", "schema", "example"):
                if k not in p:
                    errors.append(f"{method} {path}: parameter without {k}: {p}")
            if p.get("in") == "path" and not p.get("required"):
                errors.append(f"{method} {path}: path parameter {p.get('name')} not required")
for e in errors:
    print("api.yaml:", e)
print(f"openapi: {0 if errors else 1} passed, {1 if errors else 0} failed")
sys.exit(1 if errors else 0)
