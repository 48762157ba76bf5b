"""The Unity error entity ("message entity", reference 2.5) and the exception that carries it.

``{"error": {"errorCode": <int>, "httpStatusCode": <int>,
             "messages": [{"en-US": "<text> (Error Code:0x<hex>)"}], "created": "<iso>"}}``
"""


class ApiError(Exception):
    """An answer with a non-2xx status and the error entity as body."""

    def __init__(self, spec, headers=None, **fmt):
        code, status, text = spec
        self.error_code = code
        self.http_status = status
        self.text = text.format(**fmt) if fmt else text
        self.headers = headers or {}
        super().__init__("%d %s" % (status, self.text))

    def entity(self, created_iso):
        return error_entity(self.error_code, self.http_status, self.text, created_iso)


def error_entity(code, status, text, created_iso):
    return {"error": {"errorCode": code, "httpStatusCode": status,
                      "messages": [{"en-US": "%s (Error Code:0x%x)" % (text, code)}],
                      "created": created_iso}}
