/**
 * A fake canvas + context that makes Chart.js draw into a rectangular sub-region of a bigger
 * canvas surface.
 *
 * Chart.js assumes it owns a whole canvas: it sets absolute transforms (`setTransform(dpr, …)`),
 * clears the full canvas before drawing and on destroy, and resizes the canvas to
 * `width × devicePixelRatio`. To lay several charts on one page (and keep SVG/PDF vector), we
 * hand it a Proxy around the real context that
 *  - reports a canvas of the panel's size,
 *  - adds the panel's offset to every absolute transform (`setTransform`, `resetTransform`),
 *  - ignores `clearRect` (the page is pre-filled white; clearing would punch transparent holes
 *    in PNG output and is meaningless in PDF),
 * and forwards everything else (bound to the real context, since node-canvas methods and
 * accessors are native and require the real `this`). A PDF page context has no `.canvas` of its
 * own; the fake one here is what Chart.js sees on every format.
 */
import type { DrawingContext as CanvasRenderingContext2D } from './surface.ts';

/** What Chart.js reads from a canvas on the non-DOM ("basic") platform. */
export interface FakeCanvas {
  width: number;
  height: number;
  style: Record<string, string>;
  getContext(kind: '2d'): CanvasRenderingContext2D;
}

/**
 * @param ctx the real page context
 * @param offsetX,offsetY the panel's top-left corner in *device* pixels of the page
 * @param width,height the panel's size in CSS px (Chart.js multiplies by devicePixelRatio itself)
 */
export function subRegionContext(
  ctx: CanvasRenderingContext2D,
  offsetX: number,
  offsetY: number,
  width: number,
  height: number,
): CanvasRenderingContext2D {
  const target = ctx as unknown as Record<PropertyKey, unknown>;
  const bound = new Map<PropertyKey, unknown>();
  const overrides: Record<string, unknown> = {
    setTransform(...args: unknown[]): void {
      if (args.length === 1 && typeof args[0] === 'object' && args[0] !== null) {
        const m = args[0] as { a: number; b: number; c: number; d: number; e: number; f: number };
        ctx.setTransform(m.a, m.b, m.c, m.d, m.e + offsetX, m.f + offsetY);
      } else {
        const [a, b, c, d, e, f] = args as number[];
        ctx.setTransform(a!, b!, c!, d!, e! + offsetX, f! + offsetY);
      }
    },
    resetTransform(): void {
      ctx.setTransform(1, 0, 0, 1, offsetX, offsetY);
    },
    clearRect(): void {
      /* intentionally ignored, see module comment */
    },
  };
  let proxy: CanvasRenderingContext2D;
  const fakeCanvas: FakeCanvas = {
    width,
    height,
    style: {},
    getContext: () => proxy,
  };
  overrides.canvas = fakeCanvas;

  proxy = new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && prop in overrides) return overrides[prop];
      const value = Reflect.get(t, prop, t);
      if (typeof value !== 'function') return value;
      let fn = bound.get(prop);
      if (!fn) {
        fn = (value as (...a: unknown[]) => unknown).bind(t);
        bound.set(prop, fn);
      }
      return fn;
    },
    set(t, prop, value) {
      return Reflect.set(t, prop, value, t);
    },
  }) as unknown as CanvasRenderingContext2D;
  // Start at the panel origin, in case anything draws before Chart.js sets its transform.
  proxy.resetTransform();
  return proxy;
}
