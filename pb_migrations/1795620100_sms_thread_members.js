/// <reference path="../build/pocketbase-types.d.ts" />
// A shared number is a shared inbox: the members of an SMS thread are the
// active users allowed on its business number while SMS is on (the hooks keep
// it so from now on, lib/sms.ts doFollowNumber). Threads opened before that
// rule are brought in line once here; nothing is deleted, people who lose
// sight of a thread get `left_at` on their participant row.

migrate(
  (app) => {
    const allowedOn = {};
    const allowed = (numberId) => {
      if (allowedOn[numberId]) return allowedOn[numberId];
      let ids = [];
      try {
        const number = app.findRecordById('numbers', numberId);
        if (number.getBool('sms_enabled')) {
          ids = app
            .findRecordsByFilter('users', 'sms_numbers ~ {:n} && disabled = false', 'extension', 0, 0, { n: numberId })
            .map((u) => u.id);
        }
      } catch (_) {
        // the number is gone: nobody
      }
      return (allowedOn[numberId] = ids);
    };
    const participants = app.findCollectionByNameOrId('participants');
    const now = new DateTime();
    for (const c of app.findRecordsByFilter('conversations', "kind = 'sms'", '', 0, 0)) {
      const want = allowed(c.getString('our_number'));
      const have = c.getStringSlice('members');
      if (want.length === have.length && want.every((u) => have.includes(u))) continue;
      for (const u of want.filter((u) => !have.includes(u))) {
        let p;
        try {
          p = app.findFirstRecordByFilter('participants', 'conversation = {:c} && user = {:u}', { c: c.id, u });
        } catch (_) {
          p = new Record(participants);
          p.set('conversation', c.id);
          p.set('user', u);
          p.set('last_read_at', c.getString('last_message_at'));
        }
        p.set('left_at', '');
        app.save(p);
      }
      for (const u of have.filter((u) => !want.includes(u))) {
        for (const p of app.findRecordsByFilter('participants', "conversation = {:c} && user = {:u} && left_at = ''", '', 0, 0, { c: c.id, u })) {
          p.set('left_at', now);
          app.save(p);
        }
      }
      c.set('members', want);
      app.save(c);
    }
  },
  () => {
    // membership is data, not schema: nothing to undo
  },
);
