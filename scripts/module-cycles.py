#!/usr/bin/env python3
"""Fails when modules of a crate import one another in a cycle (issue 18: the device layer and the pages
are layered; a module never imports back from a module that imports it).

Usage: scripts/module-cycles.py app/src [generated-module ...]

A module is a source file; an edge is a `mod` declaration or a `crate::`/`super::` path that names it (or an
item in it). Generated modules included with `include!` are named on the command line so paths to them are
not taken for paths to the crate root.
"""
import os
import re
import sys


def modules(root, generated):
    found = {(name,): None for name in generated}
    for directory, _, files in os.walk(root):
        for file in files:
            if file.endswith(".rs"):
                path = os.path.join(directory, file)
                parts = os.path.relpath(path, root)[:-3].split(os.sep)
                if parts[-1] in ("mod", "lib"):
                    parts = parts[:-1]
                found[tuple(parts)] = path
    return found


def imports(module, path, known):
    def resolve(segments):
        for end in range(len(segments), 0, -1):
            if tuple(segments[:end]) in known:
                return tuple(segments[:end])
        return ()

    source = re.sub(r"//.*", "", open(path, encoding="utf-8").read())
    named = {module + (name,) for name in re.findall(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", source, re.M)}
    for base, head, group in re.findall(r"\b(crate|super)((?:::\w+)*)::\{([^}]*)\}", source):
        start = [] if base == "crate" else list(module[:-1])
        for item in group.split(","):
            item = item.strip().split(" as ")[0]
            if item:
                named.add(resolve(start + [s for s in head.split("::") if s] + [s for s in item.split("::") if s != "self"]))
    for base, tail in re.findall(r"\b(crate|super)((?:::\w+)+)", source):
        start = [] if base == "crate" else list(module[:-1])
        named.add(resolve(start + [s for s in tail.split("::") if s]))
    named.discard(module)
    return named


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(component)

    sys.setrecursionlimit(10_000)
    for node in graph:
        if node not in index:
            visit(node)
    return found


def main():
    root, generated = sys.argv[1], sys.argv[2:]
    known = modules(root, generated)
    graph = {m: (imports(m, p, known) & known.keys() if p else set()) for m, p in known.items()}
    name = lambda m: "::".join(m) or "crate"
    found = cycles(graph)
    for component in found:
        print("import cycle between:", ", ".join(sorted(map(name, component))))
        for a in component:
            for b in sorted(graph[a] & set(component)):
                print(f"    {name(a)} -> {name(b)}")
    sys.exit(1 if found else 0)


main()
