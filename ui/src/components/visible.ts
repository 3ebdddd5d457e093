// One IntersectionObserver for every card: calls back the first time an element comes near the screen.

const callbacks = new WeakMap<Element, () => void>();
const observer = new IntersectionObserver(
  (records) => {
    for (const record of records) {
      if (!record.isIntersecting) continue;
      callbacks.get(record.target)?.();
      callbacks.delete(record.target);
      observer.unobserve(record.target);
    }
  },
  { rootMargin: '200px' },
);

export function whenVisible(element: Element, callback: () => void): () => void {
  callbacks.set(element, callback);
  observer.observe(element);
  return () => {
    callbacks.delete(element);
    observer.unobserve(element);
  };
}
