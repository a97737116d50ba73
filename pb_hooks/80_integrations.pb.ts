/// <reference path="../build/pocketbase-types.d.ts" />
// Integrations: the API other systems text through (keys, the send API,
// delivery status, the OpenAPI document) and the admin's routes for keys and
// webhook calls, and keyword auto-replies. Logic in lib/integrations.ts,
// lib/smsapi.ts, lib/webhooks.ts, lib/autoreplies.ts;
// the webhook worker runs in the bridge (docs/integrations.md).

routerAdd('POST', '/api/v1/sms', (e) => {
  const integrations: typeof import('./lib/integrations') = require(`${__hooks}/lib/integrations.js`);
  const smsapi: typeof import('./lib/smsapi') = require(`${__hooks}/lib/smsapi.js`);
  const integration = integrations.accessApiKey(e, 'send');
  const answer = smsapi.doApiSend(e.app, integration, smsapi.checkSendRequest(e.requestInfo().body));
  e.json(answer.duplicate ? 200 : 201, answer);
});

routerAdd('GET', '/api/v1/deliveries/{id}', (e) => {
  const integrations: typeof import('./lib/integrations') = require(`${__hooks}/lib/integrations.js`);
  const smsapi: typeof import('./lib/smsapi') = require(`${__hooks}/lib/smsapi.js`);
  const integration = integrations.accessApiKey(e, 'status');
  e.json(200, smsapi.findApiDelivery(e.app, integration, e.request!.pathValue('id')));
});

// cancel a text this key scheduled (send_at) before it goes; a POST on the delivery, as it stays readable (status "cancelled")
routerAdd('POST', '/api/v1/deliveries/{id}/cancel', (e) => {
  const integrations: typeof import('./lib/integrations') = require(`${__hooks}/lib/integrations.js`);
  const smsapi: typeof import('./lib/smsapi') = require(`${__hooks}/lib/smsapi.js`);
  const integration = integrations.accessApiKey(e, 'send');
  e.json(200, smsapi.doApiCancel(e.app, integration, e.request!.pathValue('id')));
});

routerAdd('GET', '/api/v1/openapi.json', (e) => {
  const openapi: typeof import('./lib/openapi') = require(`${__hooks}/lib/openapi.js`);
  const scheme = e.request!.tls ? 'https' : 'http';
  e.json(200, openapi.openApiDocument(`${scheme}://${e.request!.host}`));
});

routerAdd('POST', '/api/integrations', (e) => {
  const integrations: typeof import('./lib/integrations') = require(`${__hooks}/lib/integrations.js`);
  const actor = integrations.checkAdmin(e.auth);
  const { integration, key } = integrations.doCreateIntegration(e.app, actor, e.realIP(), e.requestInfo().body);
  e.json(200, { integration, key, webhook_secret: integration.getString('webhook_secret') });
}, $apis.requireAuth('users', '_superusers'));

routerAdd('POST', '/api/integrations/{id}/revoke', (e) => {
  const integrations: typeof import('./lib/integrations') = require(`${__hooks}/lib/integrations.js`);
  const actor = integrations.checkAdmin(e.auth);
  e.json(200, integrations.doRevokeIntegration(e.app, actor, e.realIP(), e.request!.pathValue('id')));
}, $apis.requireAuth('users', '_superusers'));

routerAdd('POST', '/api/webhook-calls/{id}/resend', (e) => {
  const integrations: typeof import('./lib/integrations') = require(`${__hooks}/lib/integrations.js`);
  const webhooks: typeof import('./lib/webhooks') = require(`${__hooks}/lib/webhooks.js`);
  integrations.checkAdmin(e.auth);
  e.json(200, webhooks.doResendCall(e.app, e.request!.pathValue('id')));
}, $apis.requireAuth('users', '_superusers'));

// the bridge's webhook worker hands over what a keyword call answered; the reply goes out once per call
routerAdd('POST', '/api/webhook-calls/{id}/keyword-reply', (e) => {
  const autoreplies: typeof import('./lib/autoreplies') = require(`${__hooks}/lib/autoreplies.js`);
  const answer = autoreplies.checkKeywordAnswer(e.requestInfo().body);
  e.json(200, autoreplies.doKeywordWebhookReply(e.app, e.request!.pathValue('id'), answer));
}, $apis.requireAuth('services'));

onRecordUpdateRequest((e) => {
  const integrations: typeof import('./lib/integrations') = require(`${__hooks}/lib/integrations.js`);
  integrations.checkIntegrationFields(e.app, e.record!);
  e.next();
}, 'integrations');

onRecordUpdate((e) => {
  const webhooks: typeof import('./lib/webhooks') = require(`${__hooks}/lib/webhooks.js`);
  const listener = webhooks.findStatusListener(e.app, e.record!);
  if (!listener) return e.next();
  // the call is queued in the same transaction as the change it announces
  const app = e.app;
  app.runInTransaction((tx) => {
    e.app = tx;
    try {
      e.next();
      webhooks.doEnqueueDeliveryStatus(tx, listener, e.record!);
    } finally {
      e.app = app;
    }
  });
}, 'deliveries');

onRecordCreateRequest((e) => {
  const autoreplies: typeof import('./lib/autoreplies') = require(`${__hooks}/lib/autoreplies.js`);
  autoreplies.checkKeywordReply(e.app, e.record!);
  e.next();
}, 'keyword_replies');

onRecordUpdateRequest((e) => {
  const autoreplies: typeof import('./lib/autoreplies') = require(`${__hooks}/lib/autoreplies.js`);
  autoreplies.checkKeywordReply(e.app, e.record!);
  e.next();
}, 'keyword_replies');
