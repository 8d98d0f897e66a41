// Runs one scenario module against LocalShift and prints its result as JSON on stdout.
// Usage: node run.mjs <scenario.mjs> '<json input>'
// Environment: LOCALSHIFT_ENDPOINT, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, [AWS_SESSION_TOKEN], AWS_REGION.
// A scenario exports `default async function (input, ctx)`; an SDK error becomes {"error": {name, message, status}}.
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const [, , scenario, rawInput] = process.argv;
const input = rawInput ? JSON.parse(rawInput) : {};
const ctx = {
  endpoint: process.env.LOCALSHIFT_ENDPOINT,
  region: process.env.AWS_REGION || 'us-east-1',
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    ...(process.env.AWS_SESSION_TOKEN ? { sessionToken: process.env.AWS_SESSION_TOKEN } : {}),
  },
};
ctx.client = (Ctor, extra = {}) => new Ctor({ endpoint: ctx.endpoint, region: ctx.region, credentials: ctx.credentials, maxAttempts: 1, ...extra });
ctx.attempt = async (promise) => {
  try { return { ok: await promise }; }
  catch (e) { return { error: { name: e.name, code: e.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode } }; }
};

const mod = await import(pathToFileURL(path.resolve(scenario)).href);
try {
  const result = await mod.default(input, ctx);
  process.stdout.write(JSON.stringify(result, (k, v) => (k === '$metadata' ? undefined : v)));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: { name: e.name, code: e.Code ?? e.name, message: e.message, status: e.$metadata?.httpStatusCode } }));
}
