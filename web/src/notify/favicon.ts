// The favicon with a badge: the page's own icon, with the unread count in a circle drawn over its
// corner (red when something mentions you or a private message waits). The drawing is a PNG data:
// URL, which the Content-Security-Policy allows for images; with nothing unread the original
// icon comes back.

let original: { href: string; type: string } | null = null;
let image: Promise<HTMLImageElement | null> | null = null;
/** bumps with every change, so a slow drawing never replaces a newer one */
let generation = 0;

function iconLink(): HTMLLinkElement | null {
  return document.querySelector<HTMLLinkElement>('link[rel~="icon"]');
}

function loadImage(href: string): Promise<HTMLImageElement | null> {
  const img = new Image();
  img.src = href;
  return img.decode().then(
    () => img,
    () => null, // no icon to draw on: the badge alone is drawn
  );
}

const SIZE = 64;

async function draw(count: number, urgent: boolean): Promise<string | null> {
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  const ctx = canvas.getContext('2d');
  if (!ctx || !original) return null;
  image ??= loadImage(original.href);
  const base = await image;
  if (base) ctx.drawImage(base, 0, 0, SIZE, SIZE);
  const text = count > 99 ? '99+' : String(count);
  const radius = text.length > 1 ? 26 : 22;
  ctx.beginPath();
  ctx.arc(SIZE - radius, radius, radius, 0, 2 * Math.PI);
  ctx.fillStyle = urgent ? '#d1242f' : '#1a7f37';
  ctx.fill();
  ctx.fillStyle = '#fff';
  ctx.font = `bold ${text.length > 2 ? 22 : 32}px sans-serif`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillText(text, SIZE - radius, radius + 2);
  return canvas.toDataURL('image/png');
}

/** Shows `count` on the favicon (0: the plain icon). */
export function setFaviconBadge(count: number, urgent: boolean): void {
  const link = iconLink();
  if (!link) return;
  original ??= { href: link.href, type: link.type };
  const mine = ++generation;
  link.dataset.badge = String(count);
  if (count === 0) {
    link.href = original.href;
    link.type = original.type;
    return;
  }
  void draw(count, urgent).then((url) => {
    if (!url || mine !== generation) return;
    link.href = url;
    link.type = 'image/png';
  });
}
