"""The `railwatch` command: one small module per command, each a thin shell over the library."""
