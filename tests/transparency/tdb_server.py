"""A local stand-in for the DSA Transparency Database, implementing its documented API:
`POST /api/v1/statements` (up to 100, bearer token, 201 with the created statements,
422 for an invalid one or a puid already used) and `GET
/api/v1/statement/existing-puid/{puid}` (302 when known, 404 when not)."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonschema

from consentry.transparency.tdb import schema

TOKEN = "tdb-test-token"


@dataclass
class Database:
    statements: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    # Scripted faults, consumed in order: "500" (refuse) or "lost" (store, answer 500).
    faults: list[str] = field(default_factory=list)


@contextmanager
def tdb_server() -> Iterator[tuple[str, Database]]:
    database = Database()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, status: int, body: Any = None) -> None:
            data = json.dumps(body).encode() if body is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._answer(401, {"message": "Unauthenticated."})
                return False
            return True

        def do_GET(self) -> None:
            database.requests.append(("GET", self.path))
            prefix = "/api/v1/statement/existing-puid/"
            if not self._authorised():
                return
            if self.path.startswith(prefix) and self.path[len(prefix) :] in database.statements:
                self._answer(302, {"message": "statement found"})
            else:
                self._answer(404, {"message": "statement not found"})

        def do_POST(self) -> None:
            database.requests.append(("POST", self.path))
            if not self._authorised():
                return
            if self.path != "/api/v1/statements":
                self._answer(404)
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            statements = body.get("statements", [])
            with lock:
                fault = database.faults.pop(0) if database.faults else None
                if fault == "500":
                    self._answer(500, {"message": "Server Error"})
                    return
                if not 1 <= len(statements) <= 100:
                    self._answer(422, {"message": "between 1 and 100 statements"})
                    return
                for statement in statements:
                    try:
                        jsonschema.validate(statement, schema())
                    except jsonschema.ValidationError as error:
                        self._answer(422, {"message": error.message})
                        return
                    if statement["puid"] in database.statements:
                        self._answer(422, {"message": "The puid has already been taken."})
                        return
                created = [{**s, "uuid": str(uuid.uuid4())} for s in statements]
                database.statements.update({s["puid"]: s for s in created})
                if fault == "lost":
                    self._answer(500, {"message": "gateway timeout"})
                    return
            self._answer(201, {"statements": created})

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", database
    finally:
        server.shutdown()
