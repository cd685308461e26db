// The demo's Postgres access: one pool per process, through Toxiproxy (PGHOST=toxiproxy), and the schema.
import { Pool, type QueryConfig, type QueryResult, type QueryResultRow } from "pg";
import { withTimeout } from "./resilience";

/** Options of {@link createPool}. */
export interface PoolOptions {
    /** Connections at most. */
    max: number;
    /** How long a caller waits for a free connection before pg-pool gives up. */
    connectionTimeoutMillis: number;
}

/**
 * A connection pool configured from the standard PG* environment variables (PGHOST, PGPORT, PGUSER, PGPASSWORD,
 * PGDATABASE). Connections are short-lived on purpose (idle 5 s, at most 15 s old): every new connection resolves
 * the host name again, so a DNS fault shows up within seconds instead of hiding behind a long-lived socket.
 */
export function createPool(opts: PoolOptions): Pool {
    const pool = new Pool({
        max: opts.max,
        connectionTimeoutMillis: opts.connectionTimeoutMillis,
        idleTimeoutMillis: 5_000,
        maxLifetimeSeconds: 15,
        application_name: process.env.DEMO_COMPONENT ?? "demo",
    });
    // An idle client whose connection dies (a partition, a proxy toggled off) emits "error" on the pool; without a
    // listener node would crash the process. The pool drops that client and opens a new one on the next query.
    pool.on("error", (err) => log("warn", "postgres idle client error", { error: String(err) }));
    return pool;
}

/**
 * The schema, created idempotently by whichever process starts first (under an advisory lock, so concurrent
 * CREATE TABLE IF NOT EXISTS do not race). `orders.id` is the primary key: it is what makes processing idempotent.
 * `qty` must be a positive integer and `sku` a known product: an order that breaks either is a poison message.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS products (
    sku text PRIMARY KEY,
    name text NOT NULL,
    price_cents integer NOT NULL,
    stock integer NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    id text PRIMARY KEY,
    sku text NOT NULL REFERENCES products (sku),
    qty integer NOT NULL CHECK (qty > 0),
    processed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO products (sku, name, price_cents, stock) VALUES
    ('apple', 'Apple', 50, 100000),
    ('pear', 'Pear', 70, 100000),
    ('plum', 'Plum', 90, 100000)
ON CONFLICT (sku) DO NOTHING;
`;

/**
 * Runs one statement on the pool. With `timeoutMs`, the whole call (waiting for a free connection included) is
 * bounded, and pg's own `query_timeout` destroys the connection of a timed-out statement so it is never reused
 * with a late reply still in flight. Without it, the call waits as long as the network makes it wait: only the
 * demo's deliberate weakness calls it that way.
 */
export function query<R extends QueryResultRow = QueryResultRow>(
    pool: Pool,
    text: string,
    values: unknown[],
    timeoutMs?: number,
): Promise<QueryResult<R>> {
    // query_timeout is a real pg query option, missing from @types/pg's QueryConfig.
    const run =
        timeoutMs === undefined
            ? pool.query<R>({ text, values })
            : withTimeout(pool.query<R>({ text, values, query_timeout: timeoutMs } as QueryConfig), timeoutMs,
                `postgres query (${text.trim().split(/\s+/)[0]})`);
    return run.catch((err: unknown) => {
        // 42P01 undefined_table: Postgres lost its data (its data directory is a tmpfs, so a restart empties it).
        // Re-create the schema in the background; this statement fails, and its retry finds the tables.
        if ((err as { code?: string }).code === "42P01") remigrate(pool);
        throw err;
    });
}

let remigrating: Promise<void> | undefined;
function remigrate(pool: Pool): void {
    if (remigrating) return;
    log("warn", "schema missing (Postgres lost its data?); re-creating it");
    remigrating = migrate(pool)
        .catch((err: unknown) => log("warn", "re-creating the schema failed", { error: String(err) }))
        .finally(() => (remigrating = undefined));
}

/** Creates the schema if it is missing. */
export async function migrate(pool: Pool): Promise<void> {
    const client = await pool.connect();
    try {
        const timed = (text: string) => ({ text, query_timeout: 10_000 }) as QueryConfig;
        await client.query(timed("SELECT pg_advisory_lock(7411)"));
        await client.query(timed(SCHEMA_SQL));
        await client.query(timed("SELECT pg_advisory_unlock(7411)"));
        client.release();
    } catch (err) {
        // A client that failed mid-statement may hold the lock or a broken socket: destroy it, never reuse it.
        client.release(err as Error);
        throw err;
    }
}

/** One structured log line on stdout (docker logs). */
export function log(level: "info" | "warn" | "error", msg: string, fields: Record<string, unknown> = {}): void {
    process.stdout.write(
        JSON.stringify({ time: new Date().toISOString(), level, component: process.env.DEMO_COMPONENT ?? "demo", msg, ...fields }) + "\n",
    );
}
