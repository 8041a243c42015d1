// Contract test: runs the real articled and checks every answer against docs/openapi.json.
//
//   node tests/openapi/contract.mjs        (from the repository root; tests/openapi/run.sh runs it)
//
// ARTICLED_BIN names the binary (default ./articled, relative to the repository root). The test
// starts its own servers on port 0 over temporary copies of data/articles, calls every operation
// of the description (success cases and the main errors), and checks each response: its status is
// documented for that operation, its body validates against the documented schema for that status
// and content type (ajv, compiled from the description itself), its documented required headers are
// present and valid, and it has no header the description does not name. It prints one line per
// check, then `N passed, N failed`, and exits 1 on any failure. The servers it started are killed
// by pid and the temporary directory removed, whatever happens.
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const ROOT = process.cwd();
const SPEC_FILE = path.join(ROOT, "docs/openapi.json");
const BIN = path.resolve(ROOT, process.env.ARTICLED_BIN || "./articled");
const DATA = path.join(ROOT, "data/articles");
const WRITE_TOKEN = "contract-write-token";
const READ_TOKEN = "contract-read-token";
const MAX_BODY = 65536;

// ---- the description and its schemas ------------------------------------------------------------

const spec = JSON.parse(fs.readFileSync(SPEC_FILE, "utf8"));
const SPEC_ID = "https://articled.invalid/openapi.json";
const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
addFormats(ajv);
// The description's own members are not schema keywords: known, so strict mode accepts the
// document as a whole, and only its schemas are compiled (with strict checks).
ajv.addVocabulary(Object.keys(spec).filter((k) => !["$schema", "$id"].includes(k)));
ajv.addSchema(spec, SPEC_ID);

const esc = (s) => s.replace(/~/g, "~0").replace(/\//g, "~1");
const unesc = (s) => s.replace(/~1/g, "/").replace(/~0/g, "~");

function at(pointer) {
  let v = spec;
  for (const part of pointer.split("/").slice(1)) {
    if (v === undefined) break;
    v = v[unesc(part)];
  }
  if (v === undefined) throw new Error(`nothing at #${pointer} in docs/openapi.json`);
  return v;
}

// Follows local $refs of the description (responses, headers, parameters, request bodies);
// returns the object and the JSON Pointer where it is.
function deref(obj, pointer) {
  for (let seen = 0; obj && obj.$ref; seen++) {
    if (!obj.$ref.startsWith("#/") || seen > 20) throw new Error(`unsupported $ref ${obj.$ref}`);
    pointer = obj.$ref.slice(1);
    obj = at(pointer);
  }
  return { obj, pointer };
}

const compiled = new Map();
function validator(pointer) {
  if (!compiled.has(pointer)) compiled.set(pointer, ajv.compile({ $ref: `${SPEC_ID}#${pointer}` }));
  return compiled.get(pointer);
}

function schemaErrors(pointer, value) {
  let v;
  try {
    v = validator(pointer);
  } catch (e) {
    return [`the schema at #${pointer} does not compile: ${e.message}`];
  }
  if (v(value)) return [];
  return v.errors.slice(0, 6).map((e) => `${e.instancePath || "/"} ${e.message} (${e.schemaPath})`);
}

// ---- reporting ----------------------------------------------------------------------------------

let passed = 0;
let failed = 0;
const covered = new Set();
function report(label, problems) {
  if (problems.length === 0) {
    passed++;
    console.log(`ok   ${label}`);
  } else {
    failed++;
    console.log(`FAIL ${label}`);
    for (const p of problems) console.log(`       ${p}`);
  }
}

// ---- servers ------------------------------------------------------------------------------------

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "articled-contract-"));
const servers = [];
// The servers' settings are the ones given here: none from ARTICLED_* variables or a config file.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("ARTICLED_")));

function copyData(name) {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  // Files a minute old at least, like a content directory in service.
  for (const f of fs.readdirSync(DATA)) {
    fs.copyFileSync(path.join(DATA, f), path.join(dir, f));
    const st = fs.statSync(path.join(DATA, f));
    fs.utimesSync(path.join(dir, f), st.atime, new Date(Math.min(st.mtimeMs, Date.now() - 60000)));
  }
  return dir;
}

// Starts articled with args; resolves with {port, proc} once its content is loaded.
function startServer(name, args) {
  const conf = path.join(tmp, `${name}.conf`);
  fs.writeFileSync(conf, "");
  const proc = spawn(BIN, ["--config", conf, "--bind", "127.0.0.1", "--port", "0", "--threads", "2", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const server = { name, proc, port: 0, log: [] };
  servers.push(server);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after 15 s`)), 15000);
    let buf = "";
    const fail = (why) => {
      clearTimeout(timer);
      reject(new Error(`${name}: ${why}\n${server.log.slice(-10).join("\n")}`));
    };
    proc.on("error", (e) => fail(`cannot start ${BIN}: ${e.message}`));
    proc.on("exit", (code, sig) => {
      server.exited = true;
      fail(`exited (${code ?? sig}) before it was ready`);
    });
    proc.stderr.on("data", (d) => server.log.push(String(d).trimEnd()));
    proc.stdout.on("data", (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (server.log.length > 200) server.log.shift();
        server.log.push(line);
        let ev;
        try {
          ev = JSON.parse(line);
        } catch {
          continue;
        }
        if (ev.event === "listening") server.port = ev.port;
        if (ev.event === "content_loaded" && server.port) {
          clearTimeout(timer);
          resolve(server);
        }
      }
    });
  });
}

// The last resort, synchronous (process exit, signals, a hang): SIGKILL what is left, remove tmp.
function killAllSync() {
  for (const s of servers)
    if (!s.exited && s.proc.exitCode === null && s.proc.pid !== undefined)
      try {
        process.kill(s.proc.pid, "SIGKILL");
      } catch {}
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.on("exit", killAllSync);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"])
  process.on(sig, () => {
    console.log(`FAIL the contract test was stopped by ${sig}`);
    killAllSync();
    process.exit(1);
  });

async function stopServers() {
  for (const s of servers) {
    if (s.exited || s.proc.exitCode !== null || s.proc.pid === undefined) continue;
    const gone = new Promise((r) => s.proc.once("exit", r));
    try {
      process.kill(s.proc.pid, "SIGTERM");
    } catch {
      continue;
    }
    const t = setTimeout(() => {
      try {
        process.kill(s.proc.pid, "SIGKILL");
      } catch {}
    }, 5000);
    await gone;
    clearTimeout(t);
  }
}

// ---- HTTP ---------------------------------------------------------------------------------------

// One request; resolves {status, headers, body (Buffer)}. body may be a string or Buffer; chunked
// sends it with Transfer-Encoding: chunked.
function call(server, method, target, { headers = {}, body, chunked = false } = {}) {
  return new Promise((resolve, reject) => {
    const h = { ...headers };
    if (body !== undefined && !chunked) h["Content-Length"] = Buffer.byteLength(body);
    const req = http.request(
      { host: "127.0.0.1", port: server.port, method, path: target, headers: h, agent: false },
      (res) => {
        const parts = [];
        res.on("data", (c) => parts.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, raw: res.rawHeaders, body: Buffer.concat(parts) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.setTimeout(15000, () => req.destroy(new Error(`${method} ${target}: no answer in 15 s`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const ALWAYS_ALLOWED = new Set(["date", "content-type", "content-length", "connection", "keep-alive"]);
const JSON_TYPES = new Set(["application/json", "application/problem+json", "application/merge-patch+json"]);

// The documented response for status under operation (method, template), or under the
// description's x-articled-unrouted when unrouted is set.
function documented(method, template, status, unrouted) {
  if (unrouted) {
    const r = spec["x-articled-unrouted"].responses[String(status)];
    return r ? deref(r, `/x-articled-unrouted/responses/${status}`) : null;
  }
  const base = `/paths/${esc(template)}/${method.toLowerCase()}`;
  const op = spec.paths[template]?.[method.toLowerCase()];
  if (!op) return null;
  for (const key of [String(status), `${String(status)[0]}XX`, "default"])
    if (op.responses[key]) return deref(op.responses[key], `${base}/responses/${key}`);
  return null;
}

// Checks a response against the description; returns the parsed body (or undefined).
function check(label, res, { method, template, unrouted = false, expect, extra }) {
  const problems = [];
  let parsed;
  const where = unrouted ? "x-articled-unrouted" : `${method} ${template}`;
  if (!unrouted) covered.add(`${method.toLowerCase()} ${template}`);
  if (expect !== undefined && res.status !== expect) problems.push(`status ${res.status}, expected ${expect}`);
  const doc = documented(method, template, res.status, unrouted);
  if (!doc) {
    problems.push(`status ${res.status} is not documented for ${where}`);
  } else {
    const { obj: r, pointer } = doc;
    const named = new Set();
    for (const [name, hdr0] of Object.entries(r.headers || {})) {
      const { obj: hdr, pointer: hp } = deref(hdr0, `${pointer}/headers/${esc(name)}`);
      const value = res.headers[name.toLowerCase()];
      named.add(name.toLowerCase());
      if (value === undefined) {
        if (hdr.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      for (const e of schemaErrors(`${hp}/schema`, value)) problems.push(`header ${name}: ${value}: ${e}`);
    }
    for (const name of Object.keys(res.headers))
      if (!named.has(name) && !ALWAYS_ALLOWED.has(name)) problems.push(`header ${name} is not documented for ${res.status}`);
    const ct = (res.headers["content-type"] || "").split(";")[0].trim().toLowerCase();
    if (method === "HEAD" || !r.content) {
      if (res.body.length) problems.push(`a body (${res.body.length} bytes) where none is documented`);
    } else if (!r.content[ct]) {
      problems.push(`content type "${ct}" is not documented for ${res.status} (${Object.keys(r.content).join(", ")})`);
    } else {
      let bytes = res.body;
      if (res.headers["content-encoding"] === "gzip") bytes = zlib.gunzipSync(bytes);
      const text = bytes.toString("utf8");
      if (JSON_TYPES.has(ct)) {
        try {
          parsed = JSON.parse(text);
        } catch (e) {
          problems.push(`body is not JSON: ${e.message}`);
        }
      } else {
        parsed = text;
      }
      if (parsed !== undefined)
        for (const e of schemaErrors(`${pointer}/content/${esc(ct)}/schema`, parsed)) problems.push(`body ${e}`);
    }
  }
  if (extra) {
    try {
      problems.push(...(extra(res, parsed) || []));
    } catch (e) {
      problems.push(`check threw: ${e.message}`);
    }
  }
  report(`${label} -> ${res.status}`, problems);
  return parsed;
}

// Checks that a request body is (or is not) accepted by the operation's documented schema.
function checkRequest(label, method, template, contentType, body, valid) {
  const op = spec.paths[template][method.toLowerCase()];
  const { obj: rb, pointer } = deref(op.requestBody, `/paths/${esc(template)}/${method.toLowerCase()}/requestBody`);
  const problems = [];
  if (!rb.content[contentType]) {
    problems.push(`request content type ${contentType} is not documented`);
  } else {
    const errs = schemaErrors(`${pointer}/content/${esc(contentType)}/schema`, body);
    if (valid && errs.length) problems.push(...errs.map((e) => `schema rejects a body the server accepts: ${e}`));
    if (!valid && !errs.length) problems.push("schema accepts a body the server refuses");
  }
  report(`request schema ${valid ? "accepts" : "rejects"}: ${label}`, problems);
}

const problemCode = (code, field) => (res, body) => {
  const p = [];
  if (!body || body.code !== code) p.push(`code ${body && body.code}, expected ${code}`);
  if (field !== undefined && body && body.field !== field) p.push(`field ${body.field}, expected ${field}`);
  return p;
};

const allowOf = (template) =>
  ["get", "head", "post", "put", "patch", "delete", "options"]
    .filter((m) => spec.paths[template][m])
    .map((m) => m.toUpperCase())
    .join(", ");

const allowMatches = (template) => (res) =>
  res.headers.allow === allowOf(template) ? [] : [`Allow "${res.headers.allow}", the description has "${allowOf(template)}"`];

// ---- the checks ---------------------------------------------------------------------------------

const AUTH = { Authorization: `Bearer ${WRITE_TOKEN}` };
const JSONH = { ...AUTH, "Content-Type": "application/json" };

async function main() {
  if (!fs.existsSync(BIN)) throw new Error(`no articled binary at ${BIN} (set ARTICLED_BIN or run make articled)`);
  const main = await startServer("main", ["--data", copyData("main"), "--write-token", WRITE_TOKEN, "--max-body-bytes", String(MAX_BODY)]);
  const guarded = await startServer("guarded", [
    "--data", copyData("guarded"), "--write-token", WRITE_TOKEN, "--read-token", READ_TOKEN, "--require-if-match", "true",
  ]);
  const readonly = await startServer("readonly", ["--data", copyData("readonly"), "--public-base-url", "https://news.example.com/api",
    "--cors-origins", "https://app.example, https://other.example"]);

  // The route table and the description name the same operations and query parameters.
  {
    const table = fs.readFileSync(path.join(ROOT, "handlers/routes.c"), "utf8");
    const problems = [];
    const routes = new Set();
    // A route's parameters are string literals and macros naming string literals (FIND_PARAMS in
    // handlers/find.h), concatenated: the macros of handlers/*.h are expanded.
    const macros = new Map();
    for (const h of fs.readdirSync(path.join(ROOT, "handlers")).filter((n) => n.endsWith(".h"))) {
      const src = fs.readFileSync(path.join(ROOT, "handlers", h), "utf8").replace(/\\\n/g, " ");
      for (const m of src.matchAll(/^#define\s+(\w+)\s+((?:"[^"]*"\s*)+)$/gm))
        macros.set(m[1], [...m[2].matchAll(/"([^"]*)"/g)].map((s) => s[1]).join(""));
    }
    const expand = (expr) =>
      [...expr.matchAll(/"([^"]*)"|(\w+)/g)]
        .map(([, lit, name]) => {
          if (lit !== undefined) return lit;
          if (!macros.has(name)) problems.push(`handlers/routes.c: ${name} is no string macro of handlers/*.h`);
          return macros.get(name) || "";
        })
        .join("");
    for (const m of table.matchAll(/\{\s*HTTP_([A-Z]+),\s*"([^"]+)",\s*\w+,\s*((?:"[^"]*"|[A-Z_][A-Z0-9_]*)(?:\s*(?:"[^"]*"|[A-Z_][A-Z0-9_]*))*)\s*,/g)) {
      const [, method, template] = m;
      const params = expand(m[3]);
      routes.add(`${method.toLowerCase()} ${template}`);
      const op = spec.paths[template]?.[method.toLowerCase()];
      if (!op) {
        problems.push(`${method} ${template} is in handlers/routes.c, not in the description`);
        continue;
      }
      const documentedParams = [...(spec.paths[template].parameters || []), ...(op.parameters || [])]
        .map((p0) => deref(p0, "").obj)
        .filter((p1) => p1.in === "query")
        .map((p1) => p1.name)
        .sort();
      const routeParams = params.split(" ").filter(Boolean).sort();
      if (documentedParams.join() !== routeParams.join())
        problems.push(`${method} ${template}: query parameters "${routeParams}" in handlers/routes.c, "${documentedParams}" in the description`);
    }
    if (routes.size === 0) problems.push("no route found in handlers/routes.c");
    for (const [template, item] of Object.entries(spec.paths))
      for (const m of ["get", "post", "put", "patch", "delete"])
        if (item[m] && !routes.has(`${m} ${template}`)) problems.push(`${m.toUpperCase()} ${template} is in the description, not in handlers/routes.c`);
    report("handlers/routes.c and the description have the same operations", problems);
  }

  // Requests while the content loads: 503 not-ready (or, on a fast machine, already 200).
  {
    const dir = path.join(tmp, "bulk");
    fs.mkdirSync(dir);
    const text = fs.readFileSync(path.join(DATA, fs.readdirSync(DATA).sort()[0]), "utf8");
    const paragraphs = text.split(/\n\s*\n/).filter((t) => t.trim() && !t.startsWith("---"));
    for (let i = 0; i < 300; i++)
      fs.writeFileSync(path.join(dir, `bulk-${i}.json`), JSON.stringify({
        id: `bulk-${i}`, headline: `Bulk article ${i}`, body: paragraphs.map((t) => ({ type: "paragraph", text: t.replace(/\s+/g, " ").trim() })),
      }));
    const proc = spawn(BIN, ["--config", "/dev/null", "--bind", "127.0.0.1", "--port", "0", "--data", dir], { env, stdio: ["ignore", "pipe", "ignore"] });
    const bulk = { name: "bulk", proc, port: 0, log: [] };
    servers.push(bulk);
    bulk.port = await new Promise((resolve, reject) => {
      let buf = "";
      const t = setTimeout(() => reject(new Error("bulk: no listening line in 15 s")), 15000);
      proc.stdout.on("data", (d) => {
        buf += d;
        const m = buf.match(/"event":"listening"[^\n]*"port":(\d+)/);
        if (m) {
          clearTimeout(t);
          resolve(Number(m[1]));
        }
      });
      proc.on("exit", () => reject(new Error("bulk: exited")));
    });
    const early = await Promise.all([call(bulk, "GET", "/readyz"), call(bulk, "GET", "/v1/articles"), call(bulk, "GET", "/v1/articles/bulk-1")]);
    const seen = early.map((r) => r.status).join(", ");
    check(`while loading: GET /readyz (of ${seen})`, early[0], { method: "GET", template: "/readyz" });
    check("while loading: GET /v1/articles", early[1], {
      method: "GET", template: "/v1/articles",
      extra: (res) => (res.status !== 503 || res.headers["retry-after"] === "1" ? [] : ["503 without Retry-After: 1"]),
    });
    check("while loading: GET /v1/articles/bulk-1", early[2], { method: "GET", template: "/v1/articles/{id}" });
    proc.stdout.resume();
  }

  // /openapi.json serves this very file.
  {
    const res = await call(main, "GET", "/openapi.json");
    check("GET /openapi.json", res, {
      method: "GET", template: "/openapi.json", expect: 200,
      extra: (r, body) => (JSON.stringify(body) === JSON.stringify(spec) ? [] : ["differs from docs/openapi.json (rebuild with make articled)"]),
    });
  }

  // The list, its pages and its parameters.
  const list = check("GET /v1/articles", await call(main, "GET", "/v1/articles"), { method: "GET", template: "/v1/articles", expect: 200 });
  const ids = (list?.items || []).map((i) => i.id);
  if (ids.length === 0) throw new Error("the list has no articles");
  for (const q of ["?page=1&per_page=2", "?page=2&per_page=2", "?per_page=100", "?page=1000000"])
    check(`GET /v1/articles${q}`, await call(main, "GET", `/v1/articles${q}`), {
      method: "GET", template: "/v1/articles", expect: 200,
      extra: (res, body) => {
        const p = [];
        if (res.headers["x-total-count"] !== String(ids.length)) p.push(`X-Total-Count ${res.headers["x-total-count"]}`);
        const rels = [...res.headers.link.matchAll(/rel="(\w+)"/g)].map((m) => m[1]);
        const keys = Object.keys(body.links).filter((k) => k !== "self");
        if (rels.join() !== keys.join()) p.push(`Link rels ${rels} differ from links ${keys}`);
        return p;
      },
    });
  for (const q of ["?q=summit", "?q=%22north+korea%22+-trump&per_page=1", "?q=bank+OR+ferry"])
    check(`GET /v1/articles${q}`, await call(main, "GET", `/v1/articles${q}`), {
      method: "GET", template: "/v1/articles", expect: 200,
    });
  check("GET /v1/articles?q=%22unclosed", await call(main, "GET", "/v1/articles?q=%22unclosed"), {
    method: "GET", template: "/v1/articles", expect: 400,
  });
  check("HEAD /v1/articles", await call(main, "HEAD", "/v1/articles"), { method: "HEAD", template: "/v1/articles", expect: 200 });
  {
    const first = await call(main, "GET", "/v1/articles");
    check("GET /v1/articles If-None-Match", await call(main, "GET", "/v1/articles", { headers: { "If-None-Match": first.headers.etag } }), {
      method: "GET", template: "/v1/articles", expect: 304,
    });
  }
  for (const [q, code, field] of [
    ["?foo=1", "unknown-parameter", "foo"],
    ["?page=0", "invalid-parameter", "page"],
    ["?per_page=101", "invalid-parameter", "per_page"],
    ["?page=x", "invalid-parameter", "page"],
    ["?page=1&page=2", "duplicate-parameter", "page"],
    ["?" + Array.from({ length: 33 }, (_, i) => `p${i}=1`).join("&"), "too-many-parameters", undefined],
  ])
    check(`GET /v1/articles${q.length > 40 ? "?p0..p32" : q}`, await call(main, "GET", `/v1/articles${q}`), {
      method: "GET", template: "/v1/articles", expect: 400, extra: problemCode(code, field),
    });

  // Every article, whole and in parts, by id and by slug, GET and HEAD, plain and gzip.
  for (const id of ids) {
    const art = check(`GET /v1/articles/${id}`, await call(main, "GET", `/v1/articles/${id}`), {
      method: "GET", template: "/v1/articles/{id}", expect: 200,
      extra: (res, body) => (body.word_count === body.annotations.stats.words ? [] : ["word_count differs from annotations.stats.words"]),
    });
    check(`GET /v1/articles/${id}/entities`, await call(main, "GET", `/v1/articles/${id}/entities`), {
      method: "GET", template: "/v1/articles/{id}/entities", expect: 200,
    });
    check(`GET /v1/articles/${id}/quotes`, await call(main, "GET", `/v1/articles/${id}/quotes`), {
      method: "GET", template: "/v1/articles/{id}/quotes", expect: 200,
    });
    if (art && art.slug !== art.id)
      check(`GET /v1/articles/{slug} ${art.slug}`, await call(main, "GET", `/v1/articles/${art.slug}`), {
        method: "GET", template: "/v1/articles/{id}", expect: 200,
      });
  }
  const id0 = ids[0];
  for (const suffix of ["", "/entities", "/quotes"]) {
    const template = `/v1/articles/{id}${suffix}`;
    check(`HEAD /v1/articles/${id0}${suffix}`, await call(main, "HEAD", `/v1/articles/${id0}${suffix}`), { method: "HEAD", template, expect: 200 });
    const gz = await call(main, "GET", `/v1/articles/${id0}${suffix}`, { headers: { "Accept-Encoding": "gzip" } });
    check(`GET /v1/articles/${id0}${suffix} gzip`, gz, {
      method: "GET", template, expect: 200,
      extra: (res) => (res.headers["content-encoding"] === "gzip" && /-gzip"$/.test(res.headers.etag) ? [] : ["not served gzip-compressed with a -gzip ETag"]),
    });
    check(`GET /v1/articles/${id0}${suffix} If-None-Match`, await call(main, "GET", `/v1/articles/${id0}${suffix}`, { headers: { "If-None-Match": gz.headers.etag, "Accept-Encoding": "gzip" } }), {
      method: "GET", template, expect: 304,
    });
    check(`GET /v1/articles/nope${suffix}`, await call(main, "GET", `/v1/articles/nope${suffix}`), {
      method: "GET", template, expect: 404, extra: problemCode("article-not-found"),
    });
    check(`HEAD /v1/articles/nope${suffix}`, await call(main, "HEAD", `/v1/articles/nope${suffix}`), { method: "HEAD", template, expect: 404 });
    check(`GET /v1/articles/${id0}${suffix}?x=1`, await call(main, "GET", `/v1/articles/${id0}${suffix}?x=1`), {
      method: "GET", template, expect: 400, extra: problemCode("unknown-parameter", "x"),
    });
  }

  // Finding articles (docs/find.md): every list parameter, both paging modes, the entity and quote
  // indexes, and the refusals.
  const listOk = (res, body) => {
    const p = [];
    if (res.headers["x-total-count"] !== String(body.total)) p.push(`X-Total-Count ${res.headers["x-total-count"]}, total ${body.total}`);
    const rels = [...(res.headers.link || "").matchAll(/rel="(\w+)"/g)].map((m) => m[1]);
    const keys = Object.keys(body.links).filter((k) => k !== "self");
    if (rels.join() !== keys.join()) p.push(`Link rels ${rels} differ from links ${keys}`);
    return p;
  };
  const entList = check("GET /v1/entities", await call(main, "GET", "/v1/entities"), { method: "GET", template: "/v1/entities", expect: 200, extra: listOk });
  const ents = entList?.items || [];
  if (ents.length === 0) throw new Error("the entity index is empty");
  const ent0 = ents[0].id;
  const person = ents.find((e) => e.type === "person");
  const place = ents.find((e) => e.type === "place");
  const org = ents.find((e) => e.type === "organisation");
  const quoteList = check("GET /v1/quotes", await call(main, "GET", "/v1/quotes"), { method: "GET", template: "/v1/quotes", expect: 200, extra: listOk });
  const speaker = (quoteList?.items || []).find((q) => q.speaker && q.speaker.entity)?.speaker;
  if (!speaker) throw new Error("no quote has a speaker entity");
  const first = list.items[0];
  const enc = encodeURIComponent;
  const findQueries = [
    `?entity=${ent0}`, `?person=${enc(person.name)}`, `?place=${enc(place.name)}`, `?org=${enc(org.aliases[0] || org.name)}`,
    `?speaker=${speaker.entity}`, `?speaker=${enc(speaker.name)}`, `?section=${enc(first.section || "none")}`, `?tag=${enc(first.tags[0] || "none")}`,
    `?source=${enc(first.source[0] || "none")}`, "?from=2024-01-01", "?to=2025-10-08", "?from=2024-01-01T00:00:00Z&to=2025-12-31T23:59:59%2B01:00",
    "?sort=published&per_page=2", "?sort=-published&page=2&per_page=2", "?sort=headline&per_page=2", "?q=bank&sort=relevance", "?q=bank&sort=headline",
    "?fields=headline,published", "?fields=id", "?fields=score,snippets", "?q=bank&fields=snippets,score,url",
    "?q=summit&entity=" + ent0 + "&sort=published&fields=headline&per_page=1", "?section=nothing-at-all",
  ];
  for (const q of findQueries)
    check(`GET /v1/articles${q}`, await call(main, "GET", `/v1/articles${q}`), { method: "GET", template: "/v1/articles", expect: 200, extra: listOk });
  // Cursor mode: forwards, then back.
  {
    const p1 = check("GET /v1/articles?sort=headline&per_page=2", await call(main, "GET", "/v1/articles?sort=headline&per_page=2"), {
      method: "GET", template: "/v1/articles", expect: 200, extra: listOk,
    });
    const c = p1?.next_cursor;
    const p2 = check("GET /v1/articles?sort=headline&cursor=NEXT&per_page=2", await call(main, "GET", `/v1/articles?sort=headline&cursor=${c}&per_page=2`), {
      method: "GET", template: "/v1/articles", expect: 200,
      extra: (res, body) => [...listOk(res, body), ...("page" in body || "last" in body.links ? ["page or last in cursor mode"] : [])],
    });
    check("GET /v1/articles?sort=headline&cursor=PREV&per_page=2", await call(main, "GET", `/v1/articles?sort=headline&cursor=${p2?.prev_cursor}&per_page=2`), {
      method: "GET", template: "/v1/articles", expect: 200,
      extra: (res, body) => (body.items.map((i) => i.id).join() === p1.items.map((i) => i.id).join() ? listOk(res, body) : ["prev_cursor does not lead back to page 1"]),
    });
    check("GET /v1/articles?cursor=HEADLINE (another sort)", await call(main, "GET", `/v1/articles?cursor=${c}`), {
      method: "GET", template: "/v1/articles", expect: 400, extra: problemCode("invalid-parameter", "cursor"),
    });
  }
  for (const [q, code, field] of [
    ["?sort=newest", "invalid-parameter", "sort"],
    ["?sort=relevance", "invalid-parameter", "sort"],
    ["?from=2025-13-01", "invalid-parameter", "from"],
    ["?to=soon", "invalid-parameter", "to"],
    ["?from=2025-12-01&to=2025-11-01", "invalid-parameter", undefined],
    ["?fields=headline,body", "invalid-parameter", "fields"],
    ["?fields=", "invalid-parameter", "fields"],
    ["?cursor=%21%21", "invalid-parameter", "cursor"],
    ["?cursor=abc&page=2", "invalid-parameter", undefined],
    ["?tag=a&tag=b", "duplicate-parameter", "tag"],
    ["?author=x", "unknown-parameter", "author"],
  ])
    check(`GET /v1/articles${q}`, await call(main, "GET", `/v1/articles${q}`), {
      method: "GET", template: "/v1/articles", expect: 400, extra: problemCode(code, field),
    });

  // The entity index.
  for (const q of ["?type=person", "?type=place&per_page=2&page=2", "?type=organisation", `?prefix=${enc(person.name.slice(0, 2))}`, "?prefix=zzzz", "?per_page=1", "?page=1000000"])
    check(`GET /v1/entities${q}`, await call(main, "GET", `/v1/entities${q}`), { method: "GET", template: "/v1/entities", expect: 200, extra: listOk });
  for (const [q, code, field] of [["?type=people", "invalid-parameter", "type"], ["?per_page=0", "invalid-parameter", "per_page"], ["?sort=name", "unknown-parameter", "sort"]])
    check(`GET /v1/entities${q}`, await call(main, "GET", `/v1/entities${q}`), { method: "GET", template: "/v1/entities", expect: 400, extra: problemCode(code, field) });
  for (const e of ents.slice(0, 5))
    check(`GET /v1/entities/${e.id}`, await call(main, "GET", `/v1/entities/${e.id}`), {
      method: "GET", template: "/v1/entities/{id}", expect: 200,
      extra: (res, body) => (JSON.stringify(body) === JSON.stringify(e) ? [] : ["differs from its item in GET /v1/entities"]),
    });
  check("GET /v1/entities/nope", await call(main, "GET", "/v1/entities/nope"), { method: "GET", template: "/v1/entities/{id}", expect: 404, extra: problemCode("entity-not-found") });
  check(`GET /v1/entities/${ent0}?x=1`, await call(main, "GET", `/v1/entities/${ent0}?x=1`), {
    method: "GET", template: "/v1/entities/{id}", expect: 400, extra: problemCode("unknown-parameter", "x"),
  });
  for (const q of ["", "?sort=headline&per_page=1", "?q=summit", "?from=2024-01-01&fields=headline"])
    check(`GET /v1/entities/${ent0}/articles${q}`, await call(main, "GET", `/v1/entities/${ent0}/articles${q}`), {
      method: "GET", template: "/v1/entities/{id}/articles", expect: 200, extra: listOk,
    });
  {
    const p1 = await call(main, "GET", `/v1/entities/${ent0}/articles?per_page=1`);
    const c = JSON.parse(p1.body).next_cursor;
    if (c)
      check(`GET /v1/entities/${ent0}/articles?cursor=NEXT&per_page=1`, await call(main, "GET", `/v1/entities/${ent0}/articles?cursor=${c}&per_page=1`), {
        method: "GET", template: "/v1/entities/{id}/articles", expect: 200, extra: listOk,
      });
  }
  check("GET /v1/entities/nope/articles", await call(main, "GET", "/v1/entities/nope/articles"), {
    method: "GET", template: "/v1/entities/{id}/articles", expect: 404, extra: problemCode("entity-not-found"),
  });
  check(`GET /v1/entities/${ent0}/articles?entity=x`, await call(main, "GET", `/v1/entities/${ent0}/articles?entity=x`), {
    method: "GET", template: "/v1/entities/{id}/articles", expect: 400, extra: problemCode("unknown-parameter", "entity"),
  });
  check(`GET /v1/entities/${ent0}/articles?sort=bogus`, await call(main, "GET", `/v1/entities/${ent0}/articles?sort=bogus`), {
    method: "GET", template: "/v1/entities/{id}/articles", expect: 400, extra: problemCode("invalid-parameter", "sort"),
  });

  // The quote index.
  for (const q of [`?speaker=${speaker.entity}`, `?speaker=${enc(speaker.name)}`, `?article=${id0}`, `?article=${list.items[0].slug}`, "?q=we", "?per_page=1&page=2", "?article=nope", "?page=1000000"])
    check(`GET /v1/quotes${q}`, await call(main, "GET", `/v1/quotes${q}`), { method: "GET", template: "/v1/quotes", expect: 200, extra: listOk });
  for (const [q, code, field] of [["?page=0", "invalid-parameter", "page"], ["?cursor=abc", "unknown-parameter", "cursor"], ["?q=a&q=b", "duplicate-parameter", "q"]])
    check(`GET /v1/quotes${q}`, await call(main, "GET", `/v1/quotes${q}`), { method: "GET", template: "/v1/quotes", expect: 400, extra: problemCode(code, field) });

  // HEAD and conditional requests on the new routes.
  for (const [template, target] of [["/v1/entities", "/v1/entities"], ["/v1/entities/{id}", `/v1/entities/${ent0}`],
    ["/v1/entities/{id}/articles", `/v1/entities/${ent0}/articles`], ["/v1/quotes", "/v1/quotes"]]) {
    check(`HEAD ${target}`, await call(main, "HEAD", target), { method: "HEAD", template, expect: 200 });
    const got = await call(main, "GET", target);
    if (got.headers.etag)
      check(`GET ${target} If-None-Match`, await call(main, "GET", target, { headers: { "If-None-Match": got.headers.etag } }), { method: "GET", template, expect: 304 });
  }
  check("HEAD /v1/entities/nope", await call(main, "HEAD", "/v1/entities/nope"), { method: "HEAD", template: "/v1/entities/{id}", expect: 404 });

  // A write shows up in the next search, the entity index and the quotes.
  {
    const doc = {
      id: "contract-find-write", headline: "Contract zeppelin flight", published: "2030-01-01T00:00:00Z",
      body: [({ type: "paragraph", text: "\u201cIt flies,\u201d said Oskar Lindqvist, the pilot of the zeppelin." })],
    };
    check("POST /v1/articles (find)", await call(main, "POST", "/v1/articles", { headers: JSONH, body: JSON.stringify(doc) }), {
      method: "POST", template: "/v1/articles", expect: 201,
    });
    check("GET /v1/articles?q=zeppelin after the write", await call(main, "GET", "/v1/articles?q=zeppelin"), {
      method: "GET", template: "/v1/articles", expect: 200,
      extra: (res, body) => (body.items.map((i) => i.id).join() === doc.id ? [] : [`found ${body.items.map((i) => i.id)}`]),
    });
    check("GET /v1/entities/oskar-lindqvist after the write", await call(main, "GET", "/v1/entities/oskar-lindqvist"), {
      method: "GET", template: "/v1/entities/{id}", expect: 200,
    });
    check("GET /v1/quotes?speaker=oskar-lindqvist after the write", await call(main, "GET", "/v1/quotes?speaker=oskar-lindqvist"), {
      method: "GET", template: "/v1/quotes", expect: 200, extra: (res, body) => (body.total === 1 ? [] : [`total ${body.total}`]),
    });
    check("DELETE /v1/articles/contract-find-write", await call(main, "DELETE", `/v1/articles/${doc.id}`, { headers: AUTH }), {
      method: "DELETE", template: "/v1/articles/{id}", expect: 204,
    });
    check("GET /v1/entities/oskar-lindqvist after the delete", await call(main, "GET", "/v1/entities/oskar-lindqvist"), {
      method: "GET", template: "/v1/entities/{id}", expect: 404, extra: problemCode("entity-not-found"),
    });
  }
  // Paths with an {id}: an article id, or an entity id under /v1/entities.
  const fill = (template) => template.replace("{id}", template.startsWith("/v1/entities/") ? ent0 : id0);

  // Operations.
  for (const [template, expect] of [["/healthz", 200], ["/readyz", 200], ["/metrics", 200], ["/openapi.json", 200]]) {
    check(`GET ${template}`, await call(main, "GET", template, { headers: { "X-Request-Id": "contract-test:1" } }), {
      method: "GET", template, expect,
      extra: (res) => (res.headers["x-request-id"] === "contract-test:1" ? [] : [`X-Request-Id ${res.headers["x-request-id"]} is not the client's`]),
    });
    check(`HEAD ${template}`, await call(main, "HEAD", template), { method: "HEAD", template, expect });
    check(`GET ${template}?q=1`, await call(main, "GET", `${template}?q=1`), { method: "GET", template, expect: 400, extra: problemCode("unknown-parameter", "q") });
  }

  // Annotate.
  const plain = fs.readFileSync(path.join(DATA, fs.readdirSync(DATA).filter((f) => f.endsWith(".txt")).sort()[0]));
  const TEXT = { "Content-Type": "text/plain; charset=utf-8" };
  const annotated = check("POST /v1/annotate text/plain", await call(main, "POST", "/v1/annotate", { headers: TEXT, body: plain }), {
    method: "POST", template: "/v1/annotate", expect: 200,
  });
  checkRequest("annotate text/plain", "POST", "/v1/annotate", "text/plain", plain.toString("utf8"), true);
  const smallDoc = { headline: "Only a headline" };
  check("POST /v1/annotate application/json (no body blocks)", await call(main, "POST", "/v1/annotate", { headers: { "Content-Type": "application/json" }, body: JSON.stringify(smallDoc) }), {
    method: "POST", template: "/v1/annotate", expect: 200,
  });
  checkRequest("annotate a document without body blocks", "POST", "/v1/annotate", "application/json", smallDoc, true);
  if (annotated) {
    // What the server served, sent back as a document: the read-only members are ignored.
    const back = { ...annotated.article, annotations: annotated.annotations };
    check("POST /v1/annotate the served article sent back", await call(main, "POST", "/v1/annotate", { headers: { "Content-Type": "application/json" }, body: JSON.stringify(back) }), {
      method: "POST", template: "/v1/annotate", expect: 200,
    });
    checkRequest("the served article sent back", "POST", "/v1/annotate", "application/json", back, true);
  }
  for (const [label, query, headers, body, status, code, field] of [
    ["empty body", "", { "Content-Type": "text/plain" }, "", 400, "empty-body"],
    ["not UTF-8", "", { "Content-Type": "text/plain" }, Buffer.from([0x48, 0x69, 0x0a, 0xff, 0x0a]), 400, "invalid-article", "byte 3"],
    ["invalid JSON", "", { "Content-Type": "application/json" }, '{"headline": ', 400, "invalid-article", "byte 13"],
    ["unknown member", "", { "Content-Type": "application/json" }, '{"headline":"A","colour":"red"}', 400, "invalid-article", "/colour"],
    ["another content type", "", { "Content-Type": "text/html" }, "<p>x</p>", 415, "unsupported-media-type"],
    ["an unknown parameter", "?x=1", { "Content-Type": "text/plain" }, plain, 400, "unknown-parameter", "x"],
  ])
    check(`POST /v1/annotate${query} ${label}`, await call(main, "POST", `/v1/annotate${query}`, { headers, body }), {
      method: "POST", template: "/v1/annotate", expect: status, extra: problemCode(code, field),
    });
  check("POST /v1/annotate over max_body_bytes", await call(main, "POST", "/v1/annotate", { headers: TEXT, body: "a".repeat(MAX_BODY + 1) }), {
    method: "POST", template: "/v1/annotate", expect: 413, extra: problemCode("body-too-large"),
  });
  check("POST /v1/annotate chunked over max_body_bytes", await call(main, "POST", "/v1/annotate", { headers: TEXT, body: "a".repeat(MAX_BODY + 1), chunked: true }), {
    method: "POST", template: "/v1/annotate", expect: 413, extra: problemCode("body-too-large"),
  });

  // Refusals made from the request's size before any handler runs.
  check("GET /v1/articles with a target over max_uri_bytes", await call(main, "GET", `/v1/articles?q=${"a".repeat(9000)}`), {
    method: "GET", template: "/v1/articles", expect: 414, extra: problemCode("uri-too-long"),
  });
  check("GET /healthz with a header line over max_header_line_bytes", await call(main, "GET", "/healthz", { headers: { "X-Big": "a".repeat(9000) } }), {
    method: "GET", template: "/healthz", expect: 431, extra: problemCode("header-too-large"),
  });

  // What the request schema accepts and refuses, beside what the server does.
  const para = (text) => ({ type: "paragraph", text });
  const docCases = [
    ["a minimal document", { headline: "Contract minimal", body: [para("Hello.")] }, true],
    ["every member", {
      id: "contract-every-member", headline: "Every member", standfirst: "S.", published: "2024-03-11T08:45:00.5+01:00", updated: "2024-03-12",
      section: "world", byline: "A. Writer", language: "en", url: "https://example.com/a", tags: ["a", "b"], source: ["Reuters"],
      body: [para("P."), { type: "subheading", text: "S" },
        { type: "image", caption: "C", alt: null, credit: { photographer: "Jo", agency: "AP", file: true } },
        { type: "image", caption: "C2", credit: null }],
    }, true],
    ["nulls", { id: null, headline: "Nulls", standfirst: null, published: null, tags: null, source: null, body: [para("x")] }, true],
    ["an unknown member", { headline: "U", body: [para("x")], colour: "red" }, false, "/colour"],
    ["an unknown block member", { headline: "U", body: [{ type: "paragraph", text: "x", caption: "c" }] }, false, "/body/0/caption"],
    ["an unknown credit member", { headline: "U", body: [{ type: "image", caption: "c", credit: { by: "x" } }] }, false, "/body/0/credit/by"],
    ["a block type", { headline: "U", body: [{ type: "quote", text: "x" }] }, false, "/body/0/type"],
    ["a number headline", { headline: 5, body: [para("x")] }, false, "/headline"],
    ["an empty string", { headline: "U", section: "", body: [para("x")] }, false, "/section"],
    ["a control character", { headline: "U\u0001", body: [para("x")] }, false, "/headline"],
    ["an id", { id: "Bad_Id", headline: "U", body: [para("x")] }, false, "/id"],
    ["a date without a zone", { headline: "U", published: "2024-03-11T08:45", body: [para("x")] }, false, "/published"],
    ["too many tags", { headline: "U", tags: Array.from({ length: 51 }, (_, i) => `t${i}`), body: [para("x")] }, false, "/tags"],
    ["no headline", { body: [para("x")] }, false, "/headline"],
    ["no body blocks", { headline: "No blocks", body: [] }, false, "/body"],
    ["credit file not a boolean", { headline: "U", body: [{ type: "image", caption: "c", credit: { file: "yes" } }] }, false, "/body/0/credit/file"],
  ];
  for (const [label, doc, ok, field] of docCases) {
    checkRequest(label, "POST", "/v1/articles", "application/json", doc, ok);
    const res = await call(main, "POST", "/v1/articles", { headers: JSONH, body: JSON.stringify(doc) });
    check(`POST /v1/articles ${label}`, res, {
      method: "POST", template: "/v1/articles", expect: ok ? 201 : 400,
      extra: ok
        ? (r, body) => (r.headers.location === `/v1/articles/${body.id}` ? [] : [`Location ${r.headers.location}`])
        : problemCode("invalid-article", field),
    });
  }

  // Writes: create, conflict, replace, patch, delete, preconditions.
  check("POST /v1/articles text/plain", await call(main, "POST", "/v1/articles", { headers: { ...AUTH, ...TEXT }, body: "Contract plain article\n\nA standfirst.\n\nA paragraph.\n" }), {
    method: "POST", template: "/v1/articles", expect: 201,
  });
  check("POST /v1/articles an id that is taken", await call(main, "POST", "/v1/articles", { headers: JSONH, body: JSON.stringify({ headline: "Contract minimal", body: [para("x")] }) }), {
    method: "POST", template: "/v1/articles", expect: 409, extra: problemCode("article-exists", "/id"),
  });
  check("POST /v1/articles text/xml", await call(main, "POST", "/v1/articles", { headers: { ...AUTH, "Content-Type": "text/xml" }, body: "<p/>" }), {
    method: "POST", template: "/v1/articles", expect: 415, extra: problemCode("unsupported-media-type"),
  });
  check("POST /v1/articles text/html without an article", await call(main, "POST", "/v1/articles", { headers: { ...AUTH, "Content-Type": "text/html" }, body: "<p>" }), {
    method: "POST", template: "/v1/articles", expect: 422, extra: problemCode("extract-failed"),
  });
  for (const [label, query, body, status, code] of [
    ["a loopback url", "?dry_run=true", '{"url":"http://127.0.0.1:1/page.html"}', 403, "fetch-address-forbidden"],
    ["a file url", "", '{"url":"file:///etc/passwd"}', 400, "fetch-scheme-forbidden"],
    ["an empty object", "", "{}", 400, "invalid-import"],
    ["a bad dry_run", "?dry_run=maybe", '{"url":"http://127.0.0.1/"}', 400, "invalid-parameter"],
  ])
    check(`POST /v1/articles/import ${label}`, await call(main, "POST", `/v1/articles/import${query}`, { headers: { ...AUTH, "Content-Type": "application/json" }, body }), {
      method: "POST", template: "/v1/articles/import", expect: status, extra: problemCode(code),
    });
  check("POST /v1/articles empty", await call(main, "POST", "/v1/articles", { headers: JSONH, body: "" }), {
    method: "POST", template: "/v1/articles", expect: 400, extra: problemCode("empty-body"),
  });
  check("POST /v1/articles no token", await call(main, "POST", "/v1/articles", { headers: { "Content-Type": "application/json" }, body: "{}" }), {
    method: "POST", template: "/v1/articles", expect: 401, extra: problemCode("unauthenticated"),
  });
  check("POST /v1/articles wrong token", await call(main, "POST", "/v1/articles", { headers: { Authorization: "Bearer nope", "Content-Type": "application/json" }, body: "{}" }), {
    method: "POST", template: "/v1/articles", expect: 403, extra: problemCode("forbidden"),
  });
  check("POST /v1/articles over max_body_bytes", await call(main, "POST", "/v1/articles", { headers: { ...AUTH, ...TEXT }, body: "a".repeat(MAX_BODY + 1) }), {
    method: "POST", template: "/v1/articles", expect: 413, extra: problemCode("body-too-large"),
  });

  const PUT_ID = "contract-put";
  const putDoc = { headline: "Contract put", body: [para("First version.")] };
  checkRequest("PUT document", "PUT", "/v1/articles/{id}", "application/json", putDoc, true);
  const created = await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: JSONH, body: JSON.stringify(putDoc) });
  check(`PUT /v1/articles/${PUT_ID} (new)`, created, { method: "PUT", template: "/v1/articles/{id}", expect: 201 });
  const replaced = await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: { ...JSONH, "If-Match": created.headers.etag }, body: JSON.stringify({ ...putDoc, id: PUT_ID, section: "world" }) });
  check(`PUT /v1/articles/${PUT_ID} (replace, If-Match)`, replaced, { method: "PUT", template: "/v1/articles/{id}", expect: 200 });
  check(`PUT /v1/articles/${PUT_ID} stale If-Match`, await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: { ...JSONH, "If-Match": created.headers.etag }, body: JSON.stringify(putDoc) }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 412, extra: problemCode("precondition-failed"),
  });
  check(`PUT /v1/articles/${PUT_ID} another id in the body`, await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: JSONH, body: JSON.stringify({ ...putDoc, id: "another" }) }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 400, extra: problemCode("id-mismatch", "/id"),
  });
  check("PUT /v1/articles/Bad_Id", await call(main, "PUT", "/v1/articles/Bad_Id", { headers: JSONH, body: JSON.stringify(putDoc) }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 400, extra: problemCode("invalid-id", "id"),
  });
  check(`PUT /v1/articles/${PUT_ID} text/plain`, await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: { ...AUTH, ...TEXT }, body: "Contract put in plain\n\nStandfirst.\n\nText.\n" }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 200,
  });
  check(`PUT /v1/articles/${PUT_ID} application/xml`, await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: { ...AUTH, "Content-Type": "application/xml" }, body: "<a/>" }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 415, extra: problemCode("unsupported-media-type"),
  });
  check(`PUT /v1/articles/${PUT_ID} no token`, await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: { "Content-Type": "application/json" }, body: "{}" }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 401,
  });
  check(`PUT /v1/articles/${PUT_ID} over max_body_bytes`, await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: { ...AUTH, ...TEXT }, body: "a".repeat(MAX_BODY + 1) }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 413,
  });

  const MP = { ...AUTH, "Content-Type": "application/merge-patch+json" };
  for (const [label, patch, ok, code, field] of [
    ["section", { section: "politics", tags: ["x"] }, true],
    ["remove section", { section: null }, true],
    ["remove an absent member", { colour: null }, true],
    ["an unknown member", { colour: "red" }, false, "invalid-article", "/colour"],
    ["another id", { id: "another-id" }, false, "invalid-article", "/id"],
    ["no headline", { headline: null }, false, "invalid-article", "/headline"],
    ["no body blocks", { body: [] }, false, "invalid-article", "/body"],
  ]) {
    // Whether a patch changes the id depends on the article: the schema cannot tell.
    if (label !== "another id") checkRequest(`merge patch: ${label}`, "PATCH", "/v1/articles/{id}", "application/merge-patch+json", patch, ok);
    check(`PATCH /v1/articles/${PUT_ID} ${label}`, await call(main, "PATCH", `/v1/articles/${PUT_ID}`, { headers: MP, body: JSON.stringify(patch) }), {
      method: "PATCH", template: "/v1/articles/{id}", expect: ok ? 200 : 400, extra: ok ? undefined : problemCode(code, field),
    });
  }
  check(`PATCH /v1/articles/${PUT_ID} application/json`, await call(main, "PATCH", `/v1/articles/${PUT_ID}`, { headers: JSONH, body: '{"byline":"B"}' }), {
    method: "PATCH", template: "/v1/articles/{id}", expect: 200,
  });
  check(`PATCH /v1/articles/${PUT_ID} text/plain`, await call(main, "PATCH", `/v1/articles/${PUT_ID}`, { headers: { ...AUTH, ...TEXT }, body: "x" }), {
    method: "PATCH", template: "/v1/articles/{id}", expect: 415, extra: problemCode("unsupported-media-type"),
  });
  check(`PATCH /v1/articles/${PUT_ID} invalid JSON`, await call(main, "PATCH", `/v1/articles/${PUT_ID}`, { headers: MP, body: "{" }), {
    method: "PATCH", template: "/v1/articles/{id}", expect: 400, extra: problemCode("invalid-article", "byte 1"),
  });
  check(`PATCH /v1/articles/${PUT_ID} stale If-Match`, await call(main, "PATCH", `/v1/articles/${PUT_ID}`, { headers: { ...MP, "If-Match": '"0000000000000000"' }, body: "{}" }), {
    method: "PATCH", template: "/v1/articles/{id}", expect: 412, extra: problemCode("precondition-failed"),
  });
  check("PATCH /v1/articles/nope", await call(main, "PATCH", "/v1/articles/nope", { headers: MP, body: "{}" }), {
    method: "PATCH", template: "/v1/articles/{id}", expect: 404, extra: problemCode("article-not-found"),
  });
  check("PATCH /v1/articles/Bad_Id", await call(main, "PATCH", "/v1/articles/Bad_Id", { headers: MP, body: "{}" }), {
    method: "PATCH", template: "/v1/articles/{id}", expect: 400, extra: problemCode("invalid-id", "id"),
  });

  check(`DELETE /v1/articles/${PUT_ID} stale If-Match`, await call(main, "DELETE", `/v1/articles/${PUT_ID}`, { headers: { ...AUTH, "If-Match": '"0000000000000000"' } }), {
    method: "DELETE", template: "/v1/articles/{id}", expect: 412, extra: problemCode("precondition-failed"),
  });
  check(`DELETE /v1/articles/${PUT_ID} wrong token`, await call(main, "DELETE", `/v1/articles/${PUT_ID}`, { headers: { Authorization: "Bearer nope" } }), {
    method: "DELETE", template: "/v1/articles/{id}", expect: 403, extra: problemCode("forbidden"),
  });
  check(`DELETE /v1/articles/${PUT_ID}`, await call(main, "DELETE", `/v1/articles/${PUT_ID}`, { headers: { ...AUTH, "If-Match": "*" } }), {
    method: "DELETE", template: "/v1/articles/{id}", expect: 204,
  });
  check(`DELETE /v1/articles/${PUT_ID} again`, await call(main, "DELETE", `/v1/articles/${PUT_ID}`, { headers: AUTH }), {
    method: "DELETE", template: "/v1/articles/{id}", expect: 404, extra: problemCode("article-not-found"),
  });
  check("DELETE /v1/articles/Bad_Id", await call(main, "DELETE", "/v1/articles/Bad_Id", { headers: AUTH }), {
    method: "DELETE", template: "/v1/articles/{id}", expect: 400, extra: problemCode("invalid-id", "id"),
  });
  check(`PUT /v1/articles/${PUT_ID} If-Match * (absent)`, await call(main, "PUT", `/v1/articles/${PUT_ID}`, { headers: { ...JSONH, "If-Match": "*" }, body: JSON.stringify(putDoc) }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 412, extra: problemCode("precondition-failed"),
  });

  // Methods and paths outside the operations, and OPTIONS.
  for (const template of Object.keys(spec.paths)) {
    const target = fill(template);
    check(`OPTIONS ${target}`, await call(main, "OPTIONS", target), {
      method: "OPTIONS", template, expect: 204, extra: allowMatches(template),
    });
    check(`OPTIONS ${target} preflight`, await call(main, "OPTIONS", target, { headers: { Origin: "https://app.example", "Access-Control-Request-Method": "GET" } }), {
      method: "OPTIONS", template, expect: 204, extra: allowMatches(template),
    });
    for (const m of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
      if (spec.paths[template][m.toLowerCase()]) continue;
      check(`${m} ${target}`, await call(main, m, target, { headers: AUTH }), {
        method: m, template, unrouted: true, expect: 405, extra: (res) => [...problemCode("method-not-allowed")(res, JSON.parse(res.body)), ...allowMatches(template)(res)],
      });
    }
  }
  check("GET /nope", await call(main, "GET", "/nope"), { method: "GET", template: "/nope", unrouted: true, expect: 404, extra: problemCode("not-found") });
  check("GET /v1/articles/a/b", await call(main, "GET", "/v1/articles/a/b"), { method: "GET", template: "/v1/articles/a/b", unrouted: true, expect: 404 });
  check("BREW /v1/articles", await call(main, "BREW", "/v1/articles"), {
    method: "BREW", template: "/v1/articles", unrouted: true, expect: 501, extra: problemCode("method-not-implemented"),
  });

  // A server with a read token and require_if_match.
  const R = { Authorization: `Bearer ${READ_TOKEN}` };
  for (const template of ["/v1/articles", "/v1/articles/{id}", "/v1/articles/{id}/entities", "/v1/articles/{id}/quotes", "/v1/entities",
    "/v1/entities/{id}", "/v1/entities/{id}/articles", "/v1/quotes", "/metrics"]) {
    const target = fill(template);
    check(`read token: GET ${target} without a token`, await call(guarded, "GET", target), {
      method: "GET", template, expect: 401, extra: problemCode("unauthenticated"),
    });
    check(`read token: GET ${target} wrong token`, await call(guarded, "GET", target, { headers: { Authorization: "Bearer nope" } }), {
      method: "GET", template, expect: 403, extra: problemCode("forbidden"),
    });
    check(`read token: GET ${target} read token`, await call(guarded, "GET", target, { headers: R }), {
      method: "GET", template, expect: 200,
      extra: (res) => (template === "/metrics" || /^private/.test(res.headers["cache-control"]) ? [] : [`Cache-Control ${res.headers["cache-control"]} is not private`]),
    });
    check(`read token: HEAD ${target} without a token`, await call(guarded, "HEAD", target), { method: "HEAD", template, expect: 401 });
  }
  check("read token: GET /v1/articles write token", await call(guarded, "GET", "/v1/articles", { headers: AUTH }), { method: "GET", template: "/v1/articles", expect: 200 });
  check("read token: POST /v1/annotate without a token", await call(guarded, "POST", "/v1/annotate", { headers: TEXT, body: plain }), {
    method: "POST", template: "/v1/annotate", expect: 401,
  });
  check("read token: POST /v1/annotate read token", await call(guarded, "POST", "/v1/annotate", { headers: { ...R, ...TEXT }, body: plain }), {
    method: "POST", template: "/v1/annotate", expect: 200,
  });
  check("read token: POST /v1/articles read token", await call(guarded, "POST", "/v1/articles", { headers: { ...R, "Content-Type": "application/json" }, body: "{}" }), {
    method: "POST", template: "/v1/articles", expect: 403, extra: problemCode("forbidden"),
  });
  for (const template of ["/healthz", "/readyz", "/openapi.json"])
    check(`read token: GET ${template} without a token`, await call(guarded, "GET", template), { method: "GET", template, expect: 200 });
  check(`require_if_match: PUT /v1/articles/${id0} without If-Match`, await call(guarded, "PUT", `/v1/articles/${id0}`, { headers: JSONH, body: JSON.stringify(putDoc) }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 428, extra: problemCode("precondition-required"),
  });
  check(`require_if_match: PATCH /v1/articles/${id0} without If-Match`, await call(guarded, "PATCH", `/v1/articles/${id0}`, { headers: MP, body: "{}" }), {
    method: "PATCH", template: "/v1/articles/{id}", expect: 428, extra: problemCode("precondition-required"),
  });
  check(`require_if_match: DELETE /v1/articles/${id0} without If-Match`, await call(guarded, "DELETE", `/v1/articles/${id0}`, { headers: AUTH }), {
    method: "DELETE", template: "/v1/articles/{id}", expect: 428, extra: problemCode("precondition-required"),
  });
  check("require_if_match: PUT a new article without If-Match", await call(guarded, "PUT", "/v1/articles/contract-new", { headers: JSONH, body: JSON.stringify(putDoc) }), {
    method: "PUT", template: "/v1/articles/{id}", expect: 201,
  });

  // A read-only server (no write token).
  for (const [m, template, body] of [["POST", "/v1/articles", "{}"], ["PUT", "/v1/articles/{id}", "{}"], ["PATCH", "/v1/articles/{id}", "{}"], ["DELETE", "/v1/articles/{id}", undefined]]) {
    const target = template.replace("{id}", id0);
    check(`read-only: ${m} ${target}`, await call(readonly, m, target, { headers: { ...AUTH, "Content-Type": "application/json" }, body }), {
      method: m, template, expect: 403, extra: problemCode("read-only"),
    });
  }
  // ... which also allows two CORS origins ...
  const ORIGIN = { Origin: "https://app.example" };
  const corsOk = (res) => (res.headers["access-control-allow-origin"] === "https://app.example" ? [] : [`Access-Control-Allow-Origin ${res.headers["access-control-allow-origin"]}`]);
  for (const template of Object.keys(spec.paths)) {
    const target = fill(template);
    check(`CORS: OPTIONS ${target} preflight`, await call(readonly, "OPTIONS", target, { headers: { ...ORIGIN, "Access-Control-Request-Method": "GET" } }), {
      method: "OPTIONS", template, expect: 204, extra: (res) => [...corsOk(res), ...allowMatches(template)(res)],
    });
    if (spec.paths[template].get)
      check(`CORS: GET ${target}`, await call(readonly, "GET", target, { headers: ORIGIN }), { method: "GET", template, expect: 200, extra: corsOk });
  }
  check("CORS: GET /v1/articles/nope", await call(readonly, "GET", "/v1/articles/nope", { headers: ORIGIN }), { method: "GET", template: "/v1/articles/{id}", expect: 404, extra: corsOk });
  check("CORS: POST /v1/articles read-only", await call(readonly, "POST", "/v1/articles", { headers: { ...ORIGIN, ...AUTH, "Content-Type": "application/json" }, body: "{}" }), {
    method: "POST", template: "/v1/articles", expect: 403,
  });
  check("CORS: PUT /v1/annotate", await call(readonly, "PUT", "/v1/annotate", { headers: ORIGIN }), { method: "PUT", template: "/v1/annotate", unrouted: true, expect: 405, extra: corsOk });

  // ... and a public_base_url: links are absolute.
  const abs = (res, body) => {
    const urls = [res.headers.link || "", JSON.stringify(body.links || {}), ...(body.items || []).map((i) => i.links.self)].join(" ");
    return /"\/v1\/|<\/v1\//.test(urls) || !urls.includes("https://news.example.com/api/v1/articles") ? [`links are not absolute: ${urls.slice(0, 200)}`] : [];
  };
  check("public_base_url: GET /v1/articles?per_page=2", await call(readonly, "GET", "/v1/articles?per_page=2"), { method: "GET", template: "/v1/articles", expect: 200, extra: abs });
  const absList = (res, body) => {
    const urls = [res.headers.link || "", JSON.stringify(body.links || {}), JSON.stringify((body.items || []).map((i) => i.links))].join(" ");
    return /"\/v1\/|<\/v1\//.test(urls) || !urls.includes("https://news.example.com/api/v1/") ? [`links are not absolute: ${urls.slice(0, 200)}`] : [];
  };
  for (const [template, target] of [["/v1/entities", "/v1/entities?per_page=2"], ["/v1/entities/{id}/articles", `/v1/entities/${ent0}/articles?per_page=1`],
    ["/v1/quotes", "/v1/quotes?per_page=2"], ["/v1/articles", "/v1/articles?sort=headline&per_page=1"]])
    check(`public_base_url: GET ${target}`, await call(readonly, "GET", target), { method: "GET", template, expect: 200, extra: absList });
  check(`public_base_url: GET /v1/entities/${ent0}`, await call(readonly, "GET", `/v1/entities/${ent0}`), {
    method: "GET", template: "/v1/entities/{id}", expect: 200,
    extra: (res, body) => (body.links.self === `https://news.example.com/api/v1/entities/${ent0}` ? [] : [`links.self ${body.links.self}`]),
  });
  check(`public_base_url: GET /v1/articles/${id0}`, await call(readonly, "GET", `/v1/articles/${id0}`), {
    method: "GET", template: "/v1/articles/{id}", expect: 200,
    extra: (res, body) => (body.links.self === `https://news.example.com/api/v1/articles/${id0}` ? [] : [`links.self ${body.links.self}`]),
  });
}

let status = 0;
// The whole run takes a few seconds; a hang is a failure, not a wait.
const deadline = setTimeout(() => {
  console.log("FAIL the contract test did not finish in 300 s");
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, 300000);
try {
  await main();
} catch (e) {
  failed++;
  console.log(`FAIL the contract test stopped: ${e.stack || e}`);
} finally {
  await stopServers();
  fs.rmSync(tmp, { recursive: true, force: true });
}
// Every operation of the description has been called at least once (a new operation in the
// description needs checks above).
if (passed + failed > 1) {
  const missed = [];
  for (const [template, item] of Object.entries(spec.paths))
    for (const m of ["get", "head", "post", "put", "patch", "delete", "options"])
      if (item[m] && !covered.has(`${m} ${template}`)) missed.push(`${m.toUpperCase()} ${template}`);
  report("every operation of the description was called", missed.map((m) => `not called: ${m}`));
}
clearTimeout(deadline);
console.log(`${passed} passed, ${failed} failed`);
if (failed) status = 1;
process.exit(status);
