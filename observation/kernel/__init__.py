"""The shared kernel: helpers every app uses the same way (see docs/architecture.md)."""
