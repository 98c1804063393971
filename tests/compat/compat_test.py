#!/usr/bin/env python3
"""The original service's clients, against the real pwgend.

Drives every route of the original (gabszs/FastApi--Password-Generator, see
docs/COMPAT.md), current (/v1) and blog-era, the way its own
clients and route tests did: the same paths, parameter spellings, bodies
and trailing slashes. Asserts the shapes, lengths and character classes
they asserted (and that the original got wrong where pwgend fixed it).
Written for this project from the original's documented behaviour; no code
of theirs.

Run by `make compat-test` (part of `make test`); PWGEND_BIN is the binary.
Loopback only, every wait bounded.
"""
import http.client
import json
import re
import string
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pylib"))
from pwgend import Checks, TIMEOUT, start, stop  # noqa: E402

DIGITS = set(string.digits)
LETTERS = set(string.ascii_letters)
PUNCT = set(string.punctuation)
CHECKS = Checks("compat")
check = CHECKS.check


class Client:
    """What the original's tests used: one keep-alive connection, JSON."""

    def __init__(self, port):
        self.c = http.client.HTTPConnection("127.0.0.1", port,
                                            timeout=TIMEOUT)

    def request(self, method, target, body=None, follow=True):
        headers = {}
        if body is not None:
            body = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        self.c.request(method, target, body=body, headers=headers)
        r = self.c.getresponse()
        data = r.read()
        if follow and r.status == 307:  # what requests/httpx do
            return self.request(method, r.getheader("Location"), None
                                if body is None else json.loads(body))
        return r, data

    def json(self, method, target, body=None, status=200):
        r, data = self.request(method, target, body)
        check(r.status == status, "%s %s: status %d, want %d: %r"
              % (method, target, r.status, status, data[:200]))
        check(r.getheader("Content-Type", "").startswith("application/"),
              "%s %s: Content-Type %s" % (method, target,
                                          r.getheader("Content-Type")))
        try:
            return json.loads(data)
        except ValueError:
            check(False, "%s %s: not JSON: %r" % (method, target, data[:80]))
            return {}


def blog_items(doc, quantity, what):
    """{"message":"Success","data":[{"1º pin":...},...]}: the items."""
    check(doc.get("message") == "Success" and isinstance(doc.get("data"),
                                                          list),
          "%s: not the blog-era shape: %r" % (what, doc))
    data = doc.get("data", [])
    check(len(data) == quantity, "%s: %d items, want %d"
          % (what, len(data), quantity))
    items = []
    for i, obj in enumerate(data, 1):
        key = "%dº pin" % i
        check(list(obj) == [key], "%s: item %d keyed %r, want %r"
              % (what, i, list(obj), key))
        items.append(obj.get(key, ""))
    return items


def v1_items(doc, quantity, what):
    data = doc.get("data")
    check(isinstance(data, list) and len(data) == quantity,
          "%s: data %r, want %d items" % (what, data, quantity))
    return data or []


def has_classes(s, punct):
    return (set(s) & DIGITS and set(s) & LETTERS and
            (not punct or set(s) & PUNCT))


def v1_routes(cl):
    # GET /v1/pin: the blog's gather example, default length 12
    for q, n in (("quantity=3", 12), ("password_length=6&quantity=5", 6)):
        for pin in v1_items(cl.json("GET", "/v1/pin?" + q),
                            int(q.split("quantity=")[1]), "/v1/pin?" + q):
            check(len(pin) == n and set(pin) <= DIGITS,
                  "/v1/pin?%s: %r" % (q, pin))
    # GET /v1/: passwords with punctuation by default; /v1 (no slash) too
    for target, n, punct in (("/v1/?quantity=4", 12, True),
                             ("/v1?quantity=2&password_length=20", 20, True),
                             ("/v1/?password_length=10&has_punctuation=false"
                              "&quantity=3", 10, False),
                             ("/v1/?password_length=5&has_punctuation=False",
                              5, False)):
        q = int(re.search(r"quantity=(\d+)", target).group(1)) \
            if "quantity" in target else 1
        for pw in v1_items(cl.json("GET", target), q, target):
            ok_set = LETTERS | DIGITS | (PUNCT if punct else set())
            check(len(pw) == n and set(pw) <= ok_set and
                  has_classes(pw, punct), "%s: %r" % (target, pw))
    # GET /v1/health
    doc = cl.json("GET", "/v1/health")
    check(doc.get("status") == "ok" and "timestamp" in doc,
          "/v1/health: %r" % doc)
    # POST /v1/complex_password: their route test's body
    body = {"additional_length": 10, "quantity": 3,
            "char_inject": ["a", "b", "0"],
            "string_inject": ["Gab", "tao", "2018"]}
    for pw in v1_items(cl.json("POST", "/v1/complex_password", body), 3,
                       "/v1/complex_password"):
        check(len(pw) == 23 and all(p in pw for p in body["string_inject"])
              and has_classes(pw, False),
              "/v1/complex_password: %r" % pw)


def blog_routes(cl):
    # GET /pin/{n}?quantity: quantity is required
    for pin in blog_items(cl.json("GET", "/pin/4?quantity=2"), 2, "/pin/4"):
        check(len(pin) == 4 and set(pin) <= DIGITS, "/pin/4: %r" % pin)
    cl.json("GET", "/pin/4", status=400)
    # GET /pass/{n}: 10 with punctuation, 5 without (their use-case tests)
    for target, n, punct in (("/pass/10?quantity=3&ponctuation=True", 10,
                              True),
                             ("/pass/5?quantity=2", 5, False),
                             ("/pass/3?quantity=1", 3, False)):  # was 500
        q = int(re.search(r"quantity=(\d+)", target).group(1))
        for pw in blog_items(cl.json("GET", target), q, target):
            ok_set = LETTERS | DIGITS | (PUNCT if punct else set())
            check(len(pw) == n and set(pw) <= ok_set and
                  has_classes(pw, punct), "%s: %r" % (target, pw))
    # POST /complex_password/{n}: the blog post's request
    body = {"suffle_string_inject": False, "char_inject": ["a", "b", "0"],
            "string_inject": ["Gab", "tao", "2018"]}
    target = "/complex_password/10?quantity=3&ponctuation=False"
    for pw in blog_items(cl.json("POST", target, body), 3, target):
        check(len(pw) == 23 and all(p in pw for p in body["string_inject"])
              and all(c in pw for c in body["char_inject"]),
              "%s: %r" % (target, pw))
    # shuffled strings: each a permutation of the original, contiguous
    body = {"suffle_string_inject": True, "char_inject": [],
            "string_inject": ["abcdef"]}
    for pw in blog_items(cl.json("POST", "/complex_password/4?quantity=5",
                                 body), 5, "suffle_string_inject"):
        check(len(pw) == 10 and any(sorted(pw[i:i + 6]) == list("abcdef")
                                    for i in range(5)),
              "suffle_string_inject: %r" % pw)
    # their length rule: 1 and 2 give 3 random characters
    body = {"char_inject": ["x"], "string_inject": ["yz"]}
    for pw in blog_items(cl.json("POST", "/complex_password/1?quantity=1",
                                 body), 1, "/complex_password/1"):
        check(len(pw) == 3 + 1 + 2, "/complex_password/1: %r" % pw)
    # both lists required; string_inject needs an item of 2 characters
    for bad in ({"char_inject": []}, {"string_inject": ["ab"]},
                {"char_inject": [], "string_inject": []},
                {"char_inject": [], "string_inject": ["a"]}):
        cl.json("POST", "/complex_password/5?quantity=1", bad, status=400)
    r, _ = cl.request("GET", "/complex_password/5?quantity=1")
    check(r.status == 405 and r.getheader("Allow") == "POST",
          "GET /complex_password/5: %d %s" % (r.status, r.getheader("Allow")))
    # GET /: one password of 12 with punctuation, for JSON clients (a
    # script sends no Accept, or */*); browsers get the page instead
    for accept in (None, "*/*", "application/json"):
        cl.c.request("GET", "/", headers={"Accept": accept} if accept
                     else {})
        r = cl.c.getresponse()
        data = r.read()
        check(r.status == 200 and r.getheader("Vary") == "Accept",
              "GET / (Accept %s): %d Vary %s" % (accept, r.status,
                                                 r.getheader("Vary")))
        for pw in blog_items(json.loads(data or b"{}"), 1, "GET /"):
            check(len(pw) == 12 and has_classes(pw, True),
                  "GET /: %r" % pw)


def trailing_slashes(cl):
    """Starlette answered these with a 307 to the path without the slash,
    query string kept; clients that follow redirects got the reply."""
    for target, location in (("/v1/pin/?quantity=2", "/v1/pin?quantity=2"),
                             ("/v1/health/", "/v1/health"),
                             ("/pin/6/?quantity=2", "/pin/6?quantity=2"),
                             ("/pass/8/?quantity=1&ponctuation=True",
                              "/pass/8?quantity=1&ponctuation=True"),
                             ("/complex_password/5/?quantity=1",
                              "/complex_password/5?quantity=1")):
        method = "POST" if target.startswith("/complex") else "GET"
        body = {"char_inject": [], "string_inject": ["ab"]} \
            if method == "POST" else None
        r, _ = cl.request(method, target, body, follow=False)
        check(r.status == 307 and r.getheader("Location") == location and
              r.getheader("Cache-Control") == "no-store",
              "%s %s: %d Location %r" % (method, target, r.status,
                                         r.getheader("Location")))
        r, data = cl.request(method, target, body)
        check(r.status == 200, "%s %s followed: %d %r"
              % (method, target, r.status, data[:100]))
    # pwgend's own routes stay exact
    r, _ = cl.request("GET", "/password/", follow=False)
    check(r.status == 404, "GET /password/: %d, want 404" % r.status)


def main():
    proc, port = start()
    try:
        cl = Client(port)
        v1_routes(cl)
        blog_routes(cl)
        trailing_slashes(cl)
    finally:
        status = stop(proc)
    check(status == 0, "exit status %s" % status)
    return CHECKS.verdict("every original route, /v1 and blog-era")


if __name__ == "__main__":
    sys.exit(main())
