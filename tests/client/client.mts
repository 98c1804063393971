// tests/client/client.mts - a small client of pwgend written against the
// TypeScript types that openapi-typescript generates from openapi.yaml
// (api.d.ts, made by run.sh), compiled with tsc --strict and run with node
// against the real server:
//
//   node client.mjs BASE_URL       (exit 0 when every check passed)
//
// It is the proof that the contract makes clean clients: it must compile
// (a union reply, a missing operation or a renamed member is a type error)
// and the replies must be what the types say.
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

declare const process: { argv: string[]; exitCode?: number };

type Schemas = components["schemas"];

// Compile-time checks on the contract's shape.
// HEAD is described once, not as operations: no path has one.
type Heads = { [P in keyof paths]: paths[P]["head"] }[keyof paths];
const noHeadOperations: [Heads] extends [undefined] ? true : false = true;
// The JSON 200 of an item route is one shape, whose kind is a literal.
type PasswordJson =
  paths["/password"]["get"]["responses"][200]["content"]["application/json"];
const onlyItems: PasswordJson extends Schemas["PasswordReply"] ? true : false =
  true;

const base = process.argv[2];
if (base === undefined) throw new Error("usage: node client.mjs BASE_URL");
// JSON replies and problems (format=text or ndjson selects the others).
type Json = "application/json" | "application/problem+json";
const api = createClient<paths, Json>({ baseUrl: base });

let passed = 0;
let failed = 0;
function check(name: string, ok: boolean, detail?: unknown): void {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}: ${JSON.stringify(detail)}`);
  }
}

const all = (items: string[], re: RegExp): boolean =>
  items.every((s) => re.test(s));

{
  const { data, error } = await api.GET("/password", {
    params: { query: { quantity: 3, length: 12, symbols: true } },
  });
  // data.items is string[]: no narrowing needed
  const items: string[] = data?.items ?? [];
  const kind: "password" | undefined = data?.kind;
  check("GET /password: 3 passwords of 12", error === undefined &&
    kind === "password" && data?.length === 12 && items.length === 3 &&
    all(items, /^[!-~]{12}$/), data ?? error);
}
{
  const { data } = await api.GET("/pin", {
    params: { query: { quantity: 4, length: 8, exclude_weak: true } },
  });
  check("GET /pin: 4 PINs of 8 digits", data?.kind === "pin" &&
    data.items.length === 4 && all(data.items, /^[0-9]{8}$/), data);
}
{
  const { data } = await api.GET("/passphrase", {
    params: { query: { words: 4, separator: " ", capitalize: "first" } },
  });
  const words = data?.items[0]?.split(" ") ?? [];
  check("GET /passphrase: 4 capitalised words", data?.words === 4 &&
    words.length >= 4 && all(words, /^[A-Z]/), data);
}
{
  const { data } = await api.GET("/token", {
    params: { query: { bytes: 16, encoding: "base64url" } },
  });
  check("GET /token: 16 bytes in base64url (22 characters)",
    data?.bytes === 16 && data.entropy_bits === 128 &&
    all(data.items, /^[A-Za-z0-9_-]{22}$/), data);
}
{
  const { data } = await api.GET("/password/explain", {
    params: { query: { preset: "url", min_digits: 2 } },
  });
  const explain: Schemas["PasswordExplainReply"]["explain"] | undefined =
    data?.explain;
  check("GET /password/explain: the url alphabet, nothing generated",
    explain?.alphabet_size === 66 && explain.minimums.digits === 2 &&
    !("items" in (data ?? {})), data);
}
{
  const { data, error, response } = await api.GET("/password", {
    params: { query: { quantity: 0 } },
  });
  // the error is typed too: a Problem whose type is a union of literals
  const type: Schemas["Problem"]["type"] | undefined = error?.type;
  check("GET /password?quantity=0: 400 out-of-range naming quantity",
    data === undefined && response.status === 400 &&
    type === "urn:pwgend:problem:out-of-range" &&
    error?.parameter === "quantity", error);
}
{
  const { data } = await api.POST("/v1/complex_password", {
    body: { additional_length: 8, quantity: 2, string_inject: ["ab"] },
  });
  check("POST /v1/complex_password: 2 items of 10", data?.data.length === 2 &&
    data.data.every((s) => s.length === 10 && s.includes("ab")), data);
}
{
  const { data } = await api.GET("/version");
  check("GET /version names pwgend", data?.name === "pwgend", data);
}

check("the contract's shape (compile-time)", noHeadOperations && onlyItems);
console.log(`client-test: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
