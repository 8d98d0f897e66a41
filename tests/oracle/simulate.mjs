// Test-time oracle for LocalShift's differential policy test. Runs @cloud-copilot/iam-simulate (AGPL) in its own
// process; LocalShift never links or ships it. Input on stdin: a JSON array of cases
//   {principal, action, resource, resourceAccount, context, identityPolicies: [{name, policy}],
//    permissionBoundaryPolicies?: [{name, policy}], sessionPolicy?, resourcePolicy?}
// Output on stdout: a JSON array of {result: "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied" | "Error", detail?}.
// With --bench N: runs the cases round-robin N times and prints {"perSecond": x (per CPU-second), "perWallSecond": y}.
import { runSimulation } from '@cloud-copilot/iam-simulate'

const chunks = []
for await (const chunk of process.stdin) chunks.push(chunk)
const cases = JSON.parse(Buffer.concat(chunks).toString('utf8'))

function simulation(c) {
  return {
    request: {
      principal: c.principal,
      action: c.action,
      resource: { resource: c.resource, accountId: c.resourceAccount },
      contextVariables: c.context ?? {}
    },
    identityPolicies: c.identityPolicies ?? [],
    permissionBoundaryPolicies: c.permissionBoundaryPolicies,
    sessionPolicy: c.sessionPolicy,
    resourcePolicy: c.resourcePolicy,
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
}

async function run(c) {
  try {
    const r = await runSimulation(simulation(c), {})
    if (r.resultType === 'error') return { result: 'Error', detail: r.errors.message ?? JSON.stringify(r.errors) }
    return { result: r.overallResult, ignored: r.result?.ignoredContextKeys ?? [] }
  } catch (e) {
    return { result: 'Error', detail: String(e && e.message ? e.message : e) }
  }
}

const benchIndex = process.argv.indexOf('--bench')
if (benchIndex >= 0) {
  const n = Number(process.argv[benchIndex + 1] ?? '200')
  for (let i = 0; i < Math.min(20, n); i++) await run(cases[i % cases.length])
  const start = process.hrtime.bigint()
  const cpuStart = process.cpuUsage()
  for (let i = 0; i < n; i++) await run(cases[i % cases.length])
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const cpu = process.cpuUsage(cpuStart)
  const cpuSeconds = (cpu.user + cpu.system) / 1e6
  process.stdout.write(JSON.stringify({ perSecond: n / cpuSeconds, perWallSecond: n / seconds, runs: n, seconds, cpuSeconds }))
} else {
  const out = []
  for (const c of cases) out.push(await run(c))
  process.stdout.write(JSON.stringify(out))
}
