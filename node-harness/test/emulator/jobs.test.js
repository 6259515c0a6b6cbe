// Tests the job queries (custom search with and/or/not clauses and str_/int_/bool_ operators, date range, per user) and dispatcher/list-active.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, assertError } = require('../../emulator/test-support');

const JOBS = [
  { GUID: 'j1', Username: 'alice01', Classification: 4001, Status: 5000, StartTime: 1000, EndTime: 1100, TotalSize: 500, Flagged: true },
  { GUID: 'j2', Username: 'alice01', Classification: 4001, Status: 7003, StartTime: 2000, EndTime: 2100, TotalSize: 800 },
  { GUID: 'j3', Username: 'alice01', Classification: 4002, Status: 6001, StartTime: 3000, EndTime: 0 },
  { GUID: 'j4', Username: 'bob-smith', Classification: 4001, Status: 5000, StartTime: 1500, EndTime: 3500, Flagged: false },
  { GUID: 'j5', Username: 'Carol.X', Classification: 4003, Status: 5000, StartTime: 4000, EndTime: 4050, DestinationSizeEnd: { Size: 99 } },
];

const rule = (field, op, value) => ({ ClauseType: '', RuleField: `BackupJobDetail.${field}`, RuleOperator: op, RuleValue: value });
const and = (...c) => ({ ClauseType: 'and', ClauseChildren: c });
const or = (...c) => ({ ClauseType: 'or', ClauseChildren: c });

test.describe('jobs', () => {
  const h = useEmulator({
    seed: {
      users: { alice01: {}, 'bob-smith': {}, 'Carol.X': {} },
      jobs: JOBS,
      liveConnections: {
        'live-2': { Username: 'bob-smith', DeviceID: 'bob-pc', ReportedPlatform: 'linux' },
        'live-1': { Username: 'alice01', DeviceID: 'alice-pc', ReportedPlatform: 'windows' },
      },
    },
  });
  const search = async (Query) => (await h.json('get-jobs-for-custom-search', { Query })).map((j) => j.GUID);

  test('the WHMCS client-area query: Username str_eq AND StartTime int_gt', async () => {
    assert.deepEqual(await search(and(rule('Username', 'str_eq', 'alice01'), rule('StartTime', 'int_gt', '1500'))), ['j2', 'j3']);
  });

  test('results are full BackupJobDetail objects and an empty result is [] (never null)', async () => {
    const r = await h.json('get-jobs-for-custom-search', { Query: rule('GUID', 'str_eq', 'j1') });
    assert.equal(r.length, 1);
    assert.equal(r[0].TotalSize, 500);
    assert.equal(r[0].Classification, 4001);
    const none = await h.call('get-jobs-for-custom-search', { Query: rule('Username', 'str_eq', 'nobody') });
    assert.equal(none.text, '[]');
  });

  test('clause types: or, not_and, not_or, nested', async () => {
    assert.deepEqual(await search(or(rule('GUID', 'str_eq', 'j1'), rule('GUID', 'str_eq', 'j5'))), ['j1', 'j5']);
    assert.deepEqual(await search({ ClauseType: 'not_and', ClauseChildren: [rule('Username', 'str_eq', 'alice01'), rule('Status', 'int_eq', '5000')] }), [
      'j2',
      'j3',
      'j4',
      'j5',
    ]);
    assert.deepEqual(await search({ ClauseType: 'not_or', ClauseChildren: [rule('Username', 'str_eq', 'alice01'), rule('Status', 'int_eq', '5000')] }), []);
    assert.deepEqual(await search(and(or(rule('Classification', 'int_eq', '4002'), rule('Classification', 'int_eq', '4003')), rule('StartTime', 'int_gte', '3000'))), [
      'j3',
      'j5',
    ]);
    assert.deepEqual(await search(and()), ['j1', 'j2', 'j3', 'j4', 'j5'], 'an empty and matches everything');
    assert.deepEqual(await search(or()), [], 'an empty or matches nothing');
  });

  test('string operators, case-sensitive and _ci', async () => {
    assert.deepEqual(await search(rule('Username', 'str_neq', 'alice01')), ['j4', 'j5']);
    assert.deepEqual(await search(rule('Username', 'str_contains', 'ob-s')), ['j4']);
    assert.deepEqual(await search(rule('Username', 'str_ncontains', 'l')), ['j4']);
    assert.deepEqual(await search(rule('Username', 'str_startswith', 'Carol')), ['j5']);
    assert.deepEqual(await search(rule('Username', 'str_startswith', 'carol')), []);
    assert.deepEqual(await search(rule('Username', 'str_startswith_ci', 'carol')), ['j5']);
    assert.deepEqual(await search(rule('Username', 'str_nstartswith', 'alice')), ['j4', 'j5']);
    assert.deepEqual(await search(rule('Username', 'str_endswith', '01')), ['j1', 'j2', 'j3']);
    assert.deepEqual(await search(rule('Username', 'str_nendswith', '01')), ['j4', 'j5']);
    assert.deepEqual(await search(rule('Username', 'str_eq_ci', 'CAROL.x')), ['j5']);
    assert.deepEqual(await search(rule('Username', 'str_regexmatch', '^[a-b]')), ['j1', 'j2', 'j3', 'j4']);
    assert.deepEqual(await search(rule('Username', 'str_nregexmatch', '^[a-b]')), ['j5']);
  });

  test('integer operators, including nested fields and missing fields as 0', async () => {
    assert.deepEqual(await search(rule('Status', 'int_eq', '5000')), ['j1', 'j4', 'j5']);
    assert.deepEqual(await search(rule('Status', 'int_neq', '5000')), ['j2', 'j3']);
    // Boundaries: a job that started exactly at 2000 is not "greater than" 2000.
    assert.deepEqual(await search(rule('StartTime', 'int_gt', '2000')), ['j3', 'j5']);
    assert.deepEqual(await search(rule('StartTime', 'int_gte', '2000')), ['j2', 'j3', 'j5']);
    assert.deepEqual(await search(rule('StartTime', 'int_lt', '2000')), ['j1', 'j4']);
    assert.deepEqual(await search(rule('StartTime', 'int_lte', '2000')), ['j1', 'j2', 'j4']);
    assert.deepEqual(await search(rule('EndTime', 'int_eq', '0')), ['j3']);
    assert.deepEqual(await search(rule('DestinationSizeEnd.Size', 'int_gt', '50')), ['j5']);
    assert.deepEqual(await search(rule('StartTime', 'int_gt', '-1')), ['j1', 'j2', 'j3', 'j4', 'j5']);
  });

  test('boolean operators', async () => {
    assert.deepEqual(await search(rule('Flagged', 'bool_is', 'true')), ['j1']);
    assert.deepEqual(await search(rule('Flagged', 'bool_is', 'false')), ['j2', 'j3', 'j4', 'j5']);
    assert.deepEqual(await search(rule('Flagged', 'bool_nis', 'true')), ['j2', 'j3', 'j4', 'j5']);
  });

  test('malformed queries are Status 400', async () => {
    const bad = [
      undefined,
      '{"ClauseType": "and"',
      '[]',
      JSON.stringify({ ClauseType: 'xor', ClauseChildren: [] }),
      JSON.stringify(rule('Username', 'str_like', 'a')),
      JSON.stringify(rule('StartTime', 'int_gt', 'yesterday')),
      JSON.stringify(rule('Flagged', 'bool_is', 'maybe')),
      JSON.stringify(rule('Username', 'str_regexmatch', '(')),
      JSON.stringify({ ClauseType: '', RuleField: 'Username', RuleOperator: 'str_eq', RuleValue: 'alice01' }),
      JSON.stringify({ ...rule('StartTime', 'int_gt', '1'), RuleValue: 1 }),
      JSON.stringify({ ClauseType: 'and', ClauseChildren: {} }),
      JSON.stringify(and(rule('Username', 'str_eq', 'alice01'), { ClauseType: 'or', ClauseChildren: [rule('X', 'nope', '1')] })),
    ];
    for (const Query of bad) assertError(await h.json('get-jobs-for-custom-search', { Query }), 400);
  });

  test('get-jobs-for-date-range: started or ended in [Start, End]; 0/0 means only incomplete jobs', async () => {
    const range = async (Start, End) => (await h.json('get-jobs-for-date-range', { Start, End })).map((j) => j.GUID);
    assert.deepEqual(await range('1050', '2050'), ['j1', 'j2', 'j4']);
    assert.deepEqual(await range('3400', '3600'), ['j4']);
    assert.deepEqual(await range('3000', '3000'), ['j3']);
    assert.deepEqual(await range('0', '0'), ['j3']);
    assert.deepEqual(await range('5000', '6000'), []);
    assertError(await h.json('get-jobs-for-date-range', { Start: '1' }), 400);
    assertError(await h.json('get-jobs-for-date-range', { Start: 'a', End: '2' }), 400);
  });

  test('get-jobs-for-user', async () => {
    assert.deepEqual((await h.json('get-jobs-for-user', { TargetUser: 'alice01' })).map((j) => j.GUID), ['j1', 'j2', 'j3']);
    assert.deepEqual(await h.json('get-jobs-for-user', { TargetUser: 'Carol.X' }).then((r) => r.length), 1);
    assertError(await h.json('get-jobs-for-user', { TargetUser: 'ghost-user' }), 400);
  });

  test('dispatcher/list-active maps connection ID to LiveUserConnection; UserNameFilter narrows it', async () => {
    const all = await h.json('dispatcher/list-active');
    assert.deepEqual(Object.keys(all), ['live-1', 'live-2']);
    assert.equal(all['live-1'].Username, 'alice01');
    assert.equal(all['live-1'].DeviceID, 'alice-pc');
    for (const k of ['ReportedVersion', 'ReportedPlatform', 'ReportedPlatformVersion', 'DeviceTimeZone', 'IPAddress', 'ConnectionTime', 'AllowsFilenames']) {
      assert.ok(k in all['live-1'], k);
    }
    assert.deepEqual(Object.keys(await h.json('dispatcher/list-active', { UserNameFilter: 'bob-smith' })), ['live-2']);
    assert.equal((await h.call('dispatcher/list-active', { UserNameFilter: 'nobody' })).text, '{}');
  });

  test('delete-user removes the user, its jobs and its live connections', async () => {
    await h.json('delete-user', { TargetUser: 'alice01' });
    assert.deepEqual(await search(rule('Username', 'str_eq', 'alice01')), []);
    assert.deepEqual(Object.keys(await h.json('dispatcher/list-active')), ['live-2']);
    assert.deepEqual((await h.json('get-jobs-all')).map((j) => j.GUID), ['j4', 'j5']);
  });
});
