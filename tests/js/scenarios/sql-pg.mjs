// node-postgres (pg) against a cluster's SQL endpoint: SCRAM login, simple and extended queries, named prepared
// statements, types, errors with their SQLSTATE, transactions, and a refused password.
// Input: { port, user, password, database }.
import pg from 'pg';

const connect = async (input, password = input.password) => {
  const client = new pg.Client({
    host: '127.0.0.1', port: input.port, user: input.user, password, database: input.database,
    connectionTimeoutMillis: 10000,
  });
  await client.connect();
  return client;
};

const failure = async (promise) => {
  try { await promise; return null; }
  catch (e) { return { code: e.code, message: e.message, severity: e.severity }; }
};

export default async function (input) {
  const out = {};
  const client = await connect(input);
  try {
    out.version = (await client.query('SELECT version()')).rows[0].version;

    // Simple query with several statements (no parameters: pg uses the simple protocol).
    const batch = await client.query(
      `CREATE TABLE pg_orders (id INTEGER IDENTITY(1,1), customer VARCHAR(64) NOT NULL, amount DECIMAL(10,2), day DATE, paid BOOLEAN, note VARCHAR(MAX))
         DISTKEY(customer) COMPOUND SORTKEY(day);
       INSERT INTO pg_orders (customer, amount, day, paid, note) VALUES ('ann', 12.50, '2024-01-02', true, NULL), ('bo', 7.25, '2024-01-03', false, 'héllo, "world"');`);
    out.batchCommands = batch.map(r => r.command + (r.rowCount == null ? '' : ' ' + r.rowCount));

    // Extended query with parameters.
    const rows = await client.query('SELECT id, customer, amount, day, paid, note FROM pg_orders WHERE amount > $1 ORDER BY id', [1]);
    out.fields = rows.fields.map(f => ({ name: f.name, dataTypeID: f.dataTypeID }));
    out.rows = rows.rows.map(r => ({ ...r, day: r.day instanceof Date ? `${r.day.getFullYear()}-${r.day.getMonth() + 1}-${r.day.getDate()}` : r.day }));

    // A named prepared statement run twice with different parameters.
    const named = [];
    for (const customer of ['ann', 'bo']) {
      const r = await client.query({ name: 'by_customer', text: 'SELECT count(*) AS n, max(amount) AS top FROM pg_orders WHERE customer = $1', values: [customer] });
      named.push(r.rows[0]);
    }
    out.named = named;

    // Array row mode and a NULL parameter.
    out.arrayRow = (await client.query({ text: 'SELECT $1::INTEGER AS a, NVL($2::VARCHAR, \'none\') AS b', values: [41, null], rowMode: 'array' })).rows[0];

    // Errors carry SQLSTATE, and the connection stays usable.
    out.undefinedTable = await failure(client.query('SELECT * FROM pg_missing'));
    out.syntax = await failure(client.query('SELEC 1'));
    out.afterErrors = (await client.query('SELECT 1 AS one')).rows[0].one;

    // Integer division truncates, as in Redshift.
    out.integerDivision = (await client.query('SELECT 7/2 AS q')).rows[0].q;

    // A failed statement aborts the transaction until ROLLBACK.
    await client.query('BEGIN');
    await client.query("INSERT INTO pg_orders (customer, amount) VALUES ('cy', 1)");
    out.inTxError = await failure(client.query("SELECT CAST('abc' AS INTEGER)"));
    out.abortedTx = await failure(client.query('SELECT 1'));
    await client.query('ROLLBACK');
    out.countAfterRollback = (await client.query('SELECT count(*)::INTEGER AS n FROM pg_orders')).rows[0].n;
  } finally {
    await client.end();
  }

  out.wrongPassword = await failure(connect(input, input.password + 'x'));
  return out;
}
