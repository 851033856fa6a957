// esbuild bundles the style sheet imported by main.tsx; TypeScript only needs to know it exists.
declare module '*.css';
