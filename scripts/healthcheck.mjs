// The container's health check: exits 0 when PocketBase answers /api/health
// on the address the appliance listens on (HTTP_ADDR), else 1. The image has
// no curl; Node is already there.
const addr = (process.env.HTTP_ADDR ?? '127.0.0.1:8090').replace(/^(0\.0\.0\.0|\[::\]|):/, '127.0.0.1:');
const ok = await fetch(`http://${addr}/api/health`, { signal: AbortSignal.timeout(4000) }).then((r) => r.ok, () => false);
process.exit(ok ? 0 : 1);
