#!/usr/bin/env python3
"""Mutates every numeric leaf of the shipped scenarios to hostile values and
runs `v3sim validate` and `v3sim run` on each, under a time and memory limit.
Prints the outcomes that break the input contract: a crash, an internal error
(exit 1), a hang, or exit 0 after validate failed / run failed.

  tests/fuzz/hostile_inputs.py build/cli/v3sim scenarios/abstract/1f1b_4x10.json ...
"""
import json, os, subprocess, sys, tempfile, resource

VALUES = [0, -1, 0.5, 1e-12, 1e300, 2**31, 2**53, 2**63 - 1, 1e18, "x", None, [], {}]

def leaves(doc, ptr=""):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from leaves(v, ptr + "/" + k.replace("~", "~0").replace("/", "~1"))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from leaves(v, f"{ptr}/{i}")
    elif isinstance(doc, (int, float)) and not isinstance(doc, bool):
        yield ptr

def put(doc, ptr, value):
    doc = json.loads(json.dumps(doc))
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]]
    node = doc
    for p in parts[:-1]:
        node = node[int(p)] if isinstance(node, list) else node[p]
    last = parts[-1]
    if isinstance(node, list): node[int(last)] = value
    else: node[last] = value
    return doc

def limit():
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, preexec_fn=limit)
        return p.returncode, (p.stderr.strip().splitlines() or [""])[-1]
    except subprocess.TimeoutExpired:
        return "timeout", ""

def main():
    exe, files = sys.argv[1], sys.argv[2:]
    tmp = tempfile.mkdtemp()
    bad = 0
    for f in files:
        base = json.load(open(f))
        for ptr in leaves(base):
            for v in VALUES:
                path = os.path.join(tmp, "s.json")
                json.dump(put(base, ptr, v), open(path, "w"))
                vrc, vmsg = run([exe, "validate", path], 20)
                rrc, rmsg = run([exe, "run", path, "--out", os.path.join(tmp, "out"), "--no-timing"], 30)
                broken = vrc not in (0, 2) or rrc not in (0, 2) or (vrc == 0 and rrc == 2)
                if broken:
                    bad += 1
                    print(f"{f} {ptr}={json.dumps(v)}: validate {vrc} run {rrc}: {rmsg or vmsg}", flush=True)
    print(f"{bad} broken", flush=True)

main()
