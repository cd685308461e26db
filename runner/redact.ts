// One redaction for everything the runner prints or writes (plan, run progress, evidence, reports): credentials in
// URLs (userinfo passwords, query parameters such as token or signature), credential headers (Authorization,
// Cookie, X-Api-Key), and the values the stack holds as Pulumi secrets.

/** What a redacted value is replaced with. */
export const REDACTED = "***";

/** Query parameter and object key names that carry credentials: token, api_key, password, X-Amz-Signature, ... */
const CREDENTIAL_NAME =
    /^(?:.*[-_.])?(?:token|access[-_]?token|refresh[-_]?token|id[-_]?token|key|api[-_]?key|apikey|password|passwd|pwd|pass|secret|client[-_]?secret|auth|authorization|signature|sig|credentials?|session|jwt|bearer)$/i;

/** Header names whose whole value is a credential. */
const CREDENTIAL_HEADER = /^(?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token|x-csrf-token)$/i;

/** True for a query parameter, header or object key whose value must not be shown. */
export function isCredentialName(name: string): boolean {
    return CREDENTIAL_NAME.test(name) || CREDENTIAL_HEADER.test(name);
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;
// A header's value: an optional auth scheme ("Bearer ") and one token, up to a space, quote, comma or brace.
const HEADER_IN_TEXT = /\b(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|x-access-token)(\s*[:=]\s*"?)(?:(?:bearer|basic|digest|token)\s+)?[^\s",;}]+/gi;

/** One URL with its userinfo password and credential query parameters replaced; the rest exactly as written. */
function redactUrl(url: string): string {
    return url
        .replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i, `$1${REDACTED}@`)
        .replace(/([?&;])([^=&#;]+)=([^&#;]*)/g, (m, sep: string, name: string) => (isCredentialName(decodeName(name)) ? `${sep}${name}=${REDACTED}` : m));
}

function decodeName(name: string): string {
    try {
        return decodeURIComponent(name);
    } catch {
        return name;
    }
}

/**
 * Redacts a text: every URL in it (credentials in userinfo and query), `Authorization: ...`-style headers, and each
 * of `secrets` (exact values, e.g. Pulumi secret config) wherever it appears.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
    let out = text.replace(URL_IN_TEXT, redactUrl).replace(HEADER_IN_TEXT, (_m, name: string, sep: string) => `${name}${sep}${REDACTED}`);
    // Longest first, so a secret that contains another is replaced whole.
    for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length >= 4) out = out.split(s).join(REDACTED);
    return out;
}

/**
 * A copy of `value` with every string redacted ({@link redactText}) and the value of every credential-named key
 * (headers such as Authorization, fields such as password or token) replaced whole. Plain data only (JSON-like).
 */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
    const walk = (v: unknown): unknown => {
        if (typeof v === "string") return redactText(v, secrets);
        if (Array.isArray(v)) return v.map(walk);
        if (v && typeof v === "object") {
            return Object.fromEntries(
                Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, typeof x === "string" && isCredentialName(k) ? REDACTED : walk(x)]),
            );
        }
        return v;
    };
    return walk(value) as T;
}

/**
 * The values of a stack's Pulumi secret config (`pulumi config set --secret`), to redact wherever they appear. A
 * secret holding JSON (a whole experiment stored as a secret) contributes its credential-named fields' values,
 * since every other string of it (names, kinds) is not a credential and is needed in reports.
 */
export function secretValues(config: Record<string, { value: string; secret?: boolean }>): string[] {
    const out: string[] = [];
    const collect = (v: unknown, key?: string) => {
        if (typeof v === "string") {
            if (key !== undefined && isCredentialName(key)) out.push(v);
        } else if (Array.isArray(v)) v.forEach((x) => collect(x, key));
        else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) collect(x, k);
    };
    for (const { value, secret } of Object.values(config)) {
        if (!secret) continue;
        let parsed: unknown;
        try {
            parsed = JSON.parse(value);
        } catch {
            parsed = undefined;
        }
        if (parsed && typeof parsed === "object") collect(parsed);
        else out.push(value);
    }
    return out;
}
