import type { StackValidationPolicy } from "@pulumi/policy";
import { configOf, isAnyFault } from "./util";

/** One game-day window: on these days, from `start` to `end` (24h clock) in `timeZone`. */
export interface GameDayWindow {
    /** Days of the week ("mon" … "sun"). Defaults to every day. */
    days?: string[];
    /** "HH:MM", inclusive. */
    start: string;
    /** "HH:MM", exclusive; "24:00" for the end of the day. */
    end: string;
    /** An IANA time zone such as "Europe/Berlin". Defaults to "UTC". */
    timeZone?: string;
}

/** Configuration of {@link gameDayWindow}. */
export interface GameDayWindowConfig {
    /** When faults may be injected. Empty (the default): any time. */
    gameDayWindows: GameDayWindow[];
}

const defaults: GameDayWindowConfig = { gameDayWindows: [] };

/** Where the policy reads the time; tests replace `now`. */
export const clock = { now: (): Date => new Date() };

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The weekday and "HH:MM" of `date` in `timeZone`. */
function localTime(date: Date, timeZone: string): { day: string; hhmm: string } {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(date);
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
    return { day: get("weekday").toLowerCase().slice(0, 3), hhmm: `${get("hour")}:${get("minute")}` };
}

/** The window `date` falls in, if any. */
export function windowAt(windows: GameDayWindow[], date: Date): GameDayWindow | undefined {
    return windows.find((w) => {
        const { day, hhmm } = localTime(date, w.timeZone ?? "UTC");
        return (w.days ?? DAYS).map((d) => d.toLowerCase().slice(0, 3)).includes(day) && hhmm >= w.start && hhmm < w.end;
    });
}

function describeWindow(w: GameDayWindow): string {
    return `${(w.days ?? ["every day"]).join(",")} ${w.start}-${w.end} ${w.timeZone ?? "UTC"}`;
}

/**
 * Faults go in only during agreed game-day windows, when the people who own the targets are watching. Optional:
 * with no windows configured it checks nothing, and it is advisory unless the pack config makes it mandatory.
 */
export const gameDayWindow: StackValidationPolicy = {
    name: "game-day-window",
    description: "Faults are injected only inside the configured game-day windows (none configured: any time).",
    enforcementLevel: "advisory",
    severity: "low",
    remediationSteps:
        "Run the experiment inside one of the configured windows, or agree a new window and add it to `gameDayWindows` " +
        "in the policy pack config. Set the policy's enforcementLevel to mandatory to block outside windows.",
    configSchema: {
        properties: {
            gameDayWindows: {
                type: "array",
                default: defaults.gameDayWindows,
                items: {
                    type: "object",
                    required: ["start", "end"],
                    properties: {
                        days: { type: "array", items: { type: "string", enum: DAYS } },
                        start: { type: "string", pattern: "^([01][0-9]|2[0-3]):[0-5][0-9]$" },
                        end: { type: "string", pattern: "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$" },
                        timeZone: { type: "string" },
                    },
                },
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const { gameDayWindows } = configOf(args, defaults);
        if (gameDayWindows.length === 0 || !args.resources.some(isAnyFault)) return;
        const now = clock.now();
        if (windowAt(gameDayWindows, now)) return;
        const first = gameDayWindows[0]!;
        const { day, hhmm } = localTime(now, first.timeZone ?? "UTC");
        reportViolation(
            `faults may be injected only inside the game-day windows (${gameDayWindows.map(describeWindow).join("; ")}); ` +
                `it is now ${day} ${hhmm} ${first.timeZone ?? "UTC"}`,
        );
    },
};
