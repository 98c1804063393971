#!/usr/bin/env python3
"""rules= (the passwordrules language) against an independent checker.

For every rule of tests/rules/fixture.json, on the real binary:
  - valid: GET /password?rules=...&quantity=200 and `pwgend password
    --rules ... --quantity 50`; every password is checked by
    rules_check.py (our own reading of the grammar, not pwgend's code):
    allowed characters only, one of each required set, the length within
    the rule's (and pwgend's 4..1024), no run over max-consecutive.
    GET /password/explain?rules=...: explain.rules' required sets, allowed
    characters and limits equal rules_check's, the fixture's hand-written
    expectation agrees, and the canonical text means the same (re-read by
    rules_check, and pwgend explains it identically);
  - refused: 400 problem+json of the fixture's type and parameter;
  - malformed: 400 invalid-value, parameter rules, the detail "rules,
    PROPERTY at character N: ..." with the fixture's property and
    position (which rules_check must find too); the CLI exits 2 and says
    the same.
A case marked "skip" is a known disagreement with pwgend: it is run and
reported, never failed.

Differential: DIFF_N rules generated from a fixed seed (well-formed ones
with random whitespace, empty values and repeats, some with one token
spliced in, and token soup) go to GET /password/explain: where
rules_check reads a rule, pwgend explains it identically (or refuses it
as unsatisfiable, which the checker does not judge); where rules_check
finds it malformed, pwgend refuses it with the same property and
position.

Statistical checks, fixed thresholds (no flakes in practice):
  - or-set: with "allowed: lower; required: digit, [!@#$%^&*()]" at
    length 4 (46 characters), a valid password lacks a digit with
    probability ((36/46)^4 - (26/46)^4) / (1 - (26/46)^4) = 0.304, and
    likewise a symbol (one set is digit OR symbol); each must be >= 10%
    of the 200 drawn (binomial: P(fail) < 1e-9). Reading the set as AND
    would give 0%;
  - coverage: where a case draws at least 40 characters per allowed
    character (HTTP and CLI together), every allowed character must appear
    at least once (P(one is missing) < 95 * e^-40 per case even at half
    the uniform rate), so nothing allowed is silently dropped (the space
    of a custom class, "-", "]", "[", quotes).

Run by `make rules-test` (part of `make test`); PWGEND_BIN is the binary.
Loopback only, every wait bounded.
"""
import http.client
import json
import random
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "pylib"))
sys.path.insert(0, str(HERE))
from pwgend import BIN, Checks, TIMEOUT, start, stop  # noqa: E402
import rules_check as rc  # noqa: E402

HTTP_N = 200
CLI_N = 50
DIFF_N = 2000
DIFF_SEED = 17
DETAIL = re.compile(r"^rules, (?:([a-z-]+) )?at character (\d+): \S")
CHECKS = Checks("rules")
check = CHECKS.check
SKIPPED = []


class Client:
    def __init__(self, port):
        self.port = port
        self.c = http.client.HTTPConnection("127.0.0.1", port,
                                            timeout=TIMEOUT)

    def get(self, path, **query):
        target = path + "?" + "&".join(
            "%s=%s" % (k, urllib.parse.quote(str(v), safe=""))
            for k, v in query.items())
        self.c.request("GET", target)
        r = self.c.getresponse()
        body = r.read()
        try:
            doc = json.loads(body)
        except ValueError:
            doc = None
        return r.status, r.getheader("Content-Type", ""), doc, body


def cli(*args):
    p = subprocess.run([BIN, "password", *args], capture_output=True,
                       timeout=TIMEOUT)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def pw_lengths(r):
    """The lengths pwgend may make under r: its own 4..1024 within."""
    lo = max(4, r.minlength or 0)
    hi = min(1024, r.maxlength or 1024)
    return lo, hi


def check_passwords(case, r, pws, via):
    lo, hi = pw_lengths(r)
    bad = 0
    for pw in pws:
        v = rc.violations(r, pw)
        if not lo <= len(pw) <= hi:
            v.append("length %d outside pwgend's %d..%d" % (len(pw), lo, hi))
        if v and bad < 3:
            check(False, "%s (%s): %r: %s" % (case["id"], via, pw,
                                              "; ".join(v)))
        bad += bool(v)
    check(bad == 0, "%s (%s): %d of %d passwords break the rules"
          % (case["id"], via, bad, len(pws)))


def explained(client, rules):
    status, _, doc, body = client.get("/password/explain", rules=rules)
    if status != 200 or not isinstance(doc, dict):
        return None, None
    return doc.get("length"), doc.get("explain", {}).get("rules")


def check_explain(client, case, r):
    cid = case["id"]
    length, ex = explained(client, case["rules"])
    if ex is None:
        check(False, "%s: explain did not answer 200 with explain.rules"
              % cid)
        return
    want = {"required": [rc.chars(s) for s in r.required],
            "allowed": rc.chars(r.allowed), **r.limits()}
    for k, v in want.items():
        check(ex.get(k) == v, "%s: explain.rules.%s is %r, the checker "
              "reads %r" % (cid, k, ex.get(k), v))
    lo, hi = pw_lengths(r)
    check(isinstance(length, int) and lo <= length <= hi,
          "%s: explain length %r outside %d..%d" % (cid, length, lo, hi))
    canonical = ex.get("canonical", "")
    try:
        again = rc.parse(canonical)
        check(again.same(r), "%s: canonical %r means something else to "
              "the checker" % (cid, canonical))
    except rc.RulesError as e:
        check(False, "%s: canonical %r is malformed to the checker: %s"
              % (cid, canonical, e))
    _, ex2 = explained(client, canonical)
    check(ex2 == ex, "%s: the canonical text %r explains differently: "
          "%r" % (cid, canonical, ex2))


def run_valid(client, case, stats):
    cid = case["id"]
    r = rc.parse(case["rules"])
    exp = case["expect"]
    got = {**r.limits(), "required": len(r.required),
           "allowed": len(r.allowed)}
    check(got == exp, "%s: the checker reads %r, the fixture says %r"
          % (cid, got, exp))
    status, ctype, doc, body = client.get("/password", rules=case["rules"],
                                          quantity=HTTP_N)
    items = doc.get("items") if status == 200 and isinstance(doc, dict) \
        else None
    check(isinstance(items, list) and len(items) == HTTP_N,
          "%s: GET /password: %d %r" % (cid, status, body[:300]))
    items = items or []
    check_passwords(case, r, items, "HTTP")
    rcode, out, err = cli("--rules", case["rules"], "--quantity",
                          str(CLI_N))
    lines = out.split("\n")
    lines = lines[:-1] if lines and lines[-1] == "" else lines
    check(rcode == 0 and len(lines) == CLI_N, "%s: CLI exit %d, %d lines: "
          "%s" % (cid, rcode, len(lines), err.strip()[:200]))
    check_passwords(case, r, lines, "CLI")
    check_explain(client, case, r)
    drawn = items + (lines if rcode == 0 else [])
    n_chars = sum(len(p) for p in drawn)
    if n_chars >= 40 * len(r.allowed):
        missing = r.allowed - set("".join(drawn))
        check(not missing, "%s: allowed %r never drawn in %d characters"
              % (cid, rc.chars(missing), n_chars))
        stats["coverage"] += 1
    if case.get("stat") == "or-set":
        for name, s in (("digit", set("0123456789")),
                        ("symbol", set("!@#$%^&*()"))):
            lacking = sum(1 for p in items if not set(p) & s)
            check(lacking >= 0.1 * HTTP_N, "%s: only %d of %d lack a %s "
                  "(expected ~30%%): is the set read as AND?"
                  % (cid, lacking, HTTP_N, name))
        stats["or-set"] += 1


def problem(client, rules):
    status, ctype, doc, body = client.get("/password", rules=rules)
    ok = (status == 400 and ctype.startswith("application/problem+json")
          and isinstance(doc, dict))
    return ok, doc if ok else {"status": status, "body": body[:300]}


def run_refused(client, case):
    cid = case["id"]
    try:
        rc.parse(case["rules"])
    except rc.RulesError as e:
        check(False, "%s: the checker finds it malformed: %s" % (cid, e))
    ok, doc = problem(client, case["rules"])
    want = ("urn:pwgend:problem:" + case["type"], case["parameter"])
    got = (doc.get("type"), doc.get("parameter"))
    if case.get("skip"):
        SKIPPED.append("%s: %s (now: %r)" % (cid, case["skip"], got))
        return
    check(ok and got == want, "%s: %r, want 400 %r" % (cid, doc, want))


def run_malformed(client, case):
    cid = case["id"]
    want = (case["property"], case["position"])
    try:
        rc.parse(case["rules"])
        check(False, "%s: the checker reads it as well-formed" % cid)
    except rc.RulesError as e:
        check((e.property, e.position) == want, "%s: the checker blames "
              "%r, the fixture %r" % (cid, (e.property, e.position), want))
    ok, doc = problem(client, case["rules"])
    m = DETAIL.match(doc.get("detail", "")) if ok else None
    got = (doc.get("type"), doc.get("parameter"),
           m and m.group(1), m and int(m.group(2)))
    wanted = ("urn:pwgend:problem:invalid-value", "rules") + want
    rcode, _, err = cli("--rules", case["rules"])
    where = "rules, %sat character %d: " % (
        case["property"] + " " if case["property"] else "",
        case["position"])
    if case.get("skip"):
        SKIPPED.append("%s: %s (now: %r)" % (cid, case["skip"], got))
        return
    check(ok and got == wanted, "%s: %r, want 400 %r" % (cid, doc, wanted))
    check(rcode == 2 and where in err, "%s: CLI exit %d, %r; want 2 and "
          "%r" % (cid, rcode, err.strip()[:200], where))


SOUP = ["required", "allowed", "max-consecutive", "minlength", "maxlength",
        "Required", "foo", ":", ";", ",", " ", "\t", "\n", "\v", "upper",
        "lower", "digit", "special", "ascii-printable", "Upper", "unicode",
        "uper", "0", "8", "12", "007", "1000001", "-1", "x", "[", "]", "]]",
        "-", "a", "[-a]", "[ab]", "[]]", "[ ]", "[a-b]", "[!@#]", "[[]",
        "[;]", "[,]", "[:]", "\u00e9", "\x01"]
CLASS_WORDS = ["upper", "lower", "digit", "special", "ascii-printable",
               "DIGIT", "[-a]", "[ab]", "[]]", "[ ]", "[!@#]", "[[]", "[;]",
               "[,]"]


def generated(rng):
    """A rules text: mostly well-formed, some with one token spliced in,
    some token soup."""
    if rng.random() >= 0.6:
        return "".join(rng.choice(SOUP) for _ in range(rng.randint(1, 12)))
    props = []
    for _ in range(rng.randint(1, 5)):
        name = rng.choice(rc.NAMES)
        if name in ("required", "allowed"):
            value = ", ".join(rng.choice(CLASS_WORDS)
                              for _ in range(rng.randint(0, 3)))
        else:
            value = rng.choice(["", "0", "1", "2", "3", "8", "12", "20",
                                "64"])
        ws = [rng.choice(["", " ", "  ", "\t", "\n"]) for _ in range(4)]
        props.append(ws[0] + name + ws[1] + ":" + ws[2] + value + ws[3])
    s = ";".join(props) + rng.choice(["", ";", "; "])
    if rng.random() < 0.3:
        i = rng.randrange(len(s) + 1)
        s = s[:i] + rng.choice(SOUP) + s[i:]
    return s


def differ(client, s):
    """None if pwgend and rules_check agree on s, else how they differ."""
    try:
        mine, merr = rc.parse(s), None
    except rc.RulesError as e:
        mine, merr = None, (e.property, e.position)
    status, _, doc, body = client.get("/password/explain", rules=s)
    doc = doc if isinstance(doc, dict) else {}
    if status == 200:
        if mine is None:
            return "pwgend explains it, the checker finds %r" % (merr,)
        ex = doc.get("explain", {}).get("rules", {})
        want = {"required": [rc.chars(x) for x in mine.required],
                "allowed": rc.chars(mine.allowed), **mine.limits()}
        diff = {k: (ex.get(k), v) for k, v in want.items()
                if ex.get(k) != v}
        return diff and "explain (pwgend, checker): %r" % diff or None
    m = DETAIL.match(doc.get("detail", ""))
    if doc.get("type") == "urn:pwgend:problem:invalid-value" and \
            doc.get("parameter") == "rules" and m:
        got = (m.group(1), int(m.group(2)))
        return None if got == merr else \
            "pwgend blames %r (%s), the checker %r" % (got, doc["detail"],
                                                        merr)
    if mine is not None:
        return None  # refused as unmeetable: not the checker's call
    return "pwgend: %d %r; the checker finds %r" % (status, body[:200],
                                                     merr)


def run_differential(client):
    rng = random.Random(DIFF_SEED)
    seen, bad = set(), 0
    while len(seen) < DIFF_N:
        s = generated(rng)
        if not s.strip() or s in seen:  # whitespace only: see fixture
            continue
        seen.add(s)
        why = differ(client, s)
        if why:
            bad += 1
            if bad <= 10:
                check(False, "differential: %r: %s" % (s, why))
    check(bad == 0, "differential: %d of %d generated rules disagree"
          % (bad, DIFF_N))


def main():
    t0 = time.monotonic()
    fixture = json.loads((HERE / "fixture.json").read_text())
    proc, port = start()
    stats = {"coverage": 0, "or-set": 0}
    try:
        client = Client(port)
        for case in fixture["valid"]:
            run_valid(client, case, stats)
        for case in fixture["refused"]:
            run_refused(client, case)
        for case in fixture["malformed"]:
            run_malformed(client, case)
        run_differential(client)
    finally:
        code = stop(proc)
    check(code == 0, "pwgend exited %r after SIGTERM" % code)
    for s in SKIPPED:
        print("SKIP (known, see fixture): " + s)
    return CHECKS.verdict(
        "%d valid rules (%d x HTTP, %d x CLI each, %d coverage, %d "
        "or-set), %d refused, %d malformed, %d skipped, %d differential, "
        "%.1f s"
        % (len(fixture["valid"]), HTTP_N, CLI_N, stats["coverage"],
           stats["or-set"], len(fixture["refused"]),
           len(fixture["malformed"]), len(SKIPPED), DIFF_N,
           time.monotonic() - t0))


if __name__ == "__main__":
    sys.exit(main())
