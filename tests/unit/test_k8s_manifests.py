"""k8s overlays pass tools/k8s_check.py; the image and compose file agree with them."""

import copy
import re
from collections.abc import Callable

import pytest
import yaml

from tools import k8s_check
from tools.k8s_check import CHECKS, OVERLAYS, Manifest, Rendered


@pytest.fixture(scope="module")
def kustomize() -> list[str]:
    try:
        return k8s_check.kustomize_command()
    except k8s_check.RendererUnavailable as error:
        message = (
            f"no kustomize to render k8s/ ({error}); install Go (kustomize is then built into "
            "~/.cache/gapless/bin) or kubectl, or set GAPLESS_KUSTOMIZE"
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


def test_prod_runs_order_and_inventory_with_at_least_two_replicas(prod: Rendered) -> None:
    replicas = {s: _deployment(prod, s)["spec"]["replicas"] for s in ("order", "inventory")}

    assert all(count >= 2 for count in replicas.values()), replicas


def test_prod_creates_topics_with_12_partitions_and_replication_factor_3(prod: Rendered) -> None:
    for service in k8s_check.SERVICES:
        env = _env(prod, service)

        assert env["GAPLESS_KAFKA__PARTITIONS"] == "12"
        assert env["GAPLESS_KAFKA__REPLICATION_FACTOR"] == "3"


def test_prod_runs_a_release_image_from_a_registry(prod: Rendered) -> None:
    image = k8s_check.app_container(_deployment(prod, "order"))["image"]

    assert image == "registry.example.com/gapless/gapless:0.1.0"


def test_dev_runs_one_replica_of_each_service_with_demo_data(dev: Rendered) -> None:
    for service in k8s_check.SERVICES:
        assert _deployment(dev, service)["spec"]["replicas"] == 1
        assert _env(dev, service)["GAPLESS_SEED_DEMO"] == "true"
    assert dev.of_kind("PodDisruptionBudget") == []


def test_config_maps_carry_a_content_hash_so_a_changed_setting_rolls_the_pods(
    dev: Rendered,
) -> None:
    names = sorted(c["metadata"]["name"] for c in dev.of_kind("ConfigMap"))
    bases = sorted(["gapless-common", *(f"{s}-config" for s in k8s_check.SERVICES)])

    assert [name.rsplit("-", 1)[0] for name in names] == bases


# --- the checks are not vacuous: each one reports a manifest broken in the way it guards -------


def _order(rendered: Rendered) -> Manifest:
    return _deployment(rendered, "order")


def _order_app(rendered: Rendered) -> Manifest:
    return k8s_check.app_container(_order(rendered))


def _add_secret(rendered: Rendered) -> None:
    secret = {"kind": "Secret", "metadata": {"name": "dsn", "namespace": "gapless"}}
    rendered.objects.append(secret)


def _put_dsn_in_config_map(rendered: Rendered) -> None:
    config_map = rendered.of_kind("ConfigMap")[0]
    config_map["data"]["GAPLESS_DATABASE_URL"] = "postgresql://gapless:secret@db:5432/gapless"


def _open_policy_to_the_internet(rendered: Rendered) -> None:
    rule = rendered.of_kind("NetworkPolicy")[0]["spec"]["ingress"][0]
    rule["from"].append({"ipBlock": {"cidr": "0.0.0.0/0"}})


def _drop_order_budget(rendered: Rendered) -> None:
    rendered.objects.remove(rendered.get("PodDisruptionBudget", "order"))


BREAKAGES: list[tuple[str, Callable[[Rendered], object], str]] = [
    (
        "schema",
        lambda r: _order_app(r).update(readinessprobe={}),
        "'readinessprobe' was unexpected",
    ),
    ("objects", _add_secret, "Secret/dsn is rendered"),
    ("images", lambda r: _order_app(r).update(image="gapless:latest"), "not latest"),
    ("probes", lambda r: _order_app(r).pop("readinessProbe"), "order: readinessProbe"),
    ("resources", lambda r: _order_app(r)["resources"].pop("limits"), "order: needs"),
    (
        "security",
        lambda r: _order_app(r)["securityContext"].update(readOnlyRootFilesystem=False),
        "order: needs readOnlyRootFilesystem",
    ),
    ("configuration", _put_dsn_in_config_map, "holds a database URL"),
    ("scaling", lambda r: _order(r)["spec"].update(replicas=13), "13 replicas > partitions"),
    (
        "services",
        lambda r: r.get("Service", "order")["spec"]["selector"].update(
            {"app.kubernetes.io/name": "orders"}
        ),
        "Service/order selects 0 Deployments",
    ),
    (
        "selectors",
        lambda r: _order(r)["spec"]["selector"]["matchLabels"].update(tier="x"),
        "Deployment/order: selector does not match",
    ),
    ("disruption-budgets", _drop_order_budget, "order: 3 replicas need exactly one"),
    ("network-policy", _open_policy_to_the_internet, "ipBlock"),
    (
        "prometheus",
        lambda r: _order(r)["spec"]["template"]["metadata"]["annotations"].clear(),
        "prometheus.io/scrape",
    ),
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


def test_quantities_compare_across_units() -> None:
    assert k8s_check.quantity("512Mi") > k8s_check.quantity("500M")
    assert k8s_check.quantity("1Gi") == 2 * k8s_check.quantity("512Mi")
    assert k8s_check.quantity("250m") == 0.25


def test_a_budget_that_leaves_nothing_to_evict_blocks_drains() -> None:
    assert k8s_check.evictable({"minAvailable": 2}, replicas=2) == 0
    assert k8s_check.evictable({"minAvailable": "50%"}, replicas=3) == 1
    assert k8s_check.evictable({"maxUnavailable": 1}, replicas=3) == 1


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
    pod = _deployment(dev, "order")["spec"]["template"]["spec"]

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


def test_compose_starts_each_service_after_healthy_postgres_and_kafka() -> None:
    services = _compose()["services"]

    for name in k8s_check.SERVICES:
        assert services[name]["command"] == ["python", "-m", f"services.{name}"]
        assert services[name]["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "kafka": {"condition": "service_healthy"},
        }
    assert "healthcheck" in services["postgres"] and "healthcheck" in services["kafka"]


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
