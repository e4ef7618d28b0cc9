import { describe, expect, it } from "bun:test";
import { compileTemplate, fillRepeated, fillTemplate } from "../src/links/page-template";

const TOKENS = ["__A__", "__B__"];
const page = () => compileTemplate(`<a href="/x__A__">go</a><p>__B__</p><i>__A__</i>`, TOKENS);

describe("page templates", () => {
  it("fills every slot with its value", () => {
    expect(fillTemplate(page(), { __A__: "?utm_source=ig", __B__: "hi" })).toBe(`<a href="/x?utm_source=ig">go</a><p>hi</p><i>?utm_source=ig</i>`);
  });

  it("gives back the last fill's very string for the same values, and a fresh one for others", () => {
    const t = page();
    const first = fillRepeated(t, { __A__: "?utm_source=ig", __B__: "" });
    expect(fillRepeated(t, { __A__: "?utm_source=ig", __B__: "" })).toBe(first);
    expect(t.last?.html).toBe(first);
    // Any changed slot (or a value for a token the page does not hold) is honoured.
    expect(fillRepeated(t, { __A__: "?utm_source=tt", __B__: "" })).toBe(`<a href="/x?utm_source=tt">go</a><p></p><i>?utm_source=tt</i>`);
    expect(fillRepeated(t, { __A__: "?utm_source=tt", __B__: "x" })).toBe(`<a href="/x?utm_source=tt">go</a><p>x</p><i>?utm_source=tt</i>`);
    expect(fillRepeated(t, { __A__: "?utm_source=ig", __B__: "", __C__: "unused" })).toBe(first);
  });

  it("matches fillTemplate for every combination of values", () => {
    const t = page();
    const values = ["", "a", "b", "&amp;"];
    for (const a of values) for (const b of values) for (const again of [false, true]) {
      const v = { __A__: a, __B__: b };
      expect(fillRepeated(t, v)).toBe(fillTemplate(t, v));
      if (again) expect(fillRepeated(t, v)).toBe(fillTemplate(t, v));
    }
  });
});
