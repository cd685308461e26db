// vitest in Node (no DOM), one worker process: the test talks to a real Docker engine.
import { defineConfig } from "vitest/config";

export default defineConfig({ test: { environment: "node", pool: "forks" } });
