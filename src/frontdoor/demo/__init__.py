"""The demo council: `frontdoor seed-demo` and the first `make run` build it."""
