// Compiles a Comet SearchClause (get-jobs-for-custom-search `Query`) into a predicate over BackupJobDetail objects.
'use strict';

const { ApiError, isPlainObject } = require('./util');

// Clause types and operators as published in the SDKs' SEARCHCLAUSE_* / SEARCHOPERATOR_* constants.
const CLAUSE_TYPES = new Set(['', 'and', 'or', 'not_and', 'not_or']);

const STRING_OPS = {
  str_eq: (a, b) => a === b,
  str_neq: (a, b) => a !== b,
  str_contains: (a, b) => a.includes(b),
  str_ncontains: (a, b) => !a.includes(b),
  str_startswith: (a, b) => a.startsWith(b),
  str_nstartswith: (a, b) => !a.startsWith(b),
  str_endswith: (a, b) => a.endsWith(b),
  str_nendswith: (a, b) => !a.endsWith(b),
};
const INT_OPS = {
  int_eq: (a, b) => a === b,
  int_neq: (a, b) => a !== b,
  int_gt: (a, b) => a > b,
  int_gte: (a, b) => a >= b,
  int_lt: (a, b) => a < b,
  int_lte: (a, b) => a <= b,
};
const BOOL_OPS = {
  bool_is: (a, b) => a === b,
  bool_nis: (a, b) => a !== b,
};

// The WHMCS module names fields as "BackupJobDetail.<Field>"; nested fields use further dots
// (e.g. "BackupJobDetail.DestinationSizeEnd.Size"). Bare names are rejected so client typos surface.
const FIELD_PREFIX = 'BackupJobDetail.';

function bad(message) {
  return new ApiError(400, `Invalid Query: ${message}`);
}

function fieldGetter(ruleField) {
  if (typeof ruleField !== 'string' || !ruleField.startsWith(FIELD_PREFIX) || ruleField.length === FIELD_PREFIX.length) {
    throw bad(`unknown RuleField ${JSON.stringify(ruleField)} (expected "BackupJobDetail.<Field>")`);
  }
  const parts = ruleField.slice(FIELD_PREFIX.length).split('.');
  return (job) => {
    let v = job;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = v[p];
    }
    return v;
  };
}

function compileRule(clause, path) {
  const { RuleField, RuleOperator, RuleValue } = clause;
  if (typeof RuleValue !== 'string') throw bad(`${path}.RuleValue must be a string`);
  const get = fieldGetter(RuleField);

  if (Object.hasOwn(STRING_OPS, RuleOperator)) {
    const op = STRING_OPS[RuleOperator];
    return (job) => op(toStr(get(job)), RuleValue);
  }
  if (RuleOperator.endsWith('_ci') && Object.hasOwn(STRING_OPS, RuleOperator.slice(0, -3))) {
    const op = STRING_OPS[RuleOperator.slice(0, -3)];
    const want = RuleValue.toLowerCase();
    return (job) => op(toStr(get(job)).toLowerCase(), want);
  }
  if (RuleOperator === 'str_regexmatch' || RuleOperator === 'str_nregexmatch') {
    let re;
    try {
      re = new RegExp(RuleValue);
    } catch (e) {
      throw bad(`${path}.RuleValue is not a valid regular expression`);
    }
    const negate = RuleOperator === 'str_nregexmatch';
    return (job) => re.test(toStr(get(job))) !== negate;
  }
  if (Object.hasOwn(INT_OPS, RuleOperator)) {
    if (!/^-?\d+$/.test(RuleValue)) throw bad(`${path}.RuleValue ${JSON.stringify(RuleValue)} is not an integer`);
    const want = Number(RuleValue);
    const op = INT_OPS[RuleOperator];
    return (job) => op(toInt(get(job)), want);
  }
  if (Object.hasOwn(BOOL_OPS, RuleOperator)) {
    const want = parseBool(RuleValue);
    if (want === undefined) throw bad(`${path}.RuleValue ${JSON.stringify(RuleValue)} is not a boolean`);
    const op = BOOL_OPS[RuleOperator];
    return (job) => op(get(job) === true, want);
  }
  throw bad(`unknown RuleOperator ${JSON.stringify(RuleOperator)}`);
}

function toStr(v) {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : String(v);
}

function toInt(v) {
  return typeof v === 'number' ? v : 0;
}

function parseBool(s) {
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  return undefined;
}

/** Compile a SearchClause object into `(job) => boolean`; throws ApiError 400 on a malformed clause. */
function compileClause(clause, path = 'Query') {
  if (!isPlainObject(clause)) throw bad(`${path} must be an object`);
  const type = clause.ClauseType === undefined || clause.ClauseType === null ? '' : clause.ClauseType;
  if (!CLAUSE_TYPES.has(type)) throw bad(`unknown ClauseType ${JSON.stringify(type)}`);
  if (type === '') {
    if (typeof clause.RuleOperator !== 'string') throw bad(`${path}.RuleOperator must be a string`);
    return compileRule(clause, path);
  }
  const kids = clause.ClauseChildren === undefined || clause.ClauseChildren === null ? [] : clause.ClauseChildren;
  if (!Array.isArray(kids)) throw bad(`${path}.ClauseChildren must be an array`);
  const preds = kids.map((c, i) => compileClause(c, `${path}.ClauseChildren[${i}]`));
  const all = (job) => preds.every((p) => p(job));
  const any = (job) => preds.some((p) => p(job));
  switch (type) {
    case 'and':
      return all;
    case 'or':
      return any;
    case 'not_and':
      return (job) => !all(job);
    default: // not_or
      return (job) => !any(job);
  }
}

module.exports = { compileClause };
