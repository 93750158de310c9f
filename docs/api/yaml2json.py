#!/usr/bin/python3
"""docs/api/yaml2json.py: docs/openapi.yaml (stdin) as JSON (stdout), for
GET /api/openapi.json; make runs it once at build time.

Promises: the document is read as YAML 1.2 (core schema), the version
OpenAPI 3.1 names, not PyYAML's YAML 1.1: only true/false are booleans
(not yes/no/on/off), 1:20 is a string (not 80), 0755 is 755; a key given
twice in one mapping, a tag, or a value JSON cannot hold (a timestamp,
a binary) is an error naming its line, and the exit status is 1.  The
output is UTF-8 JSON, keys in the document's order, one trailing newline.
"""

import json
import re
import sys

import yaml


class Core12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2's core schema for plain scalars."""


# Drop every implicit resolver of YAML 1.1 (bool, int, float, null,
# timestamp, merge, value) and put back the core schema's.
Core12Loader.yaml_implicit_resolvers = {}
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"),
    ["~", "n", "N", ""])
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


def construct_int(loader, node):
    v = loader.construct_scalar(node)
    if v.startswith("0o"):
        return int(v[2:], 8)
    if v.startswith("0x"):
        return int(v[2:], 16)
    return int(v, 10)


def construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    seen = {}
    for k, _ in node.value:
        key = loader.construct_object(k, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping", node.start_mark,
                "the key %r is given twice (first at line %d)" %
                (key, seen[key] + 1), k.start_mark)
        seen[key] = k.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def refuse(loader, suffix, node):
    raise yaml.constructor.ConstructorError(
        None, None, "%s: JSON has no such value" % node.tag, node.start_mark)


Core12Loader.add_constructor("tag:yaml.org,2002:int", construct_int)
Core12Loader.add_constructor("tag:yaml.org,2002:map", construct_mapping)
for t in ("timestamp", "binary", "set", "omap", "pairs", "python/tuple"):
    Core12Loader.add_constructor("tag:yaml.org,2002:" + t,
                                 lambda lo, n: refuse(lo, None, n))
Core12Loader.add_multi_constructor("!", refuse)
Core12Loader.add_multi_constructor("tag:", refuse)


def main():
    try:
        doc = yaml.load(sys.stdin.buffer, Loader=Core12Loader)
        out = json.dumps(doc, ensure_ascii=False, indent=1,
                         allow_nan=False) + "\n"
    except (yaml.YAMLError, ValueError, TypeError) as e:
        print("yaml2json: %s" % e, file=sys.stderr)
        return 1
    if not isinstance(doc, dict):
        print("yaml2json: the document is not a mapping", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(out.encode("utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
