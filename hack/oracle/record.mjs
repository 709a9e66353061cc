// Records the answers of @cloud-copilot/iam-simulate (the oracle) for the vectors of generate.mjs and writes
// them to internal/iampolicy/testdata/differential/vectors.json for the Go differential test.
//
// Why not runSimulation: the public entry point keeps only the context keys that its own IAM data lists for
// the action (allowedContextKeysForRequest) and silently drops the rest, among them every OIDC issuer key such
// as "oidc.eks.us-east-1.amazonaws.com/id/X:sub". A trust policy conditioned on :sub would then be judged as
// if the key were absent. So this script builds the engine's request objects itself and calls the core
// evaluation of one resource-based policy (analyzeResourcePolicy), which sees every context key. main()
// proves it with a sanity pair of vectors whose only difference is the :sub value.
//
// Usage: npm ci && node record.mjs   (from hack/oracle)

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { loadPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy'

const here = dirname(fileURLToPath(import.meta.url))
const engineDir = join(here, 'node_modules/@cloud-copilot/iam-simulate/dist/esm')
// The package's "exports" map hides these modules; importing them by path reaches the engine itself.
const { analyzeResourcePolicy } = await import(join(engineDir, 'core_engine/CoreSimulatorEngine.js'))
const { AwsRequestImpl } = await import(join(engineDir, 'request/request.js'))
const { RequestContextImpl } = await import(join(engineDir, 'requestContext.js'))
const { DiscoveryContextKeyConstraints } = await import(join(engineDir, 'context_keys/discoveryContextKeyConstraints.js'))
const { runSimulation } = await import(join(engineDir, 'index.js'))

import { generateVectors, OPERATOR_NAMES, ACCOUNT, PROVIDER, ROLE, ACTION, SUB, AUD, SA } from './generate.mjs'

const oracleVersion = JSON.parse(
  readFileSync(join(here, 'node_modules/@cloud-copilot/iam-simulate/package.json'), 'utf8')
).version
const pinned = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).dependencies['@cloud-copilot/iam-simulate']
if (pinned !== oracleVersion) {
  throw new Error(`installed iam-simulate ${oracleVersion} differs from the pinned ${pinned}: run npm ci`)
}

// The oracle distinguishes a single-valued key (a string) from a multivalued one (an array). The vectors
// (and the Go Request) carry lists: one value is a single-valued key, zero or several values a multivalued
// key.
function oracleContext(context) {
  const out = {}
  for (const [k, v] of Object.entries(context)) {
    out[k] = v.length === 1 ? v[0] : [...v]
  }
  return out
}

const simulationParameters = {
  simulationMode: 'Strict',
  discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([])
}

const answers = {
  Allowed: 'Allow',
  ImplicitlyDenied: 'ImplicitDeny',
  ExplicitlyDenied: 'ExplicitDeny'
}

function evaluate(policyDoc, req) {
  const policy = loadPolicy(policyDoc, { name: 'TrustPolicy' })
  const request = new AwsRequestImpl(
    req.principal,
    { resource: req.resource, accountId: ACCOUNT },
    req.action,
    new RequestContextImpl(oracleContext(req.context)),
    false
  )
  const analysis = analyzeResourcePolicy(policy, request, false, simulationParameters)
  const answer = answers[analysis.result]
  if (!answer) {
    throw new Error(`oracle result ${analysis.result} has no equivalent`)
  }
  return answer
}

// The docs answer for a policy whose Version predates policy variables: "${" is literal text there. The
// oracle substitutes regardless of Version (and keeps its escape "${$}" literal in non-wildcard operators),
// so the literal reading is obtained by writing every "${" as a two-character placeholder that occurs
// nowhere else, in the policy and in the request values alike: string equality and wildcard matching are
// unchanged by that one-to-one, length-preserving renaming.
const PLACEHOLDER = '\u0001\u0002'
function literalVariables(doc, req) {
  if (JSON.stringify([doc, req]).includes(PLACEHOLDER)) throw new Error('placeholder occurs in a vector')
  const policy = JSON.parse(JSON.stringify(doc), (key, value) =>
    typeof value === 'string' && key !== 'Version' ? value.replaceAll('${', PLACEHOLDER) : value
  )
  const context = Object.fromEntries(
    Object.entries(req.context).map(([k, vs]) => [k, vs.map((v) => v.replaceAll('${', PLACEHOLDER))])
  )
  return [policy, { ...req, context }]
}

async function sanity() {
  const doc = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: ACTION,
      Condition: { StringEquals: { [SUB]: SA, [AUD]: 'sts.amazonaws.com' } } }]
  }
  const ctx = (sub) => ({ principal: PROVIDER, resource: ROLE, action: ACTION, context: { [SUB]: [sub], [AUD]: ['sts.amazonaws.com'] } })
  const good = evaluate(doc, ctx(SA))
  const bad = evaluate(doc, ctx('system:serviceaccount:ns:other'))
  if (good !== 'Allow' || bad !== 'ImplicitDeny') {
    throw new Error(`sanity: the :sub key does not reach the engine (match=${good}, mismatch=${bad})`)
  }
  // Show the reason for bypassing runSimulation: it drops the issuer keys, so even the matching :sub is
  // judged as absent (ImplicitlyDenied where the engine says Allow).
  const sim = await runSimulation({
    request: { principal: PROVIDER, action: ACTION, resource: { resource: ROLE, accountId: ACCOUNT },
      contextVariables: { [SUB]: SA, [AUD]: 'sts.amazonaws.com' } },
    identityPolicies: [], serviceControlPolicies: [], resourceControlPolicies: [], resourcePolicy: doc
  }, {})
  const ignored = sim.result?.ignoredContextKeys ?? []
  console.error(`sanity ok: :sub match=${good}, mismatch=${bad}; runSimulation on the match: ${sim.overallResult}, ignoredContextKeys=${JSON.stringify(ignored)}`)
}

await sanity()

// undocumented returns why a vector has no documented answer, or '' when the docs settle it. Our evaluator
// answers Undetermined there, so that no denial rests on a guess; the test accepts that only with this note.
function undocumented (v) {
  const c = new Set(v.covers)
  const set = c.has('ForAnyValue') || c.has('ForAllValues')
  if (c.has('multi') && !set && !c.has('Null')) {
    return 'a single-valued operator on a multivalued key: the docs say multivalued context keys require a set ' +
      'operator (ForAnyValue/ForAllValues) and give no result without one; the oracle answers false (its source ' +
      'says AWS confirmed it). We answer Undetermined so no denial rests on it. ' +
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html'
  }
  if (c.has('ForAnyValue') && c.has('IfExists') && c.has('absent')) {
    return 'ForAnyValue...IfExists on an absent key: ForAnyValue says false, IfExists says true, and the ' +
      'docs do not say which wins. We answer Undetermined. ' +
      'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists'
  }
  return ''
}

const vectors = []
const seen = new Set()
let disagreements = 0
for (const v of generateVectors()) {
  const errs = validateTrustPolicy(v.policy)
  if (errs.length > 0 && process.env.VERBOSE) {
    console.error(`${v.id}: oracle validation: ${errs.map((e) => e.message).join('; ')}`)
  }
  const oracle = evaluate(v.policy, v.request)
  let expected = oracle
  if (v.literalVariables) {
    expected = evaluate(...literalVariables(v.policy, v.request))
  } else if (v.docs) {
    expected = v.docs
  }
  const open = undocumented(v)
  if (open) {
    expected = 'Undetermined'
    v.note = open
  }
  const out = { id: v.id, covers: [...new Set(v.covers)], policy: v.policy, request: v.request, oracle, expected }
  if (expected !== oracle) {
    out.note = v.note
    disagreements++
  }
  for (const c of out.covers) seen.add(c)
  vectors.push(out)
}

for (const op of OPERATOR_NAMES) {
  if (!seen.has(op)) throw new Error(`no vector covers ${op}`)
}

const outPath = join(here, '../../internal/iampolicy/testdata/differential/vectors.json')
mkdirSync(dirname(outPath), { recursive: true })
const body = { oracle: `@cloud-copilot/iam-simulate@${oracleVersion}`, vectors }
writeFileSync(outPath, JSON.stringify(body, null, 1) + '\n')
console.error(`wrote ${vectors.length} vectors (${disagreements} where the docs differ from the oracle) to ${outPath}`)
