// DescribeEvents and DescribeEventCategories through @aws-sdk/client-redshift: one cluster's events (paged by the
// SDK's paginator), the snapshot event categories, and a refused MaxRecords.
// Input: { id }.
import {
  RedshiftClient, DescribeEventsCommand, DescribeEventCategoriesCommand, paginateDescribeEvents,
} from '@aws-sdk/client-redshift';

export default async function (input, ctx) {
  const rs = ctx.client(RedshiftClient);
  const events = [];
  for await (const page of paginateDescribeEvents({ client: rs, pageSize: 20 }, { SourceType: 'cluster', SourceIdentifier: input.id, Duration: 120 })) {
    events.push(...(page.Events ?? []));
  }
  const categories = (await rs.send(new DescribeEventCategoriesCommand({ SourceType: 'cluster-snapshot' }))).EventCategoriesMapList;
  const tooFew = await ctx.attempt(rs.send(new DescribeEventsCommand({ MaxRecords: 5 })));
  return {
    events: events.map((e) => ({
      id: e.EventId, message: e.Message, type: e.SourceType, source: e.SourceIdentifier,
      categories: e.EventCategories, severity: e.Severity, date: e.Date instanceof Date ? e.Date.toISOString() : null,
    })),
    categories: categories.map((m) => ({ type: m.SourceType, ids: m.Events.map((e) => e.EventId) })),
    tooFew: tooFew.error,
  };
}
