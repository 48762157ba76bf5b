"""The ``filter=`` expression language (reference 2.1).

Grammar (keywords, attribute names and string comparisons are case-insensitive)::

    expr       := term ( "or" term )*
    term       := factor ( "and" factor )*
    factor     := "not" factor | "(" expr ")" | comparison
    comparison := FIELD OP value | FIELD "in" "(" value ( "," value )* ")"
    OP         := eq | ne | gt | ge | lt | le | lk
    value      := "double-quoted string" | number | true | false | null

``FIELD`` may use dot notation (``health.value``, ``candidate.id``, ``tasks.status``); when the path
reaches a list, the comparison holds if it holds for any element. ``lk`` is SQL LIKE (``%`` any run,
``_`` one character). A missing attribute matches only ``ne``.
"""

import operator
import re

from . import catalog
from .errors import ApiError

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<str>"(?:[^"\\]|\\.)*")
    | (?P<num>-?\d+(?:\.\d+)?(?![\w.]))
    | (?P<lp>\() | (?P<rp>\)) | (?P<comma>,)
    | (?P<word>[A-Za-z_@][\w.:@-]*)
    )""", re.VERBOSE)

OPS = ("eq", "ne", "gt", "ge", "lt", "le", "lk")
_MISSING = object()


def _bad(detail):
    return ApiError(catalog.E_BAD_FILTER, detail=detail)


def tokenize(text):
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise _bad("unexpected character at position %d" % pos)
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        elif kind == "num":
            value = float(value) if "." in value else int(value)
        tokens.append((kind, value))
    return tokens


class _Parser:
    def __init__(self, tokens, check_field):
        self.tokens = tokens
        self.i = 0
        self.check_field = check_field

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, kind=None, what=None):
        tok = self.peek()
        if tok[0] is None:
            raise _bad("unexpected end of expression")
        if kind and tok[0] != kind:
            raise _bad("expected %s, found %r" % (what or kind, tok[1]))
        self.i += 1
        return tok

    def is_word(self, word):
        kind, value = self.peek()
        return kind == "word" and value.lower() == word

    def expr(self):
        node = self.term()
        while self.is_word("or"):
            self.take()
            node = ("or", node, self.term())
        return node

    def term(self):
        node = self.factor()
        while self.is_word("and"):
            self.take()
            node = ("and", node, self.factor())
        return node

    def factor(self):
        if self.is_word("not"):
            self.take()
            return ("not", self.factor())
        if self.peek()[0] == "lp":
            self.take()
            node = self.expr()
            self.take("rp", ")")
            return node
        field = self.take("word", "an attribute name")[1]
        field = self.check_field(field) or field
        op = self.take("word", "an operator")[1]
        op = op.lower()
        if op == "in":
            self.take("lp", "(")
            values = [self.value()]
            while self.peek()[0] == "comma":
                self.take()
                values.append(self.value())
            self.take("rp", ")")
            return ("in", field, values)
        if op not in OPS:
            raise _bad("unknown operator %r" % op)
        return ("cmp", field, op, self.value())

    def value(self):
        kind, value = self.take()
        if kind in ("str", "num"):
            return value
        if kind == "word" and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kind == "word" and value.lower() == "null":
            return None
        raise _bad("expected a value, found %r" % value)


def parse(text, check_field=lambda name: None):
    """Parse a filter into a small tuple tree; raises ApiError (422) on bad syntax or fields.

    ``check_field(name)`` raises for an unknown attribute and may return its canonical spelling.
    """
    tokens = tokenize(text)
    if not tokens:
        raise _bad("empty filter")
    parser = _Parser(tokens, check_field)
    node = parser.expr()
    if parser.i != len(tokens):
        raise _bad("unexpected %r" % (parser.peek()[1],))
    return node


def evaluate(node, lookup):
    """``lookup(field)`` returns the list of values found at ``field`` (empty if missing)."""
    kind = node[0]
    if kind == "or":
        return evaluate(node[1], lookup) or evaluate(node[2], lookup)
    if kind == "and":
        return evaluate(node[1], lookup) and evaluate(node[2], lookup)
    if kind == "not":
        return not evaluate(node[1], lookup)
    values = lookup(node[1])
    if kind == "in":
        return any(_compare(v, "eq", lit) for v in values for lit in node[2])
    op, literal = node[2], node[3]
    if not values:
        return op == "ne"
    if op == "ne":
        return all(_compare(v, "ne", literal) for v in values)
    return any(_compare(v, op, literal) for v in values)


def _norm(value):
    if isinstance(value, str):
        return value.casefold()
    return value


def _coerce(value, literal):
    """Bring an attribute value and a literal to comparable types."""
    if isinstance(value, bool) or isinstance(literal, bool):
        as_bool = {"true": True, "t": True, "1": True, "false": False, "f": False, "0": False}
        value = as_bool.get(str(value).lower(), value) if not isinstance(value, bool) else value
        literal = as_bool.get(str(literal).lower(), literal) if not isinstance(literal, bool) else literal
        return value, literal
    if isinstance(value, (int, float)) and isinstance(literal, str):
        try:
            return value, float(literal)
        except ValueError:
            return str(value), literal.casefold()
    if isinstance(value, str) and isinstance(literal, (int, float)):
        try:
            return float(value), literal
        except ValueError:
            return value.casefold(), str(literal)
    return _norm(value), _norm(literal)


def _like(value, pattern):
    regex = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, str(value), re.IGNORECASE | re.DOTALL) is not None


def _compare(value, op, literal):
    if op == "lk":
        return literal is not None and _like(value, str(literal))
    if literal is None or value is None:
        same = value is None and literal is None
        return same if op == "eq" else (not same) if op == "ne" else False
    if isinstance(value, (dict, list)):
        return op == "ne"
    a, b = _coerce(value, literal)
    try:
        return _OPERATORS[op](a, b)
    except TypeError:
        return op == "ne"


_OPERATORS = {"eq": operator.eq, "ne": operator.ne, "gt": operator.gt, "ge": operator.ge,
              "lt": operator.lt, "le": operator.le}
