import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const dashboardMain = `${repoRoot}dashboard/dist/main.js`;
export const agentMain = `${repoRoot}agent/dist/main.js`;
