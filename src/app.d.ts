// Ambient types for SvelteKit. The app is a client-only SPA: no server
// locals or platform; page data stays inferred from the load functions.
declare global {
  namespace App {
    interface Error {
      message: string;
    }
  }
}

export {};
