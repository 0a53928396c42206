"""Test plugin of the hostile corpus: proves that a town's PLUGINS setting imported it."""
import sys
sys.stderr.write("GARDARIKA-HOSTILE-PLUGIN-RAN\n")


def register():
    sys.stderr.write("GARDARIKA-HOSTILE-PLUGIN-REGISTERED\n")
