// Batches DOM work: components mark themselves dirty as messages arrive (hundreds per
// second) and render at most once per animation frame. When the page is hidden the browser
// stops animation frames, so a slow timer takes over; state stays bounded either way
// because components keep capped models, not queues of pending DOM work.

type Render = () => void;

const dirty = new Set<Render>();
let scheduled = false;
const HIDDEN_INTERVAL_MS = 1000;

function flush(): void {
  scheduled = false;
  const jobs = [...dirty];
  dirty.clear();
  for (const job of jobs) {
    try {
      job();
    } catch (err) {
      // One broken component must not stop the others from rendering.
      console.warn("render failed", err);
    }
  }
}

/** Schedules render to run once in the next frame, however often it is called before. */
export function schedule(render: Render): void {
  dirty.add(render);
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
