"""axe-core (vendored in tests/browser/vendor/axe-core) run in a page under test."""

import hashlib
import re
from pathlib import Path

AXE_DIR = Path(__file__).parent / "vendor" / "axe-core"
BLOCKING = ("serious", "critical")


def axe_source() -> str:
    source = (AXE_DIR / "axe.min.js").read_bytes()
    readme = (AXE_DIR / "README.md").read_text()
    digest = re.search(r"`axe\.min\.js`\s+sha256 `([0-9a-f]{64})`", readme).group(1)
    assert hashlib.sha256(source).hexdigest() == digest, "axe.min.js differs from its README"
    return source.decode()


def serious_violations(page, axe: str) -> list[str]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe)  # evaluated by the test driver: the page's CSP does not apply
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        + f" -- {v['nodes'][0]['failureSummary']}".replace("\n", " ")
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]
