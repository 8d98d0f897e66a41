// Lambda through @aws-sdk/client-lambda: create, wait, invoke (async and callback handlers, errors, Event, DryRun,
// concurrency, a payload past 6 MB), list with paging, tags, not found, delete.
import {
  LambdaClient, CreateFunctionCommand, InvokeCommand, ListFunctionsCommand, ListTagsCommand, GetFunctionCommand,
  DeleteFunctionCommand, waitUntilFunctionActiveV2,
} from '@aws-sdk/client-lambda';

export default async function (input, ctx) {
  const lambda = ctx.client(LambdaClient);
  const zip = Buffer.from(input.zip, 'base64');
  const text = (bytes) => (bytes ? Buffer.from(bytes).toString('utf8') : null);
  const invoke = async (FunctionName, event, extra = {}) => {
    const r = await lambda.send(new InvokeCommand({ FunctionName, Payload: Buffer.from(JSON.stringify(event)), ...extra }));
    return { status: r.StatusCode, functionError: r.FunctionError ?? null, payload: text(r.Payload), log: r.LogResult ? Buffer.from(r.LogResult, 'base64').toString() : null };
  };

  const created = await lambda.send(new CreateFunctionCommand({
    FunctionName: input.name, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: input.role, Code: { ZipFile: zip }, Timeout: 5,
    Tags: { team: 'data' },
  }));
  await lambda.send(new CreateFunctionCommand({
    FunctionName: input.name + '-cb', Runtime: 'nodejs20.x', Handler: 'cb.handler', Role: input.role, Code: { ZipFile: zip },
  }));
  const waited = await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 60 }, { FunctionName: input.name });

  const result = {
    createdState: created.State,
    waited: waited.state,
    plain: await invoke(input.name, { x: 1 }, { LogType: 'Tail' }),
    callback: await invoke(input.name + '-cb', { n: 5 }),
    failed: await invoke(input.name, { fail: true }),
    event: (await lambda.send(new InvokeCommand({ FunctionName: input.name, InvocationType: 'Event', Payload: Buffer.from('{}') }))).StatusCode,
    dryRun: (await lambda.send(new InvokeCommand({ FunctionName: input.name, InvocationType: 'DryRun' }))).StatusCode,
  };
  const concurrent = await Promise.all([1, 2, 3].map(() => invoke(input.name, { sleep: 1500 })));
  result.concurrentPids = concurrent.map((c) => JSON.parse(c.payload).pid);
  result.tooLarge = await ctx.attempt(lambda.send(new InvokeCommand({
    FunctionName: input.name, Payload: Buffer.from(JSON.stringify({ a: 'x'.repeat(6 * 1024 * 1024) })),
  })));

  const names = [];
  let Marker;
  let pages = 0;
  do {
    const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 1, Marker }));
    names.push(...page.Functions.map((f) => f.FunctionName));
    Marker = page.NextMarker;
    pages++;
  } while (Marker);
  result.listed = names;
  result.pages = pages;
  result.tags = (await lambda.send(new ListTagsCommand({ Resource: created.FunctionArn }))).Tags;

  await lambda.send(new DeleteFunctionCommand({ FunctionName: input.name }));
  await lambda.send(new DeleteFunctionCommand({ FunctionName: input.name + '-cb' }));
  result.notFound = await ctx.attempt(lambda.send(new GetFunctionCommand({ FunctionName: input.name })));
  return result;
}
