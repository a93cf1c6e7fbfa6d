/// <reference types="vite/client" />
// Vite handles CSS imports, `new URL(…, import.meta.url)` assets and `new Worker(new URL(…))` in this app.
