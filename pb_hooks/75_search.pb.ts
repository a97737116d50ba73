/// <reference path="../build/pocketbase-types.d.ts" />
// Search over the conversations and messages the caller can read now
// (docs/search.md). Logic in lib/search.ts.

routerAdd('GET', '/api/search', (e) => {
  const search: typeof import('./lib/search') = require(`${__hooks}/lib/search.js`);
  const q = search.checkSearchQuery(e.app, e);
  return e.json(200, search.findSearch(e.app, e.auth!.id, q));
}, $apis.requireAuth('users'));

// the index's merge work, off the send path (docs/search.md, "Cost on a send")
cronAdd('search-merge', '* * * * *', () => {
  const search: typeof import('./lib/search') = require(`${__hooks}/lib/search.js`);
  search.doMergeSearchIndex($app);
});
