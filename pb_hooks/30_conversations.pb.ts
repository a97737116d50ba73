/// <reference path="../build/pocketbase-types.d.ts" />
// Conversations: open a direct chat or a group, rename, add and remove
// members, leave, unread counts, typing. Logic in lib/conversations.ts.

routerAdd('POST', '/api/conversations/direct', (e) => {
  const conversations: typeof import('./lib/conversations') = require(`${__hooks}/lib/conversations.js`);
  conversations.doOpenDirect(e);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/conversations/group', (e) => {
  const conversations: typeof import('./lib/conversations') = require(`${__hooks}/lib/conversations.js`);
  conversations.doCreateGroup(e);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/conversations/{id}/title', (e) => {
  const conversations: typeof import('./lib/conversations') = require(`${__hooks}/lib/conversations.js`);
  conversations.doRenameGroup(e);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/conversations/{id}/members', (e) => {
  const conversations: typeof import('./lib/conversations') = require(`${__hooks}/lib/conversations.js`);
  conversations.doAddMembers(e);
}, $apis.requireAuth('users'));

routerAdd('DELETE', '/api/conversations/{id}/members/{user}', (e) => {
  const conversations: typeof import('./lib/conversations') = require(`${__hooks}/lib/conversations.js`);
  conversations.doRemoveMember(e, false);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/conversations/{id}/leave', (e) => {
  const conversations: typeof import('./lib/conversations') = require(`${__hooks}/lib/conversations.js`);
  conversations.doRemoveMember(e, true);
}, $apis.requireAuth('users'));

routerAdd('POST', '/api/conversations/{id}/typing', (e) => {
  const conversations: typeof import('./lib/conversations') = require(`${__hooks}/lib/conversations.js`);
  conversations.doSendTyping(e);
}, $apis.requireAuth('users'));

routerAdd('GET', '/api/unread', (e) => {
  const conversations: typeof import('./lib/conversations') = require(`${__hooks}/lib/conversations.js`);
  return e.json(200, conversations.findUnreadCounts(e.app, e.auth!.id));
}, $apis.requireAuth('users'));
