import { describe, expect, it } from "vitest";
import { translator } from "../i18n/locales";
import { fromDistance, fromVolume, makeFormat, toConsumption, toDistance, toVolume } from "./format";

describe("unit conversion", () => {
  it("converts litres and gallons both ways", () => {
    expect(toVolume(3.785411784, "gal")).toBeCloseTo(1, 9);
    expect(toVolume(10, "l")).toBe(10);
    expect(fromVolume(toVolume(123.4, "gal"), "gal")).toBeCloseTo(123.4, 9);
  });

  it("converts km and miles both ways", () => {
    expect(toDistance(1.609344, "mi")).toBeCloseTo(1, 9);
    expect(fromDistance(toDistance(90, "mi"), "mi")).toBeCloseTo(90, 9);
  });

  it("turns L/100 km into US mpg", () => {
    // 235.215 / 30 L/100 km = 7.84 mpg
    expect(toConsumption(30, "mi")).toBeCloseTo(7.8405, 3);
    expect(toConsumption(30, "km")).toBe(30);
    expect(toConsumption(0, "mi")).toBeNaN();
  });
});

describe("makeFormat", () => {
  it("formats with the unit and the language's separators", () => {
    const en = makeFormat("en", "l", "km", translator("en"));
    expect(en.volume(1234.56)).toBe("1,234.6 L");
    expect(en.consumption(30)).toBe("30.0 L/100 km");
    expect(en.speed(88.4)).toBe("88 km/h");

    const es = makeFormat("es", "gal", "mi", translator("es"));
    expect(es.volume(378.5411784)).toBe("100,0 gal");
    expect(es.distance(160.9344)).toBe("100,0 mi");
    expect(es.speed(160.9344)).toBe("100 mph");
    expect(es.consumption(30)).toBe("7,8 mpg");
    expect(es.pct(12.5, 1)).toMatch(/^12,5\s?%$/);
  });

  it("shows a dash for missing values instead of a zero", () => {
    const f = makeFormat("en", "l", "km", translator("en"));
    expect(f.volume(null)).toBe("–");
    expect(f.consumption(undefined)).toBe("–");
    expect(f.dateTime(null)).toBe("–");
  });

  it("gives prices per the chosen volume unit", () => {
    const f = makeFormat("en", "gal", "km", translator("en"));
    expect(f.pricePerVolume(1, "USD")).toBe("$3.785/gal");
  });
});
