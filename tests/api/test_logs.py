import json
import logging

from consentry.api.logs import DropQueryStrings, JsonFormatter


def test_access_lines_lose_query_strings_and_are_json() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5", "GET", "/v1/banks?pdq=" + "ab" * 32, "1.1", 200), None,
    )  # fmt: skip
    assert DropQueryStrings().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == '127.0.0.1:5 - "GET /v1/banks HTTP/1.1" 200'
    assert line["level"] == "info"
    assert "ab" * 8 not in json.dumps(line)
