/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test and tooling code runs in Node.js, not inside n8n: timers, process, child processes, console and fixture secrets are its tools */
// n8n's logger would print every node error to the console; the tests assert on them instead.
process.env.N8N_LOG_LEVEL = 'silent';
