#!/usr/bin/python3
"""The documentation's own tests (docs/CONTRIBUTING.md, "Examples").

    docs_test.py links      every relative link in the pages resolves to a
                            file, and an anchor to a heading; README.md
                            links every topic page; every curl example
                            fails on an HTTP error (-f / --fail-with-body),
                            percent-encodes its query, and is run (```sh)
    docs_test.py examples   run every ```sh block against $B (a pwgend that
                            scripts/with-server.sh started) and check the
                            shape of the output block that follows it

Pages: README.md and docs/*.md (or the files given after the mode).
Python 3 standard library only.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The topics a reader looks for, each linked from README.md.
TOPICS = ["docs/API.md", "docs/CONFIGURATION.md",
          "docs/CONFIGURATION.md#operations", "docs/DEPLOY.md",
          "docs/SECURITY.md", "docs/ARCHITECTURE.md",
          "docs/ARCHITECTURE.md#randomness", "docs/PERFORMANCE.md",
          "docs/COMPAT.md", "docs/CONTRIBUTING.md"]
# The base URL examples are written with; replaced by the server's.
DOC_BASE = "http://127.0.0.1:8080"
# JSON members whose value depends on the run or the machine: their type
# is checked, not their value (strings inside arrays never are).
VARYING = {"timestamp", "version", "libmicrohttpd", "libsodium", "jansson",
           "build"}
EXAMPLE_TIMEOUT = 20

failures = []
checked = [0]                       # links, curl commands and examples


def fail(where, msg):
    failures.append("%s: %s" % (where, msg))


def pages(args):
    if args:
        return [Path(a).resolve() for a in args]
    return [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def rel(path):
    return os.path.relpath(path, ROOT)


# ------------------------------------------------------------ markdown

FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")


class Block:
    def __init__(self, info, line, text):
        words = info.split()
        self.lang = words[0] if words else ""
        self.words = words[1:]
        self.line = line            # 1-based line of the opening fence
        self.text = text


def parse(text):
    """(prose lines with code removed, fenced blocks, indented blocks)."""
    lines = text.split("\n")
    prose, fenced, indented = [], [], []
    i = 0
    prev_blank = True
    while i < len(lines):
        m = FENCE.match(lines[i])
        if m:
            mark, start, body = m.group(2), i, []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(mark):
                body.append(lines[i])
                i += 1
            fenced.append(Block(m.group(3).strip(), start + 1,
                                "\n".join(body) + "\n"))
            prose.extend([""] * (i - start + 1))
            i += 1
            prev_blank = False
            continue
        if prev_blank and lines[i].startswith("    ") and lines[i].strip():
            start, body = i, []
            while i < len(lines) and (lines[i].startswith("    ") or
                                      not lines[i].strip()):
                body.append(lines[i][4:])
                i += 1
            indented.append(Block("", start + 1, "\n".join(body)))
            prose.extend([""] * (i - start))
            prev_blank = True
            continue
        prose.append(re.sub(r"`[^`]*`", "", lines[i]))
        prev_blank = not lines[i].strip()
        i += 1
    return prose, fenced, indented


def slug(heading):
    """GitHub's anchor for a heading."""
    s = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip())
    s = re.sub(r"[^\w\- ]", "", s.lower())
    return s.replace(" ", "-")


def anchors(path):
    prose, _, _ = parse(path.read_text(encoding="utf-8"))
    seen, out = {}, set()
    for line in prose:
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            base = slug(m.group(1))
            n = seen.get(base, 0)
            out.add(base if n == 0 else "%s-%d" % (base, n))
            seen[base] = n + 1
    return out


LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
                  r"|^\s*\[[^\]]+\]:\s*(\S+)")


def check_links(files):
    linked = {}
    for page in files:
        prose, _, _ = parse(page.read_text(encoding="utf-8"))
        for n, line in enumerate(prose, 1):
            for m in LINK.finditer(line):
                target = m.group(1) or m.group(2)
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue                        # http:, mailto:, ...
                where = "%s:%d" % (rel(page), n)
                checked[0] += 1
                path, _, anchor = target.partition("#")
                dest = (page.parent / path).resolve() if path else page
                if not dest.exists():
                    fail(where, "link to %s: no such file" % target)
                    continue
                linked.setdefault(page, set()).add(
                    rel(dest) + ("#" + anchor if anchor else ""))
                if anchor and dest.suffix == ".md" and \
                   anchor not in anchors(dest):
                    fail(where, "link to %s: no heading #%s in %s"
                         % (target, anchor, rel(dest)))
                elif anchor and dest.suffix != ".md" and \
                        not re.fullmatch(r"L\d+(-L\d+)?", anchor):
                    fail(where, "link to %s: an anchor into a file that "
                         "is not Markdown" % target)
    readme = ROOT / "README.md"
    if readme in files:
        for topic in TOPICS:
            if topic not in linked.get(readme, set()):
                fail("README.md", "does not link %s (a topic every reader "
                     "looks for)" % topic)


# ------------------------------------------------------------- examples

CURL = re.compile(r"(?:^|[\s;|&(`$])curl\s")


def curl_commands(text):
    """Each curl command of a block (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in text.split("\n"):
        line = re.sub(r"^\s*\$ ", "", line)
        if CURL.search(" " + line) and not line.lstrip().startswith("#"):
            out.append(line.strip())
    return out


def lint_curl(where, cmd, runnable):
    checked[0] += 1
    words = re.findall(r"\"[^\"]*\"|'[^']*'|\S+", cmd)
    flags = [w for w in words if w.startswith("-")]
    if not any(f in ("--fail", "--fail-with-body") or
               re.fullmatch(r"-[a-zA-Z]*f[a-zA-Z]*", f) for f in flags):
        fail(where, "curl without -f (use curl -fsS, or --fail-with-body "
             "to show an error): a script would take an error for a "
             "secret: %s" % cmd)
    for w in words:
        url = w.strip("'\"")
        if "?" in url and ("$B" in url or url.startswith("http")):
            query = url.split("?", 1)[1]
            if not re.fullmatch(r"[A-Za-z0-9._~%=&$-]*", query):
                fail(where, "query %r holds characters that need "
                     "encoding: use -G --data-urlencode 'name=value'"
                     % query)
    if ("$B" in cmd or DOC_BASE in cmd) and not runnable:
        fail(where, "a curl example on %s that is not run: fence it as "
             "```sh (docs/CONTRIBUTING.md)" % DOC_BASE)


def examples(files, lint=True):
    """(where, block, output block or None) of every ```sh block; lints
    every curl command of every block on the way (with lint)."""
    found = []
    for page in files:
        _, fenced, indented = parse(page.read_text(encoding="utf-8"))
        for block in fenced + indented:
            where = "%s:%d" % (rel(page), block.line)
            runnable = block.lang == "sh"
            for cmd in curl_commands(block.text) if lint else ():
                lint_curl(where, cmd, runnable)
        for i, block in enumerate(fenced):
            if block.lang != "sh":
                continue
            nxt = fenced[i + 1] if i + 1 < len(fenced) else None
            out = nxt if nxt is not None and "output" in nxt.words else None
            found.append(("%s:%d" % (rel(page), block.line), block, out))
    return found


def json_docs(text):
    """The JSON documents of a text, one after another."""
    dec, docs, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return docs
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)


def same_shape(want, got, path="$", in_array=False, key=None):
    """Differences between a shown JSON value and a real one: objects have
    the same members in the same order, arrays the same length, scalars
    the same type and (but for strings in arrays and VARYING members) the
    same value."""
    kind = lambda v: "number" if isinstance(v, (int, float)) and \
        not isinstance(v, bool) else type(v).__name__
    if kind(want) != kind(got):
        return ["%s: %s shown, %s returned" % (path, kind(want), kind(got))]
    if isinstance(want, dict):
        if list(want) != list(got):
            return ["%s: members %s shown, %s returned"
                    % (path, list(want), list(got))]
        return [d for k in want for d in
                same_shape(want[k], got[k], "%s.%s" % (path, k), in_array, k)]
    if isinstance(want, list):
        if len(want) != len(got):
            return ["%s: %d items shown, %d returned"
                    % (path, len(want), len(got))]
        return [d for i, (w, g) in enumerate(zip(want, got)) for d in
                same_shape(w, g, "%s[%d]" % (path, i), True, key)]
    if (isinstance(want, str) and in_array) or key in VARYING:
        return []
    return [] if want == got else \
        ["%s: %r shown, %r returned" % (path, want, got)]


def check_output(where, out, stdout):
    lang = out.lang
    if lang == "json":
        try:
            want = json_docs(out.text)
        except ValueError as e:
            fail(where, "the output block is not JSON: %s" % e)
            return
        try:
            got = json_docs(stdout)
        except ValueError as e:
            fail(where, "the output is not JSON (%s): %r" % (e, stdout[:300]))
            return
        if len(want) != len(got):
            fail(where, "%d JSON documents shown, %d returned: %r"
                 % (len(want), len(got), stdout[:300]))
            return
        for w, g in zip(want, got):
            for d in same_shape(w, g):
                fail(where, d)
    elif lang in ("text", "ndjson"):
        want = out.text.rstrip("\n").split("\n")
        got = stdout.rstrip("\n").split("\n") if stdout else []
        if len(want) != len(got) or not all(got):
            fail(where, "%d lines shown, %d returned: %r"
                 % (len(want), len(got), stdout[:300]))
        if lang == "ndjson":
            for line in got:
                try:
                    json.loads(line)
                except ValueError:
                    fail(where, "line %r is not JSON" % line)
    else:
        fail(where, "output block of unknown kind %r (json, text, ndjson)"
             % lang)


def run_examples(files, base):
    found = examples(files, lint=False)     # (docs_test.py links lints)
    ran = 0
    with tempfile.TemporaryDirectory(prefix="pwgend-examples-") as tmp:
        for where, block, out in found:
            script = block.text.replace(DOC_BASE, base)
            env = dict(os.environ, B=base)
            try:
                p = subprocess.run(["sh", "-e", "-c", script], cwd=tmp,
                                   env=env, capture_output=True, text=True,
                                   timeout=EXAMPLE_TIMEOUT)
            except subprocess.TimeoutExpired:
                fail(where, "no end in %d s" % EXAMPLE_TIMEOUT)
                continue
            ran += 1
            checked[0] += 1
            exits = [w for w in (out.words if out else [])
                     if w.startswith("exit=")]
            want_rc = int(exits[0][5:]) if exits else 0
            if p.returncode != want_rc:
                fail(where, "exit status %d, expected %d; stderr %r; "
                     "stdout %r" % (p.returncode, want_rc, p.stderr[-300:],
                                    p.stdout[:300]))
                continue
            if out is not None:
                check_output(where, out, p.stdout)
            elif p.stdout.strip():
                fail(where, "prints output but shows none: follow the "
                     "block with a ```json output (or text, ndjson) block")
    return ran


def main(argv):
    mode = argv[1] if len(argv) > 1 else ""
    files = pages(argv[2:])
    if mode == "links":
        check_links(files)
        found = examples(files)
        summary = "docs: links of %d pages, %d examples linted" \
            % (len(files), len(found))
    elif mode == "examples":
        base = os.environ.get("B")
        if not base:
            sys.exit("docs_test.py examples: set B to a pwgend's base URL "
                     "(scripts/with-server.sh does)")
        ran = run_examples(files, base)
        summary = "docs: %d examples of %d pages run against %s" \
            % (ran, len(files), base)
        if ran < 10:
            fail("docs", "only %d examples ran" % ran)
    else:
        sys.exit(__doc__)
    for f in failures:
        print("FAIL " + f, file=sys.stderr)
    print(summary)
    print("docs: %d passed, %d failed" % (max(checked[0] - len(failures), 0),
                                           len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
