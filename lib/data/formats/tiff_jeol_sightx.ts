/**
 * Pixel size of a TIFF saved by JEOL's SightX viewer (Make tag "JEOL Ltd.", an XML `<TemReporter>` in
 * ImageDescription), as HyperSpy 1.7.3 reads it (its `_axes_jeol_sightx`): in TEM (`EosMode` eosTEM)
 * MAG mode the TIFF resolution is that of the film plane, so pixel size = (1 / XResolution) in the
 * ResolutionUnit (inch, else cm) / magnification (`ImageFormingSystem/SelectorValue`). A diffraction
 * (DIFF) image is in reciprocal space and a STEM image states no pixel size there: both get no
 * calibration with the reason.
 */
import { ScaleReading, unusableReading } from "./types";

/** Text of the first `<name>…</name>` element inside `xml` (whitespace trimmed), or undefined. */
function element(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? m[1].trim() : undefined;
}

/**
 * SightX description + TIFF resolution → pixel size, or null when the page is not a SightX TIFF.
 * `xres`/`yres` are pixels per `resolutionUnit` (2 = inch, else cm, as the TIFF tag 296 says).
 */
export function jeolSightXScale(make: string | undefined, desc: string | undefined, xres: number | undefined, yres: number | undefined, resolutionUnit: number | undefined): ScaleReading | null {
  if (make?.trim() !== "JEOL Ltd." || !desc || !desc.includes("<TemReporter")) return null;
  const detail = "TIFF JEOL SightX TemReporter (1/XResolution / magnification)";
  const eos = element(desc, "EosMode");
  const ifs = element(desc, "ImageFormingSystem") ?? "";
  const mode = element(ifs, "ModeString");
  if (eos !== "eosTEM") return unusableReading(detail, `EosMode ${eos ?? "(absent)"}: not a TEM image, SightX states no pixel size for it`);
  if (mode !== "MAG") return unusableReading(detail, `ModeString ${mode ?? "(absent)"}: ${mode === "DIFF" ? "a diffraction pattern (reciprocal space)" : "not an image-mode (MAG) micrograph"}`);
  const mag = Number(element(ifs, "SelectorValue"));
  const metres = resolutionUnit === 2 ? 0.0254 : 0.01;
  const rx = xres ?? NaN, ry = yres ?? rx;
  return { ok: true, x: { scale: (metres / rx) / mag, unit: "m", origin: 0 }, y: { scale: (metres / ry) / mag, unit: "m", origin: 0 }, detail: `${detail} at ×${mag}` };
}
