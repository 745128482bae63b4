"""A request as the portal's form sends it (hashes as the page computes them), and the
reference and PIN its receipt shows."""

from __future__ import annotations

import re

COMPLETE = {
    "kind": "remove",
    "standing": "self",
    "urls": "https://example.org/post/1",
    "intimacy": "intimate_parts",
    "under_18": "no",
    "email": "person@example.org",
    "good_faith": "on",
    "accurate": "on",
    "signature_name": "Alex Example",
    "signed": "on",
}


def codes(page: str) -> tuple[str, str]:
    found = re.search(r'id="reference"><code>([^<]+)</code>.*id="pin"><code>([^<]+)<', page, re.S)
    assert found is not None
    return found.group(1), found.group(2)
