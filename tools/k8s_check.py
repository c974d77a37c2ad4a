"""Render the k8s overlays with a real kustomize and validate them offline (`make k8s-check`).

python -m tools.k8s_check   exit 0: every overlay passes; 1: a problem; 2: no renderer

The renderer is kustomize KUSTOMIZE_VERSION, built with `go install` from the Go module proxy into
$GAPLESS_CACHE_DIR/bin (default ~/.cache/gapless/bin, outside git) on first use. Without Go, the
kustomize built into kubectl is used. GAPLESS_KUSTOMIZE=/path/to/kustomize overrides both.
The rendered YAML is then checked in Python against what the product needs from a deployment;
tests/unit/test_k8s_manifests.py runs the same checks under pytest.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.8.1"
K8S_DIR = Path(__file__).resolve().parent.parent / "k8s"
SERVICES = ("order", "inventory", "credit", "fulfillment", "andon")
CONTAINER = "app"
DSN_SECRET = ("gapless-database", "url")
# replicas x GAPLESS_DB_POOL_SIZE summed over services must stay under this: PostgreSQL's default
# max_connections (100) less room for rolling-update surge pods and operators' sessions.
DB_CONNECTION_BUDGET = 80
# Rendered objects must be valid (strict: no unknown fields) for the oldest Kubernetes we support
# and the newest whose schemas kubernetes-validate bundles.
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Expectations:
    """What an overlay must produce, beyond what every overlay must produce."""

    namespace: str
    partitions: int
    replication_factor: int
    min_replicas: Mapping[str, int] = field(default_factory=dict)
    release_image: bool = False


OVERLAYS: Mapping[str, Expectations] = {
    "dev": Expectations(namespace="gapless-dev", partitions=6, replication_factor=1),
    "prod": Expectations(
        namespace="gapless",
        partitions=12,
        replication_factor=3,
        min_replicas={"order": 2, "inventory": 2},
        release_image=True,
    ),
}


class RendererUnavailable(RuntimeError):
    """Neither a pinned kustomize, nor Go to build one, nor kubectl is available."""


class RenderError(RuntimeError):
    """kustomize failed on an overlay."""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# --- rendering ------------------------------------------------------------------------------------


def kustomize_command() -> list[str]:
    """The command that renders a kustomization directory given as its last argument.

    Raises:
        RendererUnavailable: no kustomize could be found or built.
    """
    if override := os.environ.get("GAPLESS_KUSTOMIZE"):
        return [override, "build"]
    pinned = _cache_dir() / f"kustomize-{KUSTOMIZE_VERSION}"
    errors = []
    go = _go()
    if not pinned.is_file() and go:
        try:
            _go_install(go, pinned)
        except subprocess.CalledProcessError as error:
            errors.append(
                f"go install {KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}: {error.stderr[-800:]}"
            )
        except (OSError, subprocess.SubprocessError) as error:
            errors.append(f"go install {KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}: {error}")
    if pinned.is_file():
        return [str(pinned), "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    if go is None:
        errors.append(f"no Go toolchain to build kustomize {KUSTOMIZE_VERSION}")
    errors.append("no kubectl on PATH")
    raise RendererUnavailable("; ".join(errors))


def _go() -> str | None:
    # Go's official tarball installs to /usr/local/go, which a non-login shell may not have on PATH.
    default = Path("/usr/local/go/bin/go")
    return shutil.which("go") or (str(default) if default.is_file() else None)


def _cache_dir() -> Path:
    base = os.environ.get("GAPLESS_CACHE_DIR") or Path.home() / ".cache" / "gapless"
    return Path(base) / "bin"


def _go_install(go: str, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # Built into a private folder and renamed into place, so a concurrent run never executes a
    # half-written binary. GOTOOLCHAIN=local: never download another Go toolchain.
    with tempfile.TemporaryDirectory(dir=target.parent) as build_dir:
        env = {**os.environ, "GOBIN": build_dir, "GOTOOLCHAIN": "local"}
        subprocess.run(
            [go, "install", f"{KUSTOMIZE_MODULE}@{KUSTOMIZE_VERSION}"],
            cwd=build_dir,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=900,
        )
        os.replace(Path(build_dir) / "kustomize", target)


@dataclass(frozen=True)
class Rendered:
    """One overlay's rendered objects and what it is expected to contain."""

    overlay: str
    objects: list[Manifest]

    @property
    def expect(self) -> Expectations:
        return OVERLAYS[self.overlay]

    def of_kind(self, kind: str) -> list[Manifest]:
        return [o for o in self.objects if o.get("kind") == kind]

    def get(self, kind: str, name: str) -> Manifest | None:
        return next((o for o in self.of_kind(kind) if o["metadata"]["name"] == name), None)


def render(overlay: str, command: list[str]) -> Rendered:
    """Render one overlay into its objects.

    Raises:
        RenderError: kustomize refused the overlay (its message is in the error).
    """
    result = subprocess.run(
        [*command, str(K8S_DIR / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise RenderError(f"kustomize could not render overlay {overlay}:\n{result.stderr}")
    return Rendered(overlay, [o for o in yaml.safe_load_all(result.stdout) if o])


# --- reading manifests ----------------------------------------------------------------------------


def _name(obj: Manifest) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def _pod(deployment: Manifest) -> Manifest:
    pod: Manifest = deployment["spec"]["template"]
    return pod


def app_container(deployment: Manifest) -> Manifest:
    containers = _pod(deployment)["spec"].get("containers", [])
    return next((c for c in containers if c.get("name") == CONTAINER), containers[0])


def _replicas(deployment: Manifest) -> int:
    return int(deployment["spec"].get("replicas", 1))


def _port(container: Manifest, port: int | str | None) -> int | None:
    """A probe's or Service's port (number or name) as the container port it reaches."""
    for declared in container.get("ports", []):
        if port in (declared.get("name"), declared.get("containerPort")):
            return int(declared["containerPort"])
    return None


def _selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """matchLabels semantics; the checker refuses matchExpressions rather than guess."""
    if "matchExpressions" in selector:
        raise ValueError("selectors with matchExpressions are not supported by this checker")
    wanted = selector.get("matchLabels", selector)
    return all(labels.get(key) == value for key, value in wanted.items())


def environment(rendered: Rendered, deployment: Manifest) -> dict[str, str]:
    """The app container's GAPLESS_* settings as the process sees them (envFrom, then env)."""
    env: dict[str, str] = {}
    container = app_container(deployment)
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        config_map = rendered.get("ConfigMap", ref) if ref else None
        env.update((config_map or {}).get("data", {}))
    for var in container.get("env", []):
        env[var["name"]] = var.get("value", "<valueFrom>")
    return env


_UNITS = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(value: str | int | float) -> float:
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    if not match or match.group(2) not in _UNITS:
        raise ValueError(f"unsupported quantity {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


# --- checks: each returns the problems it found, as sentences -------------------------------------

Check = Callable[[Rendered], list[str]]


def check_schema(rendered: Rendered) -> list[str]:
    """Every object is valid against the Kubernetes OpenAPI schema; unknown fields are errors.

    Catches what kustomize lets through: a misspelt field in a patch is merged, not refused.
    """
    try:
        import kubernetes_validate
    except ImportError:
        return ["kubernetes-validate is not installed (a dev dependency: make install)"]
    problems = []
    for obj, version in ((o, v) for o in rendered.objects for v in KUBERNETES_VERSIONS):
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            problems.append(f"{_name(obj)} (Kubernetes {version}): {error.message}")
    return problems


def check_objects(rendered: Rendered) -> list[str]:
    """Five services, no Secret value, all in the overlay's namespace under Pod Security."""
    problems = []
    names = sorted(d["metadata"]["name"] for d in rendered.of_kind("Deployment"))
    if names != sorted(SERVICES):
        problems.append(f"Deployments are {names}, expected one per service {sorted(SERVICES)}")
    problems += [
        f"{_name(s)} is rendered: secrets are referenced, never committed"
        for s in rendered.of_kind("Secret")
    ]
    namespace = rendered.get("Namespace", rendered.expect.namespace)
    labels = (namespace or {}).get("metadata", {}).get("labels", {})
    if labels.get("pod-security.kubernetes.io/enforce") != "restricted":
        problems.append(
            f"Namespace {rendered.expect.namespace} missing or not enforcing restricted"
        )
    problems += [
        f"{_name(o)} is in namespace {o['metadata'].get('namespace')!r}"
        for o in rendered.objects
        if o["kind"] != "Namespace" and o["metadata"].get("namespace") != rendered.expect.namespace
    ]
    return problems


def check_images(rendered: Rendered) -> list[str]:
    """One image, tagged, never `latest`; each Deployment runs its own service module."""
    problems = []
    for deployment in rendered.of_kind("Deployment"):
        name, app = deployment["metadata"]["name"], app_container(deployment)
        image = app.get("image", "")
        tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
        if (not tag and "@sha256:" not in image) or tag == "latest":
            problems.append(f"{name}: image {image!r} needs an explicit tag or digest, not latest")
        if rendered.expect.release_image and not (
            re.fullmatch(r"\d+\.\d+\.\d+.*", tag) and "/" in image
        ):
            problems.append(
                f"{name}: image {image!r} should be a registry image with a release tag"
            )
        if app.get("command") != ["python", "-m", f"services.{name}"]:
            problems.append(f"{name}: command {app.get('command')} does not run services.{name}")
    if len({app_container(d).get("image") for d in rendered.of_kind("Deployment")}) > 1:
        problems.append("services run different images; there is one image for all of them")
    return problems


def check_probes(rendered: Rendered) -> list[str]:
    """Liveness on /healthz, readiness on /readyz, both on the port the process listens on."""
    problems = []
    wanted = {"livenessProbe": "/healthz", "readinessProbe": "/readyz", "startupProbe": "/healthz"}
    for deployment in rendered.of_kind("Deployment"):
        name, app = deployment["metadata"]["name"], app_container(deployment)
        listen = environment(rendered, deployment).get("GAPLESS_PORT")
        for probe, path in wanted.items():
            if probe == "startupProbe" and probe not in app:
                continue  # optional; when present it must not check anything liveness doesn't
            http = app.get(probe, {}).get("httpGet")
            if not http or http.get("path") != path:
                problems.append(f"{name}: {probe} must be an httpGet on {path}")
            elif str(_port(app, http.get("port"))) != listen:
                problems.append(
                    f"{name}: {probe} port {http.get('port')} is not GAPLESS_PORT {listen}"
                )
    return problems


def check_resources(rendered: Rendered) -> list[str]:
    """CPU and memory requests and a memory limit no lower than the request."""
    problems = []
    for deployment in rendered.of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        resources = app_container(deployment).get("resources", {})
        requests, limits = resources.get("requests", {}), resources.get("limits", {})
        missing = [r for r in ("cpu", "memory") if r not in requests]
        if missing or "memory" not in limits:
            problems.append(f"{name}: needs requests.cpu, requests.memory and limits.memory")
        elif quantity(limits["memory"]) < quantity(requests["memory"]):
            problems.append(
                f"{name}: memory limit {limits['memory']} < request {requests['memory']}"
            )
    return problems


def check_security(rendered: Rendered) -> list[str]:
    """Non-root, read-only root filesystem with an emptyDir /tmp, no privileges, no API token."""
    problems = []
    for deployment in rendered.of_kind("Deployment"):
        name, spec, app = (
            deployment["metadata"]["name"],
            _pod(deployment)["spec"],
            app_container(deployment),
        )
        pod_ctx, ctx = spec.get("securityContext", {}), app.get("securityContext", {})
        # The container's settings override the pod's.
        effective = {**pod_ctx, **ctx}
        required = {
            "runAsNonRoot": effective.get("runAsNonRoot") is True,
            "runAsUser != 0": effective.get("runAsUser") not in (None, 0),
            "seccompProfile RuntimeDefault": effective.get("seccompProfile") == _RUNTIME_DEFAULT,
            "readOnlyRootFilesystem": ctx.get("readOnlyRootFilesystem") is True,
            "allowPrivilegeEscalation false": ctx.get("allowPrivilegeEscalation") is False,
            "capabilities drop ALL": "ALL" in ctx.get("capabilities", {}).get("drop", []),
            "automountServiceAccountToken false": spec.get("automountServiceAccountToken") is False,
            "emptyDir at /tmp": _tmp_is_empty_dir(spec, app),
        }
        problems += [f"{name}: needs {what}" for what, ok in required.items() if not ok]
    return problems


_RUNTIME_DEFAULT = {"type": "RuntimeDefault"}


def _tmp_is_empty_dir(spec: Manifest, container: Manifest) -> bool:
    mount = next(
        (m for m in container.get("volumeMounts", []) if m.get("mountPath") == "/tmp"), None
    )
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    return mount is not None and "emptyDir" in volumes.get(mount["name"], {})


def check_configuration(rendered: Rendered) -> list[str]:
    """Settings from rendered ConfigMaps, the DSN from the Secret only, one Kafka layout."""
    problems = []
    expect = rendered.expect
    shared_keys = (
        "GAPLESS_KAFKA__BOOTSTRAP_SERVERS",
        "GAPLESS_KAFKA__PARTITIONS",
        "GAPLESS_KAFKA__REPLICATION_FACTOR",
        "GAPLESS_NAMESPACE",
    )
    required = {
        "GAPLESS_BUS": "kafka",
        "GAPLESS_HOST": "0.0.0.0",
        "GAPLESS_KAFKA__PARTITIONS": str(expect.partitions),
        "GAPLESS_KAFKA__REPLICATION_FACTOR": str(expect.replication_factor),
    }
    layouts = set()
    for deployment in rendered.of_kind("Deployment"):
        name, env = deployment["metadata"]["name"], environment(rendered, deployment)
        problems += _config_map_refs(rendered, deployment) + _dsn_ref(deployment)
        problems += [
            f"{name}: {key}={env.get(key)!r}, expected {value!r}"
            for key, value in required.items()
            if env.get(key) != value
        ]
        if not env.get("GAPLESS_KAFKA__BOOTSTRAP_SERVERS"):
            problems.append(f"{name}: GAPLESS_KAFKA__BOOTSTRAP_SERVERS is not set")
        layouts.add(tuple(env.get(key) for key in shared_keys))
    if len(layouts) > 1:
        problems.append(f"services disagree on {shared_keys}: {sorted(layouts, key=str)}")
    problems += [
        f"{_name(c)} holds a database URL; it belongs in Secret {DSN_SECRET[0]}"
        for c in rendered.of_kind("ConfigMap")
        if any(
            "postgresql://" in str(v) or "DATABASE_URL" in k for k, v in c.get("data", {}).items()
        )
    ]
    return problems


def _config_map_refs(rendered: Rendered, deployment: Manifest) -> list[str]:
    refs = [
        s["configMapRef"]["name"]
        for s in app_container(deployment).get("envFrom", [])
        if "configMapRef" in s
    ]
    name = deployment["metadata"]["name"]
    problems = [
        f"{name}: envFrom ConfigMap {ref} is not rendered"
        for ref in refs
        if rendered.get("ConfigMap", ref) is None
    ]
    if not any(ref.startswith(f"{name}-config") for ref in refs):
        problems.append(f"{name}: does not read its own ConfigMap {name}-config")
    return problems


def _dsn_ref(deployment: Manifest) -> list[str]:
    env = {v["name"]: v for v in app_container(deployment).get("env", [])}
    ref = env.get("GAPLESS_DATABASE_URL", {}).get("valueFrom", {}).get("secretKeyRef", {})
    if (ref.get("name"), ref.get("key")) != DSN_SECRET:
        return [
            f"{deployment['metadata']['name']}: GAPLESS_DATABASE_URL must come from "
            f"secretKeyRef {DSN_SECRET[0]}/{DSN_SECRET[1]}"
        ]
    return []


def check_scaling(rendered: Rendered) -> list[str]:
    """Replicas within the partition count and the overlay's minimum; pools fit the database."""
    problems = []
    connections = 0
    for deployment in rendered.of_kind("Deployment"):
        name, replicas = deployment["metadata"]["name"], _replicas(deployment)
        env = environment(rendered, deployment)
        if replicas > int(env.get("GAPLESS_KAFKA__PARTITIONS", "6")):
            problems.append(f"{name}: {replicas} replicas > partitions; the extra ones idle")
        if replicas < rendered.expect.min_replicas.get(name, 1):
            problems.append(
                f"{name}: {replicas} replicas, expected at least "
                f"{rendered.expect.min_replicas[name]}"
            )
        connections += replicas * int(env.get("GAPLESS_DB_POOL_SIZE", "10"))
    if connections > DB_CONNECTION_BUDGET:
        problems.append(
            f"replicas x pool size = {connections} > {DB_CONNECTION_BUDGET} connections"
        )
    return problems


def check_services(rendered: Rendered) -> list[str]:
    """Every Service selects exactly one Deployment's pods on a port the container declares."""
    problems = []
    deployments = rendered.of_kind("Deployment")
    for service in rendered.of_kind("Service"):
        selector = service["spec"].get("selector") or {}
        matched = [
            d
            for d in deployments
            if selector and _selects(selector, _pod(d)["metadata"].get("labels", {}))
        ]
        if len(matched) != 1:
            problems.append(f"{_name(service)} selects {len(matched)} Deployments, expected 1")
            continue
        for port in service["spec"].get("ports", []):
            if _port(app_container(matched[0]), port.get("targetPort", port.get("port"))) is None:
                problems.append(
                    f"{_name(service)}: targetPort {port.get('targetPort')} not declared"
                )
    names = {s["metadata"]["name"] for s in rendered.of_kind("Service")}
    problems += [f"Deployment/{s} has no Service" for s in SERVICES if s not in names]
    return problems


def check_selectors(rendered: Rendered) -> list[str]:
    """A Deployment's selector matches its own pod template (the API server insists too)."""
    return [
        f"{_name(d)}: selector does not match its pod template labels"
        for d in rendered.of_kind("Deployment")
        if not _selects(d["spec"]["selector"], _pod(d)["metadata"].get("labels", {}))
    ]


def check_disruption_budgets(rendered: Rendered) -> list[str]:
    """Exactly one budget per Deployment with >1 replica; none that could block every drain."""
    problems = []
    budgets = rendered.of_kind("PodDisruptionBudget")
    for deployment in rendered.of_kind("Deployment"):
        name, replicas = deployment["metadata"]["name"], _replicas(deployment)
        labels = _pod(deployment)["metadata"].get("labels", {})
        mine = [b for b in budgets if _selects(b["spec"].get("selector", {}), labels)]
        if replicas > 1 and len(mine) != 1:
            problems.append(
                f"{name}: {replicas} replicas need exactly one PodDisruptionBudget, has {len(mine)}"
            )
        if replicas == 1 and mine:
            problems.append(f"{name}: a PodDisruptionBudget on a single replica")
        problems += [
            f"{_name(b)}: allows no pod of {name} to be evicted, blocking every drain"
            for b in mine
            if evictable(b["spec"], replicas) < 1
        ]
    return problems


def evictable(budget: Manifest, replicas: int) -> int:
    """Pods a budget lets a drain evict at once (percentages round up, as in Kubernetes)."""

    def count(value: int | str) -> int:
        text = str(value)
        return -(-replicas * int(text[:-1]) // 100) if text.endswith("%") else int(text)

    if "maxUnavailable" in budget:
        return count(budget["maxUnavailable"])
    return replicas - count(budget.get("minAvailable", 0))


def check_network_policy(rendered: Rendered) -> list[str]:
    """Every pod's HTTP port admits in-cluster peers only, so probes and metrics stay internal."""
    problems = []
    policies = [
        p
        for p in rendered.of_kind("NetworkPolicy")
        if "Ingress" in p["spec"].get("policyTypes", ["Ingress"])
    ]
    for deployment in rendered.of_kind("Deployment"):
        labels = _pod(deployment)["metadata"].get("labels", {})
        if not any(_selects(p["spec"].get("podSelector", {}), labels) for p in policies):
            problems.append(f"{_name(deployment)}: no ingress NetworkPolicy selects its pods")
    for policy in policies:
        problems += [
            f"{_name(policy)}: {why}" for why in _open_ingress(policy["spec"].get("ingress", []))
        ]
    return problems


def _open_ingress(rules: Iterable[Manifest]) -> list[str]:
    problems = []
    for rule in rules:
        peers = rule.get("from") or []
        if not peers:
            problems.append(
                "an ingress rule without `from` admits traffic from outside the cluster"
            )
        if any("ipBlock" in peer for peer in peers):
            problems.append("an ipBlock peer may admit traffic from outside the cluster")
        if {str(p.get("port")) for p in rule.get("ports", [{}])} - {"http", "8000"}:
            problems.append("ingress is open on ports other than the HTTP port")
    return problems


def check_prometheus(rendered: Rendered) -> list[str]:
    """Pods carry the scrape annotations, pointing at the port that serves /metrics."""
    problems = []
    for deployment in rendered.of_kind("Deployment"):
        annotations = _pod(deployment)["metadata"].get("annotations", {})
        port = environment(rendered, deployment).get("GAPLESS_PORT")
        wanted = {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": port,
            "prometheus.io/path": "/metrics",
        }
        problems += [
            f"{_name(deployment)}: annotation {key}={annotations.get(key)!r}, expected {value!r}"
            for key, value in wanted.items()
            if annotations.get(key) != value
        ]
    return problems


CHECKS: Mapping[str, Check] = {
    "schema": check_schema,
    "objects": check_objects,
    "images": check_images,
    "probes": check_probes,
    "resources": check_resources,
    "security": check_security,
    "configuration": check_configuration,
    "scaling": check_scaling,
    "services": check_services,
    "selectors": check_selectors,
    "disruption-budgets": check_disruption_budgets,
    "network-policy": check_network_policy,
    "prometheus": check_prometheus,
}


def problems_in(rendered: Rendered) -> list[str]:
    return [f"{check}: {problem}" for check, run in CHECKS.items() for problem in run(rendered)]


# --- command line -------------------------------------------------------------------------------


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def main() -> int:
    try:
        command = kustomize_command()
    except RendererUnavailable as error:
        sys.stderr.write(f"k8s-check: no renderer: {error}\n")
        return 2
    _say(f"renderer: {' '.join(command)}")
    failed = False
    for overlay in OVERLAYS:
        try:
            rendered = render(overlay, command)
        except RenderError as error:
            _say(f"{overlay}: FAILED: {error}")
            failed = True
            continue
        problems = problems_in(rendered)
        failed = failed or bool(problems)
        verdict = "FAILED" if problems else "ok"
        _say(f"{overlay}: {len(rendered.objects)} objects, {len(CHECKS)} checks, {verdict}")
        for problem in problems:
            _say(f"  - {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
