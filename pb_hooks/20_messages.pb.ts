/// <reference path="../build/pocketbase-types.d.ts" />
// Messages: posting text into a conversation. Logic in lib/messages.ts.

onRecordCreateRequest((e) => {
  const messages: typeof import('./lib/messages') = require(`${__hooks}/lib/messages.js`);
  messages.doPostMessage(e);
}, 'messages');
