// The Redshift Data API through @aws-sdk/client-redshift-data: CREATE TABLE, COPY through the cluster's role, a SELECT
// with named parameters read page by page, a failing statement, a batch, and a cancel of a long statement.
// Input: { cluster, role, bucket }.
import {
  RedshiftDataClient, ExecuteStatementCommand, BatchExecuteStatementCommand, DescribeStatementCommand,
  GetStatementResultCommand, CancelStatementCommand, ListStatementsCommand, ListTablesCommand, DescribeTableCommand,
} from '@aws-sdk/client-redshift-data';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export default async function (input, ctx) {
  const data = ctx.client(RedshiftDataClient);
  const target = { ClusterIdentifier: input.cluster, Database: 'dev', DbUser: 'admin' };

  // Polls DescribeStatement until the statement leaves SUBMITTED/PICKED/STARTED (or reaches `until`).
  const wait = async (Id, until = ['FINISHED', 'FAILED', 'ABORTED']) => {
    const deadline = Date.now() + 60000;
    for (;;) {
      const d = await data.send(new DescribeStatementCommand({ Id }));
      if (until.includes(d.Status) || Date.now() > deadline) return d;
      await sleep(50);
    }
  };
  const run = async (Sql, extra = {}) => {
    const { Id } = await data.send(new ExecuteStatementCommand({ ...target, Sql, ...extra }));
    return wait(Id);
  };

  const create = await run('CREATE TABLE events(id INTEGER, kind VARCHAR(16), score DECIMAL(6,2), ok BOOLEAN, day DATE)');
  const copy = await run(`COPY events FROM 's3://${input.bucket}/events.csv' IAM_ROLE '${input.role}' CSV`);
  const select = await run('SELECT id, kind, score, ok, day, NULL AS nothing FROM events WHERE id >= :min AND kind <> :skip ORDER BY id',
    { Parameters: [{ name: 'min', value: '2' }, { name: 'skip', value: 'c' }], StatementName: 'sdk-select' });
  const result = await data.send(new GetStatementResultCommand({ Id: select.Id }));

  const big = await run("SELECT i, repeat('x', 200) AS pad FROM generate_series(1, 12000) AS g(i)");
  const pages = [];
  let NextToken;
  do {
    const page = await data.send(new GetStatementResultCommand({ Id: big.Id, NextToken }));
    pages.push({ rows: page.Records.length, total: page.TotalNumRows, columns: page.ColumnMetadata?.length ?? 0 });
    NextToken = page.NextToken;
  } while (NextToken);

  const failing = await run('SELECT * FROM no_such_table');
  const noResult = await ctx.attempt(data.send(new GetStatementResultCommand({ Id: failing.Id })));

  const batch = await data.send(new BatchExecuteStatementCommand({
    ...target, Sqls: ["INSERT INTO events VALUES (10, 'batch', 1.00, true, '2024-05-01')", 'SELECT count(*) FROM events'],
  }));
  const batchDone = await wait(batch.Id);
  const batchCount = await data.send(new GetStatementResultCommand({ Id: `${batch.Id}:2` }));

  // A statement long enough to cancel while it runs.
  const { Id: longId } = await data.send(new ExecuteStatementCommand({
    ...target, Sql: 'SELECT sum(a.i * b.j) FROM generate_series(1, 400000) a(i), generate_series(1, 400000) b(j)',
  }));
  const started = await wait(longId, ['STARTED', 'FINISHED', 'FAILED', 'ABORTED']);
  const cancel = await data.send(new CancelStatementCommand({ Id: longId }));
  const canceled = await wait(longId);
  const cancelAgain = await ctx.attempt(data.send(new CancelStatementCommand({ Id: longId })));

  const listed = await data.send(new ListStatementsCommand({ StatementName: 'sdk-' }));
  const tables = await data.send(new ListTablesCommand({ ...target, SchemaPattern: 'public' }));
  const described = await data.send(new DescribeTableCommand({ ...target, Schema: 'public', Table: 'events' }));
  const missing = await ctx.attempt(data.send(new DescribeStatementCommand({ Id: '00000000-0000-0000-0000-000000000000' })));

  return {
    create: create.Status,
    copy: { status: copy.Status, rows: copy.ResultRows, error: copy.Error },
    select: { status: select.Status, hasResultSet: select.HasResultSet, rows: select.ResultRows, parameters: select.QueryParameters },
    records: result.Records,
    columns: result.ColumnMetadata.map((c) => `${c.name}:${c.typeName}`),
    total: result.TotalNumRows,
    pages,
    failing: { status: failing.Status, error: failing.Error },
    noResult: noResult.error?.name,
    batch: { status: batchDone.Status, subs: batchDone.SubStatements.map((s) => s.Status), count: batchCount.Records[0][0].longValue },
    cancel: { started: started.Status, answer: cancel.Status, status: canceled.Status, again: cancelAgain.error?.name },
    listed: listed.Statements.map((s) => s.StatementName),
    tables: tables.Tables.map((t) => `${t.schema}.${t.name}`),
    described: described.ColumnList.map((c) => `${c.name}:${c.typeName}`),
    missing: missing.error?.name,
  };
}
