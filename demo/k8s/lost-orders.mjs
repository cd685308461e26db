// Durability check of the demo's orders, for a command probe: prints how many accepted orders are neither processed,
// dead-lettered nor still queued (accepted - processed - dlqSize - queueLength) and exits 0 when that is 0 or less.
// /stats reads Postgres and Redis in parallel, so an order accepted or acknowledged between two of its reads can show
// as missing for one reading; a lost order stays missing. So a reading that shows a loss is retried twice, 100 ms
// apart, and the check fails only when all three show it. Usage: node demo/k8s/lost-orders.mjs http://127.0.0.1:18880
const base = process.argv[2] ?? "http://127.0.0.1:18880";
let missing;
for (let attempt = 0; attempt < 3; attempt++) {
    const s = await (await fetch(`${base}/stats`, { signal: AbortSignal.timeout(2000) })).json();
    if ([s.accepted, s.processed, s.dlqSize, s.queueLength].some((n) => typeof n !== "number")) {
        console.log(`unknown: /stats is missing a count (unavailable: ${JSON.stringify(s.unavailable ?? {})})`);
        process.exit(2);
    }
    missing = s.accepted - s.processed - s.dlqSize - s.queueLength;
    if (missing <= 0) break;
    await new Promise((r) => setTimeout(r, 100));
}
console.log(`${Math.max(0, missing)} accepted order(s) lost`);
process.exit(missing <= 0 ? 0 : 1);
