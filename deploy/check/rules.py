"""Project rules on a rendered overlay that generic scanners cannot know.

Usage: python deploy/check/rules.py OVERLAY RENDERED.yaml   (OVERLAY: dev or production)

- Only intake and sanitiser reach the key store (Secret cpi-master-keys); only intake and sanitiser
  hold the HMAC key; only intake, triage and notifier hold the JWT secret.
- Secrets are referenced, never carried: production renders no Secret at all; dev only cpi-nats
  (a credential-free in-cluster URL). No container takes a Secret through env/envFrom.
- Every service has its Deployment, Service, ServiceAccount (token not mounted) and
  PodDisruptionBudget; images are pinned by digest; the migration init container runs first.
- Production: an autoscaler with at least 2 replicas per service, PDB minAvailable 1, spread
  constraints, and JetStream streams replicated 3 times.
Exit 1 naming every broken rule.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # PyYAML comes with the deploy venv (checkov), without stubs

SERVICES = ["intake", "sanitiser", "grader", "notifier", "triage", "relay"]
SECRET_USERS = {
    "cpi-master-keys": {"intake", "sanitiser"},
    "cpi-hmac": {"intake", "sanitiser"},
    "cpi-jwt": {"intake", "triage", "notifier"},
    "cpi-database": set(SERVICES),
    "cpi-nats": set(SERVICES),
}


def main(overlay: str, rendered: str) -> int:
    docs = [d for d in yaml.safe_load_all(Path(rendered).read_text()) if d]
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    problems: list[str] = []

    def secret_refs(pod_spec: dict[str, Any]) -> set[str]:
        refs = set()
        for volume in pod_spec.get("volumes", []):
            if "secret" in volume:
                refs.add(volume["secret"]["secretName"])
            for source in volume.get("projected", {}).get("sources", []):
                if "secret" in source:
                    refs.add(source["secret"]["name"])
        return {r.rsplit("-", 1)[0] if r.startswith("cpi-nats-") else r for r in refs}

    for kind, allowed in (("Secret", {"cpi-nats"} if overlay == "dev" else set()),):
        for name in by_kind.get(kind, {}):
            if not any(name == a or name.startswith(a + "-") for a in allowed):
                problems.append(f"Secret {name} is rendered into the manifests")

    users: dict[str, set[str]] = {s: set() for s in SECRET_USERS}
    for service in SERVICES:
        name = f"cpi-{service}"
        deployment = by_kind.get("Deployment", {}).get(name)
        for kind in ("Deployment", "Service", "ServiceAccount", "PodDisruptionBudget"):
            if name not in by_kind.get(kind, {}):
                problems.append(f"{kind} {name} missing")
        if deployment is None:
            continue
        sa = by_kind.get("ServiceAccount", {}).get(name, {})
        if sa.get("automountServiceAccountToken") is not False:
            problems.append(f"ServiceAccount {name} mounts its token")
        pod = deployment["spec"]["template"]["spec"]
        if pod.get("automountServiceAccountToken") is not False or pod.get("serviceAccountName") != name:
            problems.append(f"Deployment {name}: own ServiceAccount without a token expected")
        for secret in secret_refs(pod):
            users.setdefault(secret, set()).add(service)
        containers = pod.get("initContainers", []) + pod["containers"]
        for container in containers:
            if "@sha256:" not in container["image"]:
                problems.append(f"Deployment {name}/{container['name']}: image not pinned by digest")
            for env in container.get("env", []):
                if "secretKeyRef" in env.get("valueFrom", {}):
                    problems.append(f"Deployment {name}/{container['name']}: secret {env['name']} in env")
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    problems.append(f"Deployment {name}/{container['name']}: envFrom a Secret")
        if [c["name"] for c in pod.get("initContainers", [])] != ["migrate"]:
            problems.append(f"Deployment {name}: the migrate init container is missing")
        if pod["containers"][0]["args"][:2] != ["serve", service]:
            problems.append(f"Deployment {name}: does not run `cpi serve {service}`")
        if overlay == "production":
            hpa = by_kind.get("HorizontalPodAutoscaler", {}).get(name)
            if hpa is None or hpa["spec"]["minReplicas"] < 2:
                problems.append(f"HorizontalPodAutoscaler {name}: missing or minReplicas < 2")
            if "replicas" in deployment["spec"]:
                problems.append(f"Deployment {name}: replicas set although an autoscaler owns it")
            pdb = by_kind["PodDisruptionBudget"].get(name, {}).get("spec", {})
            if pdb.get("minAvailable") != 1 or "maxUnavailable" in pdb:
                problems.append(f"PodDisruptionBudget {name}: minAvailable 1 expected")
            if len(pod.get("topologySpreadConstraints", [])) < 2:
                problems.append(f"Deployment {name}: no zone and node spread constraints")
        elif deployment["spec"].get("replicas") != 1:
            problems.append(f"Deployment {name}: dev runs one replica")

    for secret, allowed in SECRET_USERS.items():
        if users.get(secret, set()) != allowed:
            problems.append(
                f"Secret {secret} is mounted by {sorted(users.get(secret, set()))}, expected {sorted(allowed)}"
            )

    configs = [c for n, c in by_kind.get("ConfigMap", {}).items() if n.startswith("cpi-config")]
    replicas = configs[0]["data"].get("CPI_STREAM_REPLICAS") if len(configs) == 1 else None
    wanted = "3" if overlay == "production" else "1"
    if replicas != wanted:
        problems.append(f"ConfigMap cpi-config: CPI_STREAM_REPLICAS={replicas}, expected {wanted}")

    if problems:
        print(f"{rendered}: {len(problems)} rule(s) broken", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    summary = {kind: len(names) for kind, names in sorted(by_kind.items())}
    print(f"{rendered}: project rules hold ({json.dumps(summary)})")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("dev", "production"):
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
