// Batches DOM work: components mark themselves dirty as messages arrive (hundreds per
// second) and render at most once per animation frame, or less often when they ask for a
// minimum gap between renders (a trade tape redrawn 60 times a second is unreadable and
// costs paint; 10 times is plenty). When the page is hidden the browser stops animation
// frames, so a slow timer takes over; state stays bounded either way because components
// keep capped models, not queues of pending DOM work.

type Render = () => void;

const dirty = new Set<Render>();
const lastRun = new WeakMap<Render, number>();
const waiting = new Set<Render>();
let scheduled = false;
const HIDDEN_INTERVAL_MS = 1000;

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}

function flush(): void {
  scheduled = false;
  const jobs = [...dirty];
  dirty.clear();
  const t = now();
  for (const job of jobs) {
    lastRun.set(job, t);
    try {
      job();
    } catch (err) {
      // One broken component must not stop the others from rendering.
      console.warn("render failed", err);
    }
  }
}

function requestFlush(): void {
  if (scheduled) return;
  scheduled = true;
  if (typeof document !== "undefined" && document.hidden) {
    setTimeout(flush, HIDDEN_INTERVAL_MS);
  } else if (typeof requestAnimationFrame === "function") {
    requestAnimationFrame(flush);
  } else {
    setTimeout(flush, 16);
  }
}

/**
 * Schedules render to run once in a coming frame, however often it is called before.
 * With minGapMs, the render runs no sooner than that after its previous run.
 */
export function schedule(render: Render, minGapMs = 0): void {
  if (dirty.has(render) || waiting.has(render)) return;
  const wait = minGapMs > 0 ? (lastRun.get(render) ?? -Infinity) + minGapMs - now() : 0;
  if (wait > 1) {
    waiting.add(render);
    setTimeout(() => {
      waiting.delete(render);
      dirty.add(render);
      requestFlush();
    }, wait);
    return;
  }
  dirty.add(render);
  requestFlush();
}
