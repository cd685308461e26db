import type { Probe } from "./types";

/** One probe sample on the run's timeline. */
export interface Sample {
    /** Milliseconds since the run started. */
    t: number;
    probe: string;
    /** The run's phase when the sample started (warmup, fault, recovery, cooldown...). */
    phase: string;
    ok: boolean;
    latencyMs: number;
    value?: number;
    /** Kept when the sample failed or its detail changed, to keep the evidence small at 20 Hz. */
    detail?: string;
}

/** Options of {@link Sampler}. */
export interface SamplerOptions {
    /** Time between the starts of two samples of one probe. */
    intervalMs: number;
    /** The run's clock: milliseconds since the run started. */
    clock: () => number;
    /** The run's current phase, stamped on each sample. */
    phase: () => string;
    /** Called with every sample as it is taken (stop conditions, progress). */
    onSample?: (s: Sample) => void;
}

/**
 * Samples probes at a fixed rate, each probe in its own loop so a slow probe never delays another. A probe's
 * samples never overlap: when one takes longer than the interval, the next starts right after it and the missed
 * ticks are skipped (the evidence records the rate actually reached).
 */
export class Sampler {
    readonly samples: Sample[] = [];
    private running = false;
    private loops: Promise<void>[] = [];
    private wake = new Set<() => void>();

    constructor(
        private readonly probes: Probe[],
        private readonly opts: SamplerOptions,
    ) {}

    start(): void {
        if (this.running) return;
        this.running = true;
        this.loops = this.probes.map((p) => this.loop(p));
    }

    /** Stops every loop and waits for in-flight samples (each bounded by its probe's timeout). */
    async stop(): Promise<void> {
        this.running = false;
        for (const w of this.wake) w();
        await Promise.all(this.loops);
        for (const p of this.probes) p.close();
    }

    private async loop(probe: Probe): Promise<void> {
        let next = this.opts.clock();
        let lastDetail: string | undefined;
        while (this.running) {
            const t = this.opts.clock();
            const phase = this.opts.phase();
            const r = await probe.sample();
            const s: Sample = { t: Math.round(t * 10) / 10, probe: probe.name, phase, ok: r.ok, latencyMs: r.latencyMs };
            if (r.value !== undefined) s.value = r.value;
            if (!r.ok || r.detail !== lastDetail) s.detail = r.detail;
            lastDetail = r.detail;
            this.samples.push(s);
            this.opts.onSample?.(s);
            next += this.opts.intervalMs;
            const now = this.opts.clock();
            if (next < now) next = now;
            await this.sleep(next - now);
        }
    }

    private sleep(ms: number): Promise<void> {
        if (ms <= 0 || !this.running) return Promise.resolve();
        return new Promise((resolve) => {
            const done = () => {
                clearTimeout(timer);
                this.wake.delete(done);
                resolve();
            };
            const timer = setTimeout(done, ms);
            this.wake.add(done);
        });
    }
}
