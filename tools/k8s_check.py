"""Render the k8s overlays with a real kustomize and validate them offline (`make k8s-check`).

python -m tools.k8s_check            every overlay; exit 0: all pass, 1: a problem, 2: no tools
python -m tools.k8s_check FILE...    only the schemas, of manifests already rendered (any YAML)

The renderer is kustomize KUSTOMIZE_VERSION, built with `go install` from the Go module proxy into
$GAPLESS_CACHE_DIR/bin (default ~/.cache/gapless/bin, outside git) on first use. Without Go, the
kustomize built into kubectl is used. GAPLESS_KUSTOMIZE=/path/to/kustomize overrides both.

Every rendered object is validated, strictly (an unknown field is an error):
- Kubernetes kinds against the API's OpenAPI schemas (kubernetes-validate, from PyPI);
- CloudNativePG and KEDA kinds against the CustomResourceDefinitions those projects publish in
  their Go modules (`config/crd/bases/`), fetched with `go mod download` at the pinned
  CRD_MODULES versions (checksums verified by Go against its checksum database);
- Strimzi kinds against the CRDs Strimzi's own crd-generator makes from Strimzi's API classes,
  both from Maven Central at STRIMZI_VERSION (the newest release that publishes them).
Then the product's own rules (probes, security, scaling, topics, roles, routes...) are checked;
tests/unit/test_k8s_manifests.py runs the same checks under pytest.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from services.roster import NAMES, all_topics
from tools.routes import route_table

KUSTOMIZE_MODULE = "sigs.k8s.io/kustomize/kustomize/v5"
KUSTOMIZE_VERSION = "v5.8.1"
K8S_DIR = Path(__file__).resolve().parent.parent / "k8s"
SERVICES = NAMES
CONTAINER = "app"
SCHEMA_GATE = "wait-for-schema"
# Connections the pods' pools may not take from max_connections: the migration Jobs, the
# operator's and an administrator's sessions, PostgreSQL's reserved superuser slots.
DB_RESERVED_CONNECTIONS = 20
# Go modules that carry the CRDs of the operators we target, in config/crd/bases/.
CRD_MODULES = {
    "github.com/cloudnative-pg/cloudnative-pg": "v1.27.1",
    "github.com/kedacore/keda/v2": "v2.20.0",
}
# Strimzi generates its CRDs from its Java API with its own crd-generator; both are on Maven
# Central up to this version (later releases publish neither). Kafka 3.9 is its newest.
STRIMZI_VERSION = "0.45.0"
STRIMZI_KINDS = {
    "io.strimzi.api.kafka.model.kafka.Kafka": "kafka.yaml",
    "io.strimzi.api.kafka.model.nodepool.KafkaNodePool": "kafkanodepool.yaml",
    "io.strimzi.api.kafka.model.topic.KafkaTopic": "kafkatopic.yaml",
}
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
    min_insync_replicas: int
    # The least replicas of every API and worker (HPA minReplicas, KEDA minReplicaCount).
    min_replicas: int = 1
    release_image: bool = False
    # Workloads beyond the five services (dev's simulated WMS/TMS).
    extra_services: tuple[str, ...] = ()
    # The ops console as a Deployment of its own, published at / (dev).
    console: bool = False
    postgres_instances: int = 1
    backups: bool = False


OVERLAYS: Mapping[str, Expectations] = {
    "dev": Expectations(
        namespace="gapless-dev",
        partitions=3,
        replication_factor=1,
        min_insync_replicas=1,
        extra_services=("simulator",),
        console=True,
    ),
    "prod": Expectations(
        namespace="gapless",
        partitions=12,
        replication_factor=3,
        min_insync_replicas=2,
        min_replicas=2,
        release_image=True,
        postgres_instances=3,
        backups=True,
    ),
}


class RendererUnavailable(RuntimeError):
    """Neither a pinned kustomize, nor Go to build one, nor kubectl is available."""


class RenderError(RuntimeError):
    """kustomize failed on an overlay."""


class SchemasUnavailable(RuntimeError):
    """The operators' CRDs could not be fetched (no Go, or the module download failed)."""


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
        """The objects of `kind`; Deployments are the services' (the ops console's Deployment is
        checked by the schemas and `check_console`, not held to what a service must be)."""
        return [
            o
            for o in self.objects
            if o.get("kind") == kind and not (kind == "Deployment" and _is_console(o))
        ]

    def workloads(self) -> list[Manifest]:
        """The Deployments (as `of_kind` has them) and the Jobs: what runs containers."""
        return self.of_kind("Deployment") + self.of_kind("Job")

    def console(self) -> Manifest | None:
        return next((o for o in self.objects if _is_console(o)), None)

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


# --- CRD schemas ----------------------------------------------------------------------------------

SchemaKey = tuple[str, str]  # (apiVersion, kind)


def crd_schemas() -> dict[SchemaKey, Manifest]:
    """Strict JSON Schemas of every kind the operators' CRDs define, keyed by (apiVersion, kind).

    Raises:
        SchemasUnavailable: a CRD source could not be fetched (no Go, Java or Maven, or a
            download failed).
    """
    files = [
        path
        for module, version in CRD_MODULES.items()
        for path in sorted(
            (_module_dir(module, version) / "config" / "crd" / "bases").glob("*.yaml")
        )
    ]
    schemas: dict[SchemaKey, Manifest] = {}
    for path in [*files, *_strimzi_crds()]:
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            spec = crd["spec"]
            for served in spec["versions"]:
                key = (f"{spec['group']}/{served['name']}", spec["names"]["kind"])
                schemas[key] = strict_schema(served["schema"]["openAPIV3Schema"])
    return schemas


def _strimzi_crds() -> list[Path]:
    """Strimzi's CRDs for the kinds we use, generated as Strimzi's build does: its crd-generator
    run over its API classes, both resolved from Maven Central; cached after the first run."""
    folder = Path(_cache_dir()).parent / f"strimzi-crds-{STRIMZI_VERSION}"
    paths = [folder / name for name in STRIMZI_KINDS.values()]
    if all(p.is_file() for p in paths):
        return paths
    mvn, java = shutil.which("mvn"), shutil.which("java")
    if not (mvn and java):
        raise SchemasUnavailable("Strimzi's CRDs are generated with Java and Maven; neither found")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent) as work:
        pom, classpath, out = Path(work, "pom.xml"), Path(work, "classpath"), Path(work, "out")
        out.mkdir()
        pom.write_text(_STRIMZI_POM.format(version=STRIMZI_VERSION))
        steps = [
            [
                mvn,
                "-B",
                "-q",
                "-f",
                str(pom),
                f"{_DEPENDENCY_PLUGIN}:build-classpath",
                f"-Dmdep.outputFile={classpath}",
            ],
            [
                java,
                "-cp",
                "<classpath>",
                "io.strimzi.crdgenerator.CrdGenerator",
                "--yaml",
                "--crd-api-version",
                "v1",
                "--api-versions",
                "v1beta2",
                "--storage-version",
                "v1beta2",
                *(f"{kind}={out / name}" for kind, name in STRIMZI_KINDS.items()),
            ],
        ]
        for step in steps:
            command = [classpath.read_text().strip() if a == "<classpath>" else a for a in step]
            try:
                result = subprocess.run(command, capture_output=True, text=True, timeout=900)
            except (OSError, subprocess.SubprocessError) as error:
                raise SchemasUnavailable(f"Strimzi CRDs: {error}") from None
            if result.returncode != 0:
                output = (result.stdout + result.stderr)[-800:]
                raise SchemasUnavailable(f"Strimzi CRDs: {command[0]} failed: {output}")
        # Renamed into place whole, so a concurrent run never reads a half-written folder.
        if not folder.exists():
            os.replace(out, folder)
    return paths


_DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
_STRIMZI_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.gapless</groupId>
  <artifactId>strimzi-crds</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.strimzi</groupId><artifactId>api</artifactId><version>{version}</version>
    </dependency>
    <dependency>
      <groupId>io.strimzi</groupId><artifactId>crd-generator</artifactId><version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""


def _module_dir(module: str, version: str) -> Path:
    go = _go()
    if go is None:
        raise SchemasUnavailable(f"no Go toolchain to download {module}@{version}")
    env = {**os.environ, "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
    try:
        result = subprocess.run(
            [go, "mod", "download", "-json", f"{module}@{version}"],
            cwd=tempfile.gettempdir(),
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise SchemasUnavailable(f"go mod download {module}@{version}: {error}") from None
    info = json.loads(result.stdout or "{}")
    if result.returncode != 0 or "Dir" not in info:
        raise SchemasUnavailable(
            f"go mod download {module}@{version}: {info.get('Error') or result.stderr[-800:]}"
        )
    return Path(info["Dir"])


def strict_schema(schema: Manifest) -> Manifest:
    """A CRD's OpenAPI v3 schema as JSON Schema that refuses unknown fields, as the API server's
    strict field validation (`kubectl apply --validate=strict`) does."""
    out = {k: v for k, v in schema.items() if not k.startswith("x-kubernetes-")}
    if schema.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if "properties" in schema:
        out["properties"] = {k: strict_schema(v) for k, v in schema["properties"].items()}
        if not schema.get("x-kubernetes-preserve-unknown-fields"):
            out.setdefault("additionalProperties", False)
    if isinstance(schema.get("additionalProperties"), dict):
        out["additionalProperties"] = strict_schema(schema["additionalProperties"])
    if "items" in schema:
        out["items"] = strict_schema(schema["items"])
    for combinator in ("allOf", "anyOf", "oneOf"):
        if combinator in schema:
            # Inside a combinator only constraints are listed; the properties are declared above.
            out[combinator] = [
                {k: v for k, v in part.items() if k != "properties"} for part in schema[combinator]
            ]
    if schema.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    if schema.get("type") == "object" and "metadata" in out.get("properties", {}):
        # Kubernetes validates metadata itself; CRDs declare it as a bare object.
        out["properties"]["metadata"] = {"type": "object"}
    return out


# --- reading manifests ----------------------------------------------------------------------------


def _name(obj: Manifest) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def _pod(workload: Manifest) -> Manifest:
    pod: Manifest = workload["spec"]["template"]
    return pod


def app_container(workload: Manifest) -> Manifest:
    containers = _pod(workload)["spec"].get("containers", [])
    return next((c for c in containers if c.get("name") == CONTAINER), containers[0])


def _containers(workload: Manifest) -> list[Manifest]:
    spec = _pod(workload)["spec"]
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


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


def environment(
    rendered: Rendered, workload: Manifest, container: Manifest | None = None
) -> dict[str, str]:
    """A container's settings as the process sees them (envFrom, then env; $(VAR) expanded)."""
    env: dict[str, str] = {}
    container = container or app_container(workload)
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef", {}).get("name")
        config_map = rendered.get("ConfigMap", ref) if ref else None
        env.update((config_map or {}).get("data", {}))
    for var in container.get("env", []):
        value = var.get("value")
        if value is None:
            env[var["name"]] = "<" + var["name"] + ">"
        else:
            env[var["name"]] = re.sub(
                r"\$\((\w+)\)", lambda m: env.get(m.group(1), m.group(0)), value
            )
    return env


def _secret_refs(container: Manifest) -> dict[str, tuple[str, str]]:
    refs = {}
    for var in container.get("env", []):
        ref = var.get("valueFrom", {}).get("secretKeyRef")
        if ref:
            refs[var["name"]] = (ref.get("name"), ref.get("key"))
    return refs


_UNITS = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}


def quantity(value: str | int | float) -> float:
    match = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(value))
    if not match or match.group(2) not in _UNITS:
        raise ValueError(f"unsupported quantity {value!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def services_of(rendered: Rendered) -> tuple[str, ...]:
    return (*SERVICES, *rendered.expect.extra_services)


def _role(rendered: Rendered, deployment: Manifest) -> str:
    return environment(rendered, deployment).get("GAPLESS_ROLE", "all")


def _service_of(workload: Manifest) -> str:
    return str(_pod(workload)["metadata"].get("labels", {}).get("app.kubernetes.io/name", ""))


def _min_max(rendered: Rendered, deployment: Manifest) -> tuple[int, int]:
    """The replica range of a Deployment: its HPA's or ScaledObject's, else its fixed count."""
    name = deployment["metadata"]["name"]
    for hpa in rendered.of_kind("HorizontalPodAutoscaler"):
        if hpa["spec"]["scaleTargetRef"].get("name") == name:
            return int(hpa["spec"].get("minReplicas", 1)), int(hpa["spec"]["maxReplicas"])
    for scaled in rendered.of_kind("ScaledObject"):
        if scaled["spec"]["scaleTargetRef"].get("name") == name:
            spec = scaled["spec"]
            return int(spec.get("minReplicaCount", 0)), int(spec.get("maxReplicaCount", 100))
    replicas = int(deployment["spec"].get("replicas", 1))
    return replicas, replicas


# --- checks: each returns the problems it found, as sentences -------------------------------------

Check = Callable[[Rendered], list[str]]
_CRD_SCHEMAS: dict[SchemaKey, Manifest] | None = None


def _crds() -> dict[SchemaKey, Manifest]:
    global _CRD_SCHEMAS
    if _CRD_SCHEMAS is None:
        _CRD_SCHEMAS = crd_schemas()
    return _CRD_SCHEMAS


def schema_problems(objects: Iterable[Manifest]) -> list[str]:
    """Every object valid against its kind's schema, unknown fields included (see module doc).

    Raises:
        SchemasUnavailable: the operators' CRDs could not be fetched.
    """
    import kubernetes_validate

    problems = []
    crds = _crds()
    for obj in objects:
        key = (str(obj.get("apiVersion")), str(obj.get("kind")))
        where = f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}"
        if key in crds:
            validator = jsonschema.Draft7Validator(crds[key])
            problems += [
                f"{where} ({key[0]} CRD): {'.'.join(map(str, e.absolute_path)) or '<root>'}: "
                f"{e.message}"
                for e in validator.iter_errors(obj)
            ]
        elif "." in key[0].split("/")[0] and not key[0].startswith(_CORE_GROUPS):
            problems.append(f"{where}: no schema for {key[0]} {key[1]} to validate it against")
        else:
            for version in KUBERNETES_VERSIONS:
                try:
                    kubernetes_validate.validate(obj, version, strict=True)
                except kubernetes_validate.ValidationError as error:
                    problems.append(f"{where} (Kubernetes {version}): {error.message}")
                except kubernetes_validate.SchemaNotFoundError:
                    problems.append(f"{where}: no Kubernetes {version} schema for {key}")
    return problems


# API groups of Kubernetes itself (kubernetes-validate has their schemas).
_CORE_GROUPS = (
    "apps/",
    "batch/",
    "policy/",
    "autoscaling/",
    "networking.k8s.io/",
    "rbac.authorization.k8s.io/",
)


def check_schema(rendered: Rendered) -> list[str]:
    """Every object valid against its schema: Kubernetes' or its operator's CRD."""
    return schema_problems(rendered.objects)


def check_objects(rendered: Rendered) -> list[str]:
    """Per service an API and a worker Deployment, a Service, autoscalers, budgets and a migration
    Job; no Secret value; everything in the overlay's namespace under Pod Security."""
    problems = []
    for service in SERVICES:
        wanted = {
            "Deployment": [f"{service}-api", f"{service}-worker"],
            "Service": [service],
            "HorizontalPodAutoscaler": [f"{service}-api"],
            "ScaledObject": [f"{service}-worker"],
            "PodDisruptionBudget": [f"{service}-api", f"{service}-worker"],
            "Job": [f"{service}-migrate"],
        }
        problems += [
            f"{service}: no {kind}/{name}"
            for kind, names in wanted.items()
            for name in names
            if rendered.get(kind, name) is None
        ]
    for extra in rendered.expect.extra_services:
        problems += [
            f"{extra}: no {kind}/{name}"
            for kind, name in (
                ("Deployment", extra),
                ("Service", extra),
                ("Job", f"{extra}-migrate"),
            )
            if rendered.get(kind, name) is None
        ]
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
    """One image, tagged, never `latest`; each workload runs its own service's command."""
    problems, images = [], set()
    for workload in rendered.workloads():
        name, service = workload["metadata"]["name"], _service_of(workload)
        for container in _containers(workload):
            image = container.get("image", "")
            images.add(image)
            tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
            if (not tag and "@sha256:" not in image) or tag == "latest":
                problems.append(
                    f"{name}: image {image!r} needs an explicit tag or digest, not latest"
                )
            if rendered.expect.release_image and not (
                re.fullmatch(r"\d+\.\d+\.\d+.*", tag) and "/" in image
            ):
                problems.append(
                    f"{name}: image {image!r} should be a registry image with a release tag"
                )
        command = app_container(workload).get("command")
        wanted = (
            ["python", "-m", "services", "migrate", service]
            if workload["kind"] == "Job"
            else ["python", "-m", f"services.{service}"]
        )
        if command != wanted:
            problems.append(f"{name}: command {command} is not {wanted}")
    if len(images) > 1:
        problems.append(f"workloads run different images {sorted(images)}; there is one image")
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
    """CPU and memory requests and a memory limit no lower than the request, in every container."""
    problems = []
    for workload in rendered.workloads():
        for container in _containers(workload):
            where = f"{workload['metadata']['name']}/{container['name']}"
            resources = container.get("resources", {})
            requests, limits = resources.get("requests", {}), resources.get("limits", {})
            if [r for r in ("cpu", "memory") if r not in requests] or "memory" not in limits:
                problems.append(f"{where}: needs requests.cpu, requests.memory and limits.memory")
            elif quantity(limits["memory"]) < quantity(requests["memory"]):
                problems.append(
                    f"{where}: memory limit {limits['memory']} < request {requests['memory']}"
                )
    return problems


def check_security(rendered: Rendered) -> list[str]:
    """Non-root, read-only root filesystem with an emptyDir /tmp, no privileges, no API token."""
    problems = []
    for workload in rendered.workloads():
        spec, pod_ctx = _pod(workload)["spec"], _pod(workload)["spec"].get("securityContext", {})
        for container in _containers(workload):
            ctx = container.get("securityContext", {})
            # The container's settings override the pod's.
            effective = {**pod_ctx, **ctx}
            required = {
                "runAsNonRoot": effective.get("runAsNonRoot") is True,
                "runAsUser != 0": effective.get("runAsUser") not in (None, 0),
                "seccompProfile RuntimeDefault": effective.get("seccompProfile")
                == _RUNTIME_DEFAULT,
                "readOnlyRootFilesystem": ctx.get("readOnlyRootFilesystem") is True,
                "allowPrivilegeEscalation false": ctx.get("allowPrivilegeEscalation") is False,
                "capabilities drop ALL": "ALL" in ctx.get("capabilities", {}).get("drop", []),
                "automountServiceAccountToken false": spec.get("automountServiceAccountToken")
                is False,
                "emptyDir at /tmp": _tmp_is_empty_dir(spec, container),
            }
            where = f"{workload['metadata']['name']}/{container['name']}"
            problems += [f"{where}: needs {what}" for what, ok in required.items() if not ok]
    return problems


_RUNTIME_DEFAULT = {"type": "RuntimeDefault"}


def _tmp_is_empty_dir(spec: Manifest, container: Manifest) -> bool:
    mount = next(
        (m for m in container.get("volumeMounts", []) if m.get("mountPath") == "/tmp"), None
    )
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    return mount is not None and "emptyDir" in volumes.get(mount["name"], {})


def check_configuration(rendered: Rendered) -> list[str]:
    """Settings from rendered ConfigMaps, each service's database role from its own Secret, the
    roles the Deployments are for, one Kafka layout, the migration step's mode."""
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
        "GAPLESS_MIGRATIONS": "verify",
        "GAPLESS_KAFKA__PARTITIONS": str(expect.partitions),
        "GAPLESS_KAFKA__REPLICATION_FACTOR": str(expect.replication_factor),
    }
    layouts = set()
    for workload in rendered.workloads():
        name, service = workload["metadata"]["name"], _service_of(workload)
        for container in _containers(workload):
            where = f"{name}/{container['name']}"
            env = environment(rendered, workload, container)
            problems += _config_map_refs(rendered, where, container) + _database_role(
                where, service, container, env
            )
            if workload["kind"] == "Deployment" and container["name"] == CONTAINER:
                problems += [
                    f"{where}: {key}={env.get(key)!r}, expected {value!r}"
                    for key, value in required.items()
                    if env.get(key) != value
                ]
                if not any(r.startswith(f"{service}-config") for r in _refs(container)):
                    problems.append(f"{where}: does not read its own ConfigMap {service}-config")
                component = _pod(workload)["metadata"]["labels"].get("app.kubernetes.io/component")
                role = env.get("GAPLESS_ROLE", "all")
                if component in ("api", "worker") and role != component:
                    problems.append(
                        f"{where}: a Deployment of component {component} with GAPLESS_ROLE={role}"
                    )
                layouts.add(tuple(env.get(key) for key in shared_keys))
                problems += _api_keys(where, _pod(workload)["spec"], container, env)
    if len(layouts) > 1:
        problems.append(f"services disagree on {shared_keys}: {sorted(layouts, key=str)}")
    problems += [
        f"{_name(c)} holds a database URL; credentials belong in Secrets"
        for c in rendered.of_kind("ConfigMap")
        if any(
            "postgresql://" in str(v) or "DATABASE_URL" in k or "PASSWORD" in k
            for k, v in c.get("data", {}).items()
        )
    ]
    return problems


def _api_keys(where: str, pod: Manifest, container: Manifest, env: Mapping[str, str]) -> list[str]:
    """The keys file the process reads comes from Secret gapless-api-keys."""
    folder = env.get("GAPLESS_KEYS_FILE", "").rpartition("/")[0]
    mount = next((m for m in container.get("volumeMounts", []) if m["mountPath"] == folder), {})
    volume = next((v for v in pod.get("volumes", []) if v["name"] == mount.get("name")), {})
    if not folder or volume.get("secret", {}).get("secretName") != "gapless-api-keys":
        return [f"{where}: GAPLESS_KEYS_FILE must be in a mount of Secret gapless-api-keys"]
    return []


def _refs(container: Manifest) -> list[str]:
    return [s["configMapRef"]["name"] for s in container.get("envFrom", []) if "configMapRef" in s]


def _config_map_refs(rendered: Rendered, where: str, container: Manifest) -> list[str]:
    return [
        f"{where}: envFrom ConfigMap {ref} is not rendered"
        for ref in _refs(container)
        if rendered.get("ConfigMap", ref) is None
    ]


def _database_role(
    where: str, service: str, container: Manifest, env: Mapping[str, str]
) -> list[str]:
    refs, secret = _secret_refs(container), f"gapless-db-{service}"
    wanted = {"GAPLESS_DB_USER": (secret, "username"), "GAPLESS_DB_PASSWORD": (secret, "password")}
    problems = [
        f"{where}: {var} must come from secretKeyRef {ref[0]}/{ref[1]}"
        for var, ref in wanted.items()
        if refs.get(var) != ref
    ]
    url = env.get("GAPLESS_DATABASE_URL", "")
    if not url.startswith("postgresql://<GAPLESS_DB_USER>:<GAPLESS_DB_PASSWORD>@"):
        problems.append(
            f"{where}: GAPLESS_DATABASE_URL {url!r} is not built from the role's Secret"
        )
    return problems


def check_kafka(rendered: Rendered) -> list[str]:
    """Strimzi Kafka in KRaft mode with node pools; a KafkaTopic per topic the services use, with
    the partitions, replicas and min.insync.replicas the overlay promises and the services
    expect."""
    problems, expect = [], rendered.expect
    kafkas = rendered.of_kind("Kafka")
    if len(kafkas) != 1:
        return [f"{len(kafkas)} Kafka objects, expected 1"]
    kafka = kafkas[0]
    cluster = kafka["metadata"]["name"]
    annotations = kafka["metadata"].get("annotations", {})
    if (
        annotations.get("strimzi.io/kraft") != "enabled"
        or annotations.get("strimzi.io/node-pools") != "enabled"
    ):
        problems.append(
            f"{_name(kafka)}: needs annotations strimzi.io/kraft and strimzi.io/node-pools enabled"
        )
    pools = [
        p
        for p in rendered.of_kind("KafkaNodePool")
        if p["metadata"].get("labels", {}).get("strimzi.io/cluster") == cluster
    ]
    brokers = sum(
        int(p["spec"]["replicas"]) for p in pools if "broker" in p["spec"].get("roles", [])
    )
    controllers = sum(
        int(p["spec"]["replicas"]) for p in pools if "controller" in p["spec"].get("roles", [])
    )
    if brokers < expect.replication_factor or controllers % 2 == 0:
        problems.append(
            f"{brokers} brokers and {controllers} controllers: need >= {expect.replication_factor} "
            "brokers and an odd controller quorum"
        )
    config = kafka["spec"]["kafka"].get("config", {})
    if config.get("auto.create.topics.enable") is not False:
        problems.append(f"{_name(kafka)}: auto.create.topics.enable must be false")
    for key, value in (
        ("default.replication.factor", expect.replication_factor),
        ("min.insync.replicas", expect.min_insync_replicas),
    ):
        if config.get(key) != value:
            problems.append(f"{_name(kafka)}: {key}={config.get(key)!r}, expected {value}")
    listeners = {
        f"{cluster}-kafka-bootstrap:{listener['port']}"
        for listener in kafka["spec"]["kafka"].get("listeners", [])
        if not listener.get("tls")
    }
    topics = {
        t["spec"].get("topicName", t["metadata"]["name"]): t for t in rendered.of_kind("KafkaTopic")
    }
    prefix = _namespace_prefix(rendered)
    wanted = {prefix + t for t in all_topics()}
    problems += [f"topic {t} has no KafkaTopic" for t in sorted(wanted - topics.keys())]
    problems += [
        f"KafkaTopic {t} is not a topic the services use" for t in sorted(topics.keys() - wanted)
    ]
    for name, topic in sorted(topics.items()):
        spec = topic["spec"]
        if topic["metadata"].get("labels", {}).get("strimzi.io/cluster") != cluster:
            problems.append(f"KafkaTopic {name}: label strimzi.io/cluster is not {cluster}")
        got = (
            spec.get("partitions"),
            spec.get("replicas"),
            spec.get("config", {}).get("min.insync.replicas"),
        )
        promised = (expect.partitions, expect.replication_factor, expect.min_insync_replicas)
        if got != promised:
            problems.append(
                f"KafkaTopic {name}: partitions, replicas, min.insync.replicas = {got}, "
                f"expected {promised}"
            )
    for deployment in rendered.of_kind("Deployment"):
        bootstrap = environment(rendered, deployment).get("GAPLESS_KAFKA__BOOTSTRAP_SERVERS")
        if bootstrap not in listeners:
            problems.append(
                f"{_name(deployment)}: bootstrap {bootstrap!r} is none of the plain listeners "
                f"{sorted(listeners)}"
            )
            break
    return problems


def _namespace_prefix(rendered: Rendered) -> str:
    namespaces = {
        environment(rendered, d).get("GAPLESS_NAMESPACE", "")
        for d in rendered.of_kind("Deployment")
    }
    namespace = next(iter(namespaces), "")
    return f"{namespace}." if namespace else ""


def check_postgres(rendered: Rendered) -> list[str]:
    """A CloudNativePG Cluster with one least-privilege role and one schema per service, each
    role's password from that service's Secret, the services pointed at the Cluster."""
    problems, expect = [], rendered.expect
    clusters = rendered.of_kind("Cluster")
    if len(clusters) != 1:
        return [f"{len(clusters)} CloudNativePG Clusters, expected 1"]
    cluster = clusters[0]
    spec = cluster["spec"]
    if spec.get("instances") != expect.postgres_instances:
        problems.append(
            f"{_name(cluster)}: {spec.get('instances')} instances, "
            f"expected {expect.postgres_instances}"
        )
    if expect.backups and not (
        spec.get("backup", {}).get("barmanObjectStore") and rendered.of_kind("ScheduledBackup")
    ):
        problems.append(
            f"{_name(cluster)}: needs WAL archiving (backup.barmanObjectStore) and a "
            "ScheduledBackup"
        )
    roles = {r["name"]: r for r in spec.get("managed", {}).get("roles", [])}
    databases = rendered.of_kind("Database")
    schemas = {s["name"]: s.get("owner") for d in databases for s in d["spec"].get("schemas", [])}
    prefix = _namespace_prefix(rendered).rstrip(".")
    for service in services_of(rendered):
        role_name, schema = f"gapless_{service}", f"{prefix}_{service}" if prefix else service
        role = roles.get(role_name)
        if role is None:
            problems.append(f"{service}: no managed role {role_name}")
            continue
        powers = [
            p
            for p in ("superuser", "createdb", "createrole", "replication", "bypassrls")
            if role.get(p) is not False
        ]
        if powers:
            problems.append(
                f"role {role_name}: {', '.join(powers)} must be false (least privilege)"
            )
        if role.get("passwordSecret", {}).get("name") != f"gapless-db-{service}":
            problems.append(
                f"role {role_name}: password must come from Secret gapless-db-{service}"
            )
        if schemas.get(schema) != role_name:
            problems.append(
                f"schema {schema} must exist, owned by {role_name} (found {schemas.get(schema)!r})"
            )
    for database in databases:
        if database["spec"].get("cluster", {}).get("name") != cluster["metadata"]["name"]:
            problems.append(f"{_name(database)}: not in Cluster {cluster['metadata']['name']}")
    host = f"{cluster['metadata']['name']}-rw"
    for deployment in rendered.of_kind("Deployment"):
        url = environment(rendered, deployment).get("GAPLESS_DATABASE_URL", "")
        if f"@{host}:5432/" not in url:
            problems.append(
                f"{_name(deployment)}: database URL does not reach the Cluster's {host}"
            )
    return problems


def check_scaling(rendered: Rendered) -> list[str]:
    """APIs scale on CPU, workers on consumer lag, never beyond the partitions; every pool fits
    the database's max_connections at the replica ceilings."""
    problems, expect = [], rendered.expect
    partitions = expect.partitions
    connections = 0
    prefix = _namespace_prefix(rendered)
    for deployment in rendered.of_kind("Deployment"):
        name, service = deployment["metadata"]["name"], _service_of(deployment)
        low, high = _min_max(rendered, deployment)
        component = _pod(deployment)["metadata"]["labels"].get("app.kubernetes.io/component")
        if "replicas" in deployment["spec"] and component in ("api", "worker"):
            problems.append(f"{name}: spec.replicas fights its autoscaler; leave it out")
        if component in ("api", "worker") and low < expect.min_replicas:
            problems.append(f"{name}: at least {low} replicas, expected {expect.min_replicas}")
        if component == "worker" and high > partitions:
            problems.append(
                f"{name}: up to {high} replicas > {partitions} partitions; the extra ones idle"
            )
        connections += high * int(
            environment(rendered, deployment).get("GAPLESS_DB_POOL_SIZE", "10")
        )
    for hpa in rendered.of_kind("HorizontalPodAutoscaler"):
        target = hpa["spec"]["scaleTargetRef"]
        if (
            not target.get("name", "").endswith("-api")
            or rendered.get("Deployment", target.get("name")) is None
        ):
            problems.append(f"{_name(hpa)}: scales {target.get('name')}, not an API Deployment")
    for scaled in rendered.of_kind("ScaledObject"):
        target, service = (
            scaled["spec"]["scaleTargetRef"].get("name", ""),
            scaled["metadata"]["name"].removesuffix("-worker"),
        )
        if target != f"{service}-worker" or rendered.get("Deployment", target) is None:
            problems.append(f"{_name(scaled)}: scales {target!r}, not {service}-worker")
        for trigger in scaled["spec"].get("triggers", []):
            meta = trigger.get("metadata", {})
            if trigger.get("type") != "kafka" or meta.get("consumerGroup") != prefix + service:
                problems.append(
                    f"{_name(scaled)}: needs a kafka trigger on consumer group {prefix + service}"
                )
            workers = rendered.get("Deployment", target)
            bootstrap = (
                environment(rendered, workers).get("GAPLESS_KAFKA__BOOTSTRAP_SERVERS")
                if workers
                else None
            )
            if meta.get("bootstrapServers") != bootstrap:
                problems.append(
                    f"{_name(scaled)}: reads lag from {meta.get('bootstrapServers')!r}, "
                    f"the workers use {bootstrap!r}"
                )
    clusters = rendered.of_kind("Cluster")
    if clusters:
        limit = int(
            clusters[0]["spec"]
            .get("postgresql", {})
            .get("parameters", {})
            .get("max_connections", "100")
        )
        if connections > limit - DB_RESERVED_CONNECTIONS:
            problems.append(
                f"replica ceilings x pool sizes = {connections} connections > max_connections "
                f"{limit} - {DB_RESERVED_CONNECTIONS} reserved"
            )
    return problems


def check_services(rendered: Rendered) -> list[str]:
    """Every Service selects exactly one Deployment's pods (an API's, never a worker's) on a port
    the container declares."""
    problems = []
    deployments = [o for o in rendered.objects if o.get("kind") == "Deployment"]  # console too
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
        if _role(rendered, matched[0]) == "worker":
            problems.append(
                f"{_name(service)} sends requests to workers ({matched[0]['metadata']['name']})"
            )
        for port in service["spec"].get("ports", []):
            if _port(app_container(matched[0]), port.get("targetPort", port.get("port"))) is None:
                problems.append(
                    f"{_name(service)}: targetPort {port.get('targetPort')} not declared"
                )
    return problems


def check_selectors(rendered: Rendered) -> list[str]:
    """A Deployment's selector matches its own pod template and no other Deployment's pods."""
    problems = []
    deployments = rendered.of_kind("Deployment")
    for deployment in deployments:
        selector = deployment["spec"]["selector"]
        if not _selects(selector, _pod(deployment)["metadata"].get("labels", {})):
            problems.append(f"{_name(deployment)}: selector does not match its pod template labels")
        problems += [
            f"{_name(deployment)}: selector also matches the pods of {_name(other)}"
            for other in deployments
            if other is not deployment
            and _selects(selector, _pod(other)["metadata"].get("labels", {}))
        ]
    return problems


def check_disruption_budgets(rendered: Rendered) -> list[str]:
    """Exactly one budget per autoscaled Deployment; none that could block every drain."""
    problems = []
    budgets = rendered.of_kind("PodDisruptionBudget")
    for deployment in rendered.of_kind("Deployment"):
        name = deployment["metadata"]["name"]
        low, _ = _min_max(rendered, deployment)
        labels = _pod(deployment)["metadata"].get("labels", {})
        mine = [b for b in budgets if _selects(b["spec"].get("selector", {}), labels)]
        component = labels.get("app.kubernetes.io/component")
        if component in ("api", "worker") and len(mine) != 1:
            problems.append(f"{name}: needs exactly one PodDisruptionBudget, has {len(mine)}")
        problems += [
            f"{_name(b)}: allows no pod of {name} to be evicted, blocking every drain"
            for b in mine
            if evictable(b["spec"], low) < 1
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


def _is_console(manifest: Manifest) -> bool:
    labels = manifest.get("metadata", {}).get("labels", {})
    return manifest.get("kind") == "Deployment" and labels.get(COMPONENT) == "console"


COMPONENT = "app.kubernetes.io/component"
CONSOLE_PATH = "/"


def check_console(rendered: Rendered) -> list[str]:
    """dev: the ops console runs beside the services, forwarding each /v1/<resource> to its
    owner (the table tools/routes.py reads from the code) and published at / by the Ingress."""
    console = rendered.console()
    if not rendered.expect.console:
        return [] if console is None else ["the console is a dev-overlay workload only"]
    if console is None:
        return ["no console Deployment (app.kubernetes.io/component=console)"]
    [container] = console["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    upstreams = json.loads(env.get("GAPLESS_CONSOLE_UPSTREAMS") or "{}")
    wanted = {p: f"http://{s}:8000" for p, s in route_table(services_of(rendered)).items()}
    problems = (
        [] if upstreams == wanted else ["console: GAPLESS_CONSOLE_UPSTREAMS is not the route table"]
    )
    if rendered.get("Service", "console") is None:
        problems.append("console: no Service console")
    return problems


def check_ingress(rendered: Rendered) -> list[str]:
    """One Ingress sends each /v1/<resource> to the service whose routers mount it, and nothing
    else (tools/routes.py reads the table from the code)."""
    ingresses = rendered.of_kind("Ingress")
    if len(ingresses) != 1:
        return [f"{len(ingresses)} Ingresses, expected 1"]
    routed: dict[str, str] = {}
    problems = []
    for rule in ingresses[0]["spec"].get("rules", []):
        for path in rule.get("http", {}).get("paths", []):
            backend = path.get("backend", {}).get("service", {})
            routed[path["path"]] = backend.get("name", "")
            if path.get("pathType") != "Prefix" or backend.get("port", {}).get("name") != "http":
                problems.append(f"Ingress path {path['path']}: needs pathType Prefix to port http")
            if rendered.get("Service", backend.get("name")) is None:
                problems.append(f"Ingress path {path['path']}: no Service {backend.get('name')!r}")
    wanted = route_table(services_of(rendered))
    problems += [
        f"Ingress routes {p} to {routed.get(p)!r}; the code serves it in {s}"
        for p, s in wanted.items()
        if routed.get(p) != s
    ]
    if rendered.expect.console and routed.pop(CONSOLE_PATH, None) != "console":
        problems.append(f"Ingress must publish the console at {CONSOLE_PATH}")
    problems += [
        f"Ingress publishes {p}, which no service serves" for p in routed if p not in wanted
    ]
    return problems


def check_migrations(rendered: Rendered) -> list[str]:
    """A migration Job per service, and every Deployment waits for its service's schema."""
    problems = []
    for service in services_of(rendered):
        if rendered.get("Job", f"{service}-migrate") is None:
            problems.append(f"{service}: no migration Job {service}-migrate")
    for deployment in rendered.of_kind("Deployment"):
        service = _service_of(deployment)
        gate = next(
            (
                c
                for c in _pod(deployment)["spec"].get("initContainers", [])
                if c["name"] == SCHEMA_GATE
            ),
            None,
        )
        wanted = ["python", "-m", "services", "migrate", service, "--check"]
        if gate is None or gate.get("command", [])[:6] != wanted:
            problems.append(
                f"{_name(deployment)}: needs initContainer {SCHEMA_GATE} running {' '.join(wanted)}"
            )
    return problems


CHECKS: Mapping[str, Check] = {
    "schema": check_schema,
    "objects": check_objects,
    "images": check_images,
    "probes": check_probes,
    "resources": check_resources,
    "security": check_security,
    "configuration": check_configuration,
    "kafka": check_kafka,
    "postgres": check_postgres,
    "scaling": check_scaling,
    "services": check_services,
    "selectors": check_selectors,
    "disruption-budgets": check_disruption_budgets,
    "network-policy": check_network_policy,
    "prometheus": check_prometheus,
    "ingress": check_ingress,
    "console": check_console,
    "migrations": check_migrations,
}


def problems_in(rendered: Rendered) -> list[str]:
    return [f"{check}: {problem}" for check, run in CHECKS.items() for problem in run(rendered)]


# --- command line -------------------------------------------------------------------------------


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")


def check_files(paths: Iterable[str]) -> int:
    """Validate already-rendered manifests against their schemas only."""
    problems = []
    for path in paths:
        try:
            objects = [o for o in yaml.safe_load_all(Path(path).read_text()) if o]
        except (OSError, yaml.YAMLError) as error:
            problems.append(f"{path}: cannot read: {error}")
            continue
        problems += [f"{path}: {p}" for p in schema_problems(objects)]
    for problem in problems:
        _say(f"  - {problem}")
    _say("FAILED" if problems else "ok")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    try:
        if argv:
            return check_files(argv)
        command = kustomize_command()
        _crds()
    except (RendererUnavailable, SchemasUnavailable) as error:
        sys.stderr.write(f"k8s-check: missing a tool: {error}\n")
        return 2
    _say(
        f"renderer: {' '.join(command)}; CRDs from "
        + ", ".join(f"{module}@{version}" for module, version in CRD_MODULES.items())
    )
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
    sys.exit(main(sys.argv[1:]))
