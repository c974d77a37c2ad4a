"""k8s overlays pass tools/k8s_check.py; the image and compose file agree with them."""

import copy
import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from services.roster import all_topics
from shared.settings import ServiceSettings
from tools import k8s_check
from tools.k8s_check import CHECKS, OVERLAYS, Manifest, Rendered
from tools.routes import (
    compose_gateway_config,
    console_manifest,
    console_upstreams,
    ingress_manifest,
)


@pytest.fixture(scope="module")
def kustomize() -> list[str]:
    try:
        command = k8s_check.kustomize_command()
        k8s_check.crd_schemas()
        return command
    except (k8s_check.RendererUnavailable, k8s_check.SchemasUnavailable) as error:
        message = (
            f"cannot render or validate k8s/ ({error}); install Go (kustomize is then built into "
            "~/.cache/gapless/bin and the operators' CRDs fetched), or set GAPLESS_KUSTOMIZE"
        )
        if k8s_check.in_ci():
            pytest.fail(f"{message} -- CI must validate the manifests, so this is a failure")
        pytest.skip(message)


@pytest.fixture(scope="module", params=sorted(OVERLAYS))
def rendered(request: pytest.FixtureRequest, kustomize: list[str]) -> Rendered:
    return k8s_check.render(request.param, kustomize)


@pytest.fixture(scope="module")
def dev(kustomize: list[str]) -> Rendered:
    return k8s_check.render("dev", kustomize)


@pytest.fixture(scope="module")
def prod(kustomize: list[str]) -> Rendered:
    return k8s_check.render("prod", kustomize)


@pytest.mark.parametrize("check", list(CHECKS))
def test_overlay_passes_check(rendered: Rendered, check: str) -> None:
    assert CHECKS[check](rendered) == []


def _deployment(rendered: Rendered, name: str) -> Manifest:
    deployment = rendered.get("Deployment", name)
    assert deployment is not None
    return deployment


def _env(rendered: Rendered, name: str) -> dict[str, str]:
    return k8s_check.environment(rendered, _deployment(rendered, name))


def _only(rendered: Rendered, kind: str, name: str) -> Manifest:
    found = rendered.get(kind, name)
    assert found is not None, f"no {kind}/{name}"
    return found


def test_prod_runs_at_least_two_of_every_api_and_worker(prod: Rendered) -> None:
    for service in k8s_check.SERVICES:
        api = _only(prod, "HorizontalPodAutoscaler", f"{service}-api")["spec"]
        worker = _only(prod, "ScaledObject", f"{service}-worker")["spec"]

        assert api["minReplicas"] >= 2 and worker["minReplicaCount"] >= 2


def test_prod_topics_have_12_partitions_3_replicas_and_need_2_in_sync(prod: Rendered) -> None:
    topics = prod.of_kind("KafkaTopic")

    assert {t["spec"]["topicName"] for t in topics} == set(all_topics())
    for topic in topics:
        assert (topic["spec"]["partitions"], topic["spec"]["replicas"]) == (12, 3)
        assert topic["spec"]["config"]["min.insync.replicas"] == 2
    for service in k8s_check.SERVICES:
        assert _env(prod, f"{service}-worker")["GAPLESS_KAFKA__PARTITIONS"] == "12"


def test_prod_workers_keep_inbox_rows_past_any_redelivery_and_topics_cover_the_replay_window(
    prod: Rendered, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers would refuse to start with a retention shorter than the redelivery window,
    and a replay within the window must find its records on Kafka."""
    for service in k8s_check.SERVICES:
        for name, value in _env(prod, f"{service}-worker").items():
            if name.startswith(("GAPLESS_BUS", "GAPLESS_KAFKA__", "GAPLESS_RETENTION__")):
                monkeypatch.setenv(name, value)
        settings = ServiceSettings()  # raises if the retention is too short

        window_ms = settings.retention.replay_window.total_seconds() * 1000
        for topic in prod.of_kind("KafkaTopic"):
            assert int(topic["spec"]["config"]["retention.ms"]) >= window_ms, topic


def test_prod_kafka_is_kraft_with_three_controllers_and_three_brokers(prod: Rendered) -> None:
    [kafka] = prod.of_kind("Kafka")
    pools = {p["metadata"]["name"]: p["spec"] for p in prod.of_kind("KafkaNodePool")}

    assert kafka["metadata"]["annotations"]["strimzi.io/kraft"] == "enabled"
    assert {n: (p["roles"], p["replicas"]) for n, p in pools.items()} == {
        "controllers": (["controller"], 3),
        "brokers": (["broker"], 3),
    }


def test_prod_postgres_has_three_instances_archives_wal_and_backs_up_nightly(
    prod: Rendered,
) -> None:
    cluster = _only(prod, "Cluster", "gapless-db")["spec"]
    [backup] = prod.of_kind("ScheduledBackup")

    assert cluster["instances"] == 3 and cluster["minSyncReplicas"] == 1
    assert cluster["backup"]["barmanObjectStore"]["wal"]["compression"] == "gzip"
    assert backup["spec"]["cluster"]["name"] == "gapless-db"


def test_prod_runs_a_release_image_from_a_registry(prod: Rendered) -> None:
    image = k8s_check.app_container(_deployment(prod, "order-api"))["image"]

    assert image == "registry.example.com/gapless/gapless:0.1.0"


def test_dev_adds_the_simulator_with_its_route_role_and_schema(dev: Rendered) -> None:
    paths = {
        p["path"]: p["backend"]["service"]["name"]
        for p in dev.of_kind("Ingress")[0]["spec"]["rules"][0]["http"]["paths"]
    }
    roles = [r["name"] for r in _only(dev, "Cluster", "gapless-db")["spec"]["managed"]["roles"]]

    assert _env(dev, "simulator")["GAPLESS_ROLE"] == "all"
    assert paths["/v1/simulator"] == "simulator"
    assert "gapless_simulator" in roles
    assert _env(dev, "order-api")["GAPLESS_SEED_DEMO"] == "true"


def test_config_maps_carry_a_content_hash_so_a_changed_setting_rolls_the_pods(
    dev: Rendered,
) -> None:
    names = sorted(c["metadata"]["name"] for c in dev.of_kind("ConfigMap"))
    services = [*k8s_check.SERVICES, "simulator"]
    bases = sorted(["gapless-common", *(f"{s}-config" for s in services)])

    assert [name.rsplit("-", 1)[0] for name in names] == bases


# --- the checks are not vacuous: each one reports a manifest broken in the way it guards -------


def _api(rendered: Rendered) -> Manifest:
    return _deployment(rendered, "order-api")


def _api_app(rendered: Rendered) -> Manifest:
    return k8s_check.app_container(_api(rendered))


def _add_secret(rendered: Rendered) -> None:
    secret = {"kind": "Secret", "metadata": {"name": "dsn", "namespace": "gapless"}}
    rendered.objects.append(secret)


def _read_password_from_another_services_secret(rendered: Rendered) -> None:
    for var in _api_app(rendered)["env"]:
        if var["name"] == "GAPLESS_DB_PASSWORD":
            var["valueFrom"]["secretKeyRef"]["name"] = "gapless-db-credit"


def _open_policy_to_the_internet(rendered: Rendered) -> None:
    rule = rendered.of_kind("NetworkPolicy")[0]["spec"]["ingress"][0]
    rule["from"].append({"ipBlock": {"cidr": "0.0.0.0/0"}})


def _drop_worker_budget(rendered: Rendered) -> None:
    rendered.objects.remove(_only(rendered, "PodDisruptionBudget", "order-worker"))


def _route_orders_to_inventory(rendered: Rendered) -> None:
    for path in rendered.of_kind("Ingress")[0]["spec"]["rules"][0]["http"]["paths"]:
        if path["path"] == "/v1/orders":
            path["backend"]["service"]["name"] = "inventory"


def _drop_schema_gate(rendered: Rendered) -> None:
    _api(rendered)["spec"]["template"]["spec"].pop("initContainers")


def _grant_superuser(rendered: Rendered) -> None:
    roles = _only(rendered, "Cluster", "gapless-db")["spec"]["managed"]["roles"]
    roles[0]["superuser"] = True


def _fewer_partitions_on_one_topic(rendered: Rendered) -> None:
    rendered.of_kind("KafkaTopic")[0]["spec"]["partitions"] = 6


def _run_a_console_in_prod(rendered: Rendered) -> None:
    console = copy.deepcopy(_api(rendered))
    console["metadata"]["labels"]["app.kubernetes.io/component"] = "console"
    rendered.objects.append(console)


BREAKAGES: list[tuple[str, Callable[[Rendered], object], str]] = [
    (
        "schema",
        lambda r: _only(r, "ScaledObject", "order-worker")["spec"].update(maxReplicas=3),
        "'maxReplicas' was unexpected",
    ),
    ("objects", _add_secret, "Secret/dsn is rendered"),
    ("images", lambda r: _api_app(r).update(image="gapless:latest"), "not latest"),
    ("probes", lambda r: _api_app(r).pop("readinessProbe"), "order-api: readinessProbe"),
    ("resources", lambda r: _api_app(r)["resources"].pop("limits"), "order-api/app: needs"),
    (
        "security",
        lambda r: _api_app(r)["securityContext"].update(readOnlyRootFilesystem=False),
        "order-api/app: needs readOnlyRootFilesystem",
    ),
    (
        "configuration",
        _read_password_from_another_services_secret,
        "GAPLESS_DB_PASSWORD must come from secretKeyRef gapless-db-order/password",
    ),
    ("kafka", _fewer_partitions_on_one_topic, "partitions, replicas, min.insync.replicas"),
    ("postgres", _grant_superuser, "superuser must be false"),
    (
        "scaling",
        lambda r: _only(r, "ScaledObject", "order-worker")["spec"].update(maxReplicaCount=13),
        "order-worker: up to 13 replicas > 12 partitions",
    ),
    (
        "services",
        lambda r: _only(r, "Service", "order")["spec"]["selector"].update(
            {"app.kubernetes.io/component": "worker"}
        ),
        "Service/order sends requests to workers",
    ),
    (
        "selectors",
        lambda r: _api(r)["spec"]["selector"]["matchLabels"].update(tier="x"),
        "Deployment/order-api: selector does not match",
    ),
    ("disruption-budgets", _drop_worker_budget, "order-worker: needs exactly one"),
    ("network-policy", _open_policy_to_the_internet, "ipBlock"),
    (
        "prometheus",
        lambda r: _api(r)["spec"]["template"]["metadata"]["annotations"].clear(),
        "prometheus.io/scrape",
    ),
    ("ingress", _route_orders_to_inventory, "routes /v1/orders to 'inventory'"),
    ("console", _run_a_console_in_prod, "the console is a dev-overlay workload only"),
    ("migrations", _drop_schema_gate, "order-api: needs initContainer wait-for-schema"),
]


@pytest.mark.parametrize(
    ("check", "breakage", "expected"), BREAKAGES, ids=[b[0] for b in BREAKAGES]
)
def test_check_reports_a_manifest_broken_the_way_it_guards(
    prod: Rendered, check: str, breakage: Callable[[Rendered], object], expected: str
) -> None:
    broken = copy.deepcopy(prod)

    breakage(broken)

    problems = CHECKS[check](broken)
    assert any(expected in problem for problem in problems), problems


def test_every_check_has_a_breakage_test() -> None:
    assert [b[0] for b in BREAKAGES] == list(CHECKS)


BROKEN_MANIFEST = """
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: order-worker}
spec:
  scaleTargetRef: {name: order-worker}
  maxReplicaCount: twelve
  triggers: [{type: kafka, metadata: {consumerGroup: order}}]
---
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: gapless-db}
spec:
  instances: 3
  storage: {size: 1Gi}
  managed: {roles: [{name: gapless_order, superuser: "no"}]}
---
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaTopic
metadata: {name: order.events, labels: {strimzi.io/cluster: gapless}}
spec: {partitions: "12", replica: 3}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: order-api}
spec: {maxUnavailable: 1, selecter: {matchLabels: {a: b}}}
"""


@pytest.mark.usefixtures("kustomize")
def test_the_command_line_fails_on_a_broken_manifest_and_says_why(tmp_path: Path) -> None:
    manifest = tmp_path / "broken.yaml"
    manifest.write_text(BROKEN_MANIFEST)

    result = subprocess.run(
        [sys.executable, "-m", "tools.k8s_check", str(manifest)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=k8s_check.K8S_DIR.parent,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    for reason in (
        "ScaledObject/order-worker (keda.sh/v1alpha1 CRD): spec.maxReplicaCount: 'twelve'",
        "Cluster/gapless-db (postgresql.cnpg.io/v1 CRD): spec.managed.roles.0.superuser: 'no'",
        "KafkaTopic/order.events (kafka.strimzi.io/v1beta2 CRD): spec.partitions: '12'",
        "KafkaTopic/order.events (kafka.strimzi.io/v1beta2 CRD): spec: Additional properties",
        "PodDisruptionBudget/order-api (Kubernetes 1.30.0)",
    ):
        assert reason in result.stdout, result.stdout


def test_the_command_line_passes_the_rendered_overlays(
    kustomize: list[str], tmp_path: Path
) -> None:
    for overlay in OVERLAYS:
        rendered = subprocess.run(
            [*kustomize, str(k8s_check.K8S_DIR / "overlays" / overlay)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (tmp_path / f"{overlay}.yaml").write_text(rendered)

    result = subprocess.run(
        [sys.executable, "-m", "tools.k8s_check", *map(str, sorted(tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=k8s_check.K8S_DIR.parent,
    )

    assert (result.returncode, result.stdout.strip()) == (0, "ok")


def test_quantities_compare_across_units() -> None:
    assert k8s_check.quantity("512Mi") > k8s_check.quantity("500M")
    assert k8s_check.quantity("1Gi") == 2 * k8s_check.quantity("512Mi")
    assert k8s_check.quantity("250m") == 0.25


def test_a_budget_that_leaves_nothing_to_evict_blocks_drains() -> None:
    assert k8s_check.evictable({"minAvailable": 2}, replicas=2) == 0
    assert k8s_check.evictable({"minAvailable": "50%"}, replicas=3) == 1
    assert k8s_check.evictable({"maxUnavailable": 1}, replicas=3) == 1


def test_a_crd_schema_is_made_strict_but_keeps_what_kubernetes_lets_through() -> None:
    strict = k8s_check.strict_schema(
        {
            "type": "object",
            "properties": {
                "port": {"x-kubernetes-int-or-string": True},
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                "maybe": {"type": "string", "nullable": True},
            },
        }
    )
    validator = jsonschema.Draft7Validator(strict)

    assert validator.is_valid({"port": "http", "free": {"any": 1}, "maybe": None})
    assert validator.is_valid({"port": 8000})
    assert not validator.is_valid({"port": 8000, "unknown": 1})
    assert not validator.is_valid({"port": 1.5})


# --- the image and the compose file agree with the manifests (Docker cannot run here) -----------

DEPLOY = k8s_check.K8S_DIR.parent / "deploy"


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def _compose_without_comments() -> str:
    lines = (DEPLOY / "docker-compose.yml").read_text().splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


def _compose() -> Manifest:
    compose: Manifest = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return compose


def test_image_runs_as_the_non_root_uid_the_pods_require(dev: Rendered) -> None:
    pod = _deployment(dev, "order-api")["spec"]["template"]["spec"]

    assert re.search(r"^USER 10001:10001$", _dockerfile(), re.MULTILINE)
    assert "--uid 10001" in _dockerfile()
    assert pod["securityContext"]["runAsUser"] == 10001


def test_image_is_multi_stage_and_runs_embedded_mode_by_default() -> None:
    dockerfile = _dockerfile()

    assert len(re.findall(r"^FROM ", dockerfile, re.MULTILINE)) >= 2
    assert 'CMD ["python", "-m", "services.embedded"]' in dockerfile
    assert re.search(r"^HEALTHCHECK .*\n.*/healthz", dockerfile, re.MULTILINE)
    assert "GAPLESS_PORT=8000" in dockerfile and "EXPOSE 8000" in dockerfile


def test_image_bakes_in_no_secret() -> None:
    settings = re.findall(r"^(?:ENV|ARG)\s.*(?:\n\s+.*\\?)*", _dockerfile(), re.MULTILINE)

    assert not [s for s in settings if re.search(r"PASSWORD|SECRET|TOKEN|DATABASE_URL", s)]


def test_compose_takes_every_secret_from_a_required_variable() -> None:
    text = _compose_without_comments()
    secrets = re.findall(r"\$\{(\w*(?:PASSWORD|SECRET)\w*)([^}]*)\}", text)

    assert secrets
    assert all(rest.startswith(":?") for _, rest in secrets), secrets
    assert "${GAPLESS_DB_PASSWORD:?Variable not set}@postgres:5432" in text


def test_compose_migrates_once_then_starts_each_service_after_healthy_postgres_and_kafka() -> None:
    services = _compose()["services"]

    assert services["migrate"]["command"] == ["python", "-m", "services", "migrate"]
    for name in [*k8s_check.SERVICES, "simulator"]:
        assert services[name]["command"] == ["python", "-m", f"services.{name}"]
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "kafka": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        assert services[name]["environment"]["GAPLESS_MIGRATIONS"] == "verify"
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["kafka"]


def test_compose_publishes_one_entry_point_routed_as_the_code_serves() -> None:
    services = _compose()["services"]
    published = {name for name, s in services.items() if s.get("ports")}

    # The ops console is a page of its own beside the API gateway.
    assert published == {"gateway", "console", "embedded"}
    assert services["gateway"]["ports"] == ["127.0.0.1:${GAPLESS_GATEWAY_PORT:-8000}:8000"]
    assert "./nginx/compose.conf:/etc/gapless/nginx.conf:ro" in services["gateway"]["volumes"]
    # Regenerate with the command at the top of deploy/nginx/compose.conf.
    assert (DEPLOY / "nginx" / "compose.conf").read_text() == compose_gateway_config()


def test_the_dev_console_is_the_one_generated_from_the_routers() -> None:
    # Regenerate with: python -m tools.routes console > k8s/overlays/dev/console.yaml
    console = k8s_check.K8S_DIR / "overlays" / "dev" / "console.yaml"
    assert console.read_text() == console_manifest()


def test_the_compose_console_forwards_each_resource_to_its_owner() -> None:
    environment = _compose()["services"]["console"]["environment"]

    assert json.loads(environment["GAPLESS_CONSOLE_UPSTREAMS"]) == console_upstreams()


def test_the_base_ingress_is_the_one_generated_from_the_routers() -> None:
    # Regenerate with: python -m tools.routes ingress > k8s/base/ingress.yaml
    assert (k8s_check.K8S_DIR / "base" / "ingress.yaml").read_text() == ingress_manifest()


def test_compose_kafka_is_a_single_kraft_node_without_topic_auto_creation() -> None:
    kafka = _compose()["services"]["kafka"]

    assert kafka["image"].startswith("apache/kafka:")
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"


def test_env_example_names_every_required_variable() -> None:
    required = set(re.findall(r"\$\{(\w+):\?", _compose_without_comments()))
    example = (DEPLOY / ".env.example").read_text()

    assert required
    assert all(re.search(rf"^{name}=", example, re.MULTILINE) for name in required), required
