"""The Helm chart, checked the way a cluster and a reviewer would check it, without a cluster.

Every values file in helm/values (and the chart defaults) is linted with `helm lint --strict`,
rendered with `helm template`, validated with `kubernetes-validate --strict`, scanned with
`checkov --framework kubernetes`, and its rendered worker.yaml is accepted by the worker's own
`check-config`. Then the rendered objects are asserted on: security context, probes, labels,
replicas under an autoscaler, the config checksum, secrets, monitoring objects.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.chart_schema import SCHEMA_PATH, expected_values_schema
from tests.deploy.tools import CHART, VALUES_DIR, describe, run, tool

RELEASE = "article-worker"
NAMESPACE = "news"

Doc = dict[str, Any]

# The values files the issue asks for; any further file in helm/values is checked as well.
REQUIRED_VALUES = ("minimal", "production", "sasl-ssl-existing-secrets", "hpa")
VARIANTS = ["default", *sorted(p.stem for p in VALUES_DIR.glob("*.yaml"))]

# checkov findings accepted per variant, each with the reason. The test also fails when a
# listed check stops failing, so this list cannot go stale.
_DIGEST = (
    "CKV_K8S_43",
    "image by digest is a release-time choice (image.digest); production.yaml pins one and "
    "passes, the other files show other features with a tag",
)
_PULL_ALWAYS = (
    "CKV_K8S_15",
    "pullPolicy Always only matters for mutable tags; with a digest (production.yaml) the "
    "check passes, with a tag IfNotPresent keeps restarts independent of the registry",
)
_NETPOL = (
    "CKV2_K8S_6",
    "the NetworkPolicy is optional (it needs the brokers' addresses and an enforcing CNI); "
    "production.yaml and sasl-ssl-existing-secrets.yaml enable it and pass",
)
CHECKOV_ACCEPTED: dict[str, dict[str, str]] = {
    "default": dict([_DIGEST, _PULL_ALWAYS, _NETPOL]),
    "minimal": dict([_DIGEST, _PULL_ALWAYS, _NETPOL]),
    "hpa": dict([_DIGEST, _PULL_ALWAYS, _NETPOL]),
    "mtls-chart-secret": dict([_DIGEST, _PULL_ALWAYS, _NETPOL]),
    "sasl-ssl-existing-secrets": dict([_DIGEST, _PULL_ALWAYS]),
    "production": {},
}
# Custom resources kubernetes-validate has no schema for (it warns; the tests below check them).
CUSTOM_KINDS = {"PodMonitor", "ServiceMonitor", "PrometheusRule", "ScaledObject",
                "TriggerAuthentication"}
# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion) and the newest known.
KUBE_VERSIONS = ("1.25.0", "1.37.0")


def _values_args(variant: str) -> list[str]:
    return [] if variant == "default" else ["-f", str(VALUES_DIR / f"{variant}.yaml")]


def helm_template(*args: str) -> subprocess.CompletedProcess[str]:
    """`helm template` of the chart with extra arguments (values files, --set)."""
    return run([tool("helm"), "template", RELEASE, CHART, "--namespace", NAMESPACE, *args])


@cache
def _rendered_text(args: tuple[str, ...]) -> str:
    result = helm_template(*args)
    assert result.returncode == 0, describe(result)
    return result.stdout


def render(*args: str) -> list[Doc]:
    """The rendered objects (cached per argument list: rendering is deterministic)."""
    return [d for d in yaml.safe_load_all(_rendered_text(args)) if d]


def render_variant(variant: str) -> list[Doc]:
    return render(*_values_args(variant))


def one(docs: list[Doc], kind: str) -> Doc:
    found = [d for d in docs if d["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, got {[d['metadata']['name'] for d in found]}"
    return found[0]


def kinds(docs: list[Doc]) -> set[str]:
    return {d["kind"] for d in docs}


def worker_config(docs: list[Doc]) -> Doc:
    cms = [d for d in docs if d["kind"] == "ConfigMap" and "worker.yaml" in d.get("data", {})]
    assert len(cms) == 1
    config: Doc = yaml.safe_load(cms[0]["data"]["worker.yaml"])
    return config


def pod_spec(docs: list[Doc]) -> Doc:
    spec: Doc = one(docs, "Deployment")["spec"]["template"]["spec"]
    return spec


def container(docs: list[Doc]) -> Doc:
    containers = pod_spec(docs)["containers"]
    assert [c["name"] for c in containers] == ["worker"]
    worker: Doc = containers[0]
    return worker


# --- the tools -------------------------------------------------------------------------------


def test_the_required_values_files_exist() -> None:
    missing = [name for name in REQUIRED_VALUES if not (VALUES_DIR / f"{name}.yaml").is_file()]
    assert not missing, f"missing values files in {VALUES_DIR}: {missing}"
    assert set(VARIANTS) == set(CHECKOV_ACCEPTED), (
        "every values file needs an entry (possibly empty) in CHECKOV_ACCEPTED"
    )


@pytest.mark.parametrize("variant", VARIANTS)
def test_helm_lint_strict(variant: str) -> None:
    result = run([tool("helm"), "lint", "--strict", CHART, "--namespace", NAMESPACE,
                  *_values_args(variant)])
    assert result.returncode == 0, describe(result)
    assert "0 chart(s) failed" in result.stdout


@pytest.mark.parametrize("kube_version", KUBE_VERSIONS)
@pytest.mark.parametrize("variant", VARIANTS)
def test_kubernetes_validate_strict(variant: str, kube_version: str, tmp_path: Path) -> None:
    manifest = tmp_path / f"{variant}.yaml"
    manifest.write_text(_rendered_text(tuple(_values_args(variant))), encoding="utf-8")
    result = run([tool("kubernetes-validate"), "--strict", "-k", kube_version, manifest])
    assert result.returncode == 0, describe(result)
    output = result.stdout + result.stderr
    assert "ERROR" not in output, describe(result)
    # Only the custom resources may go unvalidated (checked by the tests below instead).
    for line in output.splitlines():
        if line.startswith("WARN"):
            assert any(f"kind {kind} " in line for kind in CUSTOM_KINDS), line
    for doc in render_variant(variant):
        if doc["kind"] not in CUSTOM_KINDS:
            resource = f"{doc['kind'].lower()}/{doc['metadata']['name']}"
            assert f"passed for resource {resource} " in output, describe(result)


@pytest.fixture(scope="module")
def checkov_failures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Failed checkov check ids per variant, from one checkov run over all variants.

    One run instead of one per variant saves about a minute. Each variant is rendered under
    its own release name, so checkov's graph checks (a NetworkPolicy selecting the pods)
    cannot connect objects of different variants.
    """
    directory = tmp_path_factory.mktemp("checkov")
    for variant in VARIANTS:
        result = run([tool("helm"), "template", f"aw-{variant}", CHART,
                      "--namespace", f"ns-{variant}", *_values_args(variant)])
        assert result.returncode == 0, describe(result)
        (directory / f"{variant}.yaml").write_text(result.stdout, encoding="utf-8")
    result = run([tool("checkov"), "--framework", "kubernetes", "--skip-download", "--quiet",
                  "--output", "json", "--directory", directory], timeout=600)
    # checkov exits 1 when a check fails; the JSON says which.
    assert result.returncode in (0, 1), describe(result)
    report = json.loads(result.stdout)
    assert report["summary"]["parsing_errors"] == 0, describe(result)
    assert report["summary"]["passed"] > 50 * len(VARIANTS), "checkov ran too few checks"
    failures: dict[str, set[str]] = {variant: set() for variant in VARIANTS}
    for check in report["results"]["failed_checks"]:
        variant = Path(check["file_path"]).stem
        failures[variant].add(f"{check['check_id']} {check['check_name']} ({check['resource']})")
    return failures


@pytest.mark.parametrize("variant", VARIANTS)
def test_checkov_finds_nothing_beyond_the_accepted_checks(
    variant: str, checkov_failures: dict[str, set[str]]
) -> None:
    failed = checkov_failures[variant]
    accepted = CHECKOV_ACCEPTED[variant]
    unexpected = sorted(f for f in failed if f.split()[0] not in accepted)
    assert not unexpected, f"new checkov findings: {unexpected}"
    stale = set(accepted) - {f.split()[0] for f in failed}
    assert not stale, f"accepted checks that no longer fail (remove them): {stale}"


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_worker_accepts_the_rendered_config(variant: str, tmp_path: Path) -> None:
    config = tmp_path / "worker.yaml"
    config.write_text(yaml.safe_dump(worker_config(render_variant(variant))), encoding="utf-8")
    result = run([sys.executable, "-m", "worker", "check-config", "--config", config])
    assert result.returncode == 0, describe(result)


# --- the schema ------------------------------------------------------------------------------


def test_values_schema_config_part_is_derived_from_the_settings() -> None:
    committed = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert committed == expected_values_schema(), (
        "helm/article-worker/values.schema.json is out of date with worker/settings.py: run "
        ".venv/bin/python -m tests.deploy.chart_schema"
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("replicaCont=3", "Additional property replicaCont is not allowed"),
        ("image.tga=1.0", "Additional property tga is not allowed"),
        ("config.consumer.gruop_id=x", "Additional property gruop_id is not allowed"),
        ("config.kafka.sasl_password=hunter2", "Additional property sasl_password is not allowed"),
        ("config.metrics.port=0", "config.metrics.port"),
        ("autoscaling.keda.lagThreshold=0", "autoscaling.keda.lagThreshold"),
    ],
)
def test_the_schema_rejects_unknown_or_unsafe_values(setting: str, message: str) -> None:
    result = helm_template("--set", setting)
    assert result.returncode != 0, describe(result)
    assert message in result.stderr, describe(result)


def value_paths(values: Any, schema: Doc, prefix: str = "") -> Iterator[str]:
    """Dotted paths of values.yaml down to where the schema stops describing (free-form
    Kubernetes objects such as `resources`); fails on a value the schema does not know."""
    if not (isinstance(values, dict) and values and "properties" in schema):
        yield prefix
        return
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        assert key in schema["properties"], f"{path} is not in values.schema.json"
        yield from value_paths(value, schema["properties"][key], path)


def _values_and_schema() -> tuple[Doc, Doc]:
    values: Doc = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    schema: Doc = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return values, schema


def test_every_value_is_in_the_schema_and_documented_in_the_chart_readme() -> None:
    values, schema = _values_and_schema()
    paths = list(value_paths(values, schema))
    assert len(paths) > 60, "the walk stopped early"
    readme = (CHART / "README.md").read_text(encoding="utf-8")
    undocumented = [path for path in paths if f"`{path}`" not in readme]
    assert not undocumented, f"values missing from helm/article-worker/README.md: {undocumented}"


# --- what the pods get -----------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_restricted_security_context(variant: str) -> None:
    docs = render_variant(variant)
    pod = pod_spec(docs)
    worker = container(docs)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == 10001  # the image's user
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    ctx = worker["securityContext"]
    assert ctx["allowPrivilegeEscalation"] is False
    assert ctx["readOnlyRootFilesystem"] is True
    assert ctx["runAsNonRoot"] is True
    assert ctx["capabilities"] == {"drop": ["ALL"]}
    assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}
    for forbidden in ("hostNetwork", "hostPID", "hostIPC"):
        assert forbidden not in pod
    # /tmp is the one writable place, and it is an emptyDir.
    mounts = {m["mountPath"]: m["name"] for m in worker["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]
    assert all("hostPath" not in v for v in volumes.values())
    assert worker["resources"]["requests"]
    assert worker["resources"]["limits"]["memory"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_probes_and_drain(variant: str) -> None:
    docs = render_variant(variant)
    worker = container(docs)
    config = worker_config(docs)
    port = config.get("metrics", {}).get("port", 9100)
    assert worker["ports"] == [{"name": "metrics", "containerPort": port, "protocol": "TCP"}]
    expected_paths = {"startupProbe": "/healthz", "livenessProbe": "/healthz",
                      "readinessProbe": "/readyz"}
    for probe, path in expected_paths.items():
        assert worker[probe]["httpGet"] == {"path": path, "port": "metrics"}, probe
    assert worker["args"][:3] == ["run", "--config", "/etc/article-worker/config/worker.yaml"]
    assert "command" not in worker, "the image's exec-form entrypoint must stay PID 1"
    drain = config.get("shutdown", {}).get("drain_timeout_s", 30)
    assert pod_spec(docs)["terminationGracePeriodSeconds"] > drain


def test_a_grace_period_within_the_drain_timeout_is_refused() -> None:
    result = helm_template("--set", "config.shutdown.drain_timeout_s=60",
                           "--set", "terminationGracePeriodSeconds=60")
    assert result.returncode != 0
    assert "must be above config.shutdown.drain_timeout_s" in result.stderr
    # --set-json: `--set` would pass 45.5 as a string, which the schema rightly refuses.
    derived = pod_spec(render("--set-json", "config.shutdown.drain_timeout_s=45.5"))
    assert derived["terminationGracePeriodSeconds"] == 76  # ceil(45.5) + 30


@pytest.mark.parametrize("variant", VARIANTS)
def test_standard_labels_and_namespace(variant: str) -> None:
    docs = render_variant(variant)
    for doc in docs:
        labels = doc["metadata"]["labels"]
        where = f"{doc['kind']}/{doc['metadata']['name']}"
        assert labels["app.kubernetes.io/name"] == "article-worker", where
        assert labels["app.kubernetes.io/instance"] == RELEASE, where
        assert labels["app.kubernetes.io/managed-by"] == "Helm", where
        assert labels["app.kubernetes.io/version"], where
        assert labels["helm.sh/chart"].startswith("article-worker-"), where
        if doc["kind"] == "ConfigMap" and doc["metadata"]["name"].endswith("-dashboard"):
            continue  # may live in Grafana's namespace (monitoring.dashboard.namespace)
        assert doc["metadata"]["namespace"] == NAMESPACE, where
    deployment = one(docs, "Deployment")
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector == {"app.kubernetes.io/name": "article-worker",
                        "app.kubernetes.io/instance": RELEASE}
    assert selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    spread = pod_spec(docs)["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in spread} == {"topology.kubernetes.io/zone",
                                                   "kubernetes.io/hostname"}
    assert all(c["labelSelector"]["matchLabels"] == selector for c in spread)


def test_config_checksum_follows_the_config_only() -> None:
    def checksum(*args: str) -> str:
        deployment = one(render(*args), "Deployment")
        value: str = deployment["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
        return value

    base = checksum()
    assert len(base) == 64
    assert checksum() == base, "rendering must be deterministic"
    assert checksum("--set", "config.consumer.group_id=other") != base
    assert checksum("--set", "config.logging.level=DEBUG") != base
    assert checksum("--set", "replicaCount=5") == base, "a non-config change must not roll pods"


# --- scaling ---------------------------------------------------------------------------------


def test_replicas_are_left_to_keda() -> None:
    docs = render_variant("production")
    deployment = one(docs, "Deployment")
    assert "replicas" not in deployment["spec"]
    assert "HorizontalPodAutoscaler" not in kinds(docs), "KEDA creates its own HPA"
    scaled = one(docs, "ScaledObject")
    config = worker_config(docs)
    assert scaled["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                                "name": deployment["metadata"]["name"]}
    trigger = scaled["spec"]["triggers"][0]
    assert trigger["type"] == "kafka"
    meta = trigger["metadata"]
    assert meta["bootstrapServers"] == config["kafka"]["bootstrap_servers"]
    assert meta["consumerGroup"] == config["consumer"]["group_id"]
    assert meta["topic"] == config["topics"]["input"]
    assert meta["lagThreshold"] == "2000"
    # Replicas beyond the partition count would idle: KEDA must keep capping at it.
    assert meta["allowIdleConsumers"] == "false"
    assert all(isinstance(v, str) for v in meta.values()), "KEDA metadata values are strings"


def test_replicas_are_left_to_the_hpa() -> None:
    docs = render_variant("hpa")
    assert "replicas" not in one(docs, "Deployment")["spec"]
    hpa = one(docs, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == one(docs, "Deployment")["metadata"]["name"]
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert "ScaledObject" not in kinds(docs)


def test_fixed_replicas_without_an_autoscaler() -> None:
    assert one(render_variant("minimal"), "Deployment")["spec"]["replicas"] == 1
    assert one(render_variant("default"), "Deployment")["spec"]["replicas"] == 2


def test_hpa_and_keda_are_mutually_exclusive() -> None:
    result = helm_template("--set", "autoscaling.hpa.enabled=true",
                           "--set", "autoscaling.keda.enabled=true")
    assert result.returncode != 0
    assert "mutually exclusive" in result.stderr


def test_keda_authenticates_like_the_worker() -> None:
    docs = render("-f", str(VALUES_DIR / "sasl-ssl-existing-secrets.yaml"),
                  "--set", "autoscaling.keda.enabled=true")
    meta = one(docs, "ScaledObject")["spec"]["triggers"][0]["metadata"]
    assert meta["sasl"] == "scram_sha512"
    assert meta["tls"] == "enable"
    auth = one(docs, "TriggerAuthentication")["spec"]
    refs = {r["parameter"]: (r["name"], r["key"]) for r in auth["secretTargetRef"]}
    assert refs == {"password": ("article-worker-kafka-user", "password"),
                    "ca": ("news-cluster-ca-cert", "ca.crt")}
    assert auth["env"] == [{"parameter": "username",
                            "name": "ARTICLE_WORKER__KAFKA__SASL_USERNAME",
                            "containerName": "worker"}]
    env = {e["name"]: e for e in container(docs)["env"]}
    assert env["ARTICLE_WORKER__KAFKA__SASL_USERNAME"]["value"] == "article-worker"


# --- credentials -----------------------------------------------------------------------------


def test_existing_secrets_are_mounted_and_configured() -> None:
    docs = render_variant("sasl-ssl-existing-secrets")
    assert "Secret" not in kinds(docs), "no Secret of the chart's own when all are existing"
    config = worker_config(docs)["kafka"]
    assert config["sasl_password_file"] == "/etc/article-worker/secrets/sasl-password"
    assert config["ssl_cafile"] == "/etc/article-worker/secrets/ca.crt"
    pod = pod_spec(docs)
    volume = next(v for v in pod["volumes"] if v["name"] == "kafka-secrets")
    sources = [s["secret"] for s in volume["projected"]["sources"]]
    assert {(s["name"], s["items"][0]["key"], s["items"][0]["path"]) for s in sources} == {
        ("article-worker-kafka-user", "password", "sasl-password"),
        ("news-cluster-ca-cert", "ca.crt", "ca.crt"),
    }
    assert volume["projected"]["defaultMode"] == 0o440
    mount = next(m for m in container(docs)["volumeMounts"] if m["name"] == "kafka-secrets")
    assert mount == {"name": "kafka-secrets", "mountPath": "/etc/article-worker/secrets",
                     "readOnly": True}
    assert "checksum/secret" not in one(docs, "Deployment")["spec"]["template"]["metadata"][
        "annotations"]


def test_values_become_a_secret_whose_change_rolls_the_pods() -> None:
    docs = render_variant("mtls-chart-secret")
    secret = one(docs, "Secret")
    assert set(secret["data"]) == {"ca.crt", "tls.crt", "tls.key"}
    config = worker_config(docs)["kafka"]
    assert config["ssl_certfile"] == "/etc/article-worker/secrets/tls.crt"
    assert config["ssl_keyfile"] == "/etc/article-worker/secrets/tls.key"
    configmap_text = next(d for d in docs if d["kind"] == "ConfigMap")["data"]["worker.yaml"]
    assert "BEGIN" not in configmap_text, "key material must not reach the ConfigMap"

    def secret_checksum(*args: str) -> str:
        annotations = one(render(*args), "Deployment")["spec"]["template"]["metadata"][
            "annotations"]
        value: str = annotations["checksum/secret"]
        return value

    values = ("-f", str(VALUES_DIR / "mtls-chart-secret.yaml"))
    rotated = secret_checksum(*values, "--set", "kafkaSecrets.caCert.value=rotated")
    assert secret_checksum(*values) != rotated


def test_sasl_without_a_password_source_is_refused() -> None:
    result = helm_template("--set", "config.kafka.security_protocol=SASL_SSL",
                           "--set", "config.kafka.sasl_mechanism=PLAIN",
                           "--set", "config.kafka.sasl_username=u")
    assert result.returncode != 0
    assert "kafkaSecrets.saslPassword" in result.stderr


def test_static_membership_uses_the_pod_name() -> None:
    env = {e["name"]: e for e in container(render_variant("production"))["env"]}
    assert env["ARTICLE_WORKER__CONSUMER__GROUP_INSTANCE_ID"]["valueFrom"] == {
        "fieldRef": {"fieldPath": "metadata.name"}}
    assert "env" not in container(render_variant("minimal"))


# --- monitoring and network ------------------------------------------------------------------


def test_monitoring_objects_ship_the_repository_files() -> None:
    docs = render_variant("production")
    monitor = one(docs, "PodMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
    assert monitor["spec"]["selector"]["matchLabels"] == one(docs, "Deployment")["spec"][
        "selector"]["matchLabels"]
    rule = one(docs, "PrometheusRule")
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    rules_file = yaml.safe_load((CHART / "files" / "article-worker.rules.yaml").read_text())
    assert rule["spec"]["groups"] == rules_file["groups"]
    dashboard = next(d for d in docs if d["metadata"]["name"].endswith("-dashboard"))
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert dashboard["metadata"]["namespace"] == "monitoring"
    shipped = json.loads(dashboard["data"]["article-worker.json"])
    assert shipped == json.loads((CHART / "files" / "article-worker.json").read_text())


def test_service_monitor_has_a_service_to_select() -> None:
    docs = render_variant("hpa")
    monitor = one(docs, "ServiceMonitor")
    service = one(docs, "Service")
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"][
        "labels"].items()
    assert service["spec"]["clusterIP"] == "None"
    assert service["spec"]["ports"][0]["name"] == monitor["spec"]["endpoints"][0]["port"]


def test_network_policy_allows_brokers_dns_and_scrapes_only() -> None:
    policy = one(render_variant("production"), "NetworkPolicy")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert len(policy["ingress"]) == 1
    assert policy["ingress"][0]["ports"] == [{"port": 9100, "protocol": "TCP"}]
    assert policy["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "monitoring"}
    brokers, dns = policy["egress"]
    assert brokers["ports"] == [{"port": 9092, "protocol": "TCP"}]
    assert brokers["to"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "kafka"}
    assert {(p["port"], p["protocol"]) for p in dns["ports"]} == {(53, "UDP"), (53, "TCP")}
    assert "NetworkPolicy" not in kinds(render_variant("minimal"))


def test_optional_objects_are_off_by_default() -> None:
    assert kinds(render_variant("default")) == {
        "ConfigMap", "Deployment", "PodDisruptionBudget", "ServiceAccount"}
    service_account = one(render_variant("default"), "ServiceAccount")
    assert service_account["automountServiceAccountToken"] is False


def test_the_packaged_chart_carries_its_files(tmp_path: Path) -> None:
    # What users install is the package: .helmignore must not drop what .Files.Get reads.
    packaged = run([tool("helm"), "package", CHART, "--destination", tmp_path])
    assert packaged.returncode == 0, describe(packaged)
    (archive,) = tmp_path.glob("article-worker-*.tgz")
    result = run([tool("helm"), "template", RELEASE, archive, "--namespace", NAMESPACE,
                  *_values_args("production")])
    assert result.returncode == 0, describe(result)
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    assert docs == render_variant("production")
