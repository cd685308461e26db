import type { DriverContext, Observation, RevertOutcome } from "../core/driver";
import { ownerLabels, type FaultOwner } from "../core/labels";
import { runInNetns } from "./helper";
import { observeAll, revertAll, type NetnsTarget } from "./netns";

/**
 * The comment on every iptables rule of one fault, `faultline:<stack>:<fault>`. Rules carry no labels, so the
 * comment is their label: revert deletes exactly the rules with it, and `recover` finds orphans by its prefix.
 */
export function ruleComment(owner: Pick<FaultOwner, "stack" | "fault">): string {
    // Only characters that iptables-save prints bare and awk splits cleanly; xt_comment allows 255 bytes.
    const safe = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, "-");
    return `faultline:${safe(owner.stack)}:${safe(owner.fault)}`.slice(0, 255);
}

/** One DROP rule, inserted at the top of a built-in chain. */
export interface DropRule {
    /** `raw` sees packets before Docker's DNAT; `filter` is the usual place. */
    table: "filter" | "raw";
    chain: "INPUT" | "OUTPUT";
    /** Match arguments, e.g. `["-d", "10.0.0.3/32"]`. Only validated values: they become iptables-restore text. */
    match: string[];
}

/**
 * The rules as an iptables-restore file. Applied with `--noflush`, each table's rules go in at once or not at all,
 * and Docker's own rules in the namespace (the embedded DNS NAT) stay untouched.
 */
export function restoreText(rules: DropRule[], comment: string): string {
    const tables = [...new Set(rules.map((r) => r.table))];
    return tables
        .map((table) => {
            const lines = rules
                .filter((r) => r.table === table)
                .map((r) => [`-I ${r.chain} 1`, ...r.match, "-m comment --comment", `"${comment}"`, "-j DROP"].join(" "));
            return [`*${table}`, ...lines, "COMMIT"].join("\n");
        })
        .join("\n");
}

/**
 * Shell (run in the tools image) that turns every rule carrying $FAULTLINE_COMMENT into its `-D` form, grouped by
 * table as an iptables-restore file. Comparing the whole comment word keeps `f` from matching `f2`.
 */
const MATCHING_RULES = `saved=$(iptables-save)
printf '%s\\n' "$saved" | awk -v c="$FAULTLINE_COMMENT" '
  /^\\*/ { table = $0; next }
  /^-A / { for (i = 1; i < NF; i++) if ($i == "--comment") { v = $(i + 1); gsub(/"/, "", v)
    if (v == c) { sub(/^-A /, "-D "); rules[table] = rules[table] $0 "\\n" } } }
  END { for (t in rules) printf "%s\\n%sCOMMIT\\n", t, rules[t] }'`;

/** Script: delete the fault's rules and print how many there were. */
export const DELETE_SCRIPT = `set -e
del=$(${MATCHING_RULES})
if [ -n "$del" ]; then printf '%s\\n' "$del" | iptables-restore --noflush; fi
printf '%s\\n' "$del" | grep -c '^-D ' || true`;

/** Script: print how many of the fault's rules are in place. */
export const COUNT_SCRIPT = `set -e
del=$(${MATCHING_RULES})
printf '%s\\n' "$del" | grep -c '^-D ' || true`;

/** Script: add the rules in $FAULTLINE_RULES. */
export const ADD_SCRIPT = `set -e
printf '%s\\n' "$FAULTLINE_RULES" | iptables-restore --noflush`;

/** Inserts `rules` into the target's network namespace, each with the fault's comment. */
export async function addRules(t: NetnsTarget, rules: DropRule[], comment: string, labels: Record<string, string>, field: string): Promise<void> {
    await runInNetns(t.id, ADD_SCRIPT, {
        labels,
        env: { FAULTLINE_RULES: restoreText(rules, comment) },
        field,
        what: `adding iptables rules in the network namespace of "${t.name}"`,
    });
}

/** Deletes every rule with `comment` from the target's namespace; returns how many there were (0: already gone). */
export async function deleteRules(t: NetnsTarget, comment: string, labels: Record<string, string>): Promise<number> {
    const r = await runInNetns(t.id, DELETE_SCRIPT, {
        labels,
        env: { FAULTLINE_COMMENT: comment },
        field: "record",
        what: `deleting the fault's iptables rules in the network namespace of "${t.name}"`,
    });
    return Number(r.stdout.trim());
}

/** How many rules with `comment` are in the target's namespace. */
export async function countRules(t: NetnsTarget, comment: string, labels: Record<string, string>): Promise<number> {
    const r = await runInNetns(t.id, COUNT_SCRIPT, {
        labels,
        env: { FAULTLINE_COMMENT: comment },
        field: "record",
        what: `listing iptables rules in the network namespace of "${t.name}"`,
    });
    return Number(r.stdout.trim());
}

/** What a fault made of iptables rules records: its owner, the rules' comment, and the namespaces they are in. */
export interface RulesRecord {
    owner: FaultOwner;
    comment: string;
    targets: NetnsTarget[];
}

/** Deletes the fault's rules from every target's namespace (revertAll's outcome: reverted, already, target gone). */
export function revertRules(record: RulesRecord, ctx: DriverContext): Promise<RevertOutcome> {
    const labels = ownerLabels(record.owner);
    return revertAll(record.targets, async (t) => (await deleteRules(t, record.comment, labels)) > 0, ctx);
}

/** Active while the fault's rules are in place in a running target; `what` names them in the detail. */
export function observeRules(record: RulesRecord, what: string): Promise<Observation> {
    const labels = ownerLabels(record.owner);
    return observeAll(record.targets, async (t) => (await countRules(t, record.comment, labels)) > 0, `${what} "${record.comment}"`);
}
