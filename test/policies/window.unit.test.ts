import assert from "node:assert/strict";
import { afterEach, describe, it } from "node:test";
import { clock, gameDayWindow, windowAt } from "../../policies/window";
import { stackViolations } from "../helpers/policy";
import { dockerFault, experiment } from "./fixtures";

// Tuesday 2026-03-03, 15:30 UTC = 16:30 in Berlin.
const TUESDAY = new Date("2026-03-03T15:30:00Z");
const stack = [experiment(), dockerFault()];

describe("policy game-day-window", () => {
    afterEach(() => (clock.now = () => new Date()));

    it("is advisory by default, with a severity and remediation steps", () => {
        assert.equal(gameDayWindow.enforcementLevel, "advisory");
        assert.equal(gameDayWindow.severity, "low");
        assert.match(gameDayWindow.remediationSteps ?? "", /gameDayWindows/);
    });

    it("checks nothing when no window is configured", async () => {
        clock.now = () => TUESDAY;
        assert.deepEqual(await stackViolations(gameDayWindow, stack), []);
    });

    it("passes inside a window, in the window's time zone", async () => {
        clock.now = () => TUESDAY;
        const config = { gameDayWindows: [{ days: ["tue"], start: "16:00", end: "17:00", timeZone: "Europe/Berlin" }] };
        assert.deepEqual(await stackViolations(gameDayWindow, stack, { config }), []);
    });

    it("flags injection outside every window", async () => {
        clock.now = () => TUESDAY;
        const config = {
            gameDayWindows: [
                { days: ["wed"], start: "09:00", end: "12:00", timeZone: "Europe/Berlin" },
                { start: "09:00", end: "15:00" },
            ],
        };
        assert.deepEqual(await stackViolations(gameDayWindow, stack, { config }), [
            "faults may be injected only inside the game-day windows (wed 09:00-12:00 Europe/Berlin; every day 09:00-15:00 UTC); it is now tue 16:30 Europe/Berlin",
        ]);
    });

    it("windowAt treats the end as exclusive and 24:00 as the end of the day", () => {
        const w = { start: "15:30", end: "24:00" };
        assert.equal(windowAt([w], TUESDAY), w);
        assert.equal(windowAt([{ start: "00:00", end: "15:30" }], TUESDAY), undefined);
    });
});
