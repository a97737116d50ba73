// The SMSC simulator as its own process for the benchmark, so the SMSC side
// does not share a core with the client being measured. Prints "PORT <n>";
// exits when stdin closes.

import { SmscSimulator } from '../../smsc-bridge/test/smsc-simulator.js';

const sim = await SmscSimulator.start({ record: false });
process.stdout.write(`PORT ${sim.port}\n`);
process.stdin.resume();
process.stdin.on('end', () => void sim.close().then(() => process.exit(0)));
