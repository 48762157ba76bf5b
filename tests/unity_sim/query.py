"""The query engine: fields, compact, filter, orderby, paging, and the response envelopes
(reference 2.1, 2.2).

* Without ``fields=`` only ``id`` is returned. ``fields=a,b.c`` selects attributes, dot notation
  reaches into embedded objects (``health.value``), lists of them (``tasks.caption``) and references
  (``candidate.version`` reads the referenced candidate; the reference keeps its ``id``). A field the
  type does not have (or that this array's OE generation does not have: ``hidden``) is a 422
  error entity.
* ``compact=true`` drops each entry's ``@base``, ``updated`` and ``links``; the collection keeps its own.
* ``per_page`` (default and maximum 2000) and ``page`` (from 1); ``links`` holds ``self`` and, when
  relevant, ``first``/``prev``/``next`` (and ``last`` with ``with_entrycount=true``), as
  ``"&page=N"``; ``with_entrycount=true`` adds ``entryCount``.
* ``filter=`` (see ``filters``) and ``orderby=attr [asc|desc], ...``.
* The collection's ``@base`` repeats the query as the array does:
  ``https://HOST/api/types/T/instances?filter=..&fields=..&per_page=2000&compact=true``.
"""

import copy
from urllib.parse import parse_qsl

from . import catalog as C
from . import filters
from .errors import ApiError

MAX_PER_PAGE = 2000
_MISSING = object()


def parse_params(query):
    """Query parameters; a repeated parameter keeps its last value."""
    return dict(parse_qsl(query or "", keep_blank_values=True))


def is_true(value):
    return str(value).strip().lower() in ("true", "t", "1", "yes", "y")


class Query:
    def __init__(self, typedef, params, resolve, hidden=None):
        """``resolve(type_name, id)`` returns a referenced instance's content or None;
        ``hidden(type_name)`` the attributes this array does not have (the ``oe`` scenario key)."""
        self.type = typedef
        self.params = params
        self.resolve = resolve
        self.hidden = hidden or (lambda type_name: frozenset())
        self.fields = self._fields(params.get("fields"))
        self.compact = is_true(params.get("compact", "false"))

    # --- fields ----------------------------------------------------------------------------------

    def check_field(self, dotted, typedef=None):
        typedef = typedef or self.type
        parts = dotted.split(".")
        top = parts[0]
        if top not in typedef.fields or top in self.hidden(typedef.name):
            raise ApiError(C.E_UNKNOWN_FIELD, field=dotted, type=typedef.name)
        if len(parts) > 1:
            if top in typedef.refs:
                from .resources import TYPES  # the referenced type's attributes
                target = TYPES.get(typedef.refs[top])
                if target is not None:
                    self.check_field(".".join(parts[1:]), target)
            elif top in typedef.embedded:
                sub = typedef.embedded[top]
                if sub is not None and parts[1] not in sub:
                    raise ApiError(C.E_UNKNOWN_FIELD, field=dotted, type=typedef.name)

    def _fields(self, raw):
        if raw is None:
            return []
        fields = [f.strip() for f in raw.split(",") if f.strip()]
        for field in fields:
            self.check_field(field)
        return fields

    def _walk(self, value, parts, ref_type):
        """The part of ``value`` selected by ``parts`` (a projection), or _MISSING."""
        if not parts:
            return copy.deepcopy(value)
        if isinstance(value, list):
            items = [self._walk(v, parts, ref_type) for v in value]
            return [i for i in items if i is not _MISSING]
        if not isinstance(value, dict):
            return _MISSING
        key = parts[0]
        if key in value:
            sub = self._walk(value[key], parts[1:], None)
            return _MISSING if sub is _MISSING else {key: sub}
        if ref_type and "id" in value:
            target = self.resolve(ref_type, value["id"])
            if target is not None and key in target:
                sub = self._walk(target[key], parts[1:], None)
                if sub is not _MISSING:
                    return {"id": value["id"], key: sub}
        return _MISSING

    def project(self, content):
        out = {"id": content.get("id")}
        for field in self.fields:
            parts = field.split(".")
            top = parts[0]
            if top not in content:
                continue
            ref = self.type.refs.get(top) if len(parts) > 1 else None
            sub = self._walk(content[top], parts[1:], ref)
            if sub is not _MISSING:
                _merge(out, {top: sub})
        return out

    def values(self, content, dotted):
        """Every value at ``dotted`` (lists are flattened), for filters and ordering."""
        parts = dotted.split(".")
        current = [content]
        for i, key in enumerate(parts):
            nxt = []
            for value in current:
                for item in (value if isinstance(value, list) else [value]):
                    if not isinstance(item, dict):
                        continue
                    if key in item:
                        nxt.append(item[key])
                    elif i == 1 and parts[0] in self.type.refs and "id" in item:
                        target = self.resolve(self.type.refs[parts[0]], item["id"])
                        if target is not None and key in target:
                            nxt.append(target[key])
            current = nxt
        flat = []
        for value in current:
            flat.extend(value if isinstance(value, list) else [value])
        return flat

    def canonical(self, dotted, typedef=None):
        """``dotted`` with each known part in its real spelling (filter attribute names are
        case-insensitive), checked like a field."""
        typedef = typedef or self.type
        parts = dotted.split(".")
        lower = {f.lower(): f for f in typedef.fields}
        parts[0] = lower.get(parts[0].lower(), parts[0])
        if len(parts) > 1:
            sub = typedef.embedded.get(parts[0])
            if parts[0] in typedef.refs:
                from .resources import TYPES
                target = TYPES.get(typedef.refs[parts[0]])
                if target is not None:
                    return parts[0] + "." + self.canonical(".".join(parts[1:]), target)
            elif sub:
                parts[1] = {s.lower(): s for s in sub}.get(parts[1].lower(), parts[1])
        dotted = ".".join(parts)
        self.check_field(dotted, typedef)
        return dotted

    # --- collection ------------------------------------------------------------------------------

    def select(self, contents):
        raw = self.params.get("filter")
        if raw is not None and raw.strip():
            tree = filters.parse(raw, self.canonical)
            contents = [c for c in contents
                        if filters.evaluate(tree, lambda f, c=c: self.values(c, f))]
        order = self.params.get("orderby")
        if order:
            for clause in reversed([o.strip() for o in order.split(",") if o.strip()]):
                name, dummy, direction = clause.partition(" ")
                self.check_field(name)
                desc = direction.strip().lower() == "desc"
                contents = sorted(contents, key=lambda c, n=name: _sort_key(self.values(c, n)),
                                  reverse=desc)
        return contents

    def paging(self):
        try:
            per_page = int(self.params.get("per_page", MAX_PER_PAGE))
            page = int(self.params.get("page", 1))
        except ValueError:
            raise ApiError(C.E_BAD_PARAMETER)
        if per_page < 1 or page < 1:
            raise ApiError(C.E_BAD_PARAMETER)
        return min(per_page, MAX_PER_PAGE), page

    def collection(self, contents, host, now_iso):
        contents = self.select(contents)
        per_page, page = self.paging()
        total = len(contents)
        pages = max(1, -(-total // per_page))
        chunk = contents[(page - 1) * per_page: page * per_page]
        links = [{"rel": "self", "href": "&page=%d" % page}]
        if page > 1:
            links.append({"rel": "first", "href": "&page=1"})
            links.append({"rel": "prev", "href": "&page=%d" % min(page - 1, pages)})
        if page < pages:
            links.append({"rel": "next", "href": "&page=%d" % (page + 1)})
        with_count = is_true(self.params.get("with_entrycount", "false"))
        if with_count and pages > 1:
            links.append({"rel": "last", "href": "&page=%d" % pages})
        body = {"@base": "%sapi/types/%s/instances?%s" % (host, self.type.name, self._base_query(per_page)),
                "updated": now_iso, "links": links}
        if with_count:
            body["entryCount"] = total
        body["entries"] = [self.entry(c, host, now_iso) for c in chunk]
        return body

    def _base_query(self, per_page):
        parts = ["%s=%s" % (k, self.params[k]) for k in ("filter", "fields", "orderby")
                 if k in self.params]
        parts.append("per_page=%d" % per_page)
        if self.compact:
            parts.append("compact=true")
        return "&".join(parts)

    def entry(self, content, host, now_iso):
        projected = self.project(content)
        if self.compact:
            return {"content": projected}
        return {"@base": "%sapi/instances/%s" % (host, self.type.name), "updated": now_iso,
                "links": [{"rel": "self", "href": "/%s" % content.get("id")}],
                "content": projected}

    def instance(self, content, host, now_iso):
        return self.entry(content, host, now_iso)


def envelope(base, now_iso, content, href="/"):
    """Instance-shaped body of an action with output or of a create (reference 2.3, 2.4)."""
    return {"@base": base, "updated": now_iso, "links": [{"rel": "self", "href": href}],
            "content": content}


def _merge(into, extra):
    for key, value in extra.items():
        if key in into and isinstance(into[key], dict) and isinstance(value, dict):
            _merge(into[key], value)
        elif key in into and isinstance(into[key], list) and value == []:
            pass  # a sub-attribute no item has (attributes.initialValue): keep the other ones
        elif (key in into and isinstance(into[key], list) and isinstance(value, list)
              and len(into[key]) == len(value)):
            for a, b in zip(into[key], value):
                if isinstance(a, dict) and isinstance(b, dict):
                    _merge(a, b)
        else:
            into[key] = value


def _sort_key(values):
    value = values[0] if values else None
    if value is None:
        return (0, 0, "")
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return (1, float(value), "")
    return (2, 0, str(value).casefold())
