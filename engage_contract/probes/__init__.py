"""Hand-made requests, each derived from the contract (never restated): those that give the documented outcomes
their best chance (outcomes), edges the contract does not state (edges), inputs backends mishandle (mishandled),
and realistic places for generated bodies (realistic). Imports judging/ and below."""
