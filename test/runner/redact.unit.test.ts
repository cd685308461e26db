import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { redactDeep, redactText, secretValues } from "../../runner/redact";

describe("redactText", () => {
    it("redacts credential query parameters and keeps the rest of the URL exactly", () => {
        assert.equal(
            redactText("load 50 req/s → http://127.0.0.1:8080/orders?token=abc123&page=2&api_key=k-9#top"),
            "load 50 req/s → http://127.0.0.1:8080/orders?token=***&page=2&api_key=***#top",
        );
        assert.equal(
            redactText("GET https://bucket.example/x?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=f00d&X-Amz-Expires=60"),
            "GET https://bucket.example/x?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Expires=60",
        );
        assert.equal(redactText("http://127.0.0.1:8080/?sessionId=1&password=hunter2"), "http://127.0.0.1:8080/?sessionId=1&password=***");
    });

    it("redacts a password in the URL's userinfo", () => {
        assert.equal(redactText("redis://app:s3cret@127.0.0.1:6379/0"), "redis://app:***@127.0.0.1:6379/0");
        assert.equal(redactText("redis://127.0.0.1:6379/0"), "redis://127.0.0.1:6379/0");
    });

    it("redacts credential headers written as text", () => {
        assert.equal(redactText("sent Authorization: Bearer eyJhbGciOi.x.y and X-Api-Key=k123"), "sent Authorization: *** and X-Api-Key=***");
    });

    it("redacts Pulumi secret values wherever they appear, longest first", () => {
        assert.equal(redactText("pw is hunter2hunter2, prefix hunter2", ["hunter2", "hunter2hunter2"]), "pw is ***, prefix ***");
    });
});

describe("redactDeep", () => {
    it("replaces credential-named fields whole and redacts every other string", () => {
        const probe = {
            name: "api",
            url: "http://127.0.0.1:8080/health?access_token=t0k",
            headers: { Authorization: "Bearer t0k", Cookie: "sid=1", Accept: "application/json", "X-Api-Key": "k" },
        };
        assert.deepEqual(redactDeep(probe), {
            name: "api",
            url: "http://127.0.0.1:8080/health?access_token=***",
            headers: { Authorization: "***", Cookie: "***", Accept: "application/json", "X-Api-Key": "***" },
        });
    });

    it("leaves numbers, booleans and null alone", () => {
        assert.deepEqual(redactDeep({ a: 1, b: true, c: null, d: ["x"] }), { a: 1, b: true, c: null, d: ["x"] });
    });
});

describe("secretValues", () => {
    it("takes plain secrets whole and a JSON secret's credential-named fields, never public config", () => {
        const config = {
            "faultline:dbPassword": { value: "hunter2", secret: true },
            "faultline:region": { value: "eu-west-1", secret: false },
            "faultline:experiment": {
                value: JSON.stringify({ name: "x", load: { url: "http://127.0.0.1:1/", headers: { Authorization: "Bearer abc" } } }),
                secret: true,
            },
        };
        assert.deepEqual(secretValues(config), ["hunter2", "Bearer abc"]);
    });
});
