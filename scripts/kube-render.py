#!/usr/bin/python3
"""kube-render.py - docker/k8s/deployment.yaml as `podman kube play` runs it
(scripts/docker.sh kube-test).

    kube-render.py DEPLOYMENT.yaml --image IMAGE --name NAME \
        --yaml OUT.yaml --plan OUT.plan

Writes OUT.yaml: the Deployment unchanged but for
  - metadata.name = NAME (pods are NAME-pod-0.., so runs never collide),
  - the pwgend container's image = IMAGE (the locally built one),
  - no container ports: podman 4.3 publishes every containerPort on the
    host (0.0.0.0:8080, ...), which Kubernetes never does and which makes
    the second replica fail ("address already in use"). In Kubernetes they
    are informational but for named ports, which this script resolves for
    the plan; the test reaches the pods at their own addresses, as the
    kubelet and a Service do.
  - no livenessProbe: podman 4.3 turns an httpGet probe into a healthcheck
    `CMD-SHELL curl -f http://localhost:<port>/<path> || exit 1` (a named
    port becomes 0), and an exec probe into `CMD-SHELL <command> || exit 1`:
    both need /bin/sh, which the image does not have. (It ignores startup
    and readiness probes, and does not keep the image's HEALTHCHECK.) The
    test sends every probe itself, as the kubelet does.
Everything else (replicas, env, ports, resources, securityContext, ...)
is passed through as written.

Writes OUT.plan, what the test checks, one fact a line:
  replicas N
  port NAME NUMBER
  probe KIND PATH PORT-NUMBER SECONDS   (SECONDS: failureThreshold x
                                         periodSeconds, the time it allows)
  env NAME VALUE
  limit cpu|memory VALUE                (memory in bytes, cpu in millicores)
  request cpu|memory VALUE
  scrape PORT-NUMBER                    (prometheus.io/port)
"""
import argparse
import re
import sys

import yaml

UNITS = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6,
         "G": 10**9, "": 1}


def quantity(kind, q):
    """A Kubernetes quantity as an integer: millicores or bytes."""
    q = str(q)
    if kind == "cpu":
        return int(q[:-1]) if q.endswith("m") else int(float(q) * 1000)
    m = re.fullmatch(r"(\d+)(Ki|Mi|Gi|k|M|G|)", q)
    if not m:
        sys.exit("kube-render: cannot read memory quantity %r" % q)
    return int(m.group(1)) * UNITS[m.group(2)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("deployment")
    ap.add_argument("--image", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--yaml", required=True)
    ap.add_argument("--plan", required=True)
    a = ap.parse_args()

    with open(a.deployment) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    deps = [d for d in docs if d.get("kind") == "Deployment"]
    if len(deps) != 1:
        sys.exit("kube-render: %s: expected one Deployment" % a.deployment)
    dep = deps[0]
    tmpl = dep["spec"]["template"]
    pod = tmpl["spec"]
    c = next(x for x in pod["containers"] if x["name"] == "pwgend")

    dep["metadata"]["name"] = a.name
    c["image"] = a.image
    ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}

    plan = ["replicas %d" % dep["spec"].get("replicas", 1)]
    plan += ["port %s %d" % kv for kv in ports.items()]
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        p = c.get(kind)
        if not p:
            continue
        g = p["httpGet"]
        port = ports.get(g["port"], g["port"])
        allow = p.get("failureThreshold", 3) * p.get("periodSeconds", 10)
        plan.append("probe %s %s %d %d" % (kind, g["path"], int(port), allow))
    c.pop("livenessProbe", None)
    c.pop("ports", None)
    plan += ["env %s %s" % (e["name"], e["value"])
             for e in c.get("env", []) if "value" in e]
    for what in ("limits", "requests"):
        for k, v in c.get("resources", {}).get(what, {}).items():
            plan.append("%s %s %d" % (what[:-1], k, quantity(k, v)))
    ann = tmpl.get("metadata", {}).get("annotations", {})
    if "prometheus.io/port" in ann:
        plan.append("scrape %d" % int(ann["prometheus.io/port"]))

    with open(a.yaml, "w") as f:
        yaml.safe_dump(dep, f, sort_keys=False)
    with open(a.plan, "w") as f:
        f.write("\n".join(plan) + "\n")


if __name__ == "__main__":
    main()
