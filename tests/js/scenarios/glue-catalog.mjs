// The Glue Data Catalog through @aws-sdk/client-glue: a tab-delimited table partitioned by day, partitions read with an
// expression and page by page, and Glue's errors as the SDK's typed exceptions.
// Input: { db }.
import {
  GlueClient, CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GetTablesCommand, BatchCreatePartitionCommand,
  GetPartitionsCommand, DeleteDatabaseCommand,
} from '@aws-sdk/client-glue';

export default async function (input, ctx) {
  const glue = ctx.client(GlueClient);
  const db = input.db;
  const tableInput = {
    Name: 'Orders',
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'csv', 'skip.header.line.count': '1' },
    PartitionKeys: [{ Name: 'dt', Type: 'date' }],
    StorageDescriptor: {
      Columns: [{ Name: 'id', Type: 'bigint' }, { Name: 'total', Type: 'double' }],
      Location: 's3://sdk-bucket/orders/',
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe', Parameters: { 'field.delim': '\t' } },
    },
  };
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: db } }));
  await glue.send(new CreateTableCommand({ DatabaseName: db, TableInput: tableInput }));
  const days = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'];
  await glue.send(new BatchCreatePartitionCommand({
    DatabaseName: db, TableName: 'orders',
    PartitionInputList: days.map((d) => ({ Values: [d], StorageDescriptor: { Location: `s3://sdk-bucket/orders/dt=${d}/` } })),
  }));

  const table = (await glue.send(new GetTableCommand({ DatabaseName: db.toLowerCase(), Name: 'ORDERS' }))).Table;
  const filtered = (await glue.send(new GetPartitionsCommand({
    DatabaseName: db, TableName: 'orders', Expression: "dt BETWEEN '2024-01-02' AND '2024-01-03'",
  }))).Partitions.map((p) => `dt=${p.Values[0]}`);

  const paged = [];
  let pages = 0;
  let NextToken;
  do {
    const page = await glue.send(new GetPartitionsCommand({ DatabaseName: db, TableName: 'orders', MaxResults: 1, NextToken }));
    paged.push(...page.Partitions.map((p) => p.Values[0]));
    NextToken = page.NextToken;
    pages++;
  } while (NextToken);

  const tables = (await glue.send(new GetTablesCommand({ DatabaseName: db, Expression: 'ord*' }))).TableList.map((t) => t.Name);
  const notFound = await ctx.attempt(glue.send(new GetTableCommand({ DatabaseName: db, Name: 'nope' })));
  const exists = await ctx.attempt(glue.send(new CreateTableCommand({ DatabaseName: db, TableInput: tableInput })));
  const badExpression = await ctx.attempt(glue.send(new GetPartitionsCommand({ DatabaseName: db, TableName: 'orders', Expression: 'dt = ' })));
  await glue.send(new DeleteDatabaseCommand({ Name: db }));

  return { table, filtered, paged, pages, tables, notFound, exists, badExpression };
}
