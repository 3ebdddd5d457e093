// One shared clock for every "12 s ago" on the page, ticking once a second.

import { createSignal } from 'solid-js';

const [now, setNow] = createSignal(Date.now() / 1000);
setInterval(() => setNow(Date.now() / 1000), 1_000);

/** Unix seconds, updated every second. */
export { now };
