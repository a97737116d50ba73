// `npm run build`: brings every build output up to date (see scripts/lib.mjs).
import { buildAll, setLogFormat } from './lib.mjs';

setLogFormat(process.env.LOG_FORMAT || 'pretty');

await buildAll();
