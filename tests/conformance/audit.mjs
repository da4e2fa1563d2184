// GraphQL-over-HTTP conformance audit of a running hrh server, with the npm package graphql-http.
//
//   node tests/conformance/audit.mjs [URL [TOKEN]]
//
// URL defaults to $GRAPHQL_URL (e.g. http://127.0.0.1:8000/graphql); TOKEN defaults to $GRAPHQL_TOKEN and, when
// given, is sent as `Authorization: Bearer TOKEN` on every request of the audit.
//
// Prints one line per audit: "<status> <id> <name>" (status ok, notice, warn or error), followed by the reason,
// indented, for any audit that did not pass; then a summary line "SUMMARY ok=.. notice=.. warn=.. error=..
// must_failed=..". Exits 0 when every MUST audit passed, 1 when any MUST audit failed, 2 on a usage or fatal error.

import { auditServer } from 'graphql-http';

function usage(message) {
  console.error(`audit.mjs: ${message}\nusage: node audit.mjs URL [TOKEN]   (or GRAPHQL_URL, GRAPHQL_TOKEN)`);
  process.exit(2);
}

const url = process.argv[2] || process.env.GRAPHQL_URL;
const token = process.argv[3] || process.env.GRAPHQL_TOKEN || '';
if (!url) usage('no URL given');
try {
  new URL(url);
} catch {
  usage(`not a URL: ${url}`);
}

/** The global fetch, with the bearer token added to every request that does not carry its own. */
function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
  if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

function indent(text) {
  return String(text)
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

let results;
try {
  results = await auditServer({ url, fetchFn: fetchWithToken });
} catch (error) {
  console.error(`audit.mjs: the audit itself failed: ${error?.stack ?? error}`);
  process.exit(2);
}

const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
const mustFailed = [];
for (const result of results) {
  counts[result.status] = (counts[result.status] ?? 0) + 1;
  console.log(`${result.status} ${result.id} ${result.name}`);
  if (result.status !== 'ok') {
    console.log(indent(`reason: ${result.reason}`));
    if (result.response) console.log(indent(`response status: ${result.response.status}`));
  }
  if (result.name.startsWith('MUST') && result.status !== 'ok') mustFailed.push(result);
}
console.log(
  `SUMMARY ok=${counts.ok} notice=${counts.notice} warn=${counts.warn} error=${counts.error} ` +
    `must_failed=${mustFailed.length} total=${results.length}`,
);
if (results.length === 0) {
  console.error('audit.mjs: the audit returned no results');
  process.exit(2);
}
process.exit(mustFailed.length ? 1 : 0);
