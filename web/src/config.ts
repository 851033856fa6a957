// Where the workers are: their content-hashed URLs are written into index.html at build time.
const data = document.documentElement.dataset;

export const POLL_WORKER_URL = data.pollWorker ?? '';
export const MINT_WORKER_URL = data.mintWorker ?? '';
