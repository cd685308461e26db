// latencyPercentiles answers exactly what a LatencyHistogram of the same latencies answers (it replaced one
// histogram per percentile in the runner's window metrics, for speed, not for different figures).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { latencyPercentiles, LatencyHistogram } from "../../../runner/load/histogram";

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

const PERCENTS = [50, 90, 95, 99, 99.9, 100];

describe("latencyPercentiles", () => {
    // 12 sets, about 2,400 latencies: the comparison walks the histogram's buckets eleven times a set, about 100 ms, so 600 sets
    // were a minute of the unit tier.
    it("equals the histogram's percentiles and maximum on 12 random sets of latencies", () => {
        const r = random(15);
        for (let set = 0; set < 12; set++) {
            const n = 1 + Math.floor(r() * 400);
            // Sub-millisecond to minutes, with repeats: every bucket size of the histogram is crossed.
            const ms = Array.from({ length: n }, () => (r() < 0.2 ? 5 : Math.exp(r() * 12 - 3)));
            const h = new LatencyHistogram();
            for (const x of ms) h.record(x);
            const expected = [...PERCENTS.slice(0, -1).map((p) => h.percentile(p)), h.summary().max];
            assert.deepEqual(latencyPercentiles(ms, PERCENTS), expected, `set ${set}: ${n} latencies`);
        }
    });

    it("is null for every percentile of no latencies", () => {
        assert.deepEqual(latencyPercentiles([], [50, 100]), [null, null]);
    });
});
