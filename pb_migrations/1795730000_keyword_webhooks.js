/// <reference path="../build/pocketbase-types.d.ts" />
// Keyword replies answered by a webhook (issue 18): a keyword may name a URL
// and the integration whose secret signs the call; the receiver's answer is
// the reply, and the fixed `reply` (now optional when there is a URL) is the
// fallback. The call is an ordinary `webhook_calls` row with event
// `sms.keyword`; `reply_outcome` / `reply_note` say what was texted back,
// written once by the service-only route that sends the reply (so a call
// made again never texts twice). docs/integrations.md, "Keyword auto-replies".

const SERVICE = '@request.auth.collectionName = "services"';
// what is sent where is fixed at enqueue; what was replied, by the reply route only
const FIXED = ['integration', 'url', 'payload', 'event', 'keyword_reply', 'reply_outcome', 'reply_note'];

migrate(
  (app) => {
    const integrations = app.findCollectionByNameOrId('integrations');
    const replies = app.findCollectionByNameOrId('keyword_replies');
    replies.fields.getByName('reply').required = false;
    replies.fields.add(new URLField({ name: 'webhook_url' }));
    replies.fields.add(new RelationField({ name: 'integration', collectionId: integrations.id, maxSelect: 1 }));
    app.save(replies);

    const calls = app.findCollectionByNameOrId('webhook_calls');
    calls.fields.getByName('event').values = ['sms.inbound', 'sms.delivery', 'sms.keyword'];
    calls.fields.add(new RelationField({ name: 'keyword_reply', collectionId: replies.id, maxSelect: 1 }));
    calls.fields.add(new SelectField({ name: 'reply_outcome', values: ['sent', 'fallback', 'empty', 'refused', 'none'], maxSelect: 1 }));
    calls.fields.add(new TextField({ name: 'reply_note', max: 500 }));
    calls.updateRule = SERVICE + FIXED.map((f) => ` && @request.body.${f}:isset = false`).join('');
    app.save(calls);
  },
  (app) => {
    const calls = app.findCollectionByNameOrId('webhook_calls');
    app.db().newQuery("DELETE FROM webhook_calls WHERE event = 'sms.keyword'").execute();
    calls.fields.removeByName('keyword_reply');
    calls.fields.removeByName('reply_outcome');
    calls.fields.removeByName('reply_note');
    calls.fields.getByName('event').values = ['sms.inbound', 'sms.delivery'];
    calls.updateRule =
      SERVICE + ' && @request.body.integration:isset = false && @request.body.url:isset = false && @request.body.payload:isset = false && @request.body.event:isset = false';
    app.save(calls);

    const replies = app.findCollectionByNameOrId('keyword_replies');
    app.db().newQuery("DELETE FROM keyword_replies WHERE reply = ''").execute();
    replies.fields.removeByName('webhook_url');
    replies.fields.removeByName('integration');
    replies.fields.getByName('reply').required = true;
    app.save(replies);
  },
);
