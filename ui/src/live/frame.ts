/** One callback per animation frame (a timer where the page has no frames, e.g. hidden). */
export type FrameScheduler = (callback: () => void) => void;

export const nextFrame: FrameScheduler = (callback) => {
  if (typeof requestAnimationFrame === "function") {
    requestAnimationFrame(() => callback());
  } else {
    setTimeout(callback, 16);
  }
};
