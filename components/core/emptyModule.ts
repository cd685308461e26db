// What a reaper bundle gets for a module it must not carry (core/bundle.ts ReaperBundle.empty): nothing.
export {};
