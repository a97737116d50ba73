// Webhook calls: what an integration is told about (a text arriving on one of
// its numbers, a change in the delivery of a text it sent), written as
// `webhook_calls` rows in the same transaction as the change. Nothing here
// makes an HTTP call: the bridge's worker sends the rows, signs them and
// retries (docs/integrations.md, "Webhooks"), so storing a text never waits
// for a receiver. A low module: it imports no feature module.

/** WEBHOOK_STATUSES are the delivery states an integration hears about ('sending' is the bridge's own step). */
const WEBHOOK_STATUSES = ['sent', 'delivered', 'failed', 'unknown'];

function doEnqueue(app: CoreApp, integration: core.Record, event: string, url: string, payload: object, keywordReply = ''): void {
  const row = new Record(app.findCollectionByNameOrId('webhook_calls'));
  if (keywordReply) row.set('keyword_reply', keywordReply);
  row.set('integration', integration.id);
  row.set('event', event);
  row.set('url', url);
  row.set('payload', payload);
  row.set('status', 'pending');
  row.set('attempts', 0);
  row.set('next_attempt_at', new DateTime());
  app.save(row);
}

/** doEnqueueInbound queues an `sms.inbound` call for every live integration that listens on the number the text came to. */
export function doEnqueueInbound(app: CoreApp, number: core.Record, message: core.Record, from: string): void {
  const listeners = app.findRecordsByFilter(
    'integrations',
    "scope_webhooks = true && webhook_inbound_url != '' && revoked_at = '' && numbers ~ {:n}",
    '',
    0,
    0,
    { n: number.id },
  );
  for (const integration of listeners) {
    doEnqueue(app, integration!, 'sms.inbound', integration!.getString('webhook_inbound_url'), {
      event: 'sms.inbound',
      message: message.id,
      conversation: message.getString('conversation'),
      from,
      to: number.getString('e164'),
      text: message.getString('body'),
      received_at: message.getString('created'),
    });
  }
}

/**
 * doEnqueueKeyword queues the `sms.keyword` call of a keyword answered by a
 * webhook, signed with the integration's secret; the worker hands the
 * receiver's answer to the reply route (lib/autoreplies.ts).
 */
export function doEnqueueKeyword(app: CoreApp, integration: core.Record, auto: core.Record, number: core.Record, message: core.Record, from: string): void {
  doEnqueue(
    app,
    integration,
    'sms.keyword',
    auto.getString('webhook_url'),
    {
      event: 'sms.keyword',
      keyword: auto.getString('keyword'),
      message: message.id,
      conversation: message.getString('conversation'),
      from,
      to: number.getString('e164'),
      text: message.getString('body'),
      received_at: message.getString('created'),
    },
    auto.id,
  );
}

/**
 * findStatusListener returns the integration to tell about a delivery's new
 * state: the one that sent the text, if it listens for delivery changes.
 * One lookup by id for a text a person sent (no integration), none for a
 * state nobody hears about.
 */
export function findStatusListener(app: CoreApp, delivery: core.Record): core.Record | null {
  const status = delivery.getString('status');
  if (!WEBHOOK_STATUSES.includes(status) || delivery.original().getString('status') === status) return null;
  const rows = arrayOf(new DynamicModel({ integration: '' }));
  app.db().newQuery('SELECT integration FROM messages WHERE id = {:id}').bind({ id: delivery.getString('message') }).all(rows);
  const id = rows.length ? rows[0].integration : '';
  if (!id) return null;
  const integration = app.findRecordById('integrations', id);
  if (!integration.getString('webhook_status_url') || !integration.getBool('scope_webhooks') || integration.getString('revoked_at')) return null;
  return integration;
}

/** doEnqueueDeliveryStatus queues an `sms.delivery` call to the integration that sent a text whose delivery changed state. */
export function doEnqueueDeliveryStatus(app: CoreApp, integration: core.Record, delivery: core.Record): void {
  const message = app.findRecordById('messages', delivery.getString('message'));
  doEnqueue(app, integration, 'sms.delivery', integration.getString('webhook_status_url'), {
    event: 'sms.delivery',
    delivery: delivery.id,
    message: message.id,
    client_key: message.getString('client_key'),
    from: delivery.getString('from'),
    to: delivery.getString('to'),
    status: delivery.getString('status'),
    error: delivery.getString('error'),
    at: new DateTime().string(),
  });
}

/** doResendCall puts a webhook call back in the queue, due now, with its attempts counted afresh. */
export function doResendCall(app: CoreApp, id: string): core.Record {
  let row: core.Record;
  try {
    row = app.findRecordById('webhook_calls', id);
  } catch (_) {
    throw new NotFoundError('No such webhook call.', null);
  }
  row.set('status', 'pending');
  row.set('attempts', 0);
  row.set('next_attempt_at', new DateTime());
  row.set('done_at', '');
  app.save(row);
  return row;
}
