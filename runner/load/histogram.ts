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
    private readonly h = hdr.build({
        lowestDiscernibleValue: 1,
        highestTrackableValue: 600_000_000,
        numberOfSignificantValueDigits: 3,
        bitBucketSize: "packed",
        useWebAssembly: false,
    });

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

function round(ms: number): number {
    return Math.round(ms * 100) / 100;
}
