import * as hdr from "hdr-histogram-js";

/** Latency percentiles in milliseconds. */
export interface LatencySummary {
    count: number;
    p50: number;
    p90: number;
    p95: number;
    p99: number;
    max: number;
    mean: number;
}

/**
 * A latency histogram (HdrHistogram: 3 significant digits from 1 µs to 10 min, constant memory), so percentiles
 * stay exact enough at any request count. The pure-JS build is used: no WebAssembly to initialise.
 */
export class LatencyHistogram {
    private readonly h = buildHistogram();

    /** Records one latency in milliseconds. */
    record(ms: number): void {
        this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
    }

    get count(): number {
        return this.h.totalCount;
    }

    /** The latency at `p` percent, in milliseconds (0 when empty). */
    percentile(p: number): number {
        return this.count === 0 ? 0 : round(this.h.getValueAtPercentile(p) / 1000);
    }

    summary(): LatencySummary {
        const empty = this.count === 0;
        return {
            count: this.count,
            p50: this.percentile(50),
            p90: this.percentile(90),
            p95: this.percentile(95),
            p99: this.percentile(99),
            max: empty ? 0 : round(this.h.maxValue / 1000),
            mean: empty ? 0 : round(this.h.mean / 1000),
        };
    }
}

/** An empty histogram of the shape every {@link LatencyHistogram} has. */
function buildHistogram(): hdr.Histogram {
    return hdr.build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 600_000_000,
        numberOfSignificantValueDigits: 3,
        bitBucketSize: "packed",
        useWebAssembly: false,
    });
}

/** Only asked for its value ranges: never recorded into. */
let ranges: hdr.Histogram | undefined;

/**
 * The latencies at `percents` (100 is the maximum) of a set of latencies held in memory, in milliseconds: exactly
 * what a {@link LatencyHistogram} of them answers, computed by sorting instead of walking the histogram's buckets.
 * A walk costs milliseconds per percentile, and the runner asks for five percentiles at every stop-condition check and
 * every bucket of the evidence's timeline (1.8 s of CPU after a one-fault run, profiled). Null when `ms` is empty.
 */
export function latencyPercentiles(ms: readonly number[], percents: readonly number[]): Array<number | null> {
    if (ms.length === 0) return percents.map(() => null);
    ranges ??= buildHistogram();
    const h = ranges as hdr.Histogram & { highestEquivalentValue(v: number): number };
    const us = ms.map((x) => Math.max(1, Math.round(x * 1000))).sort((a, b) => a - b);
    return percents.map((p) => {
        // The histogram keeps its largest value exactly.
        if (p >= 100) return round(us.at(-1)! / 1000);
        // HdrHistogram's own count at a percentile: rounded up, minus one ulp of float error, at least the first value.
        const fp = (p / 100) * us.length;
        const count = Math.max(Math.ceil(fp - Math.pow(2, Math.floor(Math.log2(fp)) - 52)), 1);
        // The histogram answers the highest value of the bucket that holds the count-th smallest value.
        return round(h.highestEquivalentValue(us[count - 1]!) / 1000);
    });
}

function round(ms: number): number {
    return Math.round(ms * 100) / 100;
}
