"""An independent reading of the Password Rules language (`passwordrules`),
to check what pwgend draws for rules= against.

Written from the grammar and pwgend's reading as include/pwrules.h states
them (after Apple's password-manager-resources documentation), not from
src/pwrules.c:

    rules     = property *( ";" property ) [ ";" ]
    property  = name ":" [ value ]         an empty value is ignored
    name      = required / allowed / max-consecutive / minlength / maxlength
                                           lowercase only
    classes   = class *( "," class )       required:, allowed:
    class     = upper / lower / digit / special / ascii-printable
                (any case; unicode refused) / "[" printable ASCII "]"
                ("-" only first, "]" only last, written "]]")
    integer   = 1*DIGIT                    at most 1000000; 0 is no limit

ASCII whitespace (space, tab, LF, FF, CR: the WHATWG set, so not VT) may
surround every token. Each required: is one set (its classes OR'd); equal
sets count once, at most 8. Allowed characters are the allowed: sets and
every required set together, or ascii-printable when neither is given.
`special` is the 32 ASCII punctuation characters and `ascii-printable`
is 0x21-0x7e: neither brings the space, only a custom class does. The
largest minlength, the smallest non-zero maxlength and max-consecutive win.

A malformed rule raises RulesError(property, position): property is the
name of the property being read (None before one is known, e.g. an
unknown name), position the 1-based character where the fault is: the
start of the token that is wrong, or where the missing token was expected
(after whitespace; one past the end if the text ended).

Run as a script: rules_check.py RULES [PASSWORD...] prints the parse and
checks each password.
"""
import string
import sys

WHITESPACE = " \t\n\f\r"
NAMES = ("required", "allowed", "max-consecutive", "minlength", "maxlength")
INT_MAX = 1000000
REQUIRED_MAX = 8
PRINTABLE = frozenset(chr(c) for c in range(0x21, 0x7f))  # no space
CLASSES = {
    "upper": frozenset(string.ascii_uppercase),
    "lower": frozenset(string.ascii_lowercase),
    "digit": frozenset(string.digits),
    "special": frozenset(string.punctuation),
    "ascii-printable": PRINTABLE,
}


class RulesError(Exception):
    def __init__(self, prop, position, why):
        super().__init__("%s at character %d: %s" % (prop, position, why))
        self.property = prop
        self.position = position
        self.why = why


class Rules:
    """required: list of frozensets (distinct, in order); allowed:
    frozenset; max_consecutive, minlength, maxlength: int or None."""

    def __init__(self):
        self.required = []
        self.allowed = frozenset()
        self.max_consecutive = None
        self.minlength = None
        self.maxlength = None

    def limits(self):
        return {"max_consecutive": self.max_consecutive,
                "minlength": self.minlength, "maxlength": self.maxlength}

    def same(self, other):
        return (self.required == other.required and
                self.allowed == other.allowed and
                self.limits() == other.limits())


def chars(s):
    """A set as the string of its characters in ASCII order."""
    return "".join(sorted(s))


class _Reader:
    def __init__(self, text):
        self.s = text
        self.i = 0
        self.prop = None

    def ws(self):
        while self.i < len(self.s) and self.s[self.i] in WHITESPACE:
            self.i += 1

    def at_end(self):
        return self.i >= len(self.s)

    def peek(self):
        return None if self.at_end() else self.s[self.i]

    def fail(self, why, at=None):
        raise RulesError(self.prop, (self.i if at is None else at) + 1, why)

    def word(self):
        """A run of ASCII letters and '-' (names and class names, as
        Apple's identifiers): "minlength8" is minlength, then a fault."""
        start = self.i
        while not self.at_end() and (self.s[self.i] in string.ascii_letters
                                     or self.s[self.i] == "-"):
            self.i += 1
        return self.s[start:self.i]

    def custom(self):
        start = self.i
        self.i += 1  # "["
        got = set()
        while True:
            if self.at_end():
                self.fail("custom class not closed", start)
            c = self.s[self.i]
            if c == "]":
                if self.s[self.i + 1:self.i + 2] == "]":  # "]]": ] is last
                    got.add("]")
                    self.i += 2
                else:
                    self.i += 1
                return frozenset(got)
            if c == "-" and self.i != start + 1:
                self.fail("'-' only first in a custom class")
            if not (" " <= c <= "~"):
                self.fail("not printable ASCII")
            got.add(c)
            self.i += 1

    def one_class(self):
        self.ws()
        c = self.peek()
        if c == "[":
            return self.custom()
        start = self.i
        w = self.word()
        if not w:
            self.fail("expected a character class")
        if w.lower() == "unicode":
            self.fail("unicode refused", start)
        if w.lower() not in CLASSES:
            self.fail("unknown class", start)
        return CLASSES[w.lower()]

    def classes(self):
        got = set()
        while True:
            got |= self.one_class()
            self.ws()
            if self.at_end() or self.peek() == ";":
                return frozenset(got)
            if self.peek() != ",":
                self.fail("expected ',' or ';'")
            self.i += 1

    def integer(self):
        self.ws()
        start = self.i
        while not self.at_end() and self.peek() in string.digits:
            self.i += 1
        if self.i == start:
            self.fail("expected a whole number")
        v = int(self.s[start:self.i])
        if v > INT_MAX:
            self.fail("over %d" % INT_MAX, start)
        self.ws()
        if not self.at_end() and self.peek() != ";":
            self.fail("expected ';'")
        return v


def parse(text):
    """Rules, or RulesError."""
    r = _Reader(text)
    out = Rules()
    allowed = set()
    allowed_given = False
    limits = {"max-consecutive": [], "minlength": [], "maxlength": []}
    while True:
        r.prop = None
        r.ws()
        start = r.i
        name = r.word()
        if not name:
            r.fail("expected a property name")
        if name not in NAMES:
            r.fail("unknown property", start)
        r.prop = name
        r.ws()
        if r.peek() != ":":
            r.fail("expected ':'")
        r.i += 1
        r.ws()
        if not (r.at_end() or r.peek() == ";"):  # else: empty, ignored
            value_at = r.i
            if name == "required":
                s = r.classes()
                if not s:
                    r.fail("empty required set", value_at)
                if s not in out.required:
                    if len(out.required) == REQUIRED_MAX:
                        r.fail("too many required sets", value_at)
                    out.required.append(s)
            elif name == "allowed":
                allowed |= r.classes()
                allowed_given = True
            else:
                limits[name].append(r.integer())
        r.ws()
        if r.at_end():
            break
        r.i += 1  # ";" (classes/integer stop only at the end or at ";")
        r.ws()
        if r.at_end():
            break  # a trailing ";"
    for s in out.required:
        allowed |= s
    out.allowed = frozenset(allowed) if allowed_given or out.required \
        else PRINTABLE
    nz = [v for v in limits["max-consecutive"] if v > 0]
    out.max_consecutive = min(nz) if nz else None
    nz = [v for v in limits["minlength"] if v > 0]
    out.minlength = max(nz) if nz else None
    nz = [v for v in limits["maxlength"] if v > 0]
    out.maxlength = min(nz) if nz else None
    return out


def longest_run(pw):
    best = run = 0
    prev = None
    for c in pw:
        run = run + 1 if c == prev else 1
        prev = c
        best = max(best, run)
    return best


def violations(rules, pw):
    """What pw breaks of rules: a list of reasons, empty if none."""
    bad = []
    stray = set(pw) - rules.allowed
    if stray:
        bad.append("characters not allowed: %r" % chars(stray))
    for k, s in enumerate(rules.required, 1):
        if not set(pw) & s:
            bad.append("no character of required set %d (%r)"
                       % (k, chars(s)))
    if rules.minlength is not None and len(pw) < rules.minlength:
        bad.append("length %d < minlength %d" % (len(pw), rules.minlength))
    if rules.maxlength is not None and len(pw) > rules.maxlength:
        bad.append("length %d > maxlength %d" % (len(pw), rules.maxlength))
    if rules.max_consecutive is not None and \
            longest_run(pw) > rules.max_consecutive:
        bad.append("a run of %d > max-consecutive %d"
                   % (longest_run(pw), rules.max_consecutive))
    return bad


def main(argv):
    if len(argv) < 2:
        print("usage: rules_check.py RULES [PASSWORD...]", file=sys.stderr)
        return 2
    try:
        r = parse(argv[1])
    except RulesError as e:
        print("malformed: %s" % e)
        return 1
    print("required: %r" % [chars(s) for s in r.required])
    print("allowed:  %r" % chars(r.allowed))
    print("limits:   %r" % r.limits())
    status = 0
    for pw in argv[2:]:
        v = violations(r, pw)
        print("%r: %s" % (pw, "; ".join(v) if v else "ok"))
        status |= bool(v)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
