// validate.mjs - offline validation of the Kubernetes manifests in this
// directory (run by scripts/validate-k8s.sh after `npm ci` here).
//
// Three independent checks, none of which needs a cluster:
//   1. schema: every object is validated with kubernetes-models (JSON schemas
//      generated from the Kubernetes OpenAPI spec: types, required fields,
//      enums, formats);
//   2. fields: every object is type-checked by the TypeScript compiler
//      against kubernetes-types (also generated from the OpenAPI spec);
//      TypeScript's excess-property check rejects unknown or misspelt
//      fields at any depth, which the JSON schemas allow;
//   3. policy: what pwgend's deployment promises (docs/DEPLOY.md): replicas,
//      probes (startup and liveness /livez, readiness /readyz, all on the
//      admin port), JSON logs, hardened securityContext, resources that
//      follow the measured memory bound, an HPA target sane for the CPU
//      request, a shell-free preStop, spread over zones and nodes, grace
//      periods, a NetworkPolicy that keeps the admin port private, and
//      that Service, HPA, PDB and NetworkPolicy point at the Deployment.
//
// `node validate.mjs --self-test` also breaks copies of the manifests on
// purpose and fails unless each break is caught.
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const YAML = require("yaml");
const ts = require("typescript");

const HERE = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------- loading
function loadManifests() {
  const kfile = join(HERE, "kustomization.yaml");
  const kust = YAML.parse(readFileSync(kfile, "utf8"), { uniqueKeys: true });
  const listed = kust.resources ?? [];
  const onDisk = readdirSync(HERE).filter(
    (f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml",
  );
  const errors = [];
  for (const f of onDisk)
    if (!listed.includes(f)) errors.push(`kustomization.yaml: ${f} is not listed in resources`);
  const docs = [];
  for (const file of listed) {
    let text;
    try {
      text = readFileSync(resolve(HERE, file), "utf8");
    } catch (e) {
      errors.push(`kustomization.yaml: resource ${file}: ${e.message}`);
      continue;
    }
    for (const d of YAML.parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true })) {
      if (d.errors.length) {
        for (const e of d.errors) errors.push(`${file}: YAML: ${e.message}`);
        continue;
      }
      const obj = d.toJS();
      if (obj == null) continue;
      docs.push({ file, obj });
    }
  }
  return { docs, errors, kust };
}

const label = (d) => `${d.file} (${d.obj?.kind ?? "?"} ${d.obj?.metadata?.name ?? "?"})`;

// ---------------------------------------------------------------- 1. schema
function schemaCheck(docs) {
  const errors = [];
  for (const d of docs) {
    const { apiVersion, kind } = d.obj;
    let Model;
    try {
      Model = require(`kubernetes-models/${apiVersion}`)[kind];
    } catch {
      Model = undefined;
    }
    if (typeof Model !== "function") {
      errors.push(`${label(d)}: unknown apiVersion/kind ${apiVersion} ${kind}`);
      continue;
    }
    try {
      new Model(d.obj).validate();
    } catch (e) {
      for (const line of String(e.message).split("\n"))
        errors.push(`${label(d)}: schema: ${line}`);
    }
  }
  return errors;
}

// ---------------------------------------------------------------- 2. fields
// Pretty-prints a value as a TypeScript expression, remembering the JSON
// path of every line so that compiler messages can name the field.
function emit(value, path, indent, lines, paths, prefix = "") {
  const pad = "  ".repeat(indent);
  const push = (text, p) => { lines.push(text); paths.push(p); };
  if (Array.isArray(value)) {
    push(`${pad}${prefix}[`, path);
    value.forEach((v, i) => emit(v, `${path}/${i}`, indent + 1, lines, paths));
    push(`${pad}],`, path);
  } else if (value !== null && typeof value === "object") {
    push(`${pad}${prefix}{`, path);
    for (const [k, v] of Object.entries(value))
      emit(v, `${path}/${k}`, indent + 1, lines, paths, `${JSON.stringify(k)}: `);
    push(`${pad}},`, path);
  } else {
    push(`${pad}${prefix}${JSON.stringify(value)},`, path);
  }
}

function typesModule(apiVersion) {
  // "v1" -> core/v1, "apps/v1" -> apps/v1, "networking.k8s.io/v1" -> networking/v1
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  return `kubernetes-types/${group.split(".")[0]}/${version}`;
}

function fieldCheck(docs) {
  const lines = [];
  const paths = [];
  const owner = [];   // line -> doc index
  const imports = new Map();
  docs.forEach((d, i) => {
    const mod = typesModule(String(d.obj.apiVersion));
    if (!imports.has(mod)) imports.set(mod, `m${imports.size}`);
  });
  for (const [mod, alias] of imports) {
    lines.push(`import type * as ${alias} from ${JSON.stringify(mod)};`);
    paths.push("");
    owner.push(-1);
  }
  docs.forEach((d, i) => {
    const alias = imports.get(typesModule(String(d.obj.apiVersion)));
    const start = lines.length;
    emit(d.obj, "", 0, lines, paths, `export const doc${i}: ${alias}.${d.obj.kind} = `);
    lines[lines.length - 1] = lines[lines.length - 1].replace(/,$/, ";");
    for (let l = start; l < lines.length; l++) owner.push(i);
  });
  const fileName = join(HERE, "__manifests__.ts");
  const source = lines.join("\n") + "\n";
  const options = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, ...rest) =>
    f === fileName ? ts.createSourceFile(f, source, lang, true) : getSourceFile(f, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (f) => f === fileName || fileExists(f);
  const readFile = host.readFile.bind(host);
  host.readFile = (f) => (f === fileName ? source : readFile(f));
  const program = ts.createProgram([fileName], options, host);
  const errors = [];
  for (const diag of ts.getPreEmitDiagnostics(program)) {
    const msg = ts.flattenDiagnosticMessageText(diag.messageText, " ");
    if (!diag.file || diag.file.fileName !== fileName) {
      errors.push(`typescript: ${msg}`);
      continue;
    }
    const { line } = diag.file.getLineAndCharacterOfPosition(diag.start ?? 0);
    const i = owner[line];
    const where = i >= 0 ? `${label(docs[i])} at ${paths[line] || "/"}` : "imports";
    errors.push(`${where}: fields: ${msg}`);
  }
  return errors;
}

// ---------------------------------------------------------------- 3. policy
// Kubernetes quantities used here: CPU ("500m", "1") in cores, memory
// ("64Mi", "1Gi", "100M") in MiB.
function cores(q) {
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(String(q ?? ""));
  return m ? Number(m[1]) / (m[2] ? 1000 : 1) : NaN;
}
function mib(q) {
  const units = { Ki: 1 / 1024, Mi: 1, Gi: 1024, k: 1e3 / 2 ** 20, M: 1e6 / 2 ** 20, G: 1e9 / 2 ** 20, "": 1 / 2 ** 20 };
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|k|M|G|)$/.exec(String(q ?? ""));
  return m ? Number(m[1]) * units[m[2]] : NaN;
}

// Peak RSS under load with the default admission budget (bench/RESULTS.md,
// "Memory under load": 256 x quantity=100000). The memory request must
// cover it; the limit must not be far above it, or a leak goes unnoticed
// until the node runs short.
const MEASURED_PEAK_MIB = 52.2;
const DEFAULT_INFLIGHT_BYTES = "50331648";

function policyCheck(docs, kust = {}) {
  const errors = [];
  const byKind = (k) => docs.filter((d) => d.obj.kind === k);
  const one = (k) => {
    const found = byKind(k);
    if (found.length !== 1) errors.push(`policy: expected exactly one ${k}, found ${found.length}`);
    return found[0]?.obj;
  };
  const expect = (cond, msg) => { if (!cond) errors.push(`policy: ${msg}`); };
  const matches = (selector, labels) =>
    selector && Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([k, v]) => labels?.[k] === v);

  const dep = one("Deployment");
  const svc = one("Service");
  const hpa = one("HorizontalPodAutoscaler");
  const pdb = one("PodDisruptionBudget");
  const netpol = one("NetworkPolicy");
  if (!dep) return errors;

  const spec = dep.spec ?? {};
  const pod = spec.template?.spec ?? {};
  const podLabels = spec.template?.metadata?.labels;
  const c = (pod.containers ?? []).find((x) => x.name === "pwgend");
  expect(spec.replicas === 3, "Deployment: replicas must be 3");
  expect(matches(spec.selector?.matchLabels, podLabels),
    "Deployment: selector.matchLabels must match the pod template labels");
  expect(pod.terminationGracePeriodSeconds === 15, "Deployment: terminationGracePeriodSeconds must be 15");
  expect(pod.securityContext?.seccompProfile?.type === "RuntimeDefault",
    "pod securityContext.seccompProfile.type must be RuntimeDefault");
  expect(c, "Deployment: needs a container named pwgend");
  if (!c) return errors;

  const image = c.image ?? "";
  expect(/(^|\/)pwgend(:|$)/.test(image), "container image must be pwgend");
  // the one place to replace the image reference
  const imageName = image.replace(/(:[^/:]*)?$/, "");
  expect((kust.images ?? []).some((i) => i.name === imageName),
    `kustomization.yaml: images: must name ${imageName} (the reference to replace)`);
  const http = (c.ports ?? []).find((p) => p.containerPort === 8080);
  const admin = (c.ports ?? []).find((p) => p.containerPort === 9090);
  expect(http?.name === "http", "container must expose containerPort 8080 named http");
  expect(admin?.name === "admin", "container must expose containerPort 9090 named admin");
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  expect(env.PORT === undefined || env.PORT === "8080", "env PORT must be 8080 (or unset)");
  expect(env.PWGEND_ADMIN_PORT === "9090", "env PWGEND_ADMIN_PORT must be \"9090\" (the admin containerPort)");
  expect(env.PWGEND_LOG_FORMAT === "json", "env PWGEND_LOG_FORMAT must be json");
  const grace = Number(env.PWGEND_GRACE ?? 5);
  expect(env.PWGEND_GRACE === "5", "env PWGEND_GRACE must be \"5\"");
  // the image has no shell and no sleep binary: an exec hook would fail
  // (FailedPreStopHook) and SIGTERM would come at once
  const hook = c.lifecycle?.preStop ?? {};
  expect(hook.exec === undefined && Number.isInteger(hook.sleep?.seconds) && hook.sleep.seconds > 0,
    "preStop must be the built-in sleep action (the image has no shell)");
  const preStop = Number(hook.sleep?.seconds ?? 0);
  expect(preStop + grace < pod.terminationGracePeriodSeconds,
    `preStop (${preStop}s) + PWGEND_GRACE (${grace}s) must end before terminationGracePeriodSeconds`);
  for (const [probe, path] of [["startupProbe", "/livez"],
                               ["livenessProbe", "/livez"],
                               ["readinessProbe", "/readyz"]]) {
    const g = c[probe]?.httpGet;
    // readiness must be /readyz: it alone goes 503 while draining or when
    // the RNG self-test failed, which takes the pod out of the Service
    expect(g?.path === path, `${probe} must GET ${path}`);
    expect(g && (g.port === 9090 || g.port === admin?.name), `${probe} must use the admin port 9090`);
  }
  const ann = spec.template?.metadata?.annotations ?? {};
  expect(ann["prometheus.io/scrape"] === "true" && ann["prometheus.io/port"] === "9090",
    "pod annotations prometheus.io/scrape \"true\" and prometheus.io/port \"9090\" (admin)");
  const spread = pod.topologySpreadConstraints ?? [];
  for (const key of ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]) {
    const t = spread.find((x) => x.topologyKey === key);
    expect(t && matches(t.labelSelector?.matchLabels, podLabels),
      `topologySpreadConstraints: spread over ${key}, selecting the pods`);
  }
  const r = c.resources ?? {};
  expect(r.requests?.cpu && r.requests?.memory && r.limits?.cpu && r.limits?.memory,
    "resources: cpu and memory requests and limits are all required");
  expect((env.PWGEND_MAX_INFLIGHT_BYTES ?? DEFAULT_INFLIGHT_BYTES) === DEFAULT_INFLIGHT_BYTES,
    "the memory bound was measured with the default PWGEND_MAX_INFLIGHT_BYTES; re-measure before changing it");
  const reqMiB = mib(r.requests?.memory);
  const limMiB = mib(r.limits?.memory);
  expect(reqMiB >= MEASURED_PEAK_MIB && limMiB >= reqMiB && limMiB <= 2 * MEASURED_PEAK_MIB,
    `resources: memory request >= the measured peak ${MEASURED_PEAK_MIB} MiB and limit between ` +
    `the request and ${2 * MEASURED_PEAK_MIB} MiB (got ${r.requests?.memory} / ${r.limits?.memory})`);
  const sc = c.securityContext ?? {};
  expect(sc.runAsNonRoot === true, "securityContext.runAsNonRoot must be true");
  expect(sc.runAsUser === 10001, "securityContext.runAsUser must be 10001 (the image's USER)");
  expect(sc.readOnlyRootFilesystem === true, "securityContext.readOnlyRootFilesystem must be true");
  expect(sc.allowPrivilegeEscalation === false, "securityContext.allowPrivilegeEscalation must be false");
  expect(JSON.stringify(sc.capabilities?.drop) === '["ALL"]', "securityContext.capabilities.drop must be [ALL]");
  expect((sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type) === "RuntimeDefault",
    "seccompProfile must be RuntimeDefault");

  if (svc) {
    expect((svc.spec?.type ?? "ClusterIP") === "ClusterIP", "Service: type must be ClusterIP");
    expect(matches(svc.spec?.selector, podLabels), "Service: selector must match the pod labels");
    const p = svc.spec?.ports?.[0] ?? {};
    expect(p.port === 80, "Service: port must be 80");
    expect(p.targetPort === 8080 || (http && p.targetPort === http.name),
      "Service: targetPort must reach containerPort 8080");
    expect(!(svc.spec?.ports ?? []).some((q) => q.targetPort === 9090 || q.targetPort === admin?.name),
      "Service: must not expose the admin port");
  }
  if (hpa) {
    const t = hpa.spec?.scaleTargetRef ?? {};
    expect(t.kind === "Deployment" && t.name === dep.metadata?.name && t.apiVersion === "apps/v1",
      "HPA: scaleTargetRef must be the Deployment");
    expect(hpa.spec?.minReplicas === 3 && hpa.spec?.maxReplicas === 10, "HPA: replicas 3..10");
    const cpu = (hpa.spec?.metrics ?? []).find((m) => m.type === "Resource" && m.resource?.name === "cpu");
    expect(cpu?.resource?.target?.type === "Utilization",
      "HPA: a CPU Utilization target");
    // Utilization is a share of the request: the CPU it stands for must be
    // a real share of what a pod can use (its limit, one event loop per
    // CPU), neither noise (70 % of 100m = 7 % of a loop) nor saturation.
    const at = (cpu?.resource?.target?.averageUtilization ?? 0) / 100 * cores(r.requests?.cpu);
    const lim = cores(r.limits?.cpu);
    expect(at >= 0.25 * lim && at <= 0.8 * lim,
      `HPA: target x CPU request (${Math.round(at * 1000)}m) must be 25-80 % of the CPU limit (${r.limits?.cpu})`);
  }
  if (netpol) {
    const ns = netpol.spec ?? {};
    expect(matches(ns.podSelector?.matchLabels, podLabels), "NetworkPolicy: podSelector must match the pod labels");
    expect(JSON.stringify([...(ns.policyTypes ?? [])].sort()) === '["Egress","Ingress"]',
      "NetworkPolicy: policyTypes Ingress and Egress");
    const rules = ns.ingress ?? [];
    const allows = (rule, port) => (rule.ports ?? []).some((p) => p.port === port.containerPort || p.port === port.name);
    expect(http && rules.some((x) => allows(x, http)), "NetworkPolicy: must admit the http port");
    const adminRules = admin ? rules.filter((x) => allows(x, admin) || !x.ports?.length) : [];
    expect(adminRules.length > 0 && adminRules.every((x) => (x.from ?? []).length > 0),
      "NetworkPolicy: the admin port only from named sources (a from: on every rule that admits it)");
    expect(Array.isArray(ns.egress) && ns.egress.length === 0, "NetworkPolicy: no egress (pwgend connects nowhere)");
  }
  if (pdb) {
    expect(matches(pdb.spec?.selector?.matchLabels, podLabels), "PDB: selector must match the pod labels");
    const ok = (pdb.spec?.minAvailable !== undefined && pdb.spec.minAvailable < spec.replicas) ||
      (pdb.spec?.maxUnavailable !== undefined && pdb.spec.maxUnavailable >= 1);
    expect(ok, "PDB: must leave room for one voluntary disruption");
  }
  return errors;
}

function validate(docs, kust) {
  return { schema: schemaCheck(docs), fields: fieldCheck(docs), policy: policyCheck(docs, kust) };
}

// ---------------------------------------------------------------- self-test
// Each break must be caught by the named check.
const BREAKS = [
  ["fields", "misspelt field", (ds) => { ds.Deployment.spec.replicass = 3; }],
  ["fields", "misspelt nested field", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
  }],
  ["schema", "string where an integer belongs", (ds) => { ds.Service.spec.ports[0].port = "80"; }],
  ["schema", "missing required field", (ds) => { delete ds.Deployment.spec.selector; }],
  ["policy", "writable root file system", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
  }],
  ["policy", "Service pointing at the wrong port", (ds) => { ds.Service.spec.ports[0].targetPort = 9090; }],
  ["policy", "HPA aimed at another Deployment", (ds) => {
    ds.HorizontalPodAutoscaler.spec.scaleTargetRef.name = "other";
  }],
  ["policy", "HPA target of a 100m request", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].resources.requests.cpu = "100m";
  }],
  ["policy", "readiness on the public port", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].readinessProbe.httpGet.port = "http";
  }],
  ["policy", "liveness on /readyz", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].livenessProbe.httpGet.path = "/readyz";
  }],
  ["policy", "preStop through a shell", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].lifecycle.preStop = { exec: { command: ["/bin/sleep", "3"] } };
  }],
  ["policy", "text logs", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].env =
      ds.Deployment.spec.template.spec.containers[0].env.filter((e) => e.name !== "PWGEND_LOG_FORMAT");
  }],
  ["policy", "no spread over zones", (ds) => {
    ds.Deployment.spec.template.spec.topologySpreadConstraints =
      ds.Deployment.spec.template.spec.topologySpreadConstraints.filter((t) => t.topologyKey !== "topology.kubernetes.io/zone");
  }],
  ["policy", "memory limit far above the measured bound", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].resources.limits.memory = "256Mi";
  }],
  ["policy", "memory request below the measured peak", (ds) => {
    ds.Deployment.spec.template.spec.containers[0].resources.requests.memory = "32Mi";
  }],
  ["policy", "admin port open to every source", (ds) => {
    for (const rule of ds.NetworkPolicy.spec.ingress) delete rule.from;
  }],
  ["policy", "admin port behind the Service", (ds) => { ds.Service.spec.ports.push({ name: "admin", port: 9090, targetPort: "admin" }); }],
  ["policy", "scrape annotation on the public port", (ds) => {
    ds.Deployment.spec.template.metadata.annotations["prometheus.io/port"] = "8080";
  }],
];

function selfTest(docs, kust) {
  const failures = [];
  for (const [check, what, breakIt] of BREAKS) {
    const copy = docs.map((d) => ({ file: d.file, obj: structuredClone(d.obj) }));
    const byKind = Object.fromEntries(copy.map((d) => [d.obj.kind, d.obj]));
    breakIt(byKind);
    const found = check === "schema" ? schemaCheck(copy)
      : check === "fields" ? fieldCheck(copy) : policyCheck(copy, kust);
    if (found.length === 0) failures.push(`self-test: ${check} check missed: ${what}`);
    else console.log(`  caught (${check}): ${what}: ${found[0]}`);
  }
  return failures;
}

// ---------------------------------------------------------------- main
const { docs, errors: loadErrors, kust } = loadManifests();
const res = validate(docs, kust);
const all = [...loadErrors, ...res.schema, ...res.fields, ...res.policy];
const kinds = docs.map((d) => `${d.obj.kind}/${d.obj.metadata?.name}`).join(", ");
console.log(`manifests: ${docs.length} objects (${kinds})`);
const versions = `kubernetes-models ${require("kubernetes-models/package.json").version}, ` +
  `kubernetes-types ${require("kubernetes-types/package.json").version}, typescript ${ts.version}`;
let passed = 0;
let failed = 0;
for (const [name, errs] of [["load", loadErrors], ["schema", res.schema], ["fields", res.fields], ["policy", res.policy]]) {
  if (errs.length === 0) { passed++; console.log(`PASS ${name}`); } else { failed++; console.log(`FAIL ${name}`); }
  for (const e of errs) console.log(`  ${e}`);
}
if (process.argv.includes("--self-test") && all.length === 0) {
  console.log("self-test: breaking copies of the manifests on purpose");
  const misses = selfTest(docs, kust);
  if (misses.length === 0) { passed++; console.log(`PASS self-test (${BREAKS.length} breaks caught)`); } else { failed++; console.log("FAIL self-test"); }
  for (const m of misses) console.log(`  ${m}`);
}
console.log(`(${versions})`);
console.log(`k8s-lint: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
