// "Test connection" for an SMSC link, asked by an administrator: PocketBase
// has no SMPP of its own, so it hands the settings to the bridge's loopback
// /probe (smsc-bridge/src/session/probe.ts), which binds, unbinds and says
// what went wrong. A stored link's password and CA are filled in from the
// record when the form leaves them empty (the admin form never shows them).
// A low module: it imports nothing from the feature modules.

/** ProbeAnswer is what the admin UI shows. */
export interface ProbeAnswer {
  ok: boolean;
  stage: string;
  message: string;
  ms?: number;
}

const FIELDS = ['host', 'port', 'tls', 'tls_ca', 'tls_servername', 'system_id', 'password', 'system_type', 'bind'];

/** checkAdministrator refuses anyone but an active administrator (or a superuser). */
export function checkAdministrator(auth: core.Record | undefined): void {
  if (!auth) throw new UnauthorizedError('Sign in as an administrator.', null);
  if (auth.isSuperuser()) return;
  if (auth.collection().name !== 'users' || auth.getString('role') !== 'admin') {
    throw new ForbiddenError('Only administrators can test SMSC links.', null);
  }
}

/** bridgeAddress is where the bridge's loopback HTTP endpoint listens (BRIDGE_HTTP, as npm start passes it on). */
export function bridgeAddress(listen: string): string {
  const addr = listen.trim() || '127.0.0.1:8091';
  return addr.replace(/^(0\.0\.0\.0|\[::\]|):/, '127.0.0.1:');
}

/** doProbe asks the bridge to bind and unbind with these link settings. */
export function doProbe(app: CoreApp, body: { [key: string]: any }): ProbeAnswer {
  const target: { [key: string]: any } = {};
  for (const f of FIELDS) if (body[f] !== undefined) target[f] = body[f];
  const id = typeof body.id === 'string' ? body.id : '';
  if (id) {
    const stored = app.findRecordById('smsc_links', id);
    for (const f of ['password', 'tls_ca']) {
      if (!target[f]) target[f] = stored.get(f);
    }
  }
  const token = $os.getenv('APPLIANCE_BRIDGE_PASSWORD');
  if (!token) {
    return { ok: false, stage: 'bridge', message: 'The SMPP bridge is not running here (start the appliance with npm start, the image or the service).' };
  }
  let res: { statusCode: number; json: any };
  try {
    res = $http.send({
      url: `http://${bridgeAddress($os.getenv('BRIDGE_HTTP'))}/probe`,
      method: 'POST',
      body: JSON.stringify(target),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      timeout: 40,
    });
  } catch (err) {
    return { ok: false, stage: 'bridge', message: `The SMPP bridge did not answer (${String(err)}); it restarts by itself, try again in a few seconds.` };
  }
  const answer = res.json ?? {};
  if (res.statusCode === 400 && answer.error) throw new BadRequestError(String(answer.error), null);
  if (res.statusCode !== 200) {
    return { ok: false, stage: 'bridge', message: `The SMPP bridge could not run the test (${res.statusCode}${answer.error ? `: ${answer.error}` : ''}).` };
  }
  return { ok: answer.ok === true, stage: String(answer.stage ?? ''), message: String(answer.message ?? ''), ms: Number(answer.ms ?? 0) };
}
