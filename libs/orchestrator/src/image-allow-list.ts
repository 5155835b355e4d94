/**
 * An optional allow-list of images: exact names (`edgerun/resnet:1.0`), repository prefixes ending
 * in `*` (`edgerun/*`, `registry.local:5000/fn-*`), or a repository without a tag matching every
 * tag of it (`edgerun/resnet`). An empty list allows every image.
 */
export function imageAllowed(
  image: string,
  allowList: readonly string[],
): { ok: true } | { ok: false; reason: string } {
  if (allowList.length === 0) return { ok: true };
  const repository = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '');
  for (const entry of allowList) {
    if (entry.endsWith('*') ? image.startsWith(entry.slice(0, -1)) : image === entry || repository === entry)
      return { ok: true };
  }
  return {
    ok: false,
    reason: `image ${JSON.stringify(image)} is not in the allow-list (schedule_scale_opt_allowed_images: ${allowList.join(', ')})`,
  };
}
