"""One module per CLI command (see shanggao.cli.COMMAND_MODULES)."""
