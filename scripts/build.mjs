// `npm run build`: brings every build output up to date (see scripts/lib.mjs).
import { buildAll } from './lib.mjs';

await buildAll();
