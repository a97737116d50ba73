// The OpenAPI 3.1 description of the integration API, served at
// GET /api/v1/openapi.json. Kept beside the routes it describes
// (lib/smsapi.ts, lib/integrations.ts); tests/integration/integrations.test.ts
// checks it lists exactly the API's paths. A leaf module.

const error = { $ref: '#/components/responses/Error' };

/** openApiDocument returns the OpenAPI document, with the appliance's own address as the server. */
export function openApiDocument(origin: string): object {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Messaging appliance: integration API',
      version: '1',
      description:
        'Send texts from your business numbers (now or at a time, and cancel those before they go) and read their delivery status. Authenticate with an API key from Admin → Integrations, in a header only: `Authorization: Bearer smsk_…` or `X-Api-Key: smsk_…`. A key in the URL is refused. Each key has a rate limit per minute (429 with Retry-After). Webhooks (inbound texts, delivery changes, keywords answered by your system) are described in docs/integrations.md.',
    },
    servers: [{ url: origin }],
    security: [{ bearer: [] }, { apiKey: [] }],
    paths: {
      '/api/v1/sms': {
        post: {
          summary: 'Send a text',
          description: 'The text appears in the SMS thread of the Messages tab like any other, marked as sent by the integration. Needs the "send" scope.',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['to', 'text'],
                  properties: {
                    from: { type: 'string', description: "One of the key's business numbers (E.164); the key's default when left out." },
                    to: { type: 'string', description: 'The phone to text, E.164 or national in the default country.' },
                    text: { type: 'string', description: 'At most 4,000 characters and 10 SMS parts.' },
                    client_key: { type: 'string', maxLength: 64, description: 'Idempotency key: a retry with the same key returns the text already stored, and sends nothing.' },
                    send_at: {
                      type: 'string',
                      format: 'date-time',
                      description:
                        'Send later: an ISO 8601 date and time with its zone (2026-12-24T09:00:00+01:00 or …Z), not more than a minute in the past, at most 366 days ahead. The text is checked now and again when it goes (within the minute after send_at); until then it is shown in the thread as scheduled and members may cancel it, as may this key (POST /api/v1/deliveries/{id}/cancel). The answer has status "scheduled" and the ids the message and its delivery will have.',
                    },
                  },
                },
              },
            },
          },
          responses: {
            '201': { description: 'Stored and queued (or, with send_at, stored as scheduled)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Sent' } } } },
            '200': { description: 'A repeat of a client_key already used: the stored text (duplicate: true)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Sent' } } } },
            '400': error,
            '401': error,
            '403': error,
            '429': { $ref: '#/components/responses/RateLimited' },
          },
        },
      },
      '/api/v1/deliveries/{id}': {
        get: {
          summary: 'Read the delivery status of a text this key sent',
          description: 'Needs the "status" scope. The delivery of a scheduled text answers before it exists: status "scheduled", then "cancelled" or "failed" (error says why) if it never went, else its delivery\'s status from "queued" on.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The delivery', content: { 'application/json': { schema: { $ref: '#/components/schemas/Delivery' } } } },
            '401': error,
            '403': error,
            '404': error,
            '429': { $ref: '#/components/responses/RateLimited' },
          },
        },
      },
      '/api/v1/deliveries/{id}/cancel': {
        post: {
          summary: 'Cancel a text this key scheduled, before it goes',
          description:
            'Needs the "send" scope. The id is the delivery id the send answered (with send_at). The text never goes; it leaves the thread for its members, and GET /api/v1/deliveries/{id} reports status "cancelled". Cancelling a text already cancelled (by this key or by a member in the thread) answers the same 200, so a retry is harmless. A text that went, failed or was sent at once: 409 with a sentence. An id this key did not schedule or send (another key\'s, a person\'s, unknown): 404.',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'Cancelled (status "cancelled")', content: { 'application/json': { schema: { $ref: '#/components/schemas/Delivery' } } } },
            '401': error,
            '403': error,
            '404': error,
            '409': error,
            '429': { $ref: '#/components/responses/RateLimited' },
          },
        },
      },
      '/api/v1/openapi.json': { get: { summary: 'This document', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } } },
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer smsk_…' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
      schemas: {
        Sent: {
          type: 'object',
          properties: {
            message: { type: 'string' },
            conversation: { type: 'string' },
            delivery: { type: 'string' },
            from: { type: 'string' },
            to: { type: 'string' },
            status: { type: 'string', enum: ['scheduled', 'cancelled', 'queued', 'sending', 'sent', 'delivered', 'failed', 'unknown'] },
            segments: { type: 'integer' },
            encoding: { type: 'string', enum: ['GSM-7', 'UCS-2'] },
            client_key: { type: 'string' },
            duplicate: { type: 'boolean' },
            scheduled: { type: 'string', description: 'With send_at: the scheduled send' },
            send_at: { type: 'string', format: 'date-time', description: 'With send_at: when it goes (UTC)' },
            error: { type: 'string', description: 'With send_at: why it was not sent (status failed)' },
          },
        },
        Delivery: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            message: { type: 'string' },
            client_key: { type: 'string' },
            from: { type: 'string' },
            to: { type: 'string' },
            status: { type: 'string', enum: ['scheduled', 'cancelled', 'queued', 'sending', 'sent', 'delivered', 'failed', 'unknown'] },
            error: { type: 'string', description: 'Why it failed, in words' },
            segments: { type: 'integer' },
            attempts: { type: 'integer' },
            send_at: { type: 'string', description: 'A scheduled text before it went: when it goes' },
            queued_at: { type: 'string' },
            sent_at: { type: 'string' },
            done_at: { type: 'string' },
            updated: { type: 'string' },
          },
        },
        Error: {
          type: 'object',
          properties: {
            status: { type: 'integer' },
            message: { type: 'string', description: 'What was refused and why, as a sentence' },
            data: { type: 'object', description: 'The field at fault, when there is one' },
          },
        },
      },
      responses: {
        Error: { description: 'Refused, with a sentence saying why', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        RateLimited: {
          description: "Over the key's requests per minute",
          headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds until the next minute starts' } },
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  };
}
