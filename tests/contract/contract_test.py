#!/usr/bin/python3
"""Contract tests for pwgend: the real binary against openapi.yaml.

Run from the repository root (make contract-test), or anywhere:

    PWGEND_BIN=./build/pwgend python3 tests/contract/contract_test.py

See tests/contract/README.md for what is validated. Needs Debian's
python3-yaml, python3-jsonschema (Draft 2020-12) and
python3-prometheus-client; nothing from the network. Every server runs on
127.0.0.1 with a port the kernel picks, and is stopped by its own pid.
"""

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import http.client
from itertools import combinations
from math import log2
from pathlib import Path
from urllib.parse import quote

try:
    import yaml
    import jsonschema
    from jsonschema import Draft202012Validator
    from prometheus_client.parser import text_string_to_metric_families
except ImportError as e:
    sys.exit("contract: %s: install python3-yaml python3-jsonschema "
             "python3-prometheus-client (make deps-test) and run Debian's "
             "/usr/bin/python3" % e)

ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = Path(os.environ.get("PWGEND_SPEC", ROOT / "openapi.yaml"))
SPEC_JSON_PATH = SPEC_PATH.with_suffix(".json")
SRC_DIR = Path(os.environ.get("PWGEND_SRC", ROOT / "src"))
BIN = os.environ.get("PWGEND_BIN", "./build/pwgend")
TOTAL_TIMEOUT = int(os.environ.get("CONTRACT_TIMEOUT", "180"))
IO_TIMEOUT = 10.0
MAX_URL = 2048                      # the server's default --max-url-length

GENERATION = ("/password", "/pin", "/passphrase", "/token")
KIND = {"/password": "password", "/pin": "pin", "/passphrase": "passphrase",
        "/token": "token"}
HTTP_METHODS = ("get", "head", "post", "put", "delete", "patch", "options",
                "trace")
EVERY_REPLY = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
MEDIA = {"json": "application/json", "text": "text/plain; charset=utf-8",
         "ndjson": "application/x-ndjson"}


class Failure(Exception):
    pass


# ------------------------------------------------------------------ report

class Report:
    def __init__(self):
        self.checks = 0
        self.validated = 0           # responses validated against the spec
        self.failures = []
        self.covered = set()         # (method, path, status[, type])
        self.by_status = {}          # status -> responses validated

    def ok(self, cond, msg):
        self.checks += 1
        if not cond:
            self.failures.append(msg)
        return cond

    def fail(self, msg):
        self.ok(False, msg)


R = Report()


# ----------------------------------------------------------- code vs spec

def strip_c_comments(text):
    """Remove /* */ and // comments, keeping string and char literals."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def matching_brace(text, start):
    """Index of the '}' closing the '{' at text[start], skipping literals."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise Failure("unbalanced braces")


STRING_LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
ROUTE_TABLE = re.compile(r"\b\w*routes\s*\[\s*\]\s*=\s*\{")


def code_paths():
    """Paths in every `routes[] = { ... }` table of src/*.c (any array
    whose name ends in `routes`: `routes[]`, `path_routes[]`, ...), and
    those of the kinds marked ROUTED in include/kinds.h.

    Comments are stripped first; the table is delimited by brace matching
    (not by line layout); every string literal inside it that starts with
    '/' is a path (adjacent literals are concatenated, as C does)."""
    found = {}
    for src in sorted(SRC_DIR.glob("*.c")):
        text = strip_c_comments(src.read_text(encoding="utf-8"))
        for m in ROUTE_TABLE.finditer(text):
            brace = m.end() - 1
            block = text[brace:matching_brace(text, brace) + 1]
            block = re.sub(r'"\s*"', "", block)   # "a" "b" -> "ab"
            for lit in STRING_LIT.findall(block):
                lit = bytes(lit, "utf-8").decode("unicode_escape")
                if lit.startswith("/"):
                    found.setdefault(lit, src.name)
    # the kinds registry: X(ID, name, ROUTED) gives GET /name and
    # GET /name/explain (include/kinds.h; src/kinds.c builds them)
    kinds_h = SRC_DIR.parent / "include" / "kinds.h"
    for name in re.findall(r"\bX\(\s*\w+\s*,\s*(\w+)\s*,\s*ROUTED\s*\)",
                           strip_c_comments(kinds_h.read_text("utf-8"))):
        found.setdefault("/" + name, "kinds.h")
        found.setdefault("/" + name + "/explain", "kinds.h")
    for required in ("request.c", "ops.c", "kinds.h"):
        R.ok(required in found.values(),
             f"no routes[] table with paths found in src/{required}")
    return found


def template_regex(path):
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+",
                                   re.escape(path)) + "$")


def check_code_vs_spec(spec):
    code = code_paths()
    spec_paths = list(spec["paths"])
    # HEAD is described once (API description), never per operation: every
    # GET path answers it, and the tests send it wherever they send GET.
    for p in spec_paths:
        item = spec["paths"][p]
        ops = [m for m in HTTP_METHODS if m in item]
        R.ok(ops in (["get"], ["post"]),
             f"spec path {p} documents {ops}, expected GET alone (HEAD is "
             f"implied) or POST alone")
    # A code literal is a spec path, or a prefix ("/pin/") of a spec path
    # whose remainder is one template segment ("/pin/{length}").
    def covered_by_spec(lit):
        for p in spec_paths:
            if p == lit:
                return True
            if "{" in p and lit.endswith("/") and p.startswith(lit) and \
               re.fullmatch(r"\{[^}/]+\}", p[len(lit):]):
                return True
        return False

    def in_code(p):
        if p in code:
            return True
        if "{" in p:
            head = p[:p.index("{")]
            return head in code or any(template_regex(p).match(c)
                                       for c in code)
        return False

    # No schema declares a default: Swagger UI would send it with every
    # request (400 conflicting-parameters on "Try it out") and generated
    # clients would make the member required. Descriptions state defaults.
    def defaults(node, where):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "default" and "/variables/" not in where:
                    yield where
                yield from defaults(v, where + "/" + str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                yield from defaults(v, "%s/%d" % (where, i))
    for where in defaults({"paths": spec["paths"],
                           "components": spec["components"]}, "#"):
        R.fail("%s: a default: in the contract (state it in the "
               "description)" % where)

    for lit, src in sorted(code.items()):
        R.ok(covered_by_spec(lit),
             f"route {lit} (src/{src}) is not in {SPEC_PATH.name}")
    for p in spec_paths:
        R.ok(in_code(p), f"spec path {p} is in no routes[] table of src/")
    return code


# ------------------------------------------------------------------ spec

class Spec:
    def __init__(self, path):
        self.text = path.read_bytes()
        self.doc = yaml.safe_load(self.text)
        self.resolver = jsonschema.RefResolver(base_uri="",
                                               referrer=self.doc)
        self._validators = {}
        for name, schema in self.doc["components"]["schemas"].items():
            try:
                Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as e:
                R.fail(f"components/schemas/{name} is not a valid "
                       f"Draft 2020-12 schema: {e.message}")

    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            _, obj = self.resolver.resolve(obj["$ref"])
        return obj

    def validator(self, schema):
        key = id(schema)
        if key not in self._validators:
            self._validators[key] = Draft202012Validator(
                schema, resolver=self.resolver,
                format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self._validators[key]

    def errors(self, schema, instance):
        errs = sorted(self.validator(schema).iter_errors(instance),
                      key=lambda e: list(e.path))
        return ["%s: %s" % ("/".join(map(str, e.absolute_path)) or "(root)",
                            e.message[:300]) for e in errs]


# ------------------------------------------------------------------ HTTP

class Response:
    def __init__(self, status, headers, body, raw_head):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body
        self.raw_head = raw_head

    def header(self, name):
        vals = [v for k, v in self.headers if k.lower() == name.lower()]
        return vals[0] if vals else None

    def header_count(self, name):
        return sum(1 for k, _ in self.headers if k.lower() == name.lower())


def dechunk(data):
    out, i = b"", 0
    while True:
        j = data.index(b"\r\n", i)
        size = int(data[i:j].split(b";")[0], 16)
        if size == 0:
            return out
        out += data[j + 2:j + 2 + size]
        i = j + 2 + size + 2


def parse_response(data, method):
    head, sep, body = data.partition(b"\r\n\r\n")
    if not sep:
        raise Failure("incomplete response head: %r" % data[:200])
    lines = head.decode("latin-1").split("\r\n")
    m = re.match(r"HTTP/1\.[01] (\d{3}) ", lines[0] + " ")
    if not m:
        raise Failure("bad status line %r" % lines[0])
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    resp = Response(int(m.group(1)), headers, body, head)
    if method != "HEAD":
        te = (resp.header("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            resp.body = dechunk(body)
        elif resp.header("Content-Length") is not None:
            cl = int(resp.header("Content-Length"))
            if len(body) != cl:
                raise Failure("Content-Length %d but %d body bytes"
                              % (cl, len(body)))
    return resp


def send(port, method, target, headers=(), body=b"", content_length=None):
    """One request on a new connection (Connection: close), read to EOF.

    content_length, when given, is sent instead of the body's own length
    (a declared size the body does not have: the server must answer
    without waiting for it)."""
    hdrs = [("Host", "127.0.0.1:%d" % port)] + list(headers)
    if content_length is not None:
        hdrs.append(("Content-Length", str(content_length)))
    elif body or method in ("POST", "PUT", "PATCH"):
        hdrs.append(("Content-Length", str(len(body))))
    hdrs.append(("Connection", "close"))
    req = "%s %s HTTP/1.1\r\n" % (method, target)
    req += "".join("%s: %s\r\n" % h for h in hdrs) + "\r\n"
    deadline = time.monotonic() + IO_TIMEOUT
    with socket.create_connection(("127.0.0.1", port),
                                  timeout=IO_TIMEOUT) as s:
        s.sendall(req.encode("latin-1") + body)
        chunks = []
        while True:
            if time.monotonic() > deadline:
                raise Failure("timeout reading %s %s" % (method, target))
            chunk = s.recv(1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    return parse_response(b"".join(chunks), method)


# --------------------------------------------------------------- servers

class Server:
    def __init__(self, *flags, env=None, name="server"):
        self.name = name
        self.log = tempfile.TemporaryFile()
        # 160 KiB per connection, so the 2048-byte targets of many pairs
        # that the 414 checks send reach pwgend (the default 32 KiB is
        # tuned for speed; see README, --connection-memory-limit)
        cmd = [BIN, "--port", "0", "--bind", "127.0.0.1",
               "--access-log", "off", "--connection-memory-limit", "163840",
               *flags]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                     stderr=self.log, stdin=subprocess.DEVNULL,
                                     env=env)
        ready, _, _ = select.select([self.proc.stdout], [], [], IO_TIMEOUT)
        line = self.proc.stdout.readline().decode() if ready else ""
        m = re.match(r"pwgend listening on http://127\.0\.0\.1:(\d+)$",
                     line.strip())
        if not m:
            self.stop()
            raise Failure("%s did not start (%r): %s" % (name, line,
                                                         self.stderr()))
        self.port = int(m.group(1))

    def stderr(self):
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()           # this pid only
            try:
                self.proc.wait(timeout=IO_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        return self.proc.returncode


# ------------------------------------------------------------ validation

def norm_media(ct):
    if ct is None:
        return None
    parts = [p.strip() for p in ct.split(";")]
    return "; ".join([parts[0].lower()] + [p.lower() for p in parts[1:] if p])


def coerce_header(value, schema):
    t = schema.get("type")
    if t in ("integer", "number"):
        try:
            return int(value) if t == "integer" else float(value)
        except ValueError:
            return value
    return value


def validate(spec, path, method, resp, what, schema_override=None):
    """Validate resp against the spec's response for (path, method, status).

    Returns the decoded body (JSON value, text, or None for HEAD)."""
    label = "%s %s -> %d (%s)" % (method, path, resp.status, what)
    R.validated += 1
    R.by_status[resp.status] = R.by_status.get(resp.status, 0) + 1
    for name in ("Cache-Control", "X-Content-Type-Options", "Content-Type",
                 "Content-Length"):
        if name == "Content-Length" and resp.header("Transfer-Encoding"):
            continue
        R.ok(resp.header_count(name) == 1,
             "%s: %d %s headers" % (label, resp.header_count(name), name))
    # on every reply (API description), so not repeated per response
    for name, value in EVERY_REPLY.items():
        R.ok(resp.header(name) == value, "%s: %s %r, expected %r"
             % (label, name, resp.header(name), value))
    if schema_override is not None:
        resp_obj = schema_override
    else:
        # HEAD is documented once for every GET: GET's responses, no body
        op = spec.doc["paths"].get(path, {}).get(
            "get" if method == "HEAD" else method.lower())
        if not R.ok(op is not None, "%s: operation not in spec" % label):
            return None
        resp_obj = op["responses"].get(str(resp.status),
                                       op["responses"].get("default"))
        if not R.ok(resp_obj is not None,
                    "%s: status %d not documented for the operation"
                    % (label, resp.status)):
            return None
        resp_obj = spec.deref(resp_obj)
    for name, h in (resp_obj.get("headers") or {}).items():
        h = spec.deref(h)
        value = resp.header(name)
        if value is None:
            R.ok(not h.get("required"), "%s: required header %s missing"
                 % (label, name))
            continue
        if "schema" in h:
            errs = spec.errors(h["schema"], coerce_header(value, h["schema"]))
            R.ok(not errs, "%s: header %s: %r: %s" % (label, name, value,
                                                      errs))
    ct = norm_media(resp.header("Content-Type"))
    if method == "HEAD":
        R.ok(resp.body == b"", "%s: HEAD reply has a body (%d bytes)"
             % (label, len(resp.body)))
        return None
    content = resp_obj.get("content")
    if not R.ok(content, "%s: the spec documents no content" % label):
        return None
    media = {norm_media(k): v for k, v in content.items()}
    if not R.ok(ct in media, "%s: Content-Type %r not among %s"
                % (label, resp.header("Content-Type"), list(content))):
        return None
    schema = media[ct].get("schema", {})
    try:
        text = resp.body.decode("utf-8")
    except UnicodeDecodeError:
        R.fail("%s: body is not UTF-8" % label)
        return None
    base = ct.split(";")[0]
    if base.endswith("json") and base != "application/x-ndjson":
        try:
            instance = json.loads(text)
        except ValueError as e:
            R.fail("%s: body is not JSON: %s" % (label, e))
            return None
    else:
        instance = text
    errs = spec.errors(schema, instance)
    R.ok(not errs, "%s: body does not match the schema: %s; body %r"
         % (label, errs[:3], text[:300]))
    return instance


def expect(resp, status, label, ctype=None, problem=None, parameter=None):
    R.ok(resp.status == status, "%s: status %d, expected %d; body %r"
         % (label, resp.status, status, resp.body[:300]))
    if ctype is not None:
        R.ok(norm_media(resp.header("Content-Type")) == norm_media(ctype),
             "%s: Content-Type %r, expected %r"
             % (label, resp.header("Content-Type"), ctype))
    if problem is not None and resp.body:
        try:
            body = json.loads(resp.body)
        except ValueError:
            R.fail("%s: problem body is not JSON" % label)
            return
        R.ok(body.get("type") == "urn:pwgend:problem:" + problem,
             "%s: problem type %r, expected %s" % (label, body.get("type"),
                                                   problem))
        R.ok(body.get("status") == resp.status,
             "%s: problem status %r vs HTTP %d" % (label, body.get("status"),
                                                   resp.status))
        if parameter is not None:
            R.ok(body.get("parameter") == parameter,
                 "%s: problem parameter %r, expected %r"
                 % (label, body.get("parameter"), parameter))


def get_and_head(spec, port, path, query="", headers=(), status=200,
                 ctype=None, problem=None, parameter=None, what="",
                 same_length=True, target_path=None):
    """GET then HEAD of the same request; both validated against the spec
    path `path` (the request goes to target_path, default path: a template
    filled in); HEAD must carry GET's status, Content-Type and (when the
    body is deterministic) Content-Length."""
    target = (target_path or path) + ("?" + query if query else "")
    what = what or target
    g = send(port, "GET", target, headers)
    label = "GET %s %s" % (target, dict(headers) if headers else "")
    expect(g, status, label, ctype, problem, parameter)
    body = validate(spec, path, "GET", g, what)
    h = send(port, "HEAD", target, headers)
    label = "HEAD %s %s" % (target, dict(headers) if headers else "")
    expect(h, status, label, ctype, problem, parameter)
    validate(spec, path, "HEAD", h, what)
    R.ok(h.header("Content-Type") == g.header("Content-Type"),
         "%s: Content-Type %r differs from GET's %r"
         % (label, h.header("Content-Type"), g.header("Content-Type")))
    if same_length:
        R.ok(h.header("Content-Length") == g.header("Content-Length"),
             "%s: Content-Length %r differs from GET's %r"
             % (label, h.header("Content-Length"),
                g.header("Content-Length")))
    key = (path, status) if problem is None else (path, status, problem)
    R.covered.add(("get",) + key)
    R.covered.add(("head",) + key)
    return g, body


# ----------------------------------------------------------------- cases

# The main server's --policies (written to a temporary file): one policy
# for each kind, YAML with a comment and a flow mapping.
POLICIES = """\
# contract test policies
strong:
  kind: password
  length: 24
  symbols: true
  min_symbols: 2
pin6: {kind: pin, length: 6, exclude_weak: true}
words5: {kind: passphrase, words: 5, separators: ".:", capitalize: first}
key32: {kind: token, bytes: 32, encoding: base64url}
"""

# 200 requests per generation route (deterministic reply length: True).
OK_QUERIES = {
    "/password": [
        ("", True), ("quantity=3", True), ("length=32&symbols=true", False),
        ("length=16&symbols=true&min_lower=1&min_upper=1&min_digits=1"
         "&min_symbols=1", False),
        ("symbol_set=%40%23%24%3D&length=16", True),
        ("symbols=true&exclude=%2B%26%23%25", False),
        ("exclude_ambiguous=true", True),
        ("charset=%22%5C&length=6&quantity=4", False),   # escapes in JSON
        ("preset=base32&length=16", True), ("preset=hex&first=letter", True),
        ("min_entropy=128", True),
        ("quantity=0002&length=0008", True),
        ("max_consecutive=1&length=64&quantity=5&min_digits=2", True),
        # rules= (passwordrules): characters, required sets, lengths
        ("rules=required%3A%20upper%3B%20required%3A%20digit%3B%20"
         "minlength%3A%2012&quantity=3", True),
        # a custom class brings the space
        ("rules=allowed%3A%20lower%2C%20%5B-%20%5D%5D%3B%20max-consecutive"
         "%3A%202%3B%20maxlength%3A%208&quantity=4", True),
        ("rules=minlength%3A%2016%3B%20max-consecutive%3A%203"
         "&max_consecutive=2&format=text", True),
        # named policies (POLICIES, the main server's --policies)
        ("policy=strong", False), ("policy=strong&quantity=3", False),
    ],
    "/pin": [
        ("", True), ("quantity=5&length=8", True),
        ("quantity=5&length=4&exclude_weak=true", True),
        ("quantity=100&length=4&exclude_weak=true&unique=true", True),
        ("policy=pin6&quantity=4", True),
    ],
    "/passphrase": [
        ("", False), ("quantity=3", False),
        ("words=4&separator=%20&capitalize=first&number=true", False),
        ("words=5&max_length=40", False), ("separator=&words=3", False),
        ("separator=%22%5C&words=3&quantity=3", False),
        ("capitalize=all", False),
        ("wordlist=eff&separators=.%3A_%22&words=4&quantity=3", False),
        ("policy=words5&quantity=2", False),
    ],
    "/token": [
        ("", True), ("quantity=5&bytes=16&encoding=base64url", True),
        ("bytes=20&encoding=base32", True), ("bytes=1", True),
        ("bytes=1024&quantity=2", True), ("policy=key32", True),
    ],
    # describe, generate nothing (always JSON)
    "/password/explain": [
        ("", True), ("preset=url&min_digits=2", True),
        ("length=16&symbols=true&min_lower=1&min_upper=1&min_digits=1"
         "&min_symbols=1&quantity=3", True), ("min_entropy=128", True),
        ("max_consecutive=2", True),
        ("rules=required%3A%20upper%2C%20digit%3B%20required%3A%20%5B-%21%5D"
         "%3B%20allowed%3A%20lower%3B%20minlength%3A%2010%3B%20maxlength"
         "%3A%2016", True),
        ("rules=max-consecutive%3A%202", True),
        ("policy=strong&quantity=2", True),
    ],
    "/pin/explain": [("", True), ("length=8&exclude_weak=1", True),
                     ("quantity=100&length=4&unique=true", True)],
    "/passphrase/explain": [("", True), ("words=5&max_length=40", True),
                            ("separator=&capitalize=all&number=1", True),
                            ("wordlist=eff&separators=.%3A%20", True),
                            ("policy=words5", True)],
    "/token/explain": [("", True), ("encoding=base32&bytes=20", True)],
    # the original service's routes (entries: query, same length[, target])
    "/v1/pin": [
        ("", True), ("password_length=4&quantity=5", True),
        ("password_length=3", True), ("password_length=200&quantity=100",
                                      True),
    ],
    "/v1/": [
        ("", False), ("quantity=2&has_punctuation=False", True),
        ("password_length=3&quantity=20", False),
        ("has_punctuation=YES&password_length=200", False),
        ("has_punctuation=off&quantity=100&password_length=3", True),
    ],
    "/v1": [("", False), ("quantity=3&has_punctuation=n", True)],
    "/pin/{length}": [
        ("quantity=2", True, "/pin/6"), ("quantity=3", True, "/pin/1"),
        ("quantity=100", True, "/pin/100"), ("quantity=01", True, "/pin/04"),
    ],
    "/pass/{length}": [
        ("quantity=2", True, "/pass/8"),
        ("quantity=2&ponctuation=yes", False, "/pass/8"),
        ("quantity=3&ponctuation=1", False, "/pass/3"),
        ("quantity=2", True, "/pass/1"), ("quantity=100", False,
                                          "/pass/100"),
    ],
}

# 400 problems: route -> type -> queries (expected `parameter`, or None).
BAD = {
    "/password": {
        "unknown-parameter": [("lenght=5", "lenght"), ("words=3", "words")],
        "duplicate-parameter": [("length=8&length=9", "length"),
                                ("policy=strong&policy=strong", "policy")],
        "invalid-value": [("symbols=yes", "symbols"), ("length=", "length"),
                          ("length=-5", "length"), ("length=%zz", "length"),
                          ("length=1%002", "length"), ("format=xml", "format"),
                          ("format=TEXT", "format"), ("symbol_set=ab",
                                                      "symbol_set"),
                          ("rules=required%3A%20uper", "rules"),
                          ("rules=allowed%3A%20unicode", "rules"),
                          ("rules=", "rules"),
                          ("policy=nope", "policy"),
                          ("policy=pin6", "policy"),       # another route's
                          ("policy=", "policy")],
        "out-of-range": [("length=3", "length"), ("quantity=0", "quantity"),
                         ("quantity=100001", "quantity"),
                         ("length=99999999999999999999999", "length"),
                         ("max_consecutive=0", "max_consecutive")],
        "empty-alphabet": [("lower=false&upper=false&digits=false",
                            "digits"), ("charset=a", None)],
        "conflicting-parameters": [("charset=abc&preset=hex", "preset"),
                                   ("min_entropy=64&length=10", "min_entropy"),
                                   ("rules=minlength%3A%208&symbols=true",
                                    "rules"),
                                   ("rules=minlength%3A%2012&length=8",
                                    "length"),
                                   # a policy takes only quantity and format
                                   ("policy=strong&length=8", "length"),
                                   ("length=8&policy=strong", "length")],
        "unsatisfiable": [("length=8&min_digits=5&min_upper=3",
                           "min_upper"),
                          ("charset=ab&length=20&max_consecutive=1",
                           "max_consecutive"),
                          ("rules=minlength%3A%2020%3B%20maxlength%3A%2010",
                           "rules"),
                          ("rules=allowed%3A%20%5Bab%5D%3B%20max-consecutive"
                           "%3A%201%3B%20minlength%3A%2030", "rules")],
        # about 7.9e8 characters to draw, over --max-work's 2^28
        "too-much-work": [("length=1024&min_digits=202&quantity=1000",
                           "quantity")],
    },
    "/pin": {
        "unknown-parameter": [("symbols=true", "symbols")],
        "duplicate-parameter": [("quantity=1&quantity=2", "quantity")],
        "invalid-value": [("exclude_weak=2", "exclude_weak"),
                          ("format=xml", "format")],
        "out-of-range": [("length=65", "length"), ("length=3", "length")],
        "unsatisfiable": [("length=4&unique=true&quantity=10001",
                           "quantity")],
    },
    "/passphrase": {
        "unknown-parameter": [("length=5", "length")],
        "duplicate-parameter": [("words=3&words=4", "words")],
        "invalid-value": [("capitalize=upper", "capitalize"),
                          ("separator=123456789", "separator"),
                          ("number=yes", "number"), ("format=", "format"),
                          ("wordlist=nope", "wordlist"),
                          ("separators=..", "separators"),
                          ("separators=.a", "separators")],
        "out-of-range": [("words=21", "words"), ("words=0", "words"),
                         ("min_entropy=300", "min_entropy")],
        "unsatisfiable": [("words=6&max_length=20", "max_length")],
        "conflicting-parameters": [("words=6&min_entropy=64",
                                    "min_entropy"),
                                   ("separators=.&separator=_",
                                    "separator"),
                                   ("policy=words5&words=3", "words")],
    },
    "/token": {
        "unknown-parameter": [("length=5", "length")],
        "duplicate-parameter": [("bytes=1&bytes=2", "bytes")],
        "invalid-value": [("encoding=base64", "encoding"),
                          ("bytes=0x10", "bytes"), ("format=csv", "format")],
        "out-of-range": [("bytes=0", "bytes"), ("bytes=1025", "bytes")],
    },
    "/v1/pin": {
        "unknown-parameter": [("format=text", "format"),
                              ("explain=true", "explain"),
                              ("has_punctuation=true", "has_punctuation")],
        "duplicate-parameter": [("quantity=1&quantity=2", "quantity")],
        "invalid-value": [("password_length=abc", "password_length"),
                          ("quantity=", "quantity")],
        "out-of-range": [("quantity=101", "quantity"), ("quantity=0",
                                                        "quantity"),
                         ("password_length=2", "password_length"),
                         ("password_length=201", "password_length")],
    },
    "/v1/": {
        "unknown-parameter": [("length=5", "length"), ("format=json",
                                                       "format")],
        "duplicate-parameter": [("quantity=1&quantity=2", "quantity")],
        "invalid-value": [("has_punctuation=maybe", "has_punctuation"),
                          ("password_length=1e3", "password_length")],
        "out-of-range": [("password_length=201", "password_length"),
                         ("quantity=101", "quantity")],
    },
    "/v1": {
        "unknown-parameter": [("ponctuation=true", "ponctuation")],
        "duplicate-parameter": [("has_punctuation=1&has_punctuation=0",
                                 "has_punctuation")],
        "invalid-value": [("has_punctuation=2", "has_punctuation")],
        "out-of-range": [("password_length=2", "password_length")],
    },
    "/pin/{length}": {
        "unknown-parameter": [("quantity=1&ponctuation=true", "ponctuation",
                               "/pin/6")],
        "duplicate-parameter": [("quantity=1&quantity=1", "quantity",
                                 "/pin/6")],
        "invalid-value": [("", "quantity", "/pin/6"),
                          ("quantity=1", "password_lenght", "/pin/abc"),
                          ("quantity=1", "password_lenght", "/pin/6/7"),
                          # the segment is percent-decoded: %41 is "A"
                          ("quantity=1", "password_lenght", "/pin/%41")],
        "out-of-range": [("quantity=1", "password_lenght", "/pin/0"),
                         ("quantity=1", "password_lenght", "/pin/101"),
                         ("quantity=101", "quantity", "/pin/6")],
    },
    "/pass/{length}": {
        "unknown-parameter": [("quantity=1&has_punctuation=1",
                               "has_punctuation", "/pass/8")],
        "duplicate-parameter": [("quantity=1&ponctuation=1&ponctuation=1",
                                 "ponctuation", "/pass/8")],
        "invalid-value": [("", "quantity", "/pass/8"),
                          ("quantity=1&ponctuation=maybe", "ponctuation",
                           "/pass/8")],
        "out-of-range": [("quantity=1", "password_lenght", "/pass/101"),
                         ("quantity=0", "quantity", "/pass/8")],
    },
}
# explain is a route of its own: the item routes refuse explain=, and
# /{kind}/explain takes its item route's query less format (always JSON).
EXPLAIN = tuple(path + "/explain" for path in GENERATION)
for _route in GENERATION:
    BAD[_route]["unknown-parameter"].append(("explain=true", "explain"))
    # an explain route reports the work of a query; it does not refuse it
    BAD[_route + "/explain"] = {
        ptype: [c for c in cases if c[1] != "format"]
        for ptype, cases in BAD[_route].items() if ptype != "too-much-work"}
    BAD[_route + "/explain"]["unknown-parameter"].append(("format=json",
                                                          "format"))
OPS_BAD = {
    "unknown-parameter": [("x=1", "x"), ("format=text", "format")],
    "invalid-value": [("a%zz=1", "a%zz")],
}

ACCEPT_CASES = [  # (Accept header or None, query, expected format)
    (None, "", "json"),
    ("", "", "json"),
    ("application/json", "", "json"),
    ("text/plain", "", "text"),
    ("TEXT/PLAIN", "", "text"),
    ("application/x-ndjson", "", "ndjson"),
    ("text/*", "", "text"),
    ("application/*", "", "json"),
    ("*/*", "", "json"),
    ("application/json;q=0.5, text/plain;q=0.5", "", "json"),
    ("text/plain;q=0.5, application/x-ndjson;q=0.5", "", "text"),
    ("application/x-ndjson, text/plain;q=0.9", "", "ndjson"),
    ("text/plain;q=0, */*", "", "json"),
    ("application/*;q=0.2, text/plain;q=0.1", "", "json"),
    ("text/html, application/x-ndjson;q=0.1", "", "ndjson"),
    ("text/html", "format=text", "text"),            # format wins
    ("text/plain", "format=json", "json"),
    ("application/json", "format=ndjson", "ndjson"),
]
NOT_ACCEPTABLE = ["text/html", "*/*;q=0", "image/png, text/html;q=0.5",
                  "application/json;q=0, text/plain;q=0, "
                  "application/x-ndjson;q=0"]


def check_items_body(path, fmt, body, quantity, label):
    if fmt == "json":
        if isinstance(body, dict) and "items" in body:
            R.ok(len(body["items"]) == quantity,
                 "%s: %d items, expected %d" % (label, len(body["items"]),
                                                quantity))
        return
    R.ok(isinstance(body, str) and body.endswith("\n"),
         "%s: no trailing newline" % label)
    lines = body.split("\n")[:-1] if isinstance(body, str) else []
    R.ok(len(lines) == quantity, "%s: %d lines, expected %d"
         % (label, len(lines), quantity))
    if fmt == "ndjson":
        for line in lines:
            try:
                ok = isinstance(json.loads(line), str)
            except ValueError:
                ok = False
            R.ok(ok, "%s: line %r is not a JSON string" % (label, line))


# ------------------------------------------------ POST /v1/complex_password

COMPLEX = "/v1/complex_password"
MAX_BODY = 16384                    # the server's default --max-body-bytes
JSON_CT = (("Content-Type", "application/json"),)


def cbody(obj):
    """A request body: compact JSON, UTF-8 (not \\u-escaped); bytes as is."""
    if isinstance(obj, bytes):
        return obj
    return json.dumps(obj, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def parsed_body(body):
    """The body as a Python value when it is one JSON document without
    repeated names (so the spec's request schema can judge it), else a
    marker that it cannot be judged."""
    def no_dups(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate name")
        return dict(pairs)
    try:
        return json.loads(body.decode("utf-8"), object_pairs_hook=no_dups)
    except (ValueError, UnicodeDecodeError):
        return parsed_body


def complex_entropy(length, punctuation):
    """log2 of the number of random parts GET /v1/ allows at `length`
    (inclusion-exclusion over the required classes), two decimals."""
    sizes = {"lower": 26, "upper": 26, "digit": 10, "symbol": 32}
    k = 94 if punctuation else 62
    if length < 3:
        need = []
    elif punctuation:
        need = ["lower", "upper", "digit", "symbol"] if length >= 4 else \
            ["lower", "digit", "symbol"]
    else:
        need = ["lower", "upper", "digit"]
    count = 0
    for r in range(len(need) + 1):
        for subset in combinations(need, r):
            count += (-1) ** r * (k - sum(sizes[c] for c in subset)) ** length
    return round(log2(count), 2)


# 200: (body, extra request headers; None = no Content-Type at all)
COMPLEX_OK = [
    ({"additional_length": 12}, JSON_CT),
    # the original's own test body
    ({"additional_length": 10, "quantity": 3, "char_inject": ["a", "b", "0"],
      "string_inject": ["Gab", "tao", "2018"]}, JSON_CT),
    ({"additional_length": 20, "quantity": 5, "punctuation": True}, JSON_CT),
    ({"additional_length": 3, "quantity": 20, "punctuation": True}, JSON_CT),
    ({"additional_length": 3, "quantity": 20}, JSON_CT),
    ({"additional_length": 1, "quantity": 10, "string_inject": ["xy"]},
     JSON_CT),
    ({"additional_length": 2, "quantity": 10, "punctuation": True},
     JSON_CT),
    ({"additional_length": 8, "quantity": 4, "shuffle_string_inject": True,
      "string_inject": ["abcdef", "XYZ"]}, JSON_CT),
    # non-ASCII pieces, a repeated character, quote and backslash (escaped
    # in the reply)
    ({"additional_length": 6, "quantity": 3, "char_inject": ["é", "é", "ß"],
      "string_inject": ["日本語", "\"\\"]}, JSON_CT),
    ({"additional_length": 5, "char_inject": ["😀"],
      "string_inject": ["\U0001F600\U0001F601"]}, JSON_CT),
    # every field explicit, at its default
    ({"additional_length": 4, "quantity": 1, "punctuation": False,
      "shuffle_string_inject": False, "char_inject": [],
      "string_inject": []}, JSON_CT),
    # the maxima: 100 items of 100 random characters, 64 + 64 pieces
    ({"additional_length": 100, "quantity": 100, "punctuation": True,
      "shuffle_string_inject": True, "char_inject": ["€"] * 64,
      "string_inject": ["ü" * 63 + "x"] * 64}, JSON_CT),
    # the media types a JSON body may be declared as, or none
    ({"additional_length": 5}, (("Content-Type",
                                 "application/json; charset=utf-8"),)),
    ({"additional_length": 5}, (("Content-Type", "APPLICATION/JSON"),)),
    ({"additional_length": 5}, (("Content-Type",
                                 "application/vnd.api+json"),)),
    ({"additional_length": 5}, None),
    # JSON syntax the lexer must take: whitespace, \\u escapes
    (b' {\n "additional_length" : 5 ,\t"char_inject" : [ "\\u00e9" ],'
     b'"string_inject":["\\ud83d\\ude00\\u00df"] }\r\n', JSON_CT),
]

# 400: problem type -> [(body, parameter or None[, query])]
COMPLEX_BAD = {
    "malformed-body": [
        (b"", None), (b"{", None), (b"[]", None), (b'"x"', None),
        (b"null", None), (b"42", None), (b"{} x", None),
        (b'{"additional_length":5}{}', None),
        (b'{"additional_length":5,}', None),
        (b"{'additional_length':5}", None),
        (b'{"additional_length":5,"string_inject":["\xff\xfe"]}', None),
        (b'\xef\xbb\xbf{"additional_length":5}', None),     # a BOM
    ],
    "unknown-parameter": [
        ({"additional_length": 5, "lenght": 5}, "lenght"),
        ({"additional_length": 5, "ponctuation": True}, "ponctuation"),
        ({"additional_length": 5, "suffle_string_inject": True},
         "suffle_string_inject"),
        ({"additional_length": 5}, "quantity", "quantity=2"),
        ({"additional_length": 5}, "format", "format=text"),
    ],
    "duplicate-parameter": [
        (b'{"additional_length":5,"additional_length":6}',
         "additional_length"),
        (b'{"additional_length":5,"quantity":1,"quantity":1}', "quantity"),
    ],
    "invalid-value": [
        ({}, "additional_length"),
        ({"quantity": 2}, "additional_length"),
        ({"additional_length": "10"}, "additional_length"),
        ({"additional_length": 10.5}, "additional_length"),
        (b'{"additional_length":10.0}', "additional_length"),
        ({"additional_length": True}, "additional_length"),
        ({"additional_length": None}, "additional_length"),
        ({"additional_length": 5, "quantity": "2"}, "quantity"),
        ({"additional_length": 5, "punctuation": 1}, "punctuation"),
        ({"additional_length": 5, "shuffle_string_inject": "true"},
         "shuffle_string_inject"),
        ({"additional_length": 5, "char_inject": "a"}, "char_inject"),
        ({"additional_length": 5, "char_inject": None}, "char_inject"),
        ({"additional_length": 5, "string_inject": {"a": "bc"}},
         "string_inject"),
        ({"additional_length": 5, "char_inject": [1]}, "char_inject[0]"),
        ({"additional_length": 5, "string_inject": ["ab", 5]},
         "string_inject[1]"),
        ({"additional_length": 5, "char_inject": [""]}, "char_inject[0]"),
        ({"additional_length": 5, "char_inject": ["a", "ab"]},
         "char_inject[1]"),
        ({"additional_length": 5, "char_inject": ["e\u0301"]},
         "char_inject[0]"),
        ({"additional_length": 5, "char_inject": ["\n"]}, "char_inject[0]"),
        ({"additional_length": 5, "char_inject": ["\u007f"]},
         "char_inject[0]"),
        ({"additional_length": 5, "char_inject": ["a", "b", "\u0085"]},
         "char_inject[2]"),
        ({"additional_length": 5, "char_inject": ["\u0000"]},
         "char_inject[0]"),
        ({"additional_length": 5, "string_inject": ["a"]},
         "string_inject[0]"),
        ({"additional_length": 5, "string_inject": [""]},
         "string_inject[0]"),
        ({"additional_length": 5, "string_inject": ["ab", "é"]},
         "string_inject[1]"),
        ({"additional_length": 5, "string_inject": ["a\tb"]},
         "string_inject[0]"),
        ({"additional_length": 5, "string_inject": ["ab\u009f"]},
         "string_inject[0]"),
    ],
    "out-of-range": [
        ({"additional_length": 0}, "additional_length"),
        ({"additional_length": 101}, "additional_length"),
        ({"additional_length": -1}, "additional_length"),
        # past 64 bits jansson stops before any field is known: no name
        (b'{"additional_length":99999999999999999999999}', None),
        ({"additional_length": 5, "quantity": 0}, "quantity"),
        ({"additional_length": 5, "quantity": 101}, "quantity"),
    ],
}

# 413 from the fields: (body, parameter)
COMPLEX_TOO_LARGE = [
    ({"additional_length": 5, "char_inject": ["a"] * 65}, "char_inject"),
    ({"additional_length": 5, "string_inject": ["ab"] * 65},
     "string_inject"),
    ({"additional_length": 5, "string_inject": ["ab", "x" * 65]},
     "string_inject[1]"),
    ({"additional_length": 5, "string_inject": ["é" * 65]},
     "string_inject[0]"),
]

UNSUPPORTED_TYPES = ["text/plain", "application/x-www-form-urlencoded",
                     "multipart/form-data; boundary=x", "text/json",
                     "application/jsonx", "application/xml"]


def complex_op_response(spec, status):
    """The spec's response object for POST /v1/complex_password and a
    status, dereferenced (None if not documented)."""
    op = spec.doc["paths"].get(COMPLEX, {}).get("post", {})
    resp = op.get("responses", {}).get(str(status))
    return spec.deref(resp) if resp is not None else None


def post_body(spec, port, path, body, headers=JSON_CT, status=200,
              problem=None, parameter=None, query="", what="",
              content_length=None):
    """POST a body, check status/problem/parameter, validate the reply
    against the spec's POST operation; returns (response, decoded body)."""
    raw = cbody(body)
    # a templated path: its example values, and its required query
    base = concrete(spec, path) if "{" in path else path
    # (the caller's query replaces the required one when it names it)
    required = required_query(spec, path) if "{" in path else ""
    if any(pair.split("=")[0] + "=" in query
           for pair in required.split("&") if pair):
        required = ""
    q = "&".join(x for x in (required, query) if x)
    target = base + ("?" + q if q else "")
    hdrs = list(headers) if headers is not None else []
    r = send(port, "POST", target, hdrs, raw, content_length=content_length)
    label = "POST %s %r %s" % (target, raw[:80], dict(hdrs) if hdrs else "")
    expect(r, status, label,
           "application/json" if status == 200 else
           "application/problem+json", problem, parameter)
    if problem is not None and parameter is None and r.body:
        try:
            doc = json.loads(r.body)
        except ValueError:
            doc = {}
        R.ok("parameter" not in doc, "%s: names parameter %r, expected none"
             % (label, doc.get("parameter")))
    decoded = validate(spec, path, "POST", r, what or label)
    key = (path, status) if problem is None else (path, status, problem)
    R.covered.add(("post",) + key)
    return r, decoded


BLOG_COMPLEX = "/complex_password/{length}"


def run_blog_complex(spec, port):
    """The blog-era complex route: its shape, lengths and pieces, and the
    refusals it shares with /v1 (body fields, sizes, media types)."""
    body = {"suffle_string_inject": False, "char_inject": ["a", "b", "0"],
            "string_inject": ["Gab", "tao", "2018"]}
    r, doc = post_body(spec, port, BLOG_COMPLEX, body,
                       query="quantity=3&ponctuation=False")
    items = [list(x.values())[0] for x in (doc or {}).get("data", [])]
    # the example length is 10: 10 random + 3 + 10 injected
    R.ok(len(items) == 3 and all(len(x) == 23 for x in items) and
         all(all(p in x for p in body["string_inject"] + body["char_inject"])
             for x in items),
         "blog complex: %r" % items)
    for bad, param in (({"char_inject": []}, "string_inject"),
                       ({"string_inject": ["ab"]}, "char_inject"),
                       ({"char_inject": [], "string_inject": ["a"]},
                        "string_inject"),
                       ({"char_inject": [], "string_inject": ["ab"],
                         "shuffle_string_inject": True},
                        "shuffle_string_inject")):
        post_body(spec, port, BLOG_COMPLEX, bad, status=400,
                  problem="unknown-parameter"
                  if param == "shuffle_string_inject" else "invalid-value",
                  parameter=param)
    post_body(spec, port, BLOG_COMPLEX, b"x" * (MAX_BODY + 1), status=413,
              problem="content-too-large")
    post_body(spec, port, BLOG_COMPLEX, body,
              headers=[("Content-Type", "text/plain")], status=415,
              problem="unsupported-media-type")


def check_complex_reply(body, doc, label):
    """Shape, lengths (code points), pieces and entropy of a 200."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        R.fail("%s: no data array" % label)
        return
    R.ok(list(doc) == ["data", "entropy_bits", "entropy_note"],
         "%s: members %s, expected data, entropy_bits, entropy_note"
         % (label, list(doc)))
    n = body["additional_length"]
    chars = body.get("char_inject", [])
    strings = body.get("string_inject", [])
    shuffle = body.get("shuffle_string_inject", False)
    punct = body.get("punctuation", False)
    want_len = n + len(chars) + sum(len(s) for s in strings)
    R.ok(len(doc["data"]) == body.get("quantity", 1),
         "%s: %d items, expected %d" % (label, len(doc["data"]),
                                        body.get("quantity", 1)))
    want_bits = complex_entropy(n, punct)
    R.ok(abs(doc.get("entropy_bits", -1) - want_bits) < 1e-9,
         "%s: entropy_bits %r, expected %.2f (the random part only)"
         % (label, doc.get("entropy_bits"), want_bits))
    for item in doc["data"]:
        if not R.ok(isinstance(item, str) and len(item) == want_len,
                    "%s: item %r has %d code points, expected %d"
                    % (label, item, len(item) if isinstance(item, str)
                       else -1, want_len)):
            continue
        for s in strings:
            if shuffle:
                R.ok(any(sorted(item[i:i + len(s)]) == sorted(s)
                         for i in range(len(item) - len(s) + 1)),
                     "%s: no run of %r's characters in %r" % (label, s,
                                                              item))
            else:
                R.ok(s in item, "%s: %r not in %r" % (label, s, item))
        for c in set(chars):
            at_least = chars.count(c) + sum(s.count(c) for s in strings)
            R.ok(item.count(c) >= at_least, "%s: %r occurs %d times in %r, "
                 "expected at least %d" % (label, c, item.count(c), item,
                                           at_least))


def run_complex(spec, port):
    """Every documented reply of POST /v1/complex_password, each validated
    against the spec; the spec's request schema must agree with the server
    on the bodies that can be judged by a schema."""
    op = spec.doc["paths"][COMPLEX]["post"]
    req_schema = op["requestBody"]["content"]["application/json"]["schema"]

    def schema_says(body, valid, label):
        value = parsed_body(cbody(body))
        if value is parsed_body:
            return
        errs = spec.errors(req_schema, value)
        R.ok(bool(errs) != valid, "%s: the request schema %s it%s"
             % (label, "refuses" if errs else "accepts",
                ": %s" % errs[:2] if errs else ""))

    for body, headers in COMPLEX_OK:
        r, doc = post_body(spec, port, COMPLEX, body, headers)
        label = "POST %s %r" % (COMPLEX, cbody(body)[:80])
        value = parsed_body(cbody(body))
        if r.status == 200:
            check_complex_reply(value, doc, label)
        R.ok(r.header("Cache-Control") == "no-store",
             "%s: Cache-Control %r" % (label, r.header("Cache-Control")))
        schema_says(body, True, label)

    documented = problem_types(spec, op["responses"]["400"])
    for ptype in documented:
        R.ok(ptype in COMPLEX_BAD, "no test request for POST %s 400 %s"
             % (COMPLEX, ptype))
    for ptype, cases in COMPLEX_BAD.items():
        R.ok(ptype in documented, "POST %s: the test expects 400 %s, which "
             "the spec does not list" % (COMPLEX, ptype))
        for body, param, *query in cases:
            post_body(spec, port, COMPLEX, body, status=400, problem=ptype,
                      parameter=param, query=query[0] if query else "")
            # (bodies given as bytes: 10.0 is an integer to JSON Schema
            # but not to the server, which takes only integer literals)
            if not query and not isinstance(body, bytes) and \
               ptype not in ("malformed-body", "unknown-parameter"):
                schema_says(body, False, "400 %s body %r"
                            % (ptype, cbody(body)[:60]))
    # an unknown field is refused by the schema too
    schema_says({"additional_length": 5, "lenght": 5}, False,
                "unknown field")

    # 413: the lists and strings past their limits, then the body itself
    for body, param in COMPLEX_TOO_LARGE:
        post_body(spec, port, COMPLEX, body, status=413,
                  problem="content-too-large", parameter=param)
        schema_says(body, False, "413 body %r" % cbody(body)[:60])
    pad = b'{"additional_length":5}'
    exact = pad + b" " * (MAX_BODY - len(pad))
    post_body(spec, port, COMPLEX, exact, what="body of exactly the limit")
    r, _ = post_body(spec, port, COMPLEX, exact + b" ", status=413,
                     problem="content-too-large", parameter=None,
                     what="body one byte over the limit")
    R.ok((r.header("Connection") or "").lower() == "close",
         "413 body too large: Connection %r" % r.header("Connection"))
    # a declared length over the limit is answered without the body
    # (2^64 - 1 is the largest: past 64 bits libmicrohttpd refuses the
    # request itself, BAD_INPUTS.md H92)
    for declared in (MAX_BODY + 1, 10 ** 9, 2 ** 64 - 1):
        r, _ = post_body(spec, port, COMPLEX, b"", status=413,
                         problem="content-too-large", parameter=None,
                         content_length=declared,
                         what="Content-Length %d, no body" % declared)
        R.ok((r.header("Connection") or "").lower() == "close",
             "413 Content-Length %d: Connection %r"
             % (declared, r.header("Connection")))

    # 415 with Accept-Post, whatever the body
    for ctype in UNSUPPORTED_TYPES:
        for body in ({"additional_length": 5}, b"not json"):
            r, _ = post_body(spec, port, COMPLEX, body,
                             (("Content-Type", ctype),), status=415,
                             problem="unsupported-media-type")
            R.ok(r.header("Accept-Post") == "application/json",
                 "415 %s: Accept-Post %r" % (ctype, r.header("Accept-Post")))
    # the query is checked before the media type
    post_body(spec, port, COMPLEX, {"additional_length": 5},
              (("Content-Type", "text/plain"),), status=400,
              problem="unknown-parameter", parameter="x", query="x=1")

    # the reply is JSON whatever Accept says (no 406)
    for accept in ("text/html", "text/plain", "*/*;q=0"):
        post_body(spec, port, COMPLEX, {"additional_length": 5},
                  JSON_CT + (("Accept", accept),))


def run_main(spec, srv):
    port = srv.port
    paths = list(spec.doc["paths"])

    # 200 on every spec path, with and without a query; HEAD alike.
    for path in paths:
        item = spec.doc["paths"][path]
        if "get" not in item:
            continue
        if path in OK_QUERIES:
            for q, same, *target in OK_QUERIES[path]:
                get_and_head(spec, port, path, q, same_length=same,
                             target_path=target[0] if target else None)
        else:
            get_and_head(spec, port, path, required_query(spec, path),
                         same_length=path not in ("/metrics", "/v1/health",
                                                  "/"),
                         target_path=concrete(spec, path))
    # GET /: the page for browsers, the original's JSON for the rest
    for accept, ctype in ((None, "application/json"),
                          ("*/*", "application/json"),
                          ("application/json", "application/json"),
                          ("text/html,*/*;q=0.8", "text/html; charset=utf-8")):
        g, _ = get_and_head(spec, port, "/", "",
                            [] if accept is None else [("Accept", accept)],
                            ctype=ctype, same_length=ctype != MEDIA["json"])
        R.ok(g.header("Vary") == "Accept", "GET / Accept %r: Vary %r"
             % (accept, g.header("Vary")))

    # Formats: format= and Accept negotiation, on every generation route.
    for path in GENERATION:
        for accept, q, fmt in ACCEPT_CASES:
            query = "quantity=3" + ("&" + q if q else "")
            hdrs = [] if accept is None else [("Accept", accept)]
            g, body = get_and_head(spec, port, path, query, hdrs,
                                   ctype=MEDIA[fmt],
                                   same_length=path != "/passphrase")
            check_items_body(path, fmt, body, 3, "GET %s?%s Accept %r"
                             % (path, query, accept))
        for fmt in ("json", "text", "ndjson"):
            for quantity in (1, 250):
                query = "quantity=%d&format=%s" % (quantity, fmt)
                g, body = get_and_head(spec, port, path, query,
                                       ctype=MEDIA[fmt],
                                       same_length=path != "/passphrase")
                check_items_body(path, fmt, body, quantity,
                                 "GET %s?%s" % (path, query))
        # 406 only without format and with nothing acceptable
        for accept in NOT_ACCEPTABLE:
            for q in ("", "quantity=2"):
                get_and_head(spec, port, path, q, [("Accept", accept)],
                             status=406, ctype="application/problem+json",
                             problem="not-acceptable")
        # 400 comes before 406
        get_and_head(spec, port, path, "nope=1", [("Accept", "text/html")],
                     status=400, problem="unknown-parameter",
                     parameter="nope")

    # The explain routes answer JSON whatever Accept prefers; 406 when it
    # allows none of the three formats.
    for path in EXPLAIN:
        for accept in ("text/plain", "application/x-ndjson", "text/*, */*"):
            get_and_head(spec, port, path, "quantity=2",
                         [("Accept", accept)], ctype=MEDIA["json"])
        for accept in NOT_ACCEPTABLE:
            get_and_head(spec, port, path, "", [("Accept", accept)],
                         status=406, ctype="application/problem+json",
                         problem="not-acceptable")

    # explain.rules: present with rules= (as parsed), absent without it
    _, body = get_and_head(spec, port, "/password/explain",
                           "rules=required%3A%20digit%2C%20%5B%21%5D%3B%20"
                           "allowed%3A%20Lower%3B%20maxlength%3A%2012%3B"
                           "%20max-consecutive%3A%200")
    R.ok(isinstance(body, dict) and body.get("length") == 12 and
         body.get("explain", {}).get("rules") == {
             "canonical": "required: digit, [!]; allowed: lower, digit, "
                          "[!]; maxlength: 12",
             "required": ["!0123456789"],
             "allowed": "!0123456789abcdefghijklmnopqrstuvwxyz",
             "max_consecutive": None, "minlength": None, "maxlength": 12},
         "GET /password/explain?rules=...: explain.rules %r"
         % (body.get("explain", {}).get("rules")
            if isinstance(body, dict) else body))
    _, body = get_and_head(spec, port, "/password/explain", "length=12")
    R.ok(isinstance(body, dict) and "rules" not in body.get("explain", {}),
         "GET /password/explain without rules=: explain has rules")

    # The original's routes answer JSON whatever Accept says (no 406).
    for path in paths:
        op = spec.doc["paths"][path].get("get", {})
        if path in GENERATION or "406" in op.get("responses", {}) or \
           not op or not scheduled(spec, path) or path == "/":
            continue  # GET / negotiates: HTML for browsers
        for accept in NOT_ACCEPTABLE[:2] + ["text/plain"]:
            target = sample_target(spec, path)
            base, _, q = target.partition("?")
            get_and_head(spec, port, path, q, [("Accept", accept)],
                         ctype="application/json", target_path=base,
                         same_length=False)

    # 400: every problem type the spec lists for each operation.
    for path in paths:
        op = spec.doc["paths"][path].get("get")
        if not op or "400" not in op["responses"]:
            continue
        documented = problem_types(spec, op["responses"]["400"])
        cases = BAD.get(path, OPS_BAD)
        for ptype in documented:
            R.ok(ptype in cases, "no test request for GET %s 400 %s"
                 % (path, ptype))
        for ptype, queries in cases.items():
            R.ok(ptype in documented, "GET %s: the test expects 400 %s, "
                 "which the spec does not list" % (path, ptype))
            for q, param, *target in queries:
                get_and_head(spec, port, path, q, status=400,
                             ctype="application/problem+json",
                             problem=ptype, parameter=param,
                             target_path=target[0] if target else
                             concrete(spec, path))

    # POST /v1/complex_password: bodies, fields, sizes, media types.
    if COMPLEX in spec.doc["paths"]:
        run_complex(spec, port)
    if BLOG_COMPLEX in spec.doc["paths"]:
        run_blog_complex(spec, port)

    # 414 on every path (any method), default --max-url-length 2048.
    for path in paths:
        target = concrete(spec, path)
        q = "x=" + "a" * (MAX_URL + 10 - len(target))
        if "get" in spec.doc["paths"][path]:
            get_and_head(spec, port, path, q, status=414,
                         ctype="application/problem+json",
                         problem="uri-too-long", target_path=target)
        else:               # a POST-only path: 414 comes before 405
            for method in ("GET", "HEAD"):
                r = send(port, method, target + "?" + q)
                expect(r, 414, "%s long target %s" % (method, path),
                       "application/problem+json",
                       "uri-too-long" if method == "GET" else None)
                validate(spec, None, method, r, "414 %s" % method,
                         schema_override=problem_response(spec))
        if "post" in spec.doc["paths"][path]:
            r = send(port, "POST", target + "?" + q, JSON_CT,
                     b'{"additional_length":5}')
        else:
            r = send(port, "POST", target + "?" + q)
        expect(r, 414, "POST long target", "application/problem+json",
               "uri-too-long")
        if "post" in spec.doc["paths"][path]:
            validate(spec, path, "POST", r, "414 POST")
            R.covered.add(("post", path, 414, "uri-too-long"))
        else:
            validate(spec, None, "POST", r, "414 POST",
                     schema_override=problem_response(spec))
    # exactly at the limit is not a 414
    target = "/pin?quantity=1&" + "&" * (MAX_URL - len("/pin?quantity=1&"))
    r = send(port, "GET", target)
    expect(r, 200, "GET target of exactly %d bytes" % MAX_URL)

    # 404, 400 malformed-target: paths match exactly; the Problem schema.
    for target in ("/nope", "/PASSWORD", "/healthz/", "/password/extra",
                   "/openapi.yml", "/p%61sswordx", "//password"):
        for method in ("GET", "HEAD", "POST", "DELETE"):
            r = send(port, method, target)
            expect(r, 404, "%s %s" % (method, target),
                   "application/problem+json", "not-found")
            validate(spec, None, method, r, "404",
                     schema_override=problem_response(spec))
    for target in ("/pass%zzword", "/%", "/pin%2"):
        for method in ("GET", "HEAD"):
            r = send(port, method, target)
            expect(r, 400, "%s %s" % (method, target),
                   "application/problem+json", "malformed-target")
            validate(spec, None, method, r, "400 malformed-target",
                     schema_override=problem_response(spec))
    # percent-encoded path is the same route
    r = send(port, "GET", "/p%61ssword")
    expect(r, 200, "GET /p%61ssword", "application/json")

    # 405 with Allow on every spec path, whatever the query: GET, HEAD on
    # the GET routes, POST on a POST-only one (whose operation documents
    # its 405, Allow header included).
    for path in paths:
        item = spec.doc["paths"][path]
        target = sample_target(spec, path).split("?")[0]
        allowed = [m.upper() for m in HTTP_METHODS if m in item]
        allow = "GET, HEAD" if "get" in item else ", ".join(allowed)
        documented = None
        for m in allowed:
            resp = item[m.lower()]["responses"].get("405")
            if resp is not None:
                documented = spec.deref(resp)
        for method in ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH",
                       "OPTIONS"):
            if method in allow.split(", "):
                continue
            for q in ("", "?nope=1"):
                r = send(port, method, target + q)
                expect(r, 405, "%s %s%s" % (method, target, q),
                       "application/problem+json",
                       "method-not-allowed" if method != "HEAD" else None)
                R.ok(r.header("Allow") == allow,
                     "%s %s: Allow %r, expected %r"
                     % (method, target, r.header("Allow"), allow))
                validate(spec, None, method, r, "405",
                         schema_override=documented or
                         problem_response(spec))
                R.covered.add((method.lower(), path, 405))
                if documented is not None:
                    R.covered.update((m.lower(), path, 405)
                                     for m in allowed)

    # The served spec is the repository's. One copy is embedded,
    # openapi.json, served at both paths: read as YAML, the /openapi.yaml
    # reply must be the very document openapi.yaml is.
    spec_json = SPEC_JSON_PATH.read_bytes()
    r = send(port, "GET", "/openapi.json")
    R.ok(r.body == spec_json,
         "GET /openapi.json differs from %s (rebuild the binary after "
         "editing the spec)" % SPEC_JSON_PATH)
    r = send(port, "GET", "/openapi.yaml")
    R.ok(r.body == spec_json,
         "GET /openapi.yaml differs from %s" % SPEC_JSON_PATH)
    R.ok(yaml.safe_load(r.body) == spec.doc,
         "GET /openapi.yaml, read as YAML, is not %s" % SPEC_PATH)
    R.ok(json.loads(spec_json) == spec.doc,
         "%s is not %s as JSON" % (SPEC_JSON_PATH, SPEC_PATH))
    # one version: the binary's is the spec's info.version (the Makefile
    # reads it from there)
    version = json.loads(send(port, "GET", "/version").body).get("version")
    R.ok(version == spec.doc["info"]["version"], "GET /version says %r, "
         "openapi.yaml info.version %r" % (version,
                                           spec.doc["info"]["version"]))


def problem_types(spec, resp_obj):
    """The problem types a (400) response's schema allows."""
    resp_obj = spec.deref(resp_obj)
    schema = resp_obj["content"]["application/problem+json"]["schema"]
    types = None
    for part in schema.get("allOf", [schema]):
        part = spec.deref(part)
        t = part.get("properties", {}).get("type", {})
        if "enum" in t or "const" in t:
            allowed = set(t.get("enum", [t.get("const")]))
            types = allowed if types is None else types & allowed
    return sorted(t.rsplit(":", 1)[1] for t in types or ())


_PROBLEM_RESP = None


def problem_response(spec):
    """A response object for 404/405/malformed-target: the spec says they
    use the Problem schema (API description; the headers of every reply
    are checked by validate())."""
    global _PROBLEM_RESP
    if _PROBLEM_RESP is None:
        _PROBLEM_RESP = {
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    return _PROBLEM_RESP


def concrete(spec, path):
    """A spec path with each {template} replaced by its parameter's example
    (or 6)."""
    params = {}
    item = spec.doc["paths"][path]
    for prm in item.get("parameters", []) + \
            item.get("get", {}).get("parameters", []):
        prm = spec.deref(prm)
        if prm.get("in") == "path":
            params[prm["name"]] = str(prm.get("example", 6))
    return re.sub(r"\{([^}]+)\}", lambda m: params.get(m.group(1), "6"),
                  path)


def required_query(spec, path):
    """The required query parameters of GET path, with their examples."""
    item = spec.doc["paths"][path]
    pairs = []
    for prm in item.get("parameters", []) + \
            item.get("get", {}).get("parameters", []):
        prm = spec.deref(prm)
        if prm.get("in") == "query" and prm.get("required"):
            pairs.append("%s=%s" % (prm["name"],
                                    quote(str(prm.get("example", 1)))))
    return "&".join(pairs)


def sample_target(spec, path):
    """The smallest valid request-target for a spec path."""
    q = required_query(spec, path)
    return concrete(spec, path) + ("?" + q if q else "")


def scheduled(spec, path):
    """Operations that go through the scheduler: their 503 is the
    Unavailable response (overloaded, draining, not-ready). A POST-only
    path is judged by its POST."""
    item = spec.doc["paths"][path]
    op = item.get("get", item.get("post", {}))
    return op.get("responses", {}).get("503", {}).get("$ref", "").endswith(
        "/Unavailable")


def post_only(spec, path):
    item = spec.doc["paths"][path]
    return "post" in item and "get" not in item


# A valid body for each POST-only path.
SAMPLE_BODY = b'{"additional_length":8,"char_inject":["\u00e9"]}'
SAMPLE_BODIES = {
    "/complex_password/{length}":
        b'{"char_inject":["\u00e9"],"string_inject":["ab"]}',
}


def sample_body(path):
    return SAMPLE_BODIES.get(path, SAMPLE_BODY)


# --------------------------------------------------------------- metrics

METRICS_DOC = ROOT / "docs" / "CONFIGURATION.md"


def label_names(cell):
    """The label names a metrics table cell starts its items with: the
    cell without its parenthesised asides, split at , ; and :, the items
    that are one `name` alone."""
    while True:
        bare = re.sub(r"\([^()]*\)", "", cell)
        if bare == cell:
            break
        cell = bare
    return [m.group(1) for item in re.split(r"[,;:]", cell)
            for m in [re.fullmatch(r"\s*`([a-z_]+)`\s*", item)] if m]


def documented_families(spec):
    """{name: (type, labels)} from the metrics table of
    docs/CONFIGURATION.md, the one list of the families (the spec points
    there). A row may name several families; "counter, gauges" types the
    _total ones counters."""
    del spec
    text = METRICS_DOC.read_text(encoding="utf-8")
    table = text[text.index("**Metrics**"):]
    families = {}
    for line in table.splitlines()[1:]:
        if line.startswith("*") or (families and not line.startswith("|")):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        types = [t.strip().rstrip("s") for t in cells[1].split(",")]
        for name in re.findall(r"`([a-z_]+)`", cells[0]):
            mtype = types[0] if len(types) == 1 else (
                "counter" if name.endswith("_total") else "gauge")
            families[name] = (mtype, label_names(cells[2]))
    return families


def check_metrics(spec, port, traffic_routes):
    r = send(port, "GET", "/metrics")
    expect(r, 200, "GET /metrics", "text/plain; version=0.0.4; charset=utf-8")
    validate(spec, "/metrics", "GET", r, "metrics")
    text = r.body.decode("utf-8")
    R.ok(text.endswith("\n"), "/metrics: no final newline")
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as e:                      # the parser's own error
        R.fail("/metrics does not parse: %r" % e)
        return
    # Strictness beyond the parser: every sample line parsed, each family
    # declared once with HELP then TYPE before its samples, no repeats.
    sample_lines = [l for l in text.split("\n") if l and not l.startswith("#")]
    n_samples = sum(len(f.samples) for f in families)
    R.ok(n_samples == len(sample_lines), "/metrics: %d sample lines, parser "
         "saw %d samples" % (len(sample_lines), n_samples))
    declared, seen_series = {}, set()
    current = None
    for line in text.split("\n")[:-1]:
        m = re.match(r"# (HELP|TYPE) (\S+) (.*)$", line)
        if m:
            key = (m.group(1), m.group(2))
            R.ok(key not in declared, "/metrics: %s %s twice" % key)
            declared[key] = m.group(3)
            if m.group(1) == "TYPE":
                R.ok(("HELP", m.group(2)) in declared,
                     "/metrics: TYPE before HELP for %s" % m.group(2))
                current = m.group(2)
            continue
        R.ok(not line.startswith("#"), "/metrics: stray comment %r" % line)
        R.ok(line.strip() != "", "/metrics: blank line")
        name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
        R.ok(current is not None and name in (
            current, current + "_bucket", current + "_sum", current + "_count"),
            "/metrics: sample %s outside its family's block" % name)
        series = line.rsplit(" ", 1)[0]
        R.ok(series not in seen_series, "/metrics: repeated series %s"
             % series)
        seen_series.add(series)
    byname = {}
    for f in families:
        R.ok(f.type != "unknown", "/metrics: family %s has no TYPE" % f.name)
        R.ok(bool(f.documentation), "/metrics: family %s has no HELP"
             % f.name)
        full = f.name
        if f.type == "counter" and not full.endswith("_total"):
            full += "_total"            # the parser drops the suffix
        byname[full] = f
    documented = documented_families(spec)
    R.ok(len(documented) >= 10, "/metrics: docs/CONFIGURATION.md's table "
         "lists only %d families" % len(documented))
    for name, (mtype, labels) in documented.items():
        f = byname.get(name)
        if not R.ok(f is not None, "/metrics: %s missing" % name):
            continue
        R.ok(f.type == mtype, "/metrics: %s is %s, the docs say %s"
             % (name, f.type, mtype))
        for s in f.samples:
            keys = set(s.labels) - {"le"}
            R.ok(keys == set(labels), "/metrics: %s labels %s, the docs say %s"
                 % (s.name, sorted(keys), labels))
    for name in byname:
        R.ok(name in documented, "/metrics: %s is not in docs/CONFIGURATION.md"
             % name)
    # histogram: _bucket/_sum/_count per route, cumulative, +Inf == _count
    h = byname.get("pwgend_request_duration_seconds")
    if h is not None:
        per_route = {}
        for s in h.samples:
            per_route.setdefault(s.labels["route"], []).append(s)
        R.ok(per_route, "/metrics: histogram without samples")
        for route, samples in per_route.items():
            buckets = [(s.labels["le"], s.value) for s in samples
                       if s.name.endswith("_bucket")]
            les = [float(le) for le, _ in buckets]
            R.ok(les == sorted(les) and les and les[-1] == float("inf"),
                 "/metrics: %s buckets %s" % (route, les))
            vals = [v for _, v in buckets]
            R.ok(vals == sorted(vals), "/metrics: %s buckets not cumulative"
                 % route)
            count = [s.value for s in samples if s.name.endswith("_count")]
            total = [s.value for s in samples if s.name.endswith("_sum")]
            R.ok(len(count) == 1 and len(total) == 1 and vals and
                 count[0] == vals[-1] and total[0] >= 0,
                 "/metrics: %s _count %s, +Inf %s, _sum %s"
                 % (route, count, vals[-1:], total))
    # our traffic shows up
    req = byname.get("pwgend_requests_total")
    if req is not None:
        got = {(s.labels["route"], s.labels["code"]): s.value
               for s in req.samples}
        for key in traffic_routes:
            R.ok(got.get(key, 0) > 0, "/metrics: no requests_total for %s"
                 % (key,))
    items = byname.get("pwgend_items_generated_total")
    if items is not None:
        kinds = {s.labels["kind"]: s.value for s in items.samples}
        for kind in KIND.values():
            R.ok(kinds.get(kind, 0) > 0, "/metrics: no items of kind %s"
                 % kind)
    info = byname.get("pwgend_build_info")
    if info is not None:
        version = json.loads(send(port, "GET", "/version").body)
        for s in info.samples:
            R.ok(s.value == 1, "/metrics: build_info %s" % s.value)
            for k, v in s.labels.items():
                R.ok(version.get(k) == v, "/metrics: build_info %s=%r but "
                     "/version says %r" % (k, v, version.get(k)))
    return byname


def check_explain_not_counted(port):
    def pin_items():
        text = send(port, "GET", "/metrics").body.decode()
        m = re.search(r'^pwgend_items_generated_total\{kind="pin"\} (\S+)$',
                      text, re.M)
        return float(m.group(1)) if m else 0.0
    before = pin_items()
    send(port, "GET", "/pin/explain?quantity=7")
    mid = pin_items()
    send(port, "GET", "/pin?quantity=7&format=text")
    after = pin_items()
    R.ok(mid == before and after == before + 7,
         "/metrics: items_generated_total{kind=pin} %s -> %s (explain) -> "
         "%s (7 PINs)" % (before, mid, after))


def check_policies_listing(port):
    """GET /policies lists POLICIES by name, typed as in the file, each
    with what GET /{kind}/explain?policy={name} answers; a policy's items
    are what its parameters give."""
    listing = json.loads(send(port, "GET", "/policies").body)["policies"]
    names = [p["name"] for p in listing]
    R.ok(names == ["key32", "pin6", "strong", "words5"],
         "GET /policies: names %r, want them sorted" % names)
    for p in listing:
        explain = json.loads(send(port, "GET", "/%s/explain?policy=%s"
                                  % (p["kind"], p["name"])).body)
        R.ok(p["explain"] == explain, "GET /policies: %s's explain %r, "
             "the route says %r" % (p["name"], p["explain"], explain))
    params = {p["name"]: p["parameters"] for p in listing}
    R.ok(params.get("strong") == {"length": 24, "symbols": True,
                                  "min_symbols": 2},
         "GET /policies: strong's parameters %r" % params.get("strong"))
    items = json.loads(send(port, "GET", "/password?policy=strong&"
                            "quantity=20").body)["items"]
    R.ok(all(len(i) == 24 and sum(not c.isalnum() for c in i) >= 2
             for i in items), "policy=strong gave %r" % items[:3])
    words = send(port, "GET", "/passphrase?policy=words5&format=text"
                 ).body.decode().strip()
    R.ok(re.fullmatch(r"[A-Z][a-z-]*([.:][A-Z][a-z-]*){4}", words) is not None,
         "policy=words5 gave %r" % words)


# ------------------------------------------------------- special servers

def hold_budget(port):
    """Spend a 64 KiB admission budget: a 100 MB streamed reply that is
    never read keeps a chunk's worth (more than the budget) charged until
    the socket closes. Returns the socket once the reply has started."""
    s = socket.create_connection(("127.0.0.1", port), timeout=IO_TIMEOUT)
    s.sendall(b"GET /password?quantity=100000&length=1024 HTTP/1.1\r\n"
              b"Host: a\r\n\r\n")
    select.select([s], [], [], IO_TIMEOUT)
    return s


def run_overloaded(spec):
    # The budget spent and no room to wait: every job is shed with 503.
    srv = Server("--max-queue", "0", "--max-inflight-bytes", "65536",
                 name="overloaded server")
    held = hold_budget(srv.port)
    try:
        for path in [p for p in spec.doc["paths"] if scheduled(spec, p)]:
            if post_only(spec, path):
                for _ in range(2):
                    r, _ = post_body(spec, srv.port, path, sample_body(path),
                                     status=503, problem="overloaded")
                    R.ok(r.header("Retry-After") == "1",
                         "overloaded POST %s: Retry-After %r"
                         % (path, r.header("Retry-After")))
                continue
            base, _, q0 = sample_target(spec, path).partition("?")
            extra = ("", "format=text") \
                if path in GENERATION else ("",)
            for q in extra:
                get_and_head(spec, srv.port, path,
                             "&".join(x for x in (q0, q) if x), status=503,
                             ctype="application/problem+json",
                             problem="overloaded", target_path=base)
            # On a keep-alive request: Retry-After 1, no Connection: close.
            c = http.client.HTTPConnection("127.0.0.1", srv.port,
                                           timeout=IO_TIMEOUT)
            try:
                for _ in range(2):
                    c.request("GET", sample_target(spec, path))
                    resp = c.getresponse()
                    resp.read()
                    R.ok(resp.status == 503 and
                         resp.getheader("Retry-After") == "1" and
                         resp.getheader("Connection") is None,
                         "overloaded keep-alive %s: %d Retry-After %r "
                         "Connection %r" % (path, resp.status,
                                            resp.getheader("Retry-After"),
                                            resp.getheader("Connection")))
            finally:
                c.close()
        for path in spec.doc["paths"]:
            if not scheduled(spec, path) and "get" in spec.doc["paths"][path]:
                r = send(srv.port, "GET", sample_target(spec, path))
                expect(r, 200, "overloaded server: GET %s" % path)
        text = send(srv.port, "GET", "/metrics").body.decode()
        m = re.search(r"^pwgend_admission_rejections_total (\S+)$", text, re.M)
        R.ok(m is not None and float(m.group(1)) >= 24,
             "admission_rejections_total %s" % (m and m.group(1)))
    finally:
        held.close()
        srv.stop()


def run_not_ready(spec, tmp):
    shim = ROOT / "tests" / "shims" / "zero_rng.c"
    so = Path(tmp) / "zero_rng.so"
    cc = os.environ.get("CC", "cc")
    subprocess.run([cc, "-std=c11", "-O2", "-shared", "-fPIC", str(shim),
                    "-o", str(so)], check=True, timeout=60)
    env = dict(os.environ, LD_PRELOAD=str(so))
    srv = Server(env=env, name="not-ready server")
    try:
        get_and_head(spec, srv.port, "/readyz", status=503,
                     ctype="application/problem+json", problem="not-ready")
        for path in [p for p in spec.doc["paths"] if scheduled(spec, p)]:
            if post_only(spec, path):
                r, _ = post_body(spec, srv.port, path, sample_body(path),
                                 status=503, problem="not-ready")
                R.ok(r.header("Retry-After") == "60",
                     "not-ready POST %s: Retry-After %r"
                     % (path, r.header("Retry-After")))
                continue
            base, _, q = sample_target(spec, path).partition("?")
            g, _ = get_and_head(spec, srv.port, path, q, status=503,
                                ctype="application/problem+json",
                                problem="not-ready", target_path=base)
            R.ok(g.header("Retry-After") == "60",
                 "not-ready: Retry-After %r" % g.header("Retry-After"))
        for path in [p for p in spec.doc["paths"]
                     if not scheduled(spec, p) and p != "/readyz" and
                     "get" in spec.doc["paths"][p]]:
            expect(send(srv.port, "GET", sample_target(spec, path)), 200,
                   "not-ready server: GET %s" % path)
    finally:
        srv.stop()


def run_draining(spec):
    """503 draining on every route: keep-alive connections opened before
    SIGTERM, while a large reply that nobody reads holds the drain open."""
    srv = Server("--grace", "8", name="draining server")
    targets = list(spec.doc["paths"])
    conns = []
    try:
        for p in targets:
            methods = ("POST",) if post_only(spec, p) else ("GET", "HEAD")
            for method in methods:
                c = http.client.HTTPConnection("127.0.0.1", srv.port,
                                               timeout=IO_TIMEOUT)
                c.request("GET", "/livez")
                c.getresponse().read()
                conns.append((p, method, c))
        big = socket.create_connection(("127.0.0.1", srv.port),
                                       timeout=IO_TIMEOUT)
        big.sendall(b"GET /password?quantity=100000&length=256 HTTP/1.1\r\n"
                    b"Host: a\r\n\r\n")
        big.recv(1)                      # the reply has started
        os.kill(srv.proc.pid, signal.SIGTERM)
        time.sleep(0.2)
        for p, method, c in conns:
            if method == "POST":
                c.request("POST", sample_target(spec, p),
                          body=sample_body(p),
                          headers={"Content-Type": "application/json"})
            else:
                c.request(method, sample_target(spec, p))
            resp = c.getresponse()
            body = resp.read()
            r = Response(resp.status, resp.getheaders(), body, b"")
            label = "draining: %s %s" % (method, p)
            expect(r, 503, label, "application/problem+json",
                   "draining" if method != "HEAD" else None)
            validate(spec, p, method, r, "draining")
            R.ok(r.header("Retry-After") == "1" and
                 (r.header("Connection") or "").lower() == "close",
                 "%s: Retry-After %r Connection %r" % (label,
                 r.header("Retry-After"), r.header("Connection")))
            R.covered.add((method.lower(), p, 503, "draining"))
        big.close()
        R.ok(srv.proc.wait(timeout=15) == 0, "draining server exit status")
    finally:
        for _, _, c in conns:
            c.close()
        srv.stop()


# ------------------------------------------------------------- coverage

# Documented statuses that no black-box request can produce.
UNREACHABLE = {500: "generation failed unexpectedly (never happens)"}


def check_coverage(spec):
    missing = []
    for path, item in spec.doc["paths"].items():
        for method in ("get", "head", "post"):
            if method not in item and not (method == "head" and "get" in item):
                continue
            op = item["get" if method == "head" else method]
            for status in op["responses"]:
                st = int(status)
                if st in UNREACHABLE:
                    continue
                if not any(c[0] == method and c[1] == path and c[2] == st
                           for c in R.covered):
                    missing.append("%s %s %d" % (method.upper(), path, st))
    R.ok(not missing, "documented replies never exercised: %s" % missing)


# ------------------------------------------------------------------ main

def main():
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(
        Failure("contract tests exceeded %ds" % TOTAL_TIMEOUT)))
    signal.alarm(TOTAL_TIMEOUT)
    started = time.monotonic()
    if not (os.path.isfile(BIN) and os.access(BIN, os.X_OK)):
        print("contract: no executable %s (set PWGEND_BIN)" % BIN,
              file=sys.stderr)
        return 2
    spec = Spec(SPEC_PATH)
    code = check_code_vs_spec(spec.doc)
    tmp = tempfile.mkdtemp(prefix="pwgend-contract-")
    try:
        policies = Path(tmp) / "policies.yaml"
        policies.write_text(POLICIES)
        srv = Server("--policies", str(policies), name="main server")
        try:
            run_main(spec, srv)
            check_explain_not_counted(srv.port)
            check_policies_listing(srv.port)
            traffic = [("password", "200"), ("pin", "200"),
                       ("passphrase", "200"), ("token", "200"),
                       ("password", "400"), ("pin", "406"), ("other", "414"),
                       ("livez", "200"), ("readyz", "200"),
                       ("healthz", "200"), ("version", "200"),
                       ("openapi", "200"), ("not_found", "404"),
                       ("password", "405"), ("original", "200"),
                       ("original", "400")]
            if COMPLEX in spec.doc["paths"]:
                # POST /v1/complex_password counts as the original's too
                traffic += [("original", "405"), ("original", "413"),
                            ("original", "415")]
            check_metrics(spec, srv.port, traffic)
            R.covered.update({("get", "/metrics", 200)})
        finally:
            rc = srv.stop()
            R.ok(rc == 0, "main server exited %s on SIGTERM: %s"
                 % (rc, srv.stderr()))
        run_overloaded(spec)
        run_not_ready(spec, tmp)
        run_draining(spec)
        check_coverage(spec)
    except Failure as e:
        R.fail(str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        signal.alarm(0)
    print("contract: %d code routes, %d spec paths, %d responses validated "
          "against %s, %d checks, %.1fs"
          % (len(code), len(spec.doc["paths"]), R.validated, SPEC_PATH.name,
             R.checks, time.monotonic() - started))
    print("contract: validated by status: %s; %d (method, path, status"
          "[, problem]) combinations"
          % (", ".join("%d: %d" % kv for kv in sorted(R.by_status.items())),
             len(R.covered)))
    for f in R.failures:
        print("FAIL: " + f, file=sys.stderr)
    if R.failures:
        print("contract: %d failures" % len(R.failures), file=sys.stderr)
        return 1
    print("contract: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
