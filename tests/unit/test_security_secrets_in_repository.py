"""No secret is kept in the repository: every tracked (or about to be) file is scanned for keys and tokens.

Tests and the dev stack make their keys at run time (`secrets.token_bytes`), so no literal should
ever match; the scanner itself is tested on values generated here, never written down.
"""

from __future__ import annotations

import base64
import re
import secrets
import shutil
import subprocess
from pathlib import Path

import jwt
import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_BYTES = 2_000_000
ASSIGNED_NAME = r"[\w.-]*(?:key|secret|token|password|passwd|credential)[\w.-]*"
SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"),
    "JWT": re.compile(r"\beyJ[\w-]{10,}\.eyJ[\w-]{10,}\.[\w-]*"),
    # KEY=..., "secret": "...", jwt_secret: id:...: a long base64/hex/url-safe value under a secret's name.
    "key assigned to a secret name": re.compile(
        rf"(?i)\b{ASSIGNED_NAME}[\"']?\s*[:=]\s*[\"']?(?:[\w.-]{{1,40}}:)?(?=[\w+/=-]*\d)(?=[\w+/=-]*[A-Za-z])"
        r"[\w+/-]{32,}={0,2}"
    ),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
}
# Files that may hold such text on purpose: none today; name one here only with the reason.
ALLOWED: dict[str, str] = {}


def findings(text: str) -> list[str]:
    return [
        f"{kind} at line {text.count(chr(10), 0, match.start()) + 1}"
        for kind, pattern in SECRET_PATTERNS.items()
        for match in pattern.finditer(text)
    ]


def repository_files() -> list[Path]:
    git = shutil.which("git")
    if git is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(
        [git, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [ROOT / name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def test_no_tracked_file_holds_a_private_key_a_token_or_a_key_value() -> None:
    found = {}
    for path in repository_files():
        relative = path.relative_to(ROOT).as_posix()
        if relative in ALLOWED or path.stat().st_size > MAX_BYTES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary: images, fonts
        if hits := findings(text):
            found[relative] = hits
    assert not found, f"possible secrets committed: {found}"


def test_the_scanner_finds_each_kind_of_secret() -> None:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    pem_header = "-----BEGIN " + "PRIVATE KEY-----"
    token = jwt.encode({"sub": "x", "role": "analyst"}, secrets.token_urlsafe(32), algorithm="HS256")
    samples = {
        "private key": f"{pem_header}\nMC4CAQAwBQYDK2VwBCIEI...\n",
        "JWT": f"curl -H 'Authorization: Bearer {token}'",
        "key assigned to a secret name": f'CPI_HMAC_KEY = "{key}"',
        "AWS access key": "aws_id = AKIA" + "ABCDEFGHIJKLMNOP",
        "GitHub token": "gh" + "p_" + secrets.token_hex(18),
    }
    for kind, sample in samples.items():
        assert any(hit.startswith(kind) for hit in findings(sample)), kind
    assert findings(f"CPI_MASTER_KEYS: dev-1:{key}")
    assert findings(f'"CPI_JWT_SECRET": "{secrets.token_urlsafe(48)}"')


def test_the_scanner_leaves_code_that_makes_keys_at_run_time_alone() -> None:
    code = (
        '"CPI_MASTER_KEYS": "dev-1:" + base64.b64encode(secrets.token_bytes(32)).decode(),\n'
        "jwt_secret: SecretStr | None = None\n"
        'token = issue_token(secret, "analyst")\n'
        'CPI_JWT_SECRET = os.environ["CPI_JWT_SECRET"]\n'
        "secret_key_reference: signing-key-from-vault-kubernetes-secret-name\n"
    )
    assert findings(code) == []
