"""A request out and its answer back: the client every request goes through (kept-alive sessions, correlation
ids, retries), its tokens, its pacing under the platform's limits, and the transport that follows no redirect.
Imports the foundation only."""
