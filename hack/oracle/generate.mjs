// Vector generator for the differential test of internal/iampolicy.
//
// generateVectors() returns a deterministic list of vectors (no randomness): each is a policy, a request
// and the list of features it covers. record.mjs asks the oracle for its answer to each one. A vector may
// carry `docs` (the answer the AWS documentation gives when it differs from the oracle) and `note` (why,
// citing the page); record.mjs keeps them only when they really differ from the oracle's answer.

export const ACCOUNT = '111122223333'
export const ISSUER = 'oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE'
export const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${ISSUER}`
export const OTHER_PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0THERCLUSTER0000000000000000000`
export const ROLE = `arn:aws:iam::${ACCOUNT}:role/x`
export const ACTION = 'sts:AssumeRoleWithWebIdentity'
export const SUB = `${ISSUER}:sub`
export const AUD = `${ISSUER}:aud`
export const SA = 'system:serviceaccount:ns:sa'

const DOC_VARIABLES_NO_VALUE =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value'
const DOC_VERSION = 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html'
const DOC_SPECIAL_CHARS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-specialchars'
const DOC_ARN_OPERATORS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN'
const DOC_IFEXISTS =
  'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists'

const NOTE_NEGATED_NO_VALUE = (op) =>
  `a policy variable whose key has no value makes a negated operator (${op}) match: the request value is not ` +
  `equal to / not like the effectively null value; the oracle treats the unresolved value as never matching. ` +
  DOC_VARIABLES_NO_VALUE
const NOTE_SPECIAL_CHAR = (c) =>
  `\${${c}} is a predefined policy variable standing for a literal ${c}, usable in any string where policy ` +
  `variables are (so in StringEquals too); the oracle resolves it only in wildcard operators and otherwise ` +
  `compares the text "\${${c}}" itself. ${DOC_SPECIAL_CHARS}`

// Condition operators with, for each, a condition key, the policy values, the request values that make the
// base (unqualified) operator true (t, t2) and false (f, f2) for a single value, and an extra policy value
// `other` that matches neither t nor f (used to show that a list of policy values is an OR, or a NOR for a
// negated operator).
const OPERATORS = [
  { op: 'StringEquals', key: SUB, pv: SA, other: 'system:serviceaccount:ns:other-sa',
    t: SA, t2: SA, f: 'system:serviceaccount:ns:wrong', f2: 'system:serviceaccount:other:sa' },
  { op: 'StringNotEquals', key: SUB, pv: SA, other: 'system:serviceaccount:ns:other-sa',
    t: 'system:serviceaccount:ns:wrong', t2: 'system:serviceaccount:other:sa', f: SA, f2: SA },
  { op: 'StringEqualsIgnoreCase', key: 'aws:PrincipalTag/team', pv: 'Platform', other: 'Data',
    t: 'platform', t2: 'PLATFORM', f: 'payments', f2: 'web' },
  { op: 'StringNotEqualsIgnoreCase', key: 'aws:PrincipalTag/team', pv: 'Platform', other: 'Data',
    t: 'payments', t2: 'web', f: 'platform', f2: 'PLATFORM' },
  { op: 'StringLike', key: SUB, pv: 'system:serviceaccount:ns:*', other: 'system:serviceaccount:kube-system:*',
    t: SA, t2: 'system:serviceaccount:ns:other', f: 'system:serviceaccount:other:sa', f2: 'system:serviceaccount:nsx:sa' },
  { op: 'StringNotLike', key: SUB, pv: 'system:serviceaccount:ns:*', other: 'system:serviceaccount:kube-system:*',
    t: 'system:serviceaccount:other:sa', t2: 'system:serviceaccount:nsx:sa', f: SA, f2: 'system:serviceaccount:ns:other' },
  { op: 'NumericEquals', key: 'custom:count', pv: '10', other: '20', t: '10', t2: '10.0', f: '11', f2: '9' },
  { op: 'NumericNotEquals', key: 'custom:count', pv: '10', other: '20', t: '11', t2: '9', f: '10', f2: '10.0' },
  { op: 'NumericLessThan', key: 'custom:count', pv: '10', other: '3', t: '5', t2: '-1', f: '10', f2: '11' },
  { op: 'NumericLessThanEquals', key: 'custom:count', pv: '10', other: '3', t: '10', t2: '2.5', f: '11', f2: '100' },
  { op: 'NumericGreaterThan', key: 'custom:count', pv: '10', other: '30', t: '11', t2: '10.5', f: '10', f2: '2' },
  { op: 'NumericGreaterThanEquals', key: 'custom:count', pv: '10', other: '30', t: '10', t2: '12', f: '9', f2: '-5' },
  { op: 'DateEquals', key: 'aws:CurrentTime', pv: '2026-06-01T00:00:00Z', other: '2020-01-01T00:00:00Z',
    t: '2026-06-01T00:00:00Z', t2: '2026-06-01T00:00:00.000Z', f: '2026-06-01T00:00:01Z', f2: '2025-01-01T00:00:00Z' },
  { op: 'DateNotEquals', key: 'aws:CurrentTime', pv: '2026-06-01T00:00:00Z', other: '2020-01-01T00:00:00Z',
    t: '2026-06-01T00:00:01Z', t2: '2025-01-01T00:00:00Z', f: '2026-06-01T00:00:00Z', f2: '2026-06-01T00:00:00.000Z' },
  { op: 'DateLessThan', key: 'aws:CurrentTime', pv: '2026-06-01T00:00:00Z', other: '2020-01-01T00:00:00Z',
    t: '2026-05-31T23:59:59Z', t2: '2025-01-01T00:00:00Z', f: '2026-06-01T00:00:00Z', f2: '2027-01-01T00:00:00Z' },
  { op: 'DateLessThanEquals', key: 'aws:CurrentTime', pv: '2026-06-01T00:00:00Z', other: '2020-01-01T00:00:00Z',
    t: '2026-06-01T00:00:00Z', t2: '2025-01-01T00:00:00Z', f: '2026-06-01T00:00:01Z', f2: '2027-01-01T00:00:00Z' },
  { op: 'DateGreaterThan', key: 'aws:CurrentTime', pv: '2026-06-01T00:00:00Z', other: '2030-01-01T00:00:00Z',
    t: '2026-06-01T00:00:01Z', t2: '2027-01-01T00:00:00Z', f: '2026-06-01T00:00:00Z', f2: '2025-01-01T00:00:00Z' },
  { op: 'DateGreaterThanEquals', key: 'aws:CurrentTime', pv: '2026-06-01T00:00:00Z', other: '2030-01-01T00:00:00Z',
    t: '2026-06-01T00:00:00Z', t2: '2027-01-01T00:00:00Z', f: '2026-05-31T23:59:59Z', f2: '2025-01-01T00:00:00Z' },
  { op: 'Bool', key: 'aws:SecureTransport', pv: 'true', other: 'true', t: 'true', t2: 'true', f: 'false', f2: 'false' },
  { op: 'BinaryEquals', key: 'custom:blob', pv: 'QmluYXJ5VmFsdWU=', other: 'T3RoZXJWYWx1ZQ==',
    t: 'QmluYXJ5VmFsdWU=', t2: 'QmluYXJ5VmFsdWU=', f: 'V3JvbmdWYWx1ZQ==', f2: 'QUJDRA==' },
  { op: 'IpAddress', key: 'aws:SourceIp', pv: '203.0.113.0/24', other: '192.0.2.0/24',
    t: '203.0.113.7', t2: '203.0.113.250', f: '198.51.100.7', f2: '10.0.0.1' },
  { op: 'NotIpAddress', key: 'aws:SourceIp', pv: '203.0.113.0/24', other: '192.0.2.0/24',
    t: '198.51.100.7', t2: '10.0.0.1', f: '203.0.113.7', f2: '203.0.113.250' },
  { op: 'ArnEquals', key: 'aws:SourceArn', pv: `arn:aws:iam::${ACCOUNT}:role/app`, other: `arn:aws:iam::${ACCOUNT}:role/db`,
    t: `arn:aws:iam::${ACCOUNT}:role/app`, t2: `arn:aws:iam::${ACCOUNT}:role/app`,
    f: `arn:aws:iam::${ACCOUNT}:role/app2`, f2: `arn:aws:iam::444455556666:role/app` },
  { op: 'ArnNotEquals', key: 'aws:SourceArn', pv: `arn:aws:iam::${ACCOUNT}:role/app`, other: `arn:aws:iam::${ACCOUNT}:role/db`,
    t: `arn:aws:iam::${ACCOUNT}:role/app2`, t2: `arn:aws:iam::444455556666:role/app`,
    f: `arn:aws:iam::${ACCOUNT}:role/app`, f2: `arn:aws:iam::${ACCOUNT}:role/app` },
  { op: 'ArnLike', key: 'aws:SourceArn', pv: `arn:aws:iam::${ACCOUNT}:role/app-*`, other: `arn:aws:iam::${ACCOUNT}:role/db-*`,
    t: `arn:aws:iam::${ACCOUNT}:role/app-1`, t2: `arn:aws:iam::${ACCOUNT}:role/app-two/x`,
    f: `arn:aws:iam::${ACCOUNT}:role/web-1`, f2: `arn:aws:iam::444455556666:role/app-1` },
  { op: 'ArnNotLike', key: 'aws:SourceArn', pv: `arn:aws:iam::${ACCOUNT}:role/app-*`, other: `arn:aws:iam::${ACCOUNT}:role/db-*`,
    t: `arn:aws:iam::${ACCOUNT}:role/web-1`, t2: `arn:aws:iam::444455556666:role/app-1`,
    f: `arn:aws:iam::${ACCOUNT}:role/app-1`, f2: `arn:aws:iam::${ACCOUNT}:role/app-two/x` }
]

export const OPERATOR_NAMES = [...OPERATORS.map((o) => o.op), 'Null']

function isNegated(op) {
  return op.includes('Not')
}

function family(op) {
  for (const f of ['String', 'Numeric', 'Date', 'Bool', 'Binary', 'IpAddress', 'Arn']) {
    if (op.startsWith(f) || op === 'NotIpAddress') return op === 'NotIpAddress' ? 'IpAddress' : f
  }
  return op
}

function trust(condition, extra = {}) {
  const st = { Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: ACTION, ...extra }
  if (condition) st.Condition = condition
  return st
}

function policy(statements, version = '2012-10-17') {
  const p = {}
  if (version !== null) p.Version = version
  p.Statement = statements
  return p
}

function request(context = {}, overrides = {}) {
  return {
    principalType: 'Federated',
    principal: PROVIDER,
    action: ACTION,
    resource: ROLE,
    context,
    ...overrides
  }
}

export function generateVectors() {
  const vectors = []
  const ids = new Set()
  const add = (v) => {
    if (ids.has(v.id)) throw new Error(`duplicate vector id ${v.id}`)
    ids.add(v.id)
    vectors.push(v)
  }

  // 1. Sanity: the issuer-scoped :sub key must reach the engine (runSimulation drops it).
  add({ id: 'sanity-issuer-sub-match', covers: ['StringEquals', 'plain', 'single', 'sanity'],
    policy: policy([trust({ StringEquals: { [SUB]: SA, [AUD]: 'sts.amazonaws.com' } })]),
    request: request({ [SUB]: [SA], [AUD]: ['sts.amazonaws.com'] }) })
  add({ id: 'sanity-issuer-sub-mismatch', covers: ['StringEquals', 'plain', 'single', 'sanity'],
    policy: policy([trust({ StringEquals: { [SUB]: SA, [AUD]: 'sts.amazonaws.com' } })]),
    request: request({ [SUB]: ['system:serviceaccount:ns:other'], [AUD]: ['sts.amazonaws.com'] }) })

  // 2. Operator x qualifier x context-shape matrix.
  const qualifiers = [
    { name: 'plain', wrap: (op) => op },
    { name: 'IfExists', wrap: (op) => `${op}IfExists` },
    { name: 'ForAnyValue', wrap: (op) => `ForAnyValue:${op}` },
    { name: 'ForAllValues', wrap: (op) => `ForAllValues:${op}` }
  ]
  for (const o of OPERATORS) {
    const shapes = [
      { name: 'single-true', covers: ['present', 'single'], ctx: [o.t] },
      { name: 'single-false', covers: ['present', 'single'], ctx: [o.f] },
      { name: 'multi-all-true', covers: ['present', 'multi'], ctx: [o.t, o.t2] },
      { name: 'multi-mixed', covers: ['present', 'multi'], ctx: [o.t, o.f] },
      { name: 'multi-all-false', covers: ['present', 'multi'], ctx: [o.f, o.f2] },
      { name: 'absent', covers: ['absent'], ctx: null },
      { name: 'empty', covers: ['present-empty'], ctx: [] }
    ]
    for (const q of qualifiers) {
      const setOp = q.name === 'ForAnyValue' || q.name === 'ForAllValues'
      for (const s of shapes) {
        // An empty value list is only meaningful for the set operators (it is how a multivalued key with no
        // values reaches them); single-valued operators never see one.
        if (s.name === 'empty' && !setOp) continue
        const operator = q.wrap(o.op)
        const covers = [o.op, family(o.op), q.name, ...s.covers]
        if (isNegated(o.op)) covers.push('negated')
        const ctx = s.ctx === null ? {} : { [o.key]: s.ctx }
        // Keep the trust shape; for non-IRSA keys also require the audience so that the condition under
        // test is one of several keys (AND) like in real trust policies.
        const cond = { [operator]: { [o.key]: o.pv } }
        add({ id: `op-${o.op}-${q.name}-${s.name}`, covers, policy: policy([trust(cond)]), request: request(ctx) })
      }
    }
    // Policy-value lists: OR for positive operators, NOR for negated ones. The request value matches the
    // second policy value (t) or neither (f).
    for (const s of [{ name: 'second', v: o.t }, { name: 'neither', v: o.f }]) {
      const covers = [o.op, family(o.op), 'plain', 'present', 'single', isNegated(o.op) ? 'value-list-NOR' : 'value-list-OR']
      if (isNegated(o.op)) covers.push('negated')
      add({ id: `list-${o.op}-${s.name}`, covers,
        policy: policy([trust({ [o.op]: { [o.key]: [o.other, o.pv] } })]),
        request: request({ [o.key]: [s.v] }) })
    }
    // The same condition in a Deny statement next to an unconditional Allow.
    for (const s of [{ name: 'true', v: [o.t] }, { name: 'false', v: [o.f] }, { name: 'absent', v: null }]) {
      const covers = [o.op, family(o.op), 'plain', 'deny', s.v ? 'present' : 'absent']
      if (isNegated(o.op)) covers.push('negated')
      add({ id: `deny-${o.op}-${s.name}`, covers,
        policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { [o.op]: { [o.key]: o.pv } } }]),
        request: request(s.v ? { [o.key]: s.v } : {}) })
    }
  }

  // A negated plain operator on a multivalued key inside a Deny: the oracle reads the condition as false.
  for (const o of OPERATORS.filter((o) => ['StringNotEquals', 'StringNotLike', 'NotIpAddress'].includes(o.op))) {
    add({ id: `deny-multi-${o.op}`, covers: [o.op, family(o.op), 'plain', 'deny', 'negated', 'present', 'multi'],
      policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: 'sts:*', Condition: { [o.op]: { [o.key]: o.pv } } }]),
      request: request({ [o.key]: [o.t, o.t2] }) })
  }

  // Set operators combined with IfExists.
  for (const [op, key, pv, vals, docs] of [
    ['ForAnyValue:StringLikeIfExists', 'aws:TagKeys', 'team-*', [['team-a', 'env'], ['env'], null, []], { 2: 'Allow' }],
    ['ForAllValues:StringEqualsIfExists', 'aws:TagKeys', ['team', 'env'], [['team', 'env'], ['team', 'owner'], null, []], {}]
  ]) {
    vals.forEach((v, i) => {
      const vec = { id: `setifexists-${op.replace(':', '-')}-${i}`,
        covers: [op.split(':')[1].replace('IfExists', ''), op.split(':')[0], 'IfExists', v === null ? 'absent' : v.length === 0 ? 'present-empty' : 'present', 'multi'],
        policy: policy([trust({ [op]: { [key]: pv } })]), request: request(v === null ? {} : { [key]: v }) }
      if (docs[i]) {
        vec.docs = docs[i]
        vec.note = 'IfExists may be added to any condition operator but Null, and "if the key is not present, ' +
          'evaluate the condition element as true"; the oracle ignores IfExists under ForAnyValue and answers ' +
          `false for the absent key. ${DOC_IFEXISTS}`
      }
      add(vec)
    })
  }

  // 3. Null.
  for (const pv of ['true', 'false']) {
    for (const s of [
      { name: 'present', ctx: { [SUB]: [SA] }, covers: ['present', 'single'] },
      { name: 'multi', ctx: { [SUB]: [SA, 'x'] }, covers: ['present', 'multi'] },
      { name: 'absent', ctx: {}, covers: ['absent'] },
      { name: 'other-key', ctx: { [AUD]: ['sts.amazonaws.com'] }, covers: ['absent'] }
    ]) {
      add({ id: `null-${pv}-${s.name}`, covers: ['Null', 'plain', ...s.covers],
        policy: policy([trust({ Null: { [SUB]: pv } })]), request: request(s.ctx) })
      add({ id: `null-deny-${pv}-${s.name}`, covers: ['Null', 'plain', 'deny', ...s.covers],
        policy: policy([trust(null), { Effect: 'Deny', Principal: { Federated: PROVIDER }, Action: ACTION, Condition: { Null: { [SUB]: pv } } }]),
        request: request(s.ctx) })
    }
  }
  add({ id: 'null-value-list', covers: ['Null', 'plain', 'value-list-OR', 'absent'],
    policy: policy([trust({ Null: { [SUB]: ['false', 'true'] } })]), request: request({}) })

  // 4. Several keys in one operator block, several blocks (AND).
  const irsa = { [SUB]: SA, [AUD]: 'sts.amazonaws.com' }
  const ctxs = [
    ['both', { [SUB]: [SA], [AUD]: ['sts.amazonaws.com'] }],
    ['wrong-sub', { [SUB]: ['system:serviceaccount:ns:x'], [AUD]: ['sts.amazonaws.com'] }],
    ['wrong-aud', { [SUB]: [SA], [AUD]: ['sts.amazonaws.com.cn'] }],
    ['no-aud', { [SUB]: [SA] }],
    ['none', {}]
  ]
  for (const [name, ctx] of ctxs) {
    add({ id: `and-keys-${name}`, covers: ['StringEquals', 'plain', 'multiple-keys', 'AND'],
      policy: policy([trust({ StringEquals: irsa })]), request: request(ctx) })
    add({ id: `and-blocks-${name}`, covers: ['StringEquals', 'StringLike', 'plain', 'multiple-blocks', 'AND'],
      policy: policy([trust({ StringLike: { [SUB]: 'system:serviceaccount:ns:*' }, StringEquals: { [AUD]: 'sts.amazonaws.com' } })]),
      request: request(ctx) })
    add({ id: `and-blocks-ip-${name}`, covers: ['StringEquals', 'IpAddress', 'plain', 'multiple-blocks', 'AND'],
      policy: policy([trust({ StringEquals: irsa, IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } })]),
      request: request({ ...ctx, 'aws:SourceIp': [name === 'both' ? '2001:db8::1' : '203.0.113.9'] }) })
  }

  // 5. Allow/Deny interplay and several statements.
  const denyOther = { Effect: 'Deny', Principal: { Federated: PROVIDER }, Action: ACTION, Condition: { StringNotEquals: { [SUB]: SA } } }
  for (const [name, ctx] of [['ok', { [SUB]: [SA] }], ['other', { [SUB]: ['system:serviceaccount:ns:x'] }], ['absent', {}]]) {
    add({ id: `interplay-allow-deny-notequals-${name}`, covers: ['StringNotEquals', 'StringLike', 'plain', 'deny', 'negated', 'Allow+Deny'],
      policy: policy([trust({ StringLike: { [SUB]: 'system:serviceaccount:*' } }), denyOther]), request: request(ctx) })
    add({ id: `interplay-deny-only-${name}`, covers: ['StringNotEquals', 'plain', 'deny', 'negated'],
      policy: policy([denyOther]), request: request(ctx) })
  }
  add({ id: 'interplay-deny-unconditional', covers: ['deny', 'Allow+Deny'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: '*' }]), request: request({ [SUB]: [SA] }) })
  add({ id: 'interplay-deny-other-principal', covers: ['deny', 'Allow+Deny', 'principal'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: { Federated: OTHER_PROVIDER }, Action: '*' }]), request: request({ [SUB]: [SA] }) })
  add({ id: 'interplay-deny-other-action', covers: ['deny', 'Allow+Deny', 'action'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: 'sts:AssumeRole' }]), request: request({ [SUB]: [SA] }) })
  add({ id: 'interplay-deny-notaction', covers: ['deny', 'Allow+Deny', 'NotAction'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', NotAction: 'sts:AssumeRole' }]), request: request({ [SUB]: [SA] }) })
  add({ id: 'interplay-deny-notaction-excludes', covers: ['deny', 'Allow+Deny', 'NotAction'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', NotAction: 'sts:AssumeRoleWith*' }]), request: request({ [SUB]: [SA] }) })
  for (const [name, sub] of [['first', SA], ['second', 'system:serviceaccount:ci:runner'], ['neither', 'system:serviceaccount:ci:x']]) {
    add({ id: `statements-two-allows-${name}`, covers: ['StringEquals', 'plain', 'multiple-statements'],
      policy: policy([
        { Sid: 'App', ...trust({ StringEquals: { [SUB]: SA } }) },
        { Sid: 'CI', ...trust({ StringEquals: { [SUB]: 'system:serviceaccount:ci:runner' } }) }
      ]), request: request({ [SUB]: [sub] }) })
  }
  add({ id: 'statements-statement-object', covers: ['plain'],
    policy: { Version: '2012-10-17', Statement: trust({ StringEquals: { [SUB]: SA } }) }, request: request({ [SUB]: [SA] }) })

  // 6. Action: wildcards, case, lists, NotAction.
  const actions = [
    ['exact', ACTION], ['service-wildcard', 'sts:*'], ['prefix-wildcard', 'sts:AssumeRole*'], ['star', '*'],
    ['lower', 'sts:assumerolewithwebidentity'], ['upper-service', 'STS:AssumeRoleWithWebIdentity'],
    ['question', 'sts:AssumeRoleWith?ebIdentity'], ['question-too-short', 'sts:AssumeRoleWith?Identity'],
    ['other', 'sts:AssumeRole'], ['saml', 'sts:AssumeRoleWithSAML'], ['other-service', 'iam:AssumeRoleWithWebIdentity'],
    ['list-hit', ['sts:AssumeRole', ACTION]], ['list-miss', ['sts:AssumeRole', 'sts:TagSession']],
    ['middle-wildcard', 'sts:Assume*Identity'], ['suffix-miss', 'sts:AssumeRoleWithWebIdentity2']
  ]
  for (const [name, a] of actions) {
    add({ id: `action-${name}`, covers: ['action', 'Action'],
      policy: policy([{ Effect: 'Allow', Principal: { Federated: PROVIDER }, Action: a }]), request: request({}) })
  }
  for (const [name, a] of [['other', 'sts:AssumeRole'], ['self', ACTION], ['wildcard', 'sts:*'], ['list', ['sts:AssumeRole', 'sts:TagSession']],
    ['list-self', ['sts:TagSession', 'STS:ASSUMEROLEWITHWEBIDENTITY']], ['other-service', 'iam:*']]) {
    add({ id: `notaction-${name}`, covers: ['action', 'NotAction'],
      policy: policy([{ Effect: 'Allow', Principal: { Federated: PROVIDER }, NotAction: a }]), request: request({}) })
  }
  add({ id: 'action-request-case', covers: ['action', 'Action'],
    policy: policy([trust(null)]), request: request({}, { action: 'STS:assumeRoleWithWebIdentity' }) })

  // 7. Principal.
  const principals = [
    ['federated', { Federated: PROVIDER }], ['federated-list-hit', { Federated: [OTHER_PROVIDER, PROVIDER] }],
    ['federated-list-miss', { Federated: [OTHER_PROVIDER, 'cognito-identity.amazonaws.com'] }],
    ['federated-other', { Federated: OTHER_PROVIDER }], ['star', '*'],
    ['federated-cognito', { Federated: 'cognito-identity.amazonaws.com' }],
    ['service', { Service: 'eks.amazonaws.com' }]
  ]
  for (const [name, p] of principals) {
    add({ id: `principal-${name}`, covers: ['principal'],
      policy: policy([{ Effect: 'Allow', Principal: p, Action: ACTION, Condition: { StringEquals: { [SUB]: SA } } }]),
      request: request({ [SUB]: [SA] }) })
  }
  add({ id: 'principal-deny-star-condition', covers: ['principal', 'deny', 'StringNotLike', 'negated'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: ACTION, Condition: { StringNotLike: { [SUB]: 'system:serviceaccount:ns:*' } } }]),
    request: request({ [SUB]: ['system:serviceaccount:kube-system:sa'] }) })

  // 8. Condition key name case (keys are case-insensitive; values are not).
  const keyCases = [
    ['policy-upper', SUB.toUpperCase(), SUB], ['context-upper', SUB, SUB.toUpperCase()],
    ['mixed', 'Aws:SourceIP', 'aws:sourceip']
  ]
  for (const [name, pk, ck] of keyCases) {
    const isIp = pk.toLowerCase() === 'aws:sourceip'
    const cond = isIp ? { IpAddress: { [pk]: '203.0.113.0/24' } } : { StringEquals: { [pk]: SA } }
    add({ id: `keycase-${name}`, covers: [isIp ? 'IpAddress' : 'StringEquals', 'plain', 'key-case'],
      policy: policy([trust(cond)]), request: request({ [ck]: [isIp ? '203.0.113.1' : SA] }) })
    add({ id: `keycase-${name}-negated`, covers: [isIp ? 'NotIpAddress' : 'StringNotEquals', 'plain', 'key-case', 'negated'],
      policy: policy([trust(isIp ? { NotIpAddress: { [pk]: '203.0.113.0/24' } } : { StringNotEquals: { [pk]: SA } })]),
      request: request({ [ck]: [isIp ? '203.0.113.1' : SA] }) })
  }
  add({ id: 'keycase-value-case-sensitive', covers: ['StringEquals', 'plain', 'value-case'],
    policy: policy([trust({ StringEquals: { [SUB]: SA } })]), request: request({ [SUB]: [SA.toUpperCase()] }) })

  // 9. StringLike wildcards across ':' and '?'.
  const likes = [
    ['star-across-colons', 'system:serviceaccount:*', SA], ['star-prefix', '*:sa', SA], ['star-middle', 'system:*:sa', SA],
    ['star-only', '*', SA], ['star-empty-match', 'system:serviceaccount:ns:sa*', SA],
    ['question-one', 'system:serviceaccount:ns:s?', SA], ['question-colon', 'system:serviceaccount?ns:sa', SA],
    ['question-not-empty', 'system:serviceaccount:ns:sa?', SA], ['question-two', 'system:serviceaccount:n??sa', SA],
    ['no-wildcard-prefix', 'system:serviceaccount:ns', SA], ['star-star', 'system:**:sa', SA],
    ['literal-dot', 'system.serviceaccount:ns:sa', SA], ['regex-meta', 'system:serviceaccount:ns:(sa|x)', SA],
    ['regex-meta-literal', 'a+b[1]', 'a+b[1]'], ['case', 'SYSTEM:serviceaccount:*', SA]
  ]
  for (const [name, pattern, value] of likes) {
    add({ id: `like-${name}`, covers: ['StringLike', 'plain', 'wildcard'],
      policy: policy([trust({ StringLike: { [SUB]: pattern } })]), request: request({ [SUB]: [value] }) })
  }
  add({ id: 'like-stringequals-star-literal', covers: ['StringEquals', 'plain', 'wildcard'],
    policy: policy([trust({ StringEquals: { [SUB]: 'system:serviceaccount:ns:*' } })]), request: request({ [SUB]: [SA] }) })
  add({ id: 'like-stringequals-star-literal-hit', covers: ['StringEquals', 'plain', 'wildcard'],
    policy: policy([trust({ StringEquals: { [SUB]: 'system:serviceaccount:ns:*' } })]), request: request({ [SUB]: ['system:serviceaccount:ns:*'] }) })
  add({ id: 'like-arnlike-every-part-wildcard', covers: ['ArnLike', 'plain', 'wildcard'],
    policy: policy([trust({ ArnLike: { 'aws:SourceArn': 'arn:aws:iam::*:*' } })]), request: request({ 'aws:SourceArn': [`arn:aws:iam::${ACCOUNT}:role/a`] }) })
  add({ id: 'like-arnlike-account-wildcard', covers: ['ArnLike', 'plain', 'wildcard'],
    policy: policy([trust({ ArnLike: { 'aws:SourceArn': 'arn:aws:iam::*:role/*' } })]), request: request({ 'aws:SourceArn': [`arn:aws:iam::${ACCOUNT}:role/a`] }) })
  add({ id: 'like-arnlike-service-mismatch', covers: ['ArnLike', 'plain', 'wildcard'],
    policy: policy([trust({ ArnLike: { 'aws:SourceArn': 'arn:aws:sts::*:role/*' } })]), request: request({ 'aws:SourceArn': [`arn:aws:iam::${ACCOUNT}:role/a`] }) })
  add({ id: 'like-arnlike-region-wildcard', covers: ['ArnLike', 'plain', 'wildcard'],
    policy: policy([trust({ ArnLike: { 'aws:SourceArn': 'arn:aws:sns:*:111122223333:topic' } })]), request: request({ 'aws:SourceArn': ['arn:aws:sns:us-east-1:111122223333:topic'] }) })
  add({ id: 'like-arnequals-wildcard', covers: ['ArnEquals', 'plain', 'wildcard'],
    policy: policy([trust({ ArnEquals: { 'aws:SourceArn': `arn:aws:iam::${ACCOUNT}:role/*` } })]), request: request({ 'aws:SourceArn': [`arn:aws:iam::${ACCOUNT}:role/a`] }) })

  // 10. Policy variables and Version.
  const nsVar = 'system:serviceaccount:${aws:PrincipalTag/ns}:sa'
  const varCases = [
    // [name, operator, policy value, context, docs-answer-override]
    ['resolved', 'StringEquals', nsVar, { [SUB]: [SA], 'aws:PrincipalTag/ns': ['ns'] }],
    ['resolved-mismatch', 'StringEquals', nsVar, { [SUB]: [SA], 'aws:PrincipalTag/ns': ['other'] }],
    ['literal-value', 'StringEquals', nsVar, { [SUB]: [nsVar] }],
    ['missing', 'StringEquals', nsVar, { [SUB]: [SA] }],
    ['like-resolved', 'StringLike', 'system:serviceaccount:${aws:PrincipalTag/ns}:*', { [SUB]: [SA], 'aws:PrincipalTag/ns': ['ns'] }],
    ['default-used', 'StringEquals', "system:serviceaccount:${aws:PrincipalTag/ns, 'ns'}:sa", { [SUB]: [SA] }],
    ['default-ignored', 'StringEquals', "system:serviceaccount:${aws:PrincipalTag/ns, 'ns'}:sa", { [SUB]: [SA], 'aws:PrincipalTag/ns': ['other'] }],
    ['default-literal-value', 'StringEquals', "system:serviceaccount:${aws:PrincipalTag/ns, 'ns'}:sa", { [SUB]: ["system:serviceaccount:${aws:PrincipalTag/ns, 'ns'}:sa"] }],
    ['escape-star', 'StringEquals', 'a${*}b', { [SUB]: ['a*b'] }, 'Allow', NOTE_SPECIAL_CHAR('*')],
    ['escape-star-like', 'StringLike', 'a${*}b', { [SUB]: ['axb'] }],
    ['escape-question', 'StringEquals', 'a${?}b', { [SUB]: ['a?b'] }, 'Allow', NOTE_SPECIAL_CHAR('?')],
    ['escape-dollar', 'StringEquals', 'a${$}b', { [SUB]: ['a$b'] }, 'Allow', NOTE_SPECIAL_CHAR('$')],
    ['escape-star-like-literal', 'StringLike', 'a${*}b', { [SUB]: ['a*b'] }],
    ['escape-star-no-match', 'StringEquals', 'a${*}b', { [SUB]: ['axb'] }],
    ['key-case', 'StringEquals', 'system:serviceaccount:${AWS:PRINCIPALTAG/NS}:sa', { [SUB]: [SA], 'aws:PrincipalTag/ns': ['ns'] }],
    ['two-vars', 'StringEquals', 'system:serviceaccount:${aws:PrincipalTag/ns}:${aws:PrincipalTag/name}', { [SUB]: [SA], 'aws:PrincipalTag/ns': ['ns'], 'aws:PrincipalTag/name': ['sa'] }],
    ['negated-resolved', 'StringNotEquals', nsVar, { [SUB]: [SA], 'aws:PrincipalTag/ns': ['ns'] }],
    ['negated-resolved-differs', 'StringNotEquals', nsVar, { [SUB]: [SA], 'aws:PrincipalTag/ns': ['other'] }],
    ['negated-missing', 'StringNotEquals', nsVar, { [SUB]: [SA] }, 'Allow', NOTE_NEGATED_NO_VALUE('StringNotEquals')],
    ['negated-like-missing', 'StringNotLike', 'system:serviceaccount:${aws:PrincipalTag/ns}:*', { [SUB]: [SA] }, 'Allow', NOTE_NEGATED_NO_VALUE('StringNotLike')],
    ['negated-missing-key-absent', 'StringNotEquals', nsVar, {}],
    ['negated-list-missing', 'StringNotEquals', [nsVar, 'system:serviceaccount:ns:other'], { [SUB]: [SA] }, 'Allow', NOTE_NEGATED_NO_VALUE('StringNotEquals')],
    ['arnlike-var', 'ArnLike', 'arn:aws:iam::${aws:PrincipalAccount}:role/*', { 'aws:SourceArn': [`arn:aws:iam::${ACCOUNT}:role/a`], 'aws:PrincipalAccount': [ACCOUNT] }, 'Allow',
      'ARN condition operators support policy variables, and ${aws:PrincipalAccount} resolves to the account ' +
      'before the ARN is compared part by part; the oracle splits the policy ARN at ":" before resolving, so ' +
      `the colon inside the variable name breaks the ARN apart. ${DOC_ARN_OPERATORS} ${DOC_VARIABLES_NO_VALUE.replace('#policy-vars-no-value', '#policy-vars-wheretouse')}`],
    ['arnlike-var-mismatch', 'ArnLike', 'arn:aws:iam::${aws:PrincipalAccount}:role/*', { 'aws:SourceArn': [`arn:aws:iam::444455556666:role/a`], 'aws:PrincipalAccount': [ACCOUNT] }]
  ]
  for (const [name, op, pv, ctx, docs2012, note2012] of varCases) {
    const key = op.startsWith('Arn') ? 'aws:SourceArn' : SUB
    for (const version of ['2012-10-17', '2008-10-17', null]) {
      const vname = version === null ? 'noversion' : version.slice(0, 4)
      const v = { id: `var-${name}-${vname}`, covers: [op, 'plain', 'policy-variable', `Version-${version ?? 'absent'}`],
        policy: policy([trust({ [op]: { [key]: pv } })], version), request: request(ctx) }
      if (isNegated(op)) v.covers.push('negated')
      if (version === '2012-10-17') {
        if (docs2012) {
          v.docs = docs2012
          v.note = note2012
        }
      } else {
        // Before 2012-10-17, ${...} is not a variable but literal text. The docs answer is the oracle's
        // answer for the same policy with every "${" written as the escape "${$}{" (a literal "${").
        v.literalVariables = true
        v.note = `Version ${version ?? 'absent (defaults to 2008-10-17)'}: policy variables are not recognized and ` +
          `\${...} is literal text; the oracle substitutes them regardless of Version. ${DOC_VERSION}`
      }
      add(v)
    }
  }
  // Variables in a Deny statement.
  add({ id: 'var-deny-negated-missing', covers: ['StringNotEquals', 'plain', 'policy-variable', 'deny', 'negated', 'Version-2012-10-17'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: ACTION, Condition: { StringNotEquals: { [SUB]: nsVar } } }]),
    request: request({ [SUB]: [SA] }), docs: 'ExplicitDeny',
    note: `a policy variable whose key has no value makes StringNotEquals match (the value is not equal to the ` +
      `effectively null value), so the Deny applies; the oracle treats the unresolved value as never matching. ${DOC_VARIABLES_NO_VALUE}` })
  add({ id: 'var-deny-positive-missing', covers: ['StringEquals', 'plain', 'policy-variable', 'deny', 'Version-2012-10-17'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: ACTION, Condition: { StringEquals: { [SUB]: nsVar } } }]),
    request: request({ [SUB]: [SA] }) })

  // 11. Generic keys in realistic shapes.
  add({ id: 'generic-tagkeys-forallvalues-subset', covers: ['StringEquals', 'ForAllValues', 'present', 'multi'],
    policy: policy([trust({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'env'] } })]), request: request({ 'aws:TagKeys': ['env'] }) })
  add({ id: 'generic-tagkeys-foranyvalue-hit', covers: ['StringEquals', 'ForAnyValue', 'present', 'multi'],
    policy: policy([trust({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['team', 'env'] } })]), request: request({ 'aws:TagKeys': ['owner', 'env'] }) })
  add({ id: 'generic-tagkeys-forallvalues-deny', covers: ['StringNotEquals', 'ForAllValues', 'negated', 'deny', 'present', 'multi'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: '*', Condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['team', 'env'] } } }]),
    request: request({ 'aws:TagKeys': ['owner', 'cost'] }) })
  add({ id: 'generic-tagkeys-foranyvalue-notequals', covers: ['StringNotEquals', 'ForAnyValue', 'negated', 'present', 'multi'],
    policy: policy([trust({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['team', 'env'] } })]), request: request({ 'aws:TagKeys': ['team', 'env'] }) })
  add({ id: 'generic-ipv6-in-v4-cidr', covers: ['IpAddress', 'plain', 'present', 'single'],
    policy: policy([trust({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })]), request: request({ 'aws:SourceIp': ['2001:db8::1'] }) })
  add({ id: 'generic-ipv6-cidr', covers: ['IpAddress', 'plain', 'present', 'single'],
    policy: policy([trust({ IpAddress: { 'aws:SourceIp': '2001:db8::/32' } })]), request: request({ 'aws:SourceIp': ['2001:db8:1::5'] }) })
  add({ id: 'generic-ip-single-address', covers: ['IpAddress', 'plain', 'present', 'single'],
    policy: policy([trust({ IpAddress: { 'aws:SourceIp': '203.0.113.5/32' } })]), request: request({ 'aws:SourceIp': ['203.0.113.5'] }) })
  add({ id: 'generic-date-epoch', covers: ['DateGreaterThan', 'plain', 'present', 'single'],
    policy: policy([trust({ DateGreaterThan: { 'aws:EpochTime': '1700000000' } })]), request: request({ 'aws:EpochTime': ['1800000000'] }) })
  add({ id: 'generic-date-day-only', covers: ['DateLessThan', 'plain', 'present', 'single'],
    policy: policy([trust({ DateLessThan: { 'aws:CurrentTime': '2027-01-01' } })]), request: request({ 'aws:CurrentTime': ['2026-12-31T23:59:59Z'] }) })
  add({ id: 'generic-numeric-decimal', covers: ['NumericLessThan', 'plain', 'present', 'single'],
    policy: policy([trust({ NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } })]), request: request({ 'aws:MultiFactorAuthAge': ['3599.5'] }) })
  add({ id: 'generic-numeric-negative', covers: ['NumericGreaterThan', 'plain', 'present', 'single'],
    policy: policy([trust({ NumericGreaterThan: { 'custom:count': '-5' } })]), request: request({ 'custom:count': ['-4'] }) })
  add({ id: 'generic-bool-deny-false', covers: ['Bool', 'plain', 'deny', 'present', 'single'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]),
    request: request({ 'aws:SecureTransport': ['false'] }) })
  add({ id: 'generic-bool-deny-absent', covers: ['Bool', 'plain', 'deny', 'absent'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }]),
    request: request({}) })
  add({ id: 'generic-custom-date-key', covers: ['DateLessThanEquals', 'plain', 'present', 'single'],
    policy: policy([trust({ DateLessThanEquals: { 'custom:expiry': '2026-12-31T00:00:00Z' } })]), request: request({ 'custom:expiry': ['2026-12-30T12:00:00Z'] }) })
  add({ id: 'generic-custom-date-key-ifexists-absent', covers: ['DateGreaterThan', 'IfExists', 'absent'],
    policy: policy([trust({ DateGreaterThanIfExists: { 'custom:expiry': '2026-12-31T00:00:00Z' } })]), request: request({}) })
  add({ id: 'generic-custom-bool-key', covers: ['Bool', 'plain', 'present', 'single'],
    policy: policy([trust({ Bool: { 'custom:flag': 'false' } })]), request: request({ 'custom:flag': ['false'] }) })
  add({ id: 'generic-custom-bool-key-mismatch', covers: ['Bool', 'plain', 'present', 'single'],
    policy: policy([trust({ Bool: { 'custom:flag': 'false' } })]), request: request({ 'custom:flag': ['true'] }) })
  add({ id: 'generic-principaltag-equals', covers: ['StringEquals', 'plain', 'present', 'single'],
    policy: policy([trust({ StringEquals: { 'aws:PrincipalTag/team': 'platform', [SUB]: SA } })]), request: request({ 'aws:PrincipalTag/team': ['platform'], [SUB]: [SA] }) })
  add({ id: 'generic-sourceip-notip-deny', covers: ['NotIpAddress', 'plain', 'deny', 'negated', 'present', 'single'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] } } }]),
    request: request({ 'aws:SourceIp': ['198.51.100.9'] }) })
  add({ id: 'generic-binary-case', covers: ['BinaryEquals', 'plain', 'present', 'single'],
    policy: policy([trust({ BinaryEquals: { 'custom:blob': 'QmluYXJ5VmFsdWU=' } })]), request: request({ 'custom:blob': ['qmluyxj5vmfsdwu='] }) })
  add({ id: 'generic-principaltag-ifexists-deny', covers: ['StringNotEquals', 'IfExists', 'negated', 'deny', 'absent'],
    policy: policy([trust(null), { Effect: 'Deny', Principal: '*', Action: '*', Condition: { StringNotEqualsIfExists: { 'aws:PrincipalTag/team': 'platform' } } }]),
    request: request({}) })

  // 12. IRSA-shaped trust policies seen in practice.
  const realistic = [
    ['typical-ok', { StringEquals: irsa }, { [SUB]: [SA], [AUD]: ['sts.amazonaws.com'] }],
    ['typical-wrong-namespace', { StringEquals: irsa }, { [SUB]: ['system:serviceaccount:other:sa'], [AUD]: ['sts.amazonaws.com'] }],
    ['typical-space-in-sub', { StringEquals: { [SUB]: ' system:serviceaccount:ns:sa', [AUD]: 'sts.amazonaws.com' } }, { [SUB]: [SA], [AUD]: ['sts.amazonaws.com'] }],
    ['typical-other-issuer-key', { StringEquals: { 'oidc.eks.us-east-1.amazonaws.com/id/0THER:sub': SA } }, { [SUB]: [SA], [AUD]: ['sts.amazonaws.com'] }],
    ['typical-like-namespace', { StringLike: { [SUB]: 'system:serviceaccount:ns:*', [AUD]: 'sts.amazonaws.com' } }, { [SUB]: [SA], [AUD]: ['sts.amazonaws.com'] }],
    ['typical-equals-with-wildcard', { StringEquals: { [SUB]: 'system:serviceaccount:ns:*' } }, { [SUB]: [SA] }],
    ['typical-aud-list', { StringEquals: { [AUD]: ['sts.amazonaws.com', 'other'] } }, { [AUD]: ['other'] }],
    ['typical-amr', { 'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' } }, { 'cognito-identity.amazonaws.com:amr': ['authenticated', 'cognito-identity.amazonaws.com:us-east-1:x'] }],
    ['typical-azp', { StringEquals: { [`${ISSUER}:azp`]: 'client' } }, { [SUB]: [SA] }]
  ]
  for (const [name, cond, ctx] of realistic) {
    const ops = Object.keys(cond).map((k) => (k.includes(':') ? k.split(':')[1] : k))
    add({ id: `irsa-${name}`, covers: [...ops, 'irsa'], policy: policy([trust(cond)]), request: request(ctx) })
  }
  return vectors
}
