/** User-facing texts shared by the browser code and the server-side route handlers. */
export const SERVICE_UNAVAILABLE = "The service is unavailable, try again.";
export const NETWORK_FAILURE = "Cannot reach the server. Check your connection and try again.";
export const SESSION_ENDED = "Your session has ended. Please sign in again.";
export const NOT_SIGNED_IN = "Not signed in.";
