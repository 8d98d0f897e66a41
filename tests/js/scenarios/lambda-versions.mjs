// Lambda versions and aliases through @aws-sdk/client-lambda: Publish on create and on update, a weighted alias
// invoked 20 times, ListAliases paging, RevisionId and routing errors, deleting the function with its aliases.
import {
  LambdaClient, CreateFunctionCommand, UpdateFunctionCodeCommand, CreateAliasCommand, UpdateAliasCommand, GetAliasCommand,
  ListAliasesCommand, InvokeCommand, DeleteFunctionCommand,
} from '@aws-sdk/client-lambda';

export default async function (input, ctx) {
  const lambda = ctx.client(LambdaClient);
  const FunctionName = input.name;
  const result = {};

  result.created = (await lambda.send(new CreateFunctionCommand({
    FunctionName, Runtime: 'nodejs22.x', Handler: 'index.handler', Role: input.role, Code: { ZipFile: Buffer.from(input.one, 'base64') },
    Publish: true,
  }))).Version;
  result.updated = (await lambda.send(new UpdateFunctionCodeCommand({
    FunctionName, ZipFile: Buffer.from(input.two, 'base64'), Publish: true,
  }))).Version;

  const live = await lambda.send(new CreateAliasCommand({
    FunctionName, Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { 1: 0.25 } },
  }));
  await lambda.send(new CreateAliasCommand({ FunctionName, Name: 'old', FunctionVersion: '1' }));
  await lambda.send(new CreateAliasCommand({ FunctionName, Name: 'canary', FunctionVersion: '$LATEST' }));

  result.runs = [];
  for (let i = 0; i < 20; i++) {
    const r = await lambda.send(new InvokeCommand({ FunctionName, Qualifier: 'live', Payload: Buffer.from(JSON.stringify({ i })) }));
    result.runs.push({ executed: r.ExecutedVersion, code: JSON.parse(Buffer.from(r.Payload).toString()).code });
  }

  result.aliases = [];
  result.aliasPages = 0;
  let Marker;
  do {
    const page = await lambda.send(new ListAliasesCommand({ FunctionName, MaxItems: 1, Marker }));
    result.aliases.push(...page.Aliases.map((a) => a.Name));
    Marker = page.NextMarker;
    result.aliasPages++;
  } while (Marker);

  // The alias changed since `live` was read: its RevisionId no longer matches.
  await lambda.send(new UpdateAliasCommand({ FunctionName, Name: 'live', Description: 'moved on', RevisionId: live.RevisionId }));
  result.staleUpdate = await ctx.attempt(lambda.send(new UpdateAliasCommand({ FunctionName, Name: 'live', FunctionVersion: '1', RevisionId: live.RevisionId })));
  result.missingVersion = await ctx.attempt(lambda.send(new CreateAliasCommand({ FunctionName, Name: 'seven', FunctionVersion: '7' })));
  result.weightsOnLatest = await ctx.attempt(lambda.send(new UpdateAliasCommand({
    FunctionName, Name: 'canary', RoutingConfig: { AdditionalVersionWeights: { 1: 0.5 } },
  })));
  result.weightOnOwnVersion = await ctx.attempt(lambda.send(new UpdateAliasCommand({
    FunctionName, Name: 'live', RoutingConfig: { AdditionalVersionWeights: { 2: 0.5 } },
  })));

  // Deleting the function takes its versions and aliases with it.
  result.deletedFunction = (await lambda.send(new DeleteFunctionCommand({ FunctionName }))).$metadata.httpStatusCode;
  result.aliasGone = await ctx.attempt(lambda.send(new GetAliasCommand({ FunctionName, Name: 'live' })));
  return result;
}
