"""Publishing: the USB/CD package with its manifest and ISO image, deploy targets, and
the network's chores (CODEOWNERS, CI shards, pulling towns' content).

See docs/architecture.md for how the stages fit together.
"""
